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
