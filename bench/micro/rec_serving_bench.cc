// One recommendation request in process, as GET /v1/recommendations runs it minus HTTP:
// identity lookup, the user's newest 200 events read and decoded (fold-in history and
// seen items), model scoring, a filter over item attributes (condition language),
// boosts, inverse-propensity re-weighting, MMR and a provider cap.
//
// Data: 20,000 catalog items (4 attributes, 1 of 50 categories, 1 of 20 providers),
// 4,000 users x 50 views each (200k interactions, Zipf-ish item popularity), in a
// MemoryStore. Counters p50_us / p99_us are per-request latencies over each run; the
// model's memory is reported as model_bytes. The `shadow` variants run a second version
// (trained on the same data) in shadow on every request: the latency is still the live
// answer's (the shadow runs after it, on the comparer thread), and the counters add the
// comparer's report (compared, dropped, overlap).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>

#include "core/clock.h"
#include "ingest/event.h"
#include "recommenders/serving/rec_service.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"

namespace tailor::recommenders {
namespace {

constexpr int kItems = 20'000, kUsers = 4'000, kViews = 50;

struct World {
  FakeClock clock;
  storage::MemoryStore store{clock};
  profile::ProfileStore profiles{store};
  identity::IdentityIndex identities{store};
  CatalogStore catalog{store};
  std::unique_ptr<RecService> service;
  size_t model_bytes = 0;

  explicit World(const std::string& model) {
    std::mt19937_64 rng(7);
    std::vector<Json> items;
    for (int i = 0; i < kItems; ++i) {
      items.push_back(Json{{"id", "i" + std::to_string(i)},
                           {"title", "item " + std::to_string(i)},
                           {"categories", {"c" + std::to_string(i % 50)}},
                           {"attributes",
                            {{"price", i % 200},
                             {"in_stock", i % 10 != 0},
                             {"provider", "p" + std::to_string(i % 20)}}}});
    }
    (void)catalog.Upsert(items);
    // Popularity ~ 1 / rank: draw item = floor(kItems ^ u) - 1.
    std::uniform_real_distribution<double> u(0, 1);
    int64_t t = 1'700'000'000'000;
    for (int user = 0; user < kUsers; ++user) {
      std::string pid(storage::kPidBytes, '0');
      std::string digits = std::to_string(user);
      pid.replace(pid.size() - digits.size(), digits.size(), digits);
      storage::WriteBatch b;
      identity::IdentityIndex::Stage(identity::IdKind::kUser, "u" + digits, pid, &b);
      for (int v = 0; v < kViews; ++v) {
        int item = static_cast<int>(std::pow(double(kItems), u(rng))) - 1;
        ingest::Event e;
        e.event_id = "e" + digits + "_" + std::to_string(v);
        e.type = "view";
        e.timestamp_ms = e.received_at_ms = ++t;
        e.properties_json = Json{{"item_id", "i" + std::to_string(item)}}.dump();
        b.Put(storage::Keyspace::kEvents, storage::EventKey(pid, t, e.event_id),
              ingest::EncodeStoredEvent(e));
      }
      (void)store.Write(b);
    }
    auto config = std::make_shared<RecConfig>();
    auto spec = ParseModelSpec("m", Json::parse(R"({"model": ")" + model + R"(", "serving": {
        "boosts": [{"when": {"attributes.provider": "p3"}, "multiplier": 1.2}],
        "mmr_lambda": 0.7, "popularity_exponent": 0.3, "provider_cap": 0.5}})"));
    config->models["m"] = std::make_shared<const ModelSpec>(std::move(spec).value());
    RecServiceOptions o;
    o.train_threads = 2;
    o.holdout = 0.1;
    service = std::make_unique<RecService>(store, profiles, identities, catalog, clock, o);
    service->Configure(config);
    auto trained = service->Train("m", true);
    if (!trained.ok()) std::abort();
    model_bytes = (*trained)["memory_bytes"].get<size_t>();
  }
};

void BM_Recommend(benchmark::State& state, const std::string& model, bool shadow) {
  static std::map<std::string, std::unique_ptr<World>> worlds;
  auto& world = worlds[model];
  if (!world) world = std::make_unique<World>(model);
  if (shadow) {
    auto trained = world->service->Train("m", false);
    if (!trained.ok() ||
        !world->service->SetShadow("m", (*trained)["version"].get<uint64_t>()).ok()) {
      state.SkipWithError("shadow not set");
      return;
    }
  }
  RecRequest req;
  req.model = "m";
  req.k = 10;
  req.filter = R"({"attributes.in_stock": true, "attributes.price": {"$lt": 150}})";
  std::vector<double> us;
  int user = 0;
  for (auto _ : state) {
    req.user_id = "u" + std::to_string(user++ % kUsers);
    auto t0 = std::chrono::steady_clock::now();
    auto list = world->service->Recommend(req);
    auto t1 = std::chrono::steady_clock::now();
    if (!list.ok() || list->items.size() != 10) state.SkipWithError("bad answer");
    benchmark::DoNotOptimize(list);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["model_bytes"] = static_cast<double>(world->model_bytes);
  if (shadow) {
    world->service->DrainShadow();
    auto report = world->service->ShadowReport("m");
    state.counters["shadow_compared"] = (*report)["compared"].get<double>();
    state.counters["shadow_dropped"] = (*report)["dropped"].get<double>();
    state.counters["shadow_overlap"] =
        (*report)["overlap_at_k"].is_number() ? (*report)["overlap_at_k"].get<double>() : 0.0;
    (void)world->service->SetShadow("m", 0);
  }
}

BENCHMARK_CAPTURE(BM_Recommend, als, std::string("als"), false)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);
BENCHMARK_CAPTURE(BM_Recommend, als_shadow, std::string("als"), true)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);
BENCHMARK_CAPTURE(BM_Recommend, itemknn, std::string("itemknn"), false)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);

}  // namespace
}  // namespace tailor::recommenders
