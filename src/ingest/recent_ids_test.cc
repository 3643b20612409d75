// RecentIds: dedup entries remembered until the flush writes them, in id order.
#include "ingest/recent_ids.h"

#include <gtest/gtest.h>

#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/failing_store.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

class RecentIdsTest : public ::testing::Test {
 protected:
  // The stored dedup value of `id`, "" when absent.
  std::string Stored(const std::string& id) {
    auto v = memory_.Get(storage::Keyspace::kDedup, id);
    EXPECT_OK(v);
    return v->value_or("");
  }

  FakeClock clock_{1'800'000'000'000};
  storage::MemoryStore memory_{clock_};
  testutil::FailingStore store_{memory_};
  RecentIds ids_;
};

TEST_F(RecentIdsTest, RemembersUntilTheFlushWritesThenTheStoreAnswers) {
  ids_.Add({{"e2", "p1"}, {"e1", "p1"}, {"e3", "p2"}}, 1000);
  EXPECT_EQ(ids_.size(), 3u);
  EXPECT_EQ(ids_.ReceivedAt("e1"), 1000);
  EXPECT_EQ(ids_.ReceivedAt("e4"), std::nullopt);
  EXPECT_EQ(Stored("e1"), "");

  auto flushed = ids_.Flush(store_, /*max_per_write=*/2);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 3u);
  EXPECT_EQ(ids_.size(), 0u);
  EXPECT_EQ(ids_.ReceivedAt("e1"), std::nullopt);
  EXPECT_EQ(Stored("e1"), "p1|1000");
  EXPECT_EQ(Stored("e3"), "p2|1000");
  EXPECT_EQ(DedupTime(Stored("e2")), 1000);
  // Two writes of at most two entries, in id order.
  ASSERT_OK(ids_.Flush(store_));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 3u);
}

TEST_F(RecentIdsTest, AnIdAcceptedAgainTakesTheNewRecord) {
  ids_.Add({{"e1", "p1"}}, 1000);
  ids_.Add({{"e1", "p9"}}, 5000);
  EXPECT_EQ(ids_.size(), 1u);
  EXPECT_EQ(ids_.ReceivedAt("e1"), 5000);
  ASSERT_OK(ids_.Flush(store_));
  EXPECT_EQ(Stored("e1"), "p9|5000");
}

TEST_F(RecentIdsTest, AFailedFlushForgetsNothing) {
  ids_.Add({{"e1", "p1"}, {"e2", "p1"}}, 1000);
  store_.fail = true;
  EXPECT_FALSE(ids_.Flush(store_).ok());
  store_.fail = false;
  EXPECT_EQ(ids_.size(), 2u);
  EXPECT_EQ(ids_.ReceivedAt("e2"), 1000);
  auto flushed = ids_.Flush(store_);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 2u);
  EXPECT_EQ(Stored("e2"), "p1|1000");
}

TEST(DedupValue, RoundTripsTheTime) {
  EXPECT_EQ(DedupValue("01ARZ3NDEKTSV4RRFFQ69G5FAV", 1'800'000'000'123),
            "01ARZ3NDEKTSV4RRFFQ69G5FAV|1800000000123");
  EXPECT_EQ(DedupTime(DedupValue("p", 42)), 42);
  EXPECT_EQ(DedupTime("no bar"), 0);
}

}  // namespace
}  // namespace tailor::ingest
