#include "decision/caps.h"

#include <gtest/gtest.h>

#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

const std::string kPid = "01JTESTPROFILE000000000000";

TEST(CapLedger, CountsWithinTheSlidingWindow) {
  FakeClock clock(1'000'000'000);
  storage::MemoryStore store(clock);
  CapLedger caps(store);
  std::vector<CapLedger::Impression> keys = {{"content:a", 10}, {"campaign:c", 10}};
  ASSERT_OK(caps.Record(kPid, keys, 1'000'000'000));
  ASSERT_OK(caps.Record(kPid, keys, 1'000'050'000));
  EXPECT_EQ(*caps.Count(kPid, "content:a", 100'000, 1'000'060'000), 2);
  EXPECT_EQ(*caps.Count(kPid, "content:a", 100'000, 1'000'100'000), 1);  // first slid out
  EXPECT_EQ(*caps.Count(kPid, "content:a", 100'000, 1'000'150'000), 0);
  EXPECT_EQ(*caps.Count(kPid, "content:b", 100'000, 1'000'060'000), 0);
  EXPECT_EQ(*caps.Count("01JOTHERPROFILE00000000000", "content:a", 100'000, 1'000'060'000), 0);

  // Several keys and windows in one call answer as one call each.
  const CapLedger::Query queries[] = {
      {"content:a", 100'000}, {"campaign:c", 20'000}, {"content:b", 100'000}, {"campaign:c", 100'000}};
  int counts[4] = {-1, -1, -1, -1};
  ASSERT_OK(caps.CountAll(kPid, queries, 1'000'060'000, counts));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(counts[i], *caps.Count(kPid, queries[i].key, queries[i].window_ms, 1'000'060'000)) << i;
  }
  EXPECT_EQ(counts[0], 2);
  EXPECT_EQ(counts[1], 1);
  EXPECT_EQ(counts[2], 0);
}

TEST(CapLedger, ManyProfilesStayCountedAcrossTableGrowth) {
  FakeClock clock(1'000'000'000);
  storage::MemoryStore store(clock);
  CapLedger caps(store);
  const std::vector<CapLedger::Impression> key = {{"content:a", 5}};
  auto pid = [](int p) {
    std::string n = std::to_string(p);
    return "01JPROFILE" + std::string(16 - n.size(), '0') + n;  // 26 characters, like a ULID
  };
  for (int p = 0; p < 2000; ++p) {
    for (int k = 0; k <= p % 3; ++k) ASSERT_OK(caps.Record(pid(p), key, 1'000'000'000 + k));
  }
  for (int p = 0; p < 2000; ++p) {
    ASSERT_EQ(*caps.Count(pid(p), "content:a", 60'000, 1'000'000'100), p % 3 + 1) << p;
  }
}

TEST(CapLedger, PersistsThroughStageDirtyAndReloads) {
  FakeClock clock(1'000'000'000);
  storage::MemoryStore store(clock);
  {
    CapLedger caps(store);
    std::vector<CapLedger::Impression> keys = {{"rule:p/r", 5}};
    ASSERT_OK(caps.Record(kPid, keys, 5'000));
    storage::WriteBatch batch;
    caps.StageDirty(&batch);
    EXPECT_EQ(batch.size(), 1u);
    ASSERT_OK(store.Write(batch));
    storage::WriteBatch again;
    caps.StageDirty(&again);
    EXPECT_TRUE(again.empty());  // nothing changed since
  }
  CapLedger reloaded(store);
  EXPECT_EQ(*reloaded.Count(kPid, "rule:p/r", 10'000, 6'000), 1);
}

TEST(CapLedger, KeepsOnlyTheNewestTimesACapNeeds) {
  FakeClock clock(0);
  storage::MemoryStore store(clock);
  CapLedger caps(store);
  std::vector<CapLedger::Impression> keys = {{"content:x", 3}};
  for (int i = 0; i < 1500; ++i) ASSERT_OK(caps.Record(kPid, keys, 1'000'000 + i));
  // Only the newest 3 are kept: enough to say "3 or more in the window".
  EXPECT_EQ(*caps.Count(kPid, "content:x", 10'000'000, 2'000'000), 3);
  EXPECT_EQ(*caps.Count(kPid, "content:x", 2, 1'001'499), 2);  // times 1'001'498 and 1'001'499
  storage::WriteBatch batch;
  caps.StageDirty(&batch);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch.ops()[0].value, R"({"content:x":[1001497,1001498,1001499]})");
}

TEST(CapLedger, CorruptRecordsAreReportedNotFatal) {
  EXPECT_EQ(DecodeCapTimes("[1]").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeCapTimes(R"({"a":"x"})").status().code(), StatusCode::kCorruption);
  auto ok = DecodeCapTimes(EncodeCapTimes({{"a", {3, 1, 2}}}));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->at("a"), (std::vector<int64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace tailor::decision
