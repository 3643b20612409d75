// The stored form of decision records (docs/storage-format.md, "Decision segments").
//
// A `decisions` value is a *segment*: the records of one writer flush, in id order.
// Version 2 (written now) is binary: a version byte 0x02, then per record a varint
// length and the record (the 26-character id first, so ranges are decided without
// decoding; strings length-prefixed, never escaped; the request context kept as the JSON
// text encoded once per request). Version 1 (written before) is JSON lines, one record per
// line; it is still read, so data directories written by older binaries keep working until
// their records expire.
//
// Either way a record reads back as the JSON object of docs/decisions.md.
//
// Thread safety: free functions over caller-owned data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_doc.h"
#include "core/status.h"
#include "decision/answer.h"
#include "decision/profile_view.h"

namespace tailor::decision {

// A decision as answered, for DecisionLog::Append, which encodes it before returning:
// nothing here is kept, so it only points at what the caller owns.
struct PendingDecision {
  int64_t at_ms = 0;
  // What the rules read: its pid is the record's profile id, its id the snapshot id.
  // Null for neither (tests).
  const ProfileView* view = nullptr;
  std::string_view user_id, anonymous_id;
  std::string_view placement;
  uint64_t config_version = 0;
  // The completed request context (with "channel", and "time" when read) as JSON text,
  // encoded once per request and shared by its records: `context_json` followed by
  // `context_tail` (CompletedContext's two parts). Empty encodes as {}.
  std::string_view context_json;
  std::string_view context_tail;
  const Answer* answer = nullptr;  // null encodes as a default Answer
  const Answer* shadow = nullptr;  // the shadow rule set's answer, if any
  bool cached = false;
  bool impressions_recorded = false;
  bool consented = true;  // the profile had the personalization consent
  int64_t latency_us = 0;
};

inline constexpr size_t kDecisionIdSize = 26;  // a ULID
inline constexpr char kSegmentV2 = '\x02';     // first byte of a binary segment
// REQUIRES: `id` is kDecisionIdSize characters.
// Appends the length-prefixed version-2 record of `d` with id `id` to `out` (a segment
// body, after its version byte).
void AppendRecordV2(std::string* out, std::string_view id, const PendingDecision& d);

// REQUIRES: `records` is a sequence of whole records written by AppendRecordV2.
// The byte length of its first `max_records` records (all when fewer); `first_id` is set
// to the id of the first.
size_t LeadingRecords(std::string_view records, size_t max_records, std::string_view* first_id);

// The records of one stored segment, either version, in order.
class SegmentReader {
 public:
  explicit SegmentReader(std::string_view segment);

  // Moves to the next record; false at the end or on a damaged record (a damaged
  // version-2 record ends the segment: its length cannot be trusted).
  bool Next();
  // The current record's id (kDecisionIdSize characters; possibly garbage in a damaged
  // version-1 line, which then fails Decode).
  std::string_view id() const { return id_; }
  // The current record as JSON; kCorruption when it does not decode.
  Result<Json> Decode() const;

 private:
  std::string_view rest_;
  bool v2_ = false;
  std::string_view record_, id_;
};

}  // namespace tailor::decision
