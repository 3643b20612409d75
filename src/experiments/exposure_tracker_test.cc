// ExposureTracker: exposure dedup, attribution rules, the incremental aggregates against a
// brute-force recomputation over generated events, persistence across a reload, and
// sticky assignments over the KvStore.
#include "experiments/exposure_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/clock.h"
#include "experiments/experiment_service.h"
#include "experiments/kv_sticky_store.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::experiments {
namespace {

constexpr int64_t kDay = 86'400'000;

std::shared_ptr<const ExperimentSet> MakeSet(const char* status = "running") {
  auto set = std::make_shared<ExperimentSet>();
  auto add = [&](const char* name, const char* json) {
    auto m = ParseMetric(name, Json::parse(json));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    set->metrics.emplace(name, std::move(m).value());
  };
  add("bought", R"({"type": "conversion", "event": "purchase", "window": "7d"})");
  add("orders", R"({"type": "count", "event": "purchase", "where": {"properties.amount": {"$gt": 0}}})");
  add("revenue", R"({"type": "sum", "event": "purchase", "property": "amount", "cuped": {"feature": "spend"}})");
  add("aov", R"({"type": "ratio", "numerator": "revenue", "denominator": "orders"})");
  auto e = ParseConfiguredExperiment(
      "exp", Json::parse(std::string(R"({"variations": ["a", "b"], "status": ")") + status +
                         R"(", "metrics": ["bought", "revenue", "aov"], "guardrails": ["orders"]})"),
      *set, [](std::string_view) { return true; });
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  set->experiments.emplace("exp", std::make_shared<const ConfiguredExperiment>(std::move(e).value()));
  return set;
}

ingest::Event Purchase(const std::string& user, int64_t ts, double amount) {
  ingest::Event e;
  e.type = "purchase";
  e.user_id = user;
  e.timestamp_ms = ts;
  e.properties_json = Json{{"amount", amount}}.dump();
  return e;
}

void ExpectNear(const stats::MetricStats& a, const stats::MetricStats& b, const std::string& what) {
  auto near = [&](double x, double y, const char* f) {
    EXPECT_NEAR(x, y, 1e-6 * std::max(1.0, std::fabs(y))) << what << " " << f;
  };
  near(a.n, b.n, "n");
  near(a.sum, b.sum, "sum");
  near(a.sum_sq, b.sum_sq, "sum_sq");
  near(a.x_sum, b.x_sum, "x_sum");
  near(a.x_sum_sq, b.x_sum_sq, "x_sum_sq");
  near(a.xy_sum, b.xy_sum, "xy_sum");
}

// Σy of `metric` in `variation`; 0 when nothing was attributed yet.
double Sum(const ExperimentAggregates& a, const std::string& metric, size_t variation) {
  auto it = a.metrics.find(metric);
  return it == a.metrics.end() || it->second.size() <= variation ? 0 : it->second[variation].sum;
}

TEST(ExposureTracker, DeduplicatesExposuresAndKeepsFirstTime) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ExposureTracker t(store);
  auto set = MakeSet();
  t.Configure(set);
  const auto& e = *set->Find("exp");
  EXPECT_TRUE(t.RecordExposure(e, "u1", "", 1, 1000, nullptr));
  EXPECT_FALSE(t.RecordExposure(e, "u1", "", 0, 2000, nullptr));
  auto u = t.Unit("exp", "u1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->variation, 1);
  EXPECT_EQ(u->first_exposure_ms, 1000);
  EXPECT_EQ(t.Aggregates("exp").units, (std::vector<double>{0, 1}));
}

TEST(ExposureTracker, AttributesOnlyAfterExposureWithinWindow) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ExposureTracker t(store);
  auto set = MakeSet();
  t.Configure(set);
  t.RecordExposure(*set->Find("exp"), "u1", "", 0, 10 * kDay, nullptr);
  t.OnEvent(Purchase("u1", 9 * kDay, 5));    // before exposure: ignored
  t.OnEvent(Purchase("u2", 11 * kDay, 5));   // not exposed: ignored
  t.OnEvent(Purchase("u1", 18 * kDay, 7));   // after the 7d conversion window
  auto a = t.Aggregates("exp");
  EXPECT_EQ(Sum(a, "bought", 0), 0);  // window closed
  EXPECT_EQ(Sum(a, "revenue", 0), 7);  // no window
  t.OnEvent(Purchase("u1", 12 * kDay, 3));
  t.OnEvent(Purchase("u1", 13 * kDay, 4));
  a = t.Aggregates("exp");
  EXPECT_EQ(Sum(a, "bought", 0), 1);  // converts once
  EXPECT_EQ(Sum(a, "revenue", 0), 14);
  EXPECT_EQ(a.metrics["revenue"][0].sum_sq, 14 * 14);  // one unit: its value squared
  EXPECT_EQ(Sum(a, "orders", 0), 3);
}

TEST(ExposureTracker, StoppedExperimentsStopAttributing) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ExposureTracker t(store);
  auto set = MakeSet();
  t.Configure(set);
  t.RecordExposure(*set->Find("exp"), "u1", "", 0, 0, nullptr);
  t.Configure(MakeSet("stopped"));
  t.OnEvent(Purchase("u1", 5, 5));
  EXPECT_EQ(Sum(t.Aggregates("exp"), "revenue", 0), 0);
  EXPECT_EQ(t.Aggregates("exp").units[0], 1);
}

