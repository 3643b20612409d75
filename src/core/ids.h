// Identifiers. Ids Tailor generates are 26-character, lexicographically time-ordered
// ULID strings (Crockford base32: 48-bit millisecond time + 80 random bits), so ids of
// decisions, jobs and config versions sort by creation time in the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"

namespace tailor {

// Returns a new ULID using the injected clock and random source.
std::string NewUlid(const Clock& clock, Random& random);

// A number no other call in this process returns (never 0; thread-safe): tells apart
// compiled objects, e.g. which FeatureSet or SegmentSet a cached result belongs to.
uint64_t NextInstanceId();

// Returns `bytes` random bytes, hex-encoded (2*bytes characters).
// ULIDs that sort in the order they were made (the ULID spec's monotonic mode): a new
// millisecond draws fresh randomness; within the same millisecond, or when the clock
// stepped back, the last id's random part is incremented. One random draw per
// millisecond, not per id (the decision log makes one id per decision, under its lock).
//
// Not thread-safe: the owner serializes calls.
class MonotonicUlids {
 public:
  std::string Next(int64_t now_ms, Random& random);

 private:
  uint64_t ms_ = 0;
  uint64_t hi_ = 0;  // the random part: 40 + 40 bits
  uint64_t lo_ = 0;
  bool started_ = false;
};

// The smallest ULID of time `ms` ("01J..." followed by sixteen '0'): a scan bound for
// time-ordered ULID keys.
std::string UlidLowerBound(int64_t ms);

// The millisecond time of a ULID, or -1 when `ulid` is not one.
int64_t UlidTimeMs(std::string_view ulid);

std::string RandomHex(Random& random, size_t bytes);

// External ids (user_id, anonymous_id, event_id) are opaque strings chosen by clients.
// They must be 1..256 bytes of valid UTF-8 without control characters.
Status ValidateExternalId(std::string_view id, std::string_view path);

}  // namespace tailor
