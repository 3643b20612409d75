// The `rate_limits` section: per-API-key token buckets.
#pragma once

#include <map>
#include <string>

namespace tailor::governance {

struct BucketConfig {
  double rate_per_second = 0;  // refill rate; 0 = unlimited
  double burst = 0;            // bucket capacity; 0 = same as one second of rate
};

struct RateLimitConfig {
  // Applied to every key without its own entry. Requests cost 1 token; an event batch
  // costs one token per event.
  BucketConfig default_bucket;
  std::map<std::string, BucketConfig> per_key;  // API key id -> bucket
};

}  // namespace tailor::governance
