#include "decision/decision_log.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

PendingDecision Make(const std::string& id, int64_t at_ms, const std::string& placement) {
  PendingDecision d;
  d.id = id;
  d.at_ms = at_ms;
  d.placement = placement;
  d.answer.rule = "r";
  d.answer.content = "c";
  d.answer.trace.push_back({"r", RuleOutcome::kMatched, ""});
  return d;
}

TEST(DecisionLog, AppendedRecordsAreReadableAtOnceAndScanInTimeOrder) {
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(3);
  storage::MemoryStore store(clock);
  DecisionLog log(store, nullptr, DecisionLogOptions{1000, 1000});
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(NewUlid(clock, random));
    log.Append(Make(ids.back(), clock.NowMs(), i % 2 ? "odd" : "even"));
    clock.AdvanceMs(10);
  }
  auto r = log.Get(ids[2]);  // flushes the queue first
  ASSERT_OK(r);
  EXPECT_EQ((*r)["decision_id"], ids[2]);
  EXPECT_EQ((*r)["trace"][0]["result"], "matched");
  EXPECT_EQ((*r)["outcomes"], Json::array());
  std::vector<std::string> seen;
  ASSERT_OK(log.Scan(1'795'000'000'010, 1'795'000'000'040, /*snapshots=*/false, [&](const Json& rec) {
    seen.push_back(rec["decision_id"]);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{ids[1], ids[2], ids[3]}));
  EXPECT_EQ(log.written(), 5u);
}

TEST(DecisionLog, DropsAndCountsWhenTheQueueIsFull) {
  FakeClock clock(1'795'000'000'000);
  storage::MemoryStore store(clock);
  // A writer that never wakes within the test: flush interval of an hour.
  DecisionLog log(store, nullptr, DecisionLogOptions{3, 3'600'000});
  for (int i = 0; i < 5; ++i) log.Append(Make("id" + std::to_string(i), clock.NowMs(), "p"));
  EXPECT_EQ(log.dropped(), 2u);
  ASSERT_OK(log.Flush());
  EXPECT_EQ(log.written(), 3u);
}

}  // namespace
}  // namespace tailor::decision
