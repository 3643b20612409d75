#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace tailor {
namespace {

TEST(Ulid, SortsByTimeAndIsUnique) {
  FakeClock clock(1'700'000'000'000);
  SeededRandom random(42);
  std::string a = NewUlid(clock, random);
  clock.AdvanceMs(1);
  std::string b = NewUlid(clock, random);
  EXPECT_EQ(a.size(), 26u);
  EXPECT_LT(a, b);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewUlid(clock, random));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ulid, TimeBoundsAndDecoding) {
  FakeClock clock(1'700'000'000'123);
  SeededRandom random(7);
  std::string id = NewUlid(clock, random);
  EXPECT_EQ(UlidTimeMs(id), 1'700'000'000'123);
  EXPECT_LE(UlidLowerBound(1'700'000'000'123), id);
  EXPECT_GT(UlidLowerBound(1'700'000'000'124), id);
  EXPECT_EQ(UlidTimeMs(UlidLowerBound(42)), 42);
  EXPECT_EQ(UlidTimeMs("short"), -1);
  EXPECT_EQ(UlidTimeMs("!!!!!!!!!!0000000000000000"), -1);
}

TEST(Ulid, MonotonicWithinAMillisecondAndAcrossClockSteps) {
  SeededRandom random(9);
  MonotonicUlids ids;
  const int64_t t = 1'700'000'000'000;
  std::string last = ids.Next(t, random);
  EXPECT_EQ(UlidTimeMs(last), t);
  // The same millisecond, a later one, and a clock that stepped back: always greater.
  for (int64_t now : {t, t, t + 1, t + 1, t - 50, t + 1, t + 2}) {
    for (int i = 0; i < 300; ++i) {
      std::string next = ids.Next(now, random);
      ASSERT_GT(next, last) << now;
      EXPECT_EQ(UlidTimeMs(next), std::max<int64_t>(now, UlidTimeMs(last)));
      last = next;
    }
  }
  // Within a millisecond the random part counts up by one, carrying across characters.
  MonotonicUlids counter;
  std::string a = counter.Next(t, random);
  std::string b = counter.Next(t, random);
  EXPECT_EQ(a.substr(0, 10), b.substr(0, 10));
  size_t diff = 0;
  while (a[diff] == b[diff]) ++diff;
  EXPECT_GE(diff, 17u);  // the low half (or a carry into its top)
}

TEST(ExternalId, Validation) {
  EXPECT_TRUE(ValidateExternalId("user-1", "user_id").ok());
  EXPECT_TRUE(ValidateExternalId("Zoë 🙂", "user_id").ok());
  EXPECT_EQ(ValidateExternalId("", "user_id").path(), "user_id");
  EXPECT_FALSE(ValidateExternalId(std::string(257, 'a'), "user_id").ok());
  EXPECT_FALSE(ValidateExternalId("a\nb", "user_id").ok());
  EXPECT_FALSE(ValidateExternalId("\xff\xfe", "user_id").ok());
  EXPECT_FALSE(ValidateExternalId("\xed\xa0\x80", "user_id").ok());  // UTF-16 surrogate
}

TEST(RandomHex, Length) {
  SeededRandom random(1);
  EXPECT_EQ(RandomHex(random, 16).size(), 32u);
  EXPECT_NE(RandomHex(random, 16), RandomHex(random, 16));
}

}  // namespace
}  // namespace tailor
