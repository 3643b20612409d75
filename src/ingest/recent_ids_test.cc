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

  std::vector<std::vector<std::string>> writes;  // the keys of each write, in order
  store_.observe_writes = [&](const storage::WriteBatch& b) {
    writes.emplace_back();
    for (const auto& op : b.ops()) writes.back().push_back(op.key);
  };
  auto flushed = ids_.Flush(store_, /*max_per_write=*/2);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 3u);
  EXPECT_EQ(writes, (std::vector<std::vector<std::string>>{{"e1", "e2"}, {"e3"}})) << "in id order";
  EXPECT_EQ(ids_.size(), 0u);
  EXPECT_EQ(ids_.ReceivedAt("e1"), std::nullopt);
  EXPECT_EQ(Stored("e1"), "p1|1000");
  EXPECT_EQ(Stored("e3"), "p2|1000");
  EXPECT_EQ(DedupTime(Stored("e2")), 1000);
  ASSERT_OK(ids_.Flush(store_));
  EXPECT_EQ(writes.size(), 2u) << "nothing left to write";
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 3u);
}

// While a flush writes, ids keep arriving: new ones, and one of those being written
// accepted again. Each is found throughout, and what the flush did not write stays.
TEST_F(RecentIdsTest, IdsAddedWhileAFlushWritesAreKeptAndCounted) {
  ids_.Add({{"a", "p1"}, {"b", "p1"}}, 1000);
  store_.before_next_write = [&] {
    EXPECT_EQ(ids_.ReceivedAt("a"), 1000) << "still found while being written";
    ids_.Add({{"c", "p2"}}, 2000);
    ids_.Add({{"b", "p3"}}, 3000);  // accepted again
    EXPECT_EQ(ids_.ReceivedAt("b"), 3000);
  };
  auto flushed = ids_.Flush(store_);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 2u);
  EXPECT_EQ(ids_.size(), 2u);
  EXPECT_EQ(ids_.ReceivedAt("a"), std::nullopt);
  EXPECT_EQ(ids_.ReceivedAt("b"), 3000);
  EXPECT_EQ(ids_.ReceivedAt("c"), 2000);
  EXPECT_EQ(Stored("b"), "p1|1000");
  ASSERT_OK(ids_.Flush(store_));
  EXPECT_EQ(ids_.size(), 0u);
  EXPECT_EQ(Stored("b"), "p3|3000");
  EXPECT_EQ(Stored("c"), "p2|2000");
}

TEST_F(RecentIdsTest, ASupersedingRecordWrittenDirectlyIsNotOverwrittenByTheFlush) {
  ids_.Add({{"a", "p1"}}, 1000);
  ids_.Supersede({{"a", "p1"}, {"z", "p1"}}, 5000);  // z was never remembered
  EXPECT_EQ(ids_.size(), 1u);
  EXPECT_EQ(ids_.ReceivedAt("a"), 5000);
  ASSERT_OK(ids_.Flush(store_));
  EXPECT_EQ(Stored("a"), "p1|5000");
  EXPECT_EQ(Stored("z"), "") << "not the flush's to write";
}

TEST_F(RecentIdsTest, AFlushWhoseSecondWriteFailsKeepsEverythingForTheNext) {
  ids_.Add({{"a", "p"}, {"b", "p"}, {"c", "p"}}, 1000);
  int writes = 0;
  store_.observe_writes = [&](const storage::WriteBatch&) {
    if (++writes == 1) store_.fail = true;  // the write after this one fails
  };
  EXPECT_FALSE(ids_.Flush(store_, /*max_per_write=*/2).ok());
  store_.fail = false;
  store_.observe_writes = nullptr;
  EXPECT_EQ(Stored("a"), "p|1000") << "the first write landed";
  EXPECT_EQ(ids_.size(), 3u);
  EXPECT_EQ(ids_.ReceivedAt("c"), 1000);
  auto flushed = ids_.Flush(store_);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 3u);
  EXPECT_EQ(ids_.size(), 0u);
  EXPECT_EQ(Stored("c"), "p|1000");
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
