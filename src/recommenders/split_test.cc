#include "recommenders/split.h"

#include <gtest/gtest.h>

#include <set>

#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

RawInteractions Data() {
  RawInteractions raw;
  raw.has_timestamps = true;
  for (int u = 0; u < 20; ++u) {
    for (int i = 0; i <= u; ++i)
      raw.Add("u" + std::to_string(u), "i" + std::to_string(i), 1, 1000 + i);
  }
  raw.Add("u5", "i0", 1, 1);  // a repeated pair stays on one side
  return raw;
}

TEST(Split, ParseSpec) {
  auto s = SplitSpec::Parse("stratified:0.75");
  ASSERT_OK(s);
  EXPECT_EQ(s->kind, SplitSpec::Kind::kStratified);
  EXPECT_DOUBLE_EQ(s->fraction, 0.75);
  EXPECT_EQ(SplitSpec::Parse("temporal:0.2")->kind, SplitSpec::Kind::kTemporal);
  for (const char* bad : {"stratified", "random:0.5", "stratified:1", "temporal:0", "temporal:x",
                          "stratified:0.5x"}) {
    EXPECT_FALSE(SplitSpec::Parse(bad).ok()) << bad;
  }
}

TEST(Split, StratifiedKeepsRoundedShareOfEveryUser) {
  RawInteractions raw = Data();
  SeededRandom random(7);
  auto split = SplitInteractions(raw, {SplitSpec::Kind::kStratified, 0.75}, random);
  ASSERT_OK(split);
  std::vector<int> train(20), test(20);
  std::set<std::pair<uint32_t, uint32_t>> train_pairs;
  for (const auto& r : split->train.rows) {
    ++train[r.user];
    train_pairs.insert({r.user, r.item});
  }
  for (const auto& r : split->test.rows) {
    ++test[r.user];
    EXPECT_FALSE(train_pairs.contains({r.user, r.item})) << "pair on both sides";
  }
  for (int u = 0; u < 20; ++u) {
    const int n = u + 1;
    const int extra = u == 5 ? 1 : 0;  // the repeated row
    EXPECT_EQ(train[u] + test[u], n + extra);
    const int want_train = static_cast<int>(std::nearbyint(0.75 * n));  // half to even
    EXPECT_TRUE(train[u] == want_train || train[u] == want_train + extra) << "user " << u;
  }
  // Same seed, same split; another seed, another one.
  SeededRandom again(7), other(8);
  auto split2 = SplitInteractions(raw, {SplitSpec::Kind::kStratified, 0.75}, again);
  auto split3 = SplitInteractions(raw, {SplitSpec::Kind::kStratified, 0.75}, other);
  ASSERT_OK(split2);
  ASSERT_OK(split3);
  ASSERT_EQ(split2->test.rows.size(), split->test.rows.size());
  bool same = true, same3 = split3->test.rows.size() == split->test.rows.size();
  for (size_t i = 0; i < split->test.rows.size(); ++i) {
    same &= split2->test.rows[i].item == split->test.rows[i].item;
    if (same3) same3 &= split3->test.rows[i].item == split->test.rows[i].item;
  }
  EXPECT_TRUE(same);
  EXPECT_FALSE(same3);
}

TEST(Split, RoundsHalfToEvenLikePython) {
  RawInteractions raw;
  for (int i = 0; i < 22; ++i) raw.Add("u", "i" + std::to_string(i), 1, i);  // 0.75 * 22 = 16.5
  for (int i = 0; i < 6; ++i) raw.Add("v", "i" + std::to_string(i), 1, i);   // 0.75 * 6 = 4.5
  SeededRandom random(3);
  auto split = SplitInteractions(raw, {SplitSpec::Kind::kStratified, 0.75}, random);
  ASSERT_OK(split);
  size_t u_train = 0, v_train = 0;
  for (const auto& r : split->train.rows) (r.user == 0 ? u_train : v_train) += 1;
  EXPECT_EQ(u_train, 16u);
  EXPECT_EQ(v_train, 4u);
}

TEST(Split, TemporalHoldsOutTheLatest) {
  RawInteractions raw = Data();
  SeededRandom random(1);
  auto split = SplitInteractions(raw, {SplitSpec::Kind::kTemporal, 0.2}, random);
  ASSERT_OK(split);
  // User 19 has items i0..i19 at times 1000..1019: the last 4 go to test.
  std::set<std::string> test19;
  for (const auto& r : split->test.rows) {
    if (raw.users->Id(r.user) == "u19") test19.insert(raw.items->Id(r.item));
  }
  EXPECT_EQ(test19, (std::set<std::string>{"i16", "i17", "i18", "i19"}));
}

TEST(Split, TemporalNeedsTimestamps) {
  RawInteractions raw;
  raw.Add("u", "i", 1, 0);
  SeededRandom random(1);
  EXPECT_FALSE(SplitInteractions(raw, {SplitSpec::Kind::kTemporal, 0.2}, random).ok());
}

}  // namespace
}  // namespace tailor::recommenders
