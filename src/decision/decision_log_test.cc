#include "decision/decision_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/ids.h"
#include "storage/memory_store.h"
#include "testutil/failing_store.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

// A decision with answer rule "r", content "c"; Append copies what it points at.
PendingDecision Make(int64_t at_ms, const std::string& placement) {
  static const Answer kAnswer = [] {
    Answer a;
    a.rule = "r";
    a.content = "c";
    a.trace.push_back({"r", RuleOutcome::kMatched, ""});
    return a;
  }();
  PendingDecision d;
  d.at_ms = at_ms;
  d.placement = placement;  // Append copies it before `placement` dies
  d.answer = &kAnswer;
  return d;
}

TEST(DecisionLog, AppendedRecordsAreReadableAtOnceAndScanInTimeOrder) {
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(3);
  storage::MemoryStore store(clock);
  DecisionLog log(store, nullptr, clock, random, DecisionLogOptions{1000, 1000});
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(log.Append(Make(clock.NowMs(), i % 2 ? "odd" : "even")));
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

// Records skip the write-ahead log and the writer persists them once per interval (of the
// injected clock); cap entries go through the log. With interval 0 everything is logged.
TEST(DecisionLog, RecordsSkipTheWalAndArePersistedPerIntervalCapsAreLogged) {
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(9);
  storage::MemoryStore inner(clock);
  testutil::FailingStore store(inner);
  CapLedger caps(store);
  {
    DecisionLog log(store, &caps, clock, random, DecisionLogOptions{1000, 1, 60'000});
    ASSERT_OK(caps.Record("pid1", std::vector<CapLedger::Impression>{{"content:c"}}, clock.NowMs()));
    log.Append(Make(clock.NowMs(), "p"));
    ASSERT_OK(log.Flush());
    EXPECT_EQ(store.unlogged_writes.load(), 1);  // the segment
    EXPECT_EQ(store.logged_writes.load(), 1);    // the dirty cap entry
    // The writer persists once the interval has passed on the clock, and only then.
    auto wait_for_persist = [&] {
      for (int i = 0; i < 2000 && store.persists.load() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(store.persists.load(), 0) << "before the interval";
    clock.AdvanceMs(60'000);
    wait_for_persist();
    EXPECT_EQ(store.persists.load(), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(store.persists.load(), 1) << "nothing new to persist";
  }
  storage::MemoryStore inner2(clock);
  testutil::FailingStore logged(inner2);
  {
    DecisionLog log(logged, nullptr, clock, random, DecisionLogOptions{1000, 1000, 0});
    log.Append(Make(clock.NowMs(), "p"));
    ASSERT_OK(log.Flush());
  }
  EXPECT_EQ(logged.unlogged_writes.load(), 0);
  EXPECT_EQ(logged.logged_writes.load(), 1);
  EXPECT_EQ(logged.persists.load(), 0);
}

TEST(DecisionLog, SegmentsSpanFlushesAndManyRecords) {
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(5);
  storage::MemoryStore store(clock);
  DecisionLog log(store, nullptr, clock, random, DecisionLogOptions{100'000, 3'600'000});
  std::vector<std::string> ids;
  // Three flushes; the middle one larger than a segment; several ids per millisecond.
  for (int flush = 0; flush < 3; ++flush) {
    int n = flush == 1 ? static_cast<int>(DecisionLog::kSegmentRecords) * 2 + 7 : 5;
    for (int i = 0; i < n; ++i) {
      ids.push_back(log.Append(Make(clock.NowMs(), "p")));
      if (i % 3 == 0) clock.AdvanceMs(1);
    }
    ASSERT_OK(log.Flush());
  }
  ASSERT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  for (size_t i = 0; i < ids.size(); i += 37) {
    auto r = log.Get(ids[i]);
    ASSERT_OK(r);
    EXPECT_EQ((*r)["decision_id"], ids[i]);
  }
  ASSERT_OK(log.Get(ids.back()));
  ASSERT_OK(log.Get(ids.front()));
  EXPECT_EQ(log.Get(UlidLowerBound(1'795'000'000'000 - 1)).status().code(), StatusCode::kNotFound);
  size_t seen = 0;
  ASSERT_OK(log.Scan(0, clock.NowMs() + 1, false, [&](const Json& rec) {
    EXPECT_EQ(rec["decision_id"], ids[seen]);
    ++seen;
    return true;
  }));
  EXPECT_EQ(seen, ids.size());
  // A window starting inside a segment.
  int64_t mid = UlidTimeMs(ids[300]);
  size_t in_window = 0;
  ASSERT_OK(log.Scan(mid, mid + 1, false, [&](const Json& rec) {
    EXPECT_EQ(UlidTimeMs(rec["decision_id"].get<std::string>()), mid);
    ++in_window;
    return true;
  }));
  EXPECT_GE(in_window, 1u);
}

TEST(DecisionLog, ReadsSegmentsWrittenByOlderBinaries) {
  // A data directory written before records were binary: JSON lines (version 1).
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(6);
  storage::MemoryStore store(clock);
  const std::string a = UlidLowerBound(1'794'999'000'000), b = UlidLowerBound(1'794'999'000'001);
  auto line = [](const std::string& id, const std::string& rule) {
    return R"({"decision_id":")" + id + R"(","at":"2026-11-18T19:30:00.000Z","at_ms":1794999000000,)"
           R"("profile_id":null,"placement":"p","config_version":1,"context":{},"snapshot_id":null,)"
           R"("rule":")" + rule + R"(","action":"content","content":"c","served":true,"fallback":false,)"
           R"("personalized":true,"propensity":1.0,"trace":[{"rule":")" + rule +
           R"(","result":"matched"}],"cached":false,"impressions_recorded":false,"consented":true,"latency_us":3})";
  };
  storage::WriteBatch wb;
  wb.Put(storage::Keyspace::kDecisions, a, line(a, "r1") + "\n" + line(b, "r2"));
  ASSERT_OK(store.Write(wb));
  DecisionLog log(store, nullptr, clock, random, DecisionLogOptions{1000, 3'600'000});
  // New binary records beside them.
  std::string fresh = log.Append(Make(clock.NowMs(), "p"));

  auto old = log.Get(b);
  ASSERT_OK(old);
  EXPECT_EQ((*old)["rule"], "r2");
  EXPECT_EQ((*old)["latency_us"], 3);
  EXPECT_EQ((*old)["outcomes"], Json::array());
  ASSERT_OK(log.Get(fresh));
  std::vector<std::string> seen;
  ASSERT_OK(log.Scan(0, clock.NowMs() + 1, /*snapshots=*/true, [&](const Json& rec) {
    seen.push_back(rec["decision_id"]);
    EXPECT_TRUE(rec["snapshot"].is_null());
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{a, b, fresh}));
}

TEST(DecisionLog, DropsAndCountsWhenTheQueueIsFull) {
  FakeClock clock(1'795'000'000'000);
  storage::MemoryStore store(clock);
  SeededRandom random(4);
  // A writer that never wakes within the test: flush interval of an hour.
  DecisionLog log(store, nullptr, clock, random, DecisionLogOptions{3, 3'600'000});
  for (int i = 0; i < 5; ++i) log.Append(Make(clock.NowMs(), "p"));
  EXPECT_EQ(log.dropped(), 2u);
  ASSERT_OK(log.Flush());
  EXPECT_EQ(log.written(), 3u);
}

}  // namespace
}  // namespace tailor::decision
