// Feature update and segment re-evaluation per event (JSON profile document, as profile
// reads do, and ProfileView, as ingest does), with the 20 features and 30
// segments of bench/load/config-features (issue 3's scenario).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "config/config_loader.h"
#include "profile/event_view.h"
#include "segments/profile_document.h"
#include "segments/profile_view.h"

namespace tailor::bench {
namespace {

const config::ConfigSnapshot& Config() {
  static const config::ConfigSnapshot snapshot = [] {
    std::ifstream in(std::string(TAILOR_BENCH_DIR) + "/load/config-features/features.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto loaded = config::LoadConfig({{"features.yaml", ss.str()}});
    if (!loaded.ok()) {
      std::fprintf(stderr, "config: %s\n", loaded.status().ToString().c_str());
      std::abort();
    }
    return std::move(loaded).value();
  }();
  return snapshot;
}

Json PurchaseDoc(int64_t ts, int i) {
  return Json{{"type", "purchase"}, {"timestamp", ts}, {"session_id", "s" + std::to_string(i / 5)},
              {"properties", {{"order_id", "o-" + std::to_string(i)}, {"price", 49.9 + i % 7},
                              {"currency", "EUR"}, {"page", "/p/" + std::to_string(i % 40)}}}};
}

// A profile that has seen `n` events (half purchases, half page views).
profile::Profile Warm(int n, int64_t now) {
  const auto& features = *Config().features;
  profile::Profile p;
  p.id = "01JDABCDEFGHJKMNPQRSTVWXY1";
  for (int i = 0; i < n; ++i) {
    int64_t ts = now - (n - i) * 3'600'000LL;
    Json doc = PurchaseDoc(ts, i);
    std::string type = i % 2 ? "purchase" : "page_view";
    doc["type"] = type;
    std::string session = doc["session_id"];
    features.Apply(profile::EventFacts{type, ts, session, &doc, {}, {}}, &p.features);
  }
  p.event_count = n;
  return p;
}

void BM_FeatureUpdatePerEvent(benchmark::State& state) {
  const auto& features = *Config().features;
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  int i = 0;
  for (auto _ : state) {
    Json doc = PurchaseDoc(now + i, i);
    features.Apply(profile::EventFacts{"purchase", now + i, "s", &doc, {}, {}}, &p.features);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeatureUpdatePerEvent);

// As ingest folds an event: its properties as text read through an EventView (no JSON
// document), into a profile that has seen 200 events, alternating page views and
// purchases as the load generator's users do.
void BM_FeatureUpdatePerEventView(benchmark::State& state) {
  const auto& features = *Config().features;
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  profile::EventView view;
  const std::string page = R"({"page":"/p/7","referrer":"https://example.com/","title":"Product 7"})";
  const std::string purchase =
      R"({"order_id":"o-1","price":52.9,"currency":"EUR","page":"/p/7","items":3})";
  int i = 0;
  for (auto _ : state) {
    const bool buys = i % 2 != 0;
    profile::EventFacts facts{buys ? "purchase" : "page_view", now + i, "s", nullptr,
                              buys ? purchase : page, R"({"channel":"web"})"};
    features.Apply(facts, &p.features, &view);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeatureUpdatePerEventView);

void BM_SegmentReevaluationPerEvent(benchmark::State& state) {
  const auto& c = Config();
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  Json context = {{"channel", "web"}};
  for (auto _ : state) {
    Json doc = segments::BuildProfileDocument(p, c.features.get(), now, &context);
    auto in = c.segments->Evaluate(&doc, c.saved_groups.get());
    benchmark::DoNotOptimize(in);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SegmentReevaluationPerEvent);

// Segment re-evaluation over a ProfileView (no JSON document), of every segment
// (`changed` null) or, as ingest does since the dependency index, only of those reading a
// changed path plus parents, groups and cold-start segments.
void RunViewReevaluation(benchmark::State& state, const std::vector<std::string>* changed) {
  const auto& c = Config();
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  const std::string context = R"({"channel":"web"})";
  for (auto _ : state) {
    segments::ProfileView view(p, c.features.get(), now, &context);
    auto in = c.segments->Evaluate(&view, c.saved_groups.get(), true, changed);
    benchmark::DoNotOptimize(in);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SegmentReevaluationPerEventView(benchmark::State& state) { RunViewReevaluation(state, nullptr); }
BENCHMARK(BM_SegmentReevaluationPerEventView);

// A page_view changes the page-view features, `profile` and `context`.
void BM_SegmentReevaluationPerPageView(benchmark::State& state) {
  std::vector<std::string> changed = Config().features->ChangedPaths("page_view");
  changed.insert(changed.end(), {"context", "profile"});
  RunViewReevaluation(state, &changed);
  state.counters["changed_paths"] = static_cast<double>(changed.size());
}
BENCHMARK(BM_SegmentReevaluationPerPageView);

// As ingest evaluates the profile of an event of `type`: the reach resolved once (per
// batch and event type), the profile holding its stored membership, and membership as
// flags with the stored flags beside them (Pipeline::Batch::EvaluateSegments). cached:1 as
// after an ingest batch (Profile::segment_flags of this set), cached:0 from the names
// alone (after a load or a config change).
void RunSegmentFlags(benchmark::State& state, const std::string& type) {
  const auto& c = Config();
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  const std::string context = R"({"channel":"web"})";
  {
    segments::ProfileView view(p, c.features.get(), now, &context);
    for (const auto& name : c.segments->Evaluate(&view, c.saved_groups.get())) {
      p.segments.emplace(name, now);
    }
  }
  std::vector<std::string> changed = c.features->ChangedPaths(type);
  changed.insert(changed.end(), {"context", "profile"});
  const segments::SegmentSet::Reach reach = c.segments->ReachOf(changed);
  segments::SegmentFlags stored;
  if (state.range(0) != 0) {
    // As ingest leaves it: the flags of the membership the names hold.
    segments::ProfileView view(p, c.features.get(), now, &context);
    p.segment_flags = c.segments->ReevaluateFlags(&view, c.saved_groups.get(), true, nullptr);
    p.segment_flags_of = c.segments->id();
    if (p.segment_flags.count() != p.segments.size()) {
      state.SkipWithError("the seeded flags disagree with the names");
      return;
    }
  }
  for (auto _ : state) {
    segments::ProfileView view(p, c.features.get(), now, &context);
    auto in = c.segments->ReevaluateFlags(&view, c.saved_groups.get(), true, &reach, &stored);
    benchmark::DoNotOptimize(in);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["segments_in"] = static_cast<double>(p.segments.size());
  state.counters["segments_reached"] = static_cast<double>(reach.reevaluate.count());
}

void BM_SegmentFlagsPerPageView(benchmark::State& state) { RunSegmentFlags(state, "page_view"); }
// Half the load generator's events are purchases, which reach most segments (all the
// buyer, spender and tier ones, and the rfm reader).
void BM_SegmentFlagsPerPurchase(benchmark::State& state) { RunSegmentFlags(state, "purchase"); }
BENCHMARK(BM_SegmentFlagsPerPurchase)->ArgName("cached")->Arg(0)->Arg(1);
BENCHMARK(BM_SegmentFlagsPerPageView)->ArgName("cached")->Arg(0)->Arg(1);

void BM_FeatureReadAsOfNow(benchmark::State& state) {
  const auto& c = Config();
  int64_t now = 1'800'000'000'000;
  profile::Profile p = Warm(200, now);
  for (auto _ : state) benchmark::DoNotOptimize(c.features->Read(p.features, now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeatureReadAsOfNow);

}  // namespace
}  // namespace tailor::bench
