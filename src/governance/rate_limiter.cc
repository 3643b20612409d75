#include "governance/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace tailor::governance {

std::optional<int64_t> RateLimiter::Admit(const RateLimitConfig& config, const std::string& key_id,
                                          double cost) {
  auto it = config.per_key.find(key_id);
  const BucketConfig& bc = it != config.per_key.end() ? it->second : config.default_bucket;
  if (bc.rate_per_second <= 0) return std::nullopt;  // unlimited
  double burst = bc.burst > 0 ? bc.burst : bc.rate_per_second;
  Shard& shard = shards_[std::hash<std::string>{}(key_id) % shards_.size()];
  int64_t now = clock_.NowMs();
  MutexLock lock(shard.mu);
  Bucket& b = shard.buckets[key_id];
  if (!b.initialized) {
    b = Bucket{burst, now, true};
  } else {
    b.tokens = std::min(burst, b.tokens + (now - b.last_ms) * bc.rate_per_second / 1000.0);
    b.last_ms = now;
  }
  bool full = b.tokens >= burst;
  if (b.tokens >= cost || full) {
    b.tokens -= cost;
    return std::nullopt;
  }
  double needed = std::min(cost, burst) - b.tokens;
  return static_cast<int64_t>(std::ceil(needed * 1000.0 / bc.rate_per_second));
}

}  // namespace tailor::governance