// The incremental sums equal a recomputation from per-unit values of generated events,
// including after a Flush and a reload into a new tracker.
TEST(ExposureTracker, IncrementalAggregatesMatchBruteForce) {
  const unsigned seed = 20260517;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  FakeClock clock;
  storage::MemoryStore store(clock);
  auto set = MakeSet();
  const auto& e = *set->Find("exp");
  auto tracker = std::make_unique<ExposureTracker>(store);
  tracker->Configure(set);

  struct Truth {
    int variation;
    int64_t first;
    double spend;
    double bought = 0, orders = 0, revenue = 0;
  };
  std::map<std::string, Truth> truth;
  const int kUsers = 300;
  for (int i = 0; i < 4000; ++i) {
    std::string user = "u" + std::to_string(rng() % kUsers);
    int64_t ts = static_cast<int64_t>(rng() % (30 * kDay));
    if (rng() % 4 == 0) {
      int variation = static_cast<int>(rng() % 2);
      double spend = static_cast<double>(rng() % 100);
      Json features = {{"spend", spend}};
      bool first = tracker->RecordExposure(e, user, "", variation, ts, &features);
      EXPECT_EQ(first, !truth.count(user));
      if (first) truth[user] = Truth{variation, ts, spend};
    } else {
      double amount = static_cast<double>(static_cast<int>(rng() % 50) - 5);
      tracker->OnEvent(Purchase(user, ts, amount));
      auto it = truth.find(user);
      if (it == truth.end() || ts < it->second.first) continue;
      Truth& t = it->second;
      if (ts < t.first + 7 * kDay) t.bought = 1;
      if (amount > 0) t.orders += 1;
      t.revenue += amount;
    }
    if (i == 2000) {  // persist, reload, continue on the reloaded tracker
      ASSERT_OK(tracker->Flush());
      tracker = std::make_unique<ExposureTracker>(store);
      ASSERT_OK(tracker->Load());
      tracker->Configure(set);
    }
  }
  std::vector<stats::MetricStats> bought(2), orders(2), revenue(2), aov(2);
  for (const auto& [user, t] : truth) {
    bought[t.variation].Add(t.bought);
    orders[t.variation].Add(t.orders);
    revenue[t.variation].Add(t.revenue, t.spend);
    aov[t.variation].Add(t.revenue, t.orders);
  }
  auto a = tracker->Aggregates("exp");
  for (int v = 0; v < 2; ++v) {
    ExpectNear(a.metrics["bought"][v], bought[v], "bought");
    ExpectNear(a.metrics["orders"][v], orders[v], "orders");
    ExpectNear(a.metrics["revenue"][v], revenue[v], "revenue");
    ExpectNear(a.metrics["aov"][v], aov[v], "aov");
  }
}

TEST(KvStickyStore, PersistsAcrossInstances) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  StickyKey key{"user_id", "u1", "exp", "seed"};
  {
    KvStickyStore s(store);
    EXPECT_FALSE(s.Lookup(key));
    s.Record(key, 2);
  }
  KvStickyStore again(store);
  EXPECT_EQ(again.Lookup(key), 2);
  EXPECT_FALSE(again.Lookup(StickyKey{"user_id", "u1", "exp", "new-seed"}));
}

TEST(ExperimentService, StickyAssignmentSurvivesWeightChangeAndRecordsExposure) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ExperimentService svc(store);
  auto set = MakeSet();
  svc.Configure(set);
  Subject s;
  s.user_id = "u-sticky";
  Served first = svc.AssignAndExpose(*set->Find("exp"), s);
  ASSERT_TRUE(first.assignment.in_experiment);
  EXPECT_TRUE(first.exposed_now);
  EXPECT_EQ(first.unit, "u-sticky");
  // Move all traffic to the other variation: the user keeps theirs.
  auto moved = std::make_shared<ExperimentSet>(*set);
  auto reparsed = ParseConfiguredExperiment(
      "exp",
      Json::parse(first.assignment.variation_id == 0 ? R"({"variations": ["a", "b"], "weights": [0, 1]})"
                                                     : R"({"variations": ["a", "b"], "weights": [1, 0]})"),
      *moved, [](std::string_view) { return true; });
  ASSERT_TRUE(reparsed.ok());
  moved->experiments["exp"] = std::make_shared<const ConfiguredExperiment>(std::move(reparsed).value());
  svc.Configure(moved);
  Served again = svc.AssignAndExpose(*moved->Find("exp"), s);
  EXPECT_EQ(again.assignment.variation_id, first.assignment.variation_id);
  EXPECT_EQ(again.assignment.reason, AssignReason::kSticky);
  EXPECT_FALSE(again.exposed_now);
  // A dry run records nothing.
  Subject dry = s;
  dry.user_id = "u-dry";
  dry.record = false;
  Served d = svc.AssignAndExpose(*moved->Find("exp"), dry);
  EXPECT_FALSE(d.exposed_now);
  EXPECT_FALSE(svc.tracker().Unit("exp", "u-dry"));
}

}  // namespace
}  // namespace tailor::experiments
