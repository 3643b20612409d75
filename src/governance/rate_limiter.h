// RateLimiter: per-API-key token buckets (the `rate_limits` config section).
//
// Thread safety: safe for concurrent use; buckets are sharded by key id.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/mutex.h"
#include "governance/rate_limit_config.h"

namespace tailor::governance {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // Takes `cost` tokens from `key_id`'s bucket under `config`. Returns nullopt when
  // admitted, else the milliseconds until enough tokens will be available (for
  // Retry-After). A cost larger than the burst is admitted when the bucket is full
  // (so a single big batch is never starved forever) and drives the bucket negative.
  std::optional<int64_t> Admit(const RateLimitConfig& config, const std::string& key_id,
                               double cost);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ms = 0;
    bool initialized = false;
  };
  struct Shard {
    Mutex mu;
    std::unordered_map<std::string, Bucket> buckets GUARDED_BY(mu);
  };
  const Clock& clock_;
  std::array<Shard, 16> shards_;
};

}  // namespace tailor::governance
