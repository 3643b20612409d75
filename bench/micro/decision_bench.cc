// The decision engine in process, without HTTP (issue 4's CPU targets): the scenario of
// bench/load/config-decide (20 segments, 10 placements with 5 rules each, templates,
// caps) over 10,000 people with computed features, on a RocksDB store so the decision
// log's writes are part of the cost.
//
// Process CPU time is measured (MeasureProcessCPUTime), so the background decision-log
// writer's encoding and RocksDB writes count. BM_DecideLatency also reports wall-clock
// percentiles of single decisions (p50/p99/p999, in µs) as counters.
// BM_DecideRules/N: one placement with N rules where only the last matches: the cost per
// rule evaluated.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "config/config_loader.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/random.h"
#include "decision/engine.h"
#include "storage/rocks_store.h"

namespace tailor::bench {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "decision_bench: %s\n", what.c_str());
  std::abort();
}

const config::ConfigSnapshot& Config() {
  static const config::ConfigSnapshot snapshot = [] {
    std::ifstream in(std::string(TAILOR_BENCH_DIR) + "/load/config-decide/decide.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto loaded = config::LoadConfig({{"decide.yaml", ss.str()}});
    if (!loaded.ok()) Die("config: " + loaded.status().ToString());
    return std::move(loaded).value();
  }();
  return snapshot;
}

constexpr int kUsers = 10'000;

class Env {
 public:
  Env()
      : dir_(std::filesystem::temp_directory_path() /
             ("tailor-decision-bench-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    storage::StoreOptions so;
    so.SetTtl(storage::Keyspace::kDecisions, 86'400'000);
    auto store = storage::OpenRocksStore(dir_.string(), so, clock_);
    if (!store.ok()) Die(store.status().ToString());
    store_ = std::move(store).value();
    profiles_ = std::make_unique<profile::ProfileStore>(*store_);
    identities_ = std::make_unique<identity::IdentityIndex>(*store_);
    engine_ = std::make_unique<decision::DecisionEngine>(*store_, *profiles_, *identities_, clock_,
                                                         random_);
    Populate();
  }
  ~Env() {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  decision::DecisionEngine& engine() { return *engine_; }

 private:
  // People with traits and features from a few generated purchases and page views.
  void Populate() {
    const auto& features = *Config().features;
    std::mt19937_64 rng(42);
    static const char* kCats[] = {"shoes", "bags", "hats", "coats", "shirts"};
    static const char* kTiers[] = {"gold", "silver", "bronze", "none"};
    int64_t now = clock_.NowMs();
    storage::WriteBatch batch;
    for (int u = 0; u < kUsers; ++u) {
      profile::Profile p;
      p.id = NewUlid(clock_, random_);
      p.traits_json =
          Json{{"first_name", "User" + std::to_string(u)}, {"tier", kTiers[rng() % 4]}}.dump();
      int events = static_cast<int>(rng() % 12);
      for (int i = 0; i < events; ++i) {
        int64_t ts = now - static_cast<int64_t>(rng() % (20LL * 86'400'000));
        std::string type = rng() % 3 == 0 ? "purchase" : "page_view";
        Json doc = {{"type", type},
                    {"timestamp", ts},
                    {"properties", {{"category", kCats[rng() % 5]}, {"price", 20 + rng() % 200}}}};
        features.Apply(profile::EventFacts{type, ts, "s", &doc, {}, {}}, &p.features);
      }
      p.event_count = events;
      profile::ProfileStore::Stage(p, &batch);
      identity::IdentityIndex::Stage(identity::IdKind::kUser, "u" + std::to_string(u), p.id,
                                     &batch);
      if (batch.size() > 1000) {
        if (!store_->Write(batch).ok()) Die("write");
        batch.Clear();
      }
    }
    if (!store_->Write(batch).ok()) Die("write");
  }

  SystemClock clock_;
  SystemRandom random_;
  std::filesystem::path dir_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<profile::ProfileStore> profiles_;
  std::unique_ptr<identity::IdentityIndex> identities_;
  std::unique_ptr<decision::DecisionEngine> engine_;
};

Env& TheEnv() {
  static Env env;
  return env;
}

decision::DecisionInputs Inputs() {
  const auto& c = Config();
  return decision::DecisionInputs{c.decision, c.features.get(), c.segments.get(),
                                  c.saved_groups.get(), 1, nullptr};
}

// Builds every person's profile view for `in` before timing (views live for
// decisions.view_ttl, 60 s): the benchmarks measure decisions, not view builds, which
// happen once per profile change or minute.
void WarmViews(Env& env, const decision::DecisionInputs& in, const std::string& placement) {
  for (int u = 0; u < kUsers; ++u) {
    decision::DecideRequest r;
    r.user_id = "u" + std::to_string(u);
    r.placements = {placement};
    r.dry_run = true;
    auto out = env.engine().Decide(r, in);
    if (!out.ok()) Die(out.status().ToString());
  }
  env.engine().log().Flush().IgnoreError();
}

// Bodies as a client sends them (bench/load/decide_load.cc's shape).
std::vector<std::string> Bodies(size_t n) {
  std::vector<std::string> out;
  std::mt19937_64 rng(7);
  static const char* kDevices[] = {"mobile", "desktop", "tablet"};
  for (size_t i = 0; i < n; ++i) {
    out.push_back("{\"user_id\":\"u" + std::to_string(rng() % kUsers) + "\",\"placements\":[\"p" +
                  std::to_string(rng() % 10) + "\"],\"context\":{\"device\":\"" +
                  kDevices[rng() % 3] + "\",\"geo\":{\"country\":\"NO\"},\"page\":\"/\"}}");
  }
  return out;
}

// Parsed from the bodies, like requests arriving over HTTP (the context flat and as text).
std::vector<decision::DecideRequest> Requests(size_t n) {
  std::vector<decision::DecideRequest> out;
  for (const std::string& body : Bodies(n)) {
    auto r = decision::ParseDecideRequest(body);
    if (!r.ok()) Die(r.status().ToString());
    out.push_back(std::move(*r));
  }
  return out;
}

// What the server does with a body before deciding.
void BM_ParseDecideRequest(benchmark::State& state) {
  const auto bodies = Bodies(4096);
  size_t i = 0;
  for (auto _ : state) {
    auto r = decision::ParseDecideRequest(bodies[i++ % bodies.size()]);
    if (!r.ok()) Die(r.status().ToString());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseDecideRequest);

void BM_DecideOnePlacement(benchmark::State& state) {
  Env& env = TheEnv();
  auto in = Inputs();
  auto requests = Requests(100'000);
  WarmViews(env, in, "p0");
  size_t i = 0;
  for (auto _ : state) {
    auto out = env.engine().Decide(requests[i++ % requests.size()], in);
    if (!out.ok()) Die(out.status().ToString());
    benchmark::DoNotOptimize(out);
  }
  env.engine().log().Flush().IgnoreError();  // the writer's backlog belongs to this run
  const auto& c = env.engine().counters();
  state.counters["view_builds"] = static_cast<double>(c.view_builds.load());
  state.counters["cache_hits"] = static_cast<double>(c.cache_hits.load());
}
BENCHMARK(BM_DecideOnePlacement)->MeasureProcessCPUTime()->UseRealTime();

void BM_DecideLatency(benchmark::State& state) {
  Env& env = TheEnv();
  auto in = Inputs();
  auto requests = Requests(100'000);
  WarmViews(env, in, "p0");
  std::vector<double> us;
  us.reserve(1'000'000);
  size_t i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto out = env.engine().Decide(requests[i++ % requests.size()], in);
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(out);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double q) {
    return us.empty() ? 0.0 : us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["p999_us"] = pct(0.999);
}
BENCHMARK(BM_DecideLatency)->MeasureProcessCPUTime()->UseRealTime();

// A decision whose person's view must be rebuilt first (what every person costs once per
// decisions.view_ttl, and after each profile change): a new config version for every
// decision, so no view is reused. Its cost minus BM_DecideOnePlacement's is a rebuild:
// load the profile, compute features as of now, evaluate the segments, flatten, and
// queue the snapshot for the log.
void BM_DecideViewRebuild(benchmark::State& state) {
  Env& env = TheEnv();
  auto in = Inputs();
  auto requests = Requests(100'000);
  size_t i = 0;
  for (auto _ : state) {
    ++in.config_version;
    auto out = env.engine().Decide(requests[i++ % requests.size()], in);
    if (!out.ok()) Die(out.status().ToString());
    benchmark::DoNotOptimize(out);
  }
  env.engine().log().Flush().IgnoreError();
  state.counters["view_builds"] = static_cast<double>(env.engine().counters().view_builds.load());
}
BENCHMARK(BM_DecideViewRebuild)->MeasureProcessCPUTime()->UseRealTime();

// One placement, N rules over traits and context; only the last matches.
void BM_DecideRules(benchmark::State& state) {
  Env& env = TheEnv();
  const int n = static_cast<int>(state.range(0));
  auto config = std::make_shared<decision::DecisionConfig>();
  config->settings.consent_purpose.clear();
  config->settings.cache_ttl_ms = 0;
  config->content.emplace(
      "c", *decision::ParseContent("c", Json::parse(R"({"variants":{"default":"Hi"}})")));
  Json rules = Json::array();
  for (int r = 0; r < n; ++r) {
    Json when = r + 1 == n ? Json::object()
                           : Json{{"traits.tier", "platinum_" + std::to_string(r)},
                                  {"context.device", "mobile"}};
    rules.push_back(
        {{"name", "r" + std::to_string(r)}, {"when", when}, {"serve", {{"content", "c"}}}});
  }
  auto pl = decision::ParsePlacement("p", Json{{"rules", rules}}, *config);
  if (!pl.ok()) Die(pl.status().ToString());
  config->placements.emplace("p", std::move(pl).value());
  config->AssignRuleMemo();  // as config/ does: the rules' tests of the person are kept per view
  // A version of its own, as every applied config has: views are built per version.
  decision::DecisionInputs in{config, Config().features.get(), Config().segments.get(), nullptr,
                              static_cast<uint64_t>(100 + n), nullptr};
  auto requests = Requests(100'000);
  for (auto& r : requests) r.placements = {"p"};
  WarmViews(env, in, "p");
  size_t i = 0;
  for (auto _ : state) {
    auto out = env.engine().Decide(requests[i++ % requests.size()], in);
    benchmark::DoNotOptimize(out);
  }
  env.engine().log().Flush().IgnoreError();
  state.counters["rules"] = n;
}
BENCHMARK(BM_DecideRules)
    ->Arg(1)
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->Arg(40)
    ->Arg(80)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
}  // namespace tailor::bench
