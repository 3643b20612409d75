// The one place keys are built (STYLE.md rule 9). Layouts: docs/storage-format.md.
//
// Profile-scoped keys start with "{" + pid + "}" where pid is a 26-character ULID: the
// braces make it a Redis Cluster hash tag, and every key of a profile in every
// profile-scoped keyspace falls in [ProfilePrefix(pid), PrefixEnd(ProfilePrefix(pid))).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tailor::storage {

inline constexpr size_t kPidBytes = 26;

// "{pid}".
std::string ProfilePrefix(std::string_view pid);

// Decision outcomes: decision_id + '\0' + event_id (a prefix scan per decision).
std::string DecisionOutcomeKey(std::string_view decision_id, std::string_view event_id);

// Events: "{pid}" + 8-byte big-endian (timestamp_ms with the sign bit flipped, so
// negative times sort first) + event_id. Sorted by time within a profile.
std::string EventKey(std::string_view pid, int64_t timestamp_ms, std::string_view event_id);
// An EventKey less its "{pid}" prefix (the write-behind journal records these).
std::string EventKeySuffix(int64_t timestamp_ms, std::string_view event_id);

// The smallest event key of `pid` at or after `timestamp_ms`.
std::string EventKeyLowerBound(std::string_view pid, int64_t timestamp_ms);

struct DecodedEventKey {
  std::string_view pid;
  int64_t timestamp_ms;
  std::string_view event_id;
};
// Decodes an EventKey; nullopt when `key` is not one.
std::optional<DecodedEventKey> DecodeEventKey(std::string_view key);

// Identities: kind + ':' + external id, kind is "u" (user_id) or "a" (anonymous_id).
std::string IdentityKey(char kind, std::string_view external_id);

// Segment membership index: segment name + '\0' + pid.
std::string SegmentMemberKey(std::string_view segment, std::string_view pid);
// The prefix of every member key of `segment`.
std::string SegmentMemberPrefix(std::string_view segment);

// Size history: segment name + '\0' + 8-byte big-endian epoch ms (sorted by time).
std::string SegmentSizeKey(std::string_view segment, int64_t at_ms);
// Decodes the time of a SegmentSizeKey; nullopt when malformed.
std::optional<int64_t> DecodeSegmentSizeTime(std::string_view key);

// Profile journal (write-behind): 8-byte big-endian sequence number, sorted by number.
// Also the encoding of the next sequence number kept in kMeta.
std::string JournalKey(uint64_t seq);
// Decodes a JournalKey; nullopt when `key` is not 8 bytes.
std::optional<uint64_t> DecodeJournalKey(std::string_view key);

}  // namespace tailor::storage
