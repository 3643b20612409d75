// Decoding and validation of an ingest request body ({"events":[...]}) into Events.
//
// The body is parsed once with simdjson (DOM, a reusable per-thread parser). Body-level
// problems (not JSON, invalid UTF-8, not an object, no `events` array, unknown top-level
// member, too many events) fail the whole batch. Each element of `events` is then decoded
// independently: good events are returned in order with their original index, bad ones
// become an EventError carrying the element's raw JSON for the dead-letter store.
//
// This layer checks the envelope (ids, type name, timestamp window, member shapes). The
// per-type JSON Schema of `properties` is checked separately by SchemaRegistry.
//
// Thread safety: DecodeBatch and DecodeBatchInPlace are safe to call concurrently from
// any number of threads (each thread reuses its own parser).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/event.h"
#include "ingest/ingest_config.h"

namespace tailor::ingest {

struct DecodeOptions {
  // A batch with more events than this fails as a whole with kPayloadTooLarge.
  size_t max_batch_events = 1000;
  // Events whose timestamp is older than received_at - max_age_ms are rejected (ms).
  // Same default as IngestConfig::max_age_ms (400 days).
  int64_t max_age_ms = 400LL * 86'400'000;
  // Events whose timestamp is later than received_at + max_future_skew_ms are rejected
  // (ms). Same default as IngestConfig::max_future_skew_ms (10 minutes).
  int64_t max_future_skew_ms = 10LL * 60'000;
  // Purposes a consent event may name. Empty accepts any purpose name.
  // Same default as IngestConfig::consent_purposes.
  std::vector<std::string> consent_purposes = {"analytics", "personalization", "marketing"};

  // Copies the relevant fields of the `events` / `consent` configuration.
  static DecodeOptions FromConfig(const IngestConfig& config);

  // Returns kInvalidArgument when a field is out of range (max_batch_events == 0,
  // negative durations).
  Status Validate() const;
};

// One rejected element of the batch.
struct EventError {
  size_t index = 0;      // position in the `events` array
  std::string event_id;  // the element's event_id when it is a readable string, else ""
  Status status;         // kInvalidArgument with a path such as "events[3].timestamp"
  std::string raw_json;  // the element, re-serialized as compact JSON (dead-letter store)
};

struct DecodedBatch {
  std::vector<Event> events;       // accepted events, in input order
  std::vector<size_t> indexes;     // indexes[k] is the position of events[k] in the input
  std::vector<EventError> errors;  // rejected elements, in input order
};

// Decodes `body`. Every accepted Event has received_at_ms = `received_at_ms` and empty
// profile_id / session_id. The raw-JSON members (context, properties, traits, consent)
// are stored compact (re-serialized by simdjson; numbers keep their value, not
// necessarily their spelling: 1E2 becomes 100.0).
// Returns kInvalidArgument (with a path when one applies) for a malformed body and
// kPayloadTooLarge when the batch has more than options.max_batch_events events; never
// fails because of an individual event. The body is copied once into a padded buffer;
// use DecodeBatchInPlace to avoid the copy.
// REQUIRES: options.Validate().ok().
Result<DecodedBatch> DecodeBatch(std::string_view body, const DecodeOptions& options,
                                 int64_t received_at_ms);

// The trailing capacity simdjson needs after the input bytes (SIMDJSON_PADDING).
inline constexpr size_t kDecodePadding = 64;

// Same as DecodeBatch, but parses `*body` in place: reserves kDecodePadding bytes of
// spare capacity (a no-op when the HTTP layer already did) instead of copying.
// *body's contents are unchanged. REQUIRES: body != nullptr.
Result<DecodedBatch> DecodeBatchInPlace(std::string* body, const DecodeOptions& options,
                                        int64_t received_at_ms);

// True when `type` matches ^[a-z][a-z0-9_]{0,63}$, the event type naming rule.
bool IsValidEventType(std::string_view type);

}  // namespace tailor::ingest
