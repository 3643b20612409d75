// FeatureState: the per-profile, per-feature incremental state, bounded in memory:
// windowed kinds keep at most kMaxBuckets time buckets (resolution window / 60), the
// sketch kinds keep at most FeatureSpec::max_tracked entries. Documented in
// docs/features.md ("Memory bounds").
#pragma once

#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"

namespace tailor::profile {

// Buckets per window: a windowed value is exact to window / kBucketsPerWindow.
inline constexpr int64_t kBucketsPerWindow = 60;

struct Bucket {
  int64_t start_ms = 0;
  double count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
};

struct SessionStat {
  std::string id;
  int64_t start_ms = 0;
  int64_t last_ms = 0;
  uint32_t events = 0;
};

// The digest of the feature definition a state was computed for (FeatureSet::Digest,
// "~partial" appended while a backfill is pending). Kept inline up to kInline characters:
// Tailor writes 16 (24 when partial), one more than std::string keeps inline, so as a
// std::string every digest lived on the heap and checking it cost a cache miss per
// feature of a cold profile. Longer text, which Tailor never writes but a stored profile
// could hold, goes on the heap. Compares and converts like a std::string_view.
class SpecDigest {
 public:
  static constexpr size_t kInline = 30;

  SpecDigest() = default;
  explicit SpecDigest(std::string_view s) { Assign(s); }
  SpecDigest& operator=(std::string_view s) {
    Assign(s);
    return *this;
  }
  SpecDigest& operator=(const std::string& s) { return *this = std::string_view(s); }
  SpecDigest& operator=(const char* s) { return *this = std::string_view(s); }

  std::string_view view() const {
    return size_ <= kInline ? std::string_view(inline_, size_) : std::string_view(heap_);
  }
  operator std::string_view() const { return view(); }  // NOLINT: reads as its text
  std::string str() const { return std::string(view()); }
  size_t size() const { return view().size(); }
  bool empty() const { return view().empty(); }
  bool operator==(std::string_view other) const { return view() == other; }
  friend std::ostream& operator<<(std::ostream& os, const SpecDigest& d) { return os << d.view(); }

 private:
  void Assign(std::string_view s) {
    if (s.size() <= kInline) {
      std::copy(s.begin(), s.end(), inline_);
      size_ = static_cast<uint8_t>(s.size());
      heap_.clear();
    } else {
      heap_.assign(s);
      size_ = kInline + 1;
    }
  }
  char inline_[kInline] = {};
  uint8_t size_ = 0;     // > kInline: the text is in heap_
  std::string heap_;
};

struct FeatureState {
  SpecDigest spec_digest;  // digest of the spec this state was computed for
  std::vector<Bucket> buckets;                        // ascending start_ms
  double score = 0;                                   // decayed score at ref_ms
  int64_t ref_ms = 0;
  std::vector<std::pair<std::string, double>> top;    // decayed_top: value -> score at ref_ms
  std::vector<std::pair<std::string, int64_t>> items; // distinct / negative: value -> last ts
  Json first;                                         // first: value; null until set
  Json last;                                          // last: value; null until set
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  bool seen = false;                                  // any matching event applied
  std::vector<SessionStat> sessions;                  // ascending start_ms
  uint64_t bad_field = 0;  // matching events whose field was missing or mistyped

  // The stored form, a compact object {"b","d","e","f","i","s","ss","t"} (members only
  // when non-default). ToJson builds it as a tree; AppendJson writes the same members as
  // text onto *out without building one (the profile encoder's hot path). Doubles are
  // written in their shortest exact form; a non-finite double, which the feature code
  // never produces, is written as 0 so the text stays valid JSON.
  Json ToJson() const;
  void AppendJson(std::string* out) const;
  // Reads the stored form back; kCorruption when a member is missing or mistyped.
  static Result<FeatureState> FromJson(const Json& j);
};

// A profile's feature states by feature name. A sorted vector rather than a std::map: a
// profile is touched about once per ingest batch, so its states are cold in cache, and one
// contiguous array is read with far fewer misses than a tree of separately allocated
// nodes (docs/performance.md, session 5). Same API as the std::map it replaced.
using FeatureStates = boost::container::flat_map<std::string, FeatureState, std::less<>>;

}  // namespace tailor::profile
