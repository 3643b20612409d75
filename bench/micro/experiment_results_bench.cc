// Experiment results at scale, in-process (no HTTP): 1 million exposed users and 10
// million metric events attributed incrementally, then the results document computed from
// the aggregates. Measures (a) ingest-side attribution per event (OnEvent), (b) results
// (merge of the shard aggregates + ComputeResults), (c) the provider path per request
// (ExperimentService::AssignAndExpose for an already exposed, sticky user).
//
//   ninja -C build/release experiment_results_bench
//   build/release/bench/experiment_results_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "experiments/experiment_service.h"
#include "experiments/results.h"
#include "storage/memory_store.h"

namespace tailor::experiments {
namespace {

constexpr int kUsers = 1'000'000;
constexpr int64_t kEvents = 10'000'000;

struct World {
  FakeClock clock;
  storage::MemoryStore store{clock};
  std::shared_ptr<const ExperimentSet> set;
  std::unique_ptr<ExperimentService> service;
  std::vector<std::string> users;
  double build_seconds = 0;
  double ns_per_event = 0;

  World() {
    auto s = std::make_shared<ExperimentSet>();
    auto metric = [&](const char* name, const char* json) {
      s->metrics.emplace(name, ParseMetric(name, Json::parse(json)).value());
    };
    metric("bought", R"({"type": "conversion", "event": "purchase", "window": "14d"})");
    metric("revenue", R"({"type": "sum", "event": "purchase", "property": "amount"})");
    metric("views", R"({"type": "count", "event": "page_view"})");
    metric("rpv", R"({"type": "ratio", "numerator": "revenue", "denominator": "views"})");
    s->experiments.emplace(
        "exp", std::make_shared<const ConfiguredExperiment>(
                   ParseConfiguredExperiment(
                       "exp",
                       Json::parse(R"({"variations": ["a", "b", "c"], "hashVersion": 2,
                                       "metrics": ["bought", "revenue", "rpv"], "guardrails": ["views"]})"),
                       *s, [](std::string_view) { return true; })
                       .value()));
    set = s;
    service = std::make_unique<ExperimentService>(store);
    service->Configure(set);
    const ConfiguredExperiment& e = *set->Find("exp");
    auto t0 = std::chrono::steady_clock::now();
    users.reserve(kUsers);
    for (int i = 0; i < kUsers; ++i) {
      users.push_back("user-" + std::to_string(i));
      service->tracker().RecordExposure(e, users.back(), "", i % 3, 0, nullptr);
    }
    ingest::Event view, purchase;
    view.type = "page_view";
    purchase.type = "purchase";
    auto t1 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < kEvents; ++i) {
      ingest::Event& ev = i % 5 == 0 ? purchase : view;
      ev.user_id = users[(i * 7919) % kUsers];
      ev.timestamp_ms = 1000 + i;
      if (&ev == &purchase) ev.properties_json = "{\"amount\":" + std::to_string(5 + i % 50) + "}";
      service->OnEvent(ev);
    }
    auto t2 = std::chrono::steady_clock::now();
    build_seconds = std::chrono::duration<double>(t2 - t0).count();
    ns_per_event = std::chrono::duration<double, std::nano>(t2 - t1).count() / kEvents;
    std::fprintf(stderr, "setup: %d exposures + %lld events in %.1f s; attribution %.0f ns/event\n",
                 kUsers, static_cast<long long>(kEvents), build_seconds, ns_per_event);
  }
};

World& TheWorld() {
  static World* w = new World();  // built once, shared by the benchmarks; never freed
  return *w;
}

// (a) One more event attributed to an exposed user (count metric; a purchase every 5th).
void BM_AttributeEvent(benchmark::State& state) {
  World& w = TheWorld();
  ingest::Event view, purchase;
  view.type = "page_view";
  purchase.type = "purchase";
  purchase.properties_json = "{\"amount\":12}";
  int64_t i = 0;
  for (auto _ : state) {
    ingest::Event& ev = i % 5 == 0 ? purchase : view;
    ev.user_id = w.users[(i * 104729) % kUsers];
    ev.timestamp_ms = 2000 + i;
    w.service->OnEvent(ev);
    ++i;
  }
  state.counters["setup_ns_per_event"] = w.ns_per_event;
}
BENCHMARK(BM_AttributeEvent);

// (b) The results document from the aggregates: 3 variations x 4 metrics.
void BM_Results(benchmark::State& state) {
  World& w = TheWorld();
  const ConfiguredExperiment& e = *w.set->Find("exp");
  ResultsOptions o;
  o.method = static_cast<ResultsMethod>(state.range(0));
  for (auto _ : state) {
    auto agg = w.service->tracker().Aggregates("exp");
    auto r = ComputeResults(e, *w.set, agg, o);
    benchmark::DoNotOptimize(r);
  }
  auto r = ComputeResults(e, *w.set, w.service->tracker().Aggregates("exp"), o);
  state.counters["units"] = (*r)["variations"][0]["units"].get<double>() * 3;
}
BENCHMARK(BM_Results)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// (c) The provider path for a returning user: resolve the unit, sticky lookup in the
// store, bucket, dedup the exposure.
void BM_AssignAndExposeReturningUser(benchmark::State& state) {
  World& w = TheWorld();
  const ConfiguredExperiment& e = *w.set->Find("exp");
  Subject s;
  s.user_id = "returning-user";
  w.service->AssignAndExpose(e, s);
  for (auto _ : state) {
    Served out = w.service->AssignAndExpose(e, s);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_AssignAndExposeReturningUser);

}  // namespace
}  // namespace tailor::experiments
