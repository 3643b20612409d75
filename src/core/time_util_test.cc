#include "core/time_util.h"

#include <gtest/gtest.h>

namespace tailor {
namespace {

TEST(ParseIso8601, AcceptsCommonForms) {
  EXPECT_EQ(*ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseIso8601("2026-11-23T01:38:16.123Z"), 1795397896123);
  EXPECT_EQ(*ParseIso8601("2026-11-23T02:38:16.123+01:00"), 1795397896123);
  EXPECT_EQ(*ParseIso8601("2026-11-22T20:38:16.1234567-05:00"), 1795397896123);
  EXPECT_EQ(*ParseIso8601("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(*ParseIso8601("1969-12-31T23:59:59.500Z"), -500);
}

TEST(ParseIso8601, RejectsWithReason) {
  for (const char* bad : {"", "2026", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-11-23T01:38:16", "2026-11-23T25:00:00Z", "2026-11-23T01:38:16Zx",
                          "2026-11-23T01:38:16.Z", "2026-11-23T01:38:16+0100"}) {
    Result<int64_t> r = ParseIso8601(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("ISO 8601"), std::string::npos);
    }
  }
}

TEST(FormatIso8601, RoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1795397896123}, int64_t{-500}, int64_t{951782400000}}) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(ms)), ms) << FormatIso8601(ms);
  }
  EXPECT_EQ(FormatIso8601(1795397896123), "2026-11-23T01:38:16.123Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(-500), "1969-12-31T23:59:59.500Z");
  EXPECT_EQ(FormatIso8601(951'782'400'007), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(FormatIso8601(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(253'402'300'800'000), "10000-01-01T00:00:00.000Z");  // wider year
  // A sweep over two centuries round-trips (the digits are formatted by hand).
  for (int64_t ms = -2'208'988'800'000; ms < 4'102'444'800'000; ms += 86'400'000LL * 37 + 3'723'417) {
    auto back = ParseIso8601(FormatIso8601(ms));
    ASSERT_TRUE(back.ok()) << FormatIso8601(ms);
    EXPECT_EQ(*back, ms) << FormatIso8601(ms);
  }
}

TEST(Duration, ParsesAndFormats) {
  EXPECT_EQ(*ParseDurationMs("30d"), 30LL * 86'400'000);
  EXPECT_EQ(*ParseDurationMs("250ms"), 250);
  EXPECT_EQ(*ParseDurationMs("10m"), 600'000);
  EXPECT_FALSE(ParseDurationMs("10").ok());
  EXPECT_FALSE(ParseDurationMs("d").ok());
  EXPECT_FALSE(ParseDurationMs("5y").ok());
  EXPECT_FALSE(ParseDurationMs("-5s").ok());
  EXPECT_EQ(FormatDurationMs(30LL * 86'400'000), "30d");
  EXPECT_EQ(FormatDurationMs(90'000), "90s");
  EXPECT_EQ(FormatDurationMs(14LL * 86'400'000), "2w");
  EXPECT_EQ(FormatDurationMs(1500), "1500ms");
}

}  // namespace
}  // namespace tailor
