#include "governance/rate_limiter.h"

#include <gtest/gtest.h>

namespace tailor::governance {
namespace {

TEST(RateLimiter, TokenBucket) {
  FakeClock clock;
  RateLimiter limiter(clock);
  RateLimitConfig config;
  config.default_bucket = {10, 20};
  EXPECT_FALSE(limiter.Admit(config, "k", 15).has_value());
  EXPECT_FALSE(limiter.Admit(config, "k", 5).has_value());
  auto wait = limiter.Admit(config, "k", 5);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 500);
  clock.AdvanceMs(500);
  EXPECT_FALSE(limiter.Admit(config, "k", 5).has_value());
  EXPECT_FALSE(limiter.Admit(config, "other", 20).has_value());  // separate bucket
}

TEST(RateLimiter, UnlimitedAndPerKeyAndOversized) {
  FakeClock clock;
  RateLimiter limiter(clock);
  RateLimitConfig config;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.Admit(config, "k", 1000).has_value());
  config.per_key["slow"] = {1, 1};
  EXPECT_FALSE(limiter.Admit(config, "slow", 1).has_value());
  EXPECT_TRUE(limiter.Admit(config, "slow", 1).has_value());
  config.per_key["big"] = {10, 10};
  EXPECT_FALSE(limiter.Admit(config, "big", 100).has_value());  // full bucket admits once
  EXPECT_TRUE(limiter.Admit(config, "big", 1).has_value());
}

}  // namespace
}  // namespace tailor::governance
