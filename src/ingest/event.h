// The event model. An Event is what a client sent, after decoding and validation, plus
// what the server resolved at the edge (received_at, profile id, session id).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tailor::ingest {

struct Event {
  std::string event_id;      // client-chosen, unique per event (idempotency key)
  std::string type;          // "page_view", "purchase", "identify", "consent", ...
  std::string user_id;       // may be empty when anonymous_id is set
  std::string anonymous_id;  // may be empty when user_id is set
  int64_t timestamp_ms = 0;  // client time, epoch ms
  int64_t received_at_ms = 0;
  // Raw JSON (compact, validated) of the optional members; "" when absent.
  std::string context_json;     // object: channel, device, ip, user_agent, locale, page, ...
  std::string properties_json;  // object: type-specific, validated by the type's schema
  std::string traits_json;      // object: identify only
  // object: consent only, {"purposes":{"analytics":true},"source":"banner"}
  std::string consent_json;
  // Resolved by the pipeline.
  std::string profile_id;
  std::string session_id;
  // Optional, client-sent: the decision (POST /v1/decide response) this event reacts to,
  // used to attribute conversions to variants. "" when absent.
  std::string decision_id;

  friend bool operator==(const Event&, const Event&) = default;
};

// Serializes an event as one compact JSON object, the API's form (profile history,
// decision outcomes):
//   {"event_id","type","user_id","anonymous_id","timestamp","received_at","session_id",
//    "decision_id","context","properties","traits","consent"}
// Timestamps are ISO 8601 strings (ms precision); empty strings and absent raw-JSON members
// are omitted. profile_id is NOT written (it is the key the event is stored under).
// REQUIRES: the *_json members are empty or valid compact JSON objects (as produced by
// DecodeBatch); they are copied verbatim.
std::string EncodeEventJson(const Event& e);

// The stored form of an event, the value under its `events` key (docs/storage-format.md):
// a version byte (kStoredEventV1), then the members as length-prefixed strings and
// varints; the raw-JSON members stay compact JSON text. About 40 % smaller than the
// JSON form (no member names, times as varints instead of ISO strings), which is what
// every ingested event costs in the WAL, the memtable, flushes and compactions.
// profile_id is NOT written. Same REQUIRES as EncodeEventJson.
inline constexpr char kStoredEventV1 = '\x01';
std::string EncodeStoredEvent(const Event& e);

// Parses a stored event: the binary form of EncodeStoredEvent, or the JSON form of
// EncodeEventJson (values written before 2026-12-07, and outcome records). profile_id is
// left empty. Unknown JSON members are ignored (forward compatibility).
// Returns kCorruption when `stored` is neither, a required member (event_id, type,
// timestamp, received_at) is missing or a member has the wrong type.
// Thread safety: safe to call concurrently (uses a per-thread parser).
Result<Event> DecodeStoredEvent(std::string_view stored);

// The JSON form (EncodeEventJson) of a stored event, for the API; a JSON value is
// returned as it is. kCorruption as DecodeStoredEvent.
Result<std::string> StoredEventJson(std::string_view stored);

// True for events Tailor writes itself (segment_entered, segment_exited); they appear in
// a profile's history but never feed features.
bool IsInternalEventType(std::string_view type);

}  // namespace tailor::ingest
