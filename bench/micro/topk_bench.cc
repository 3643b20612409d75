// Top-100 for one user over 100k items with 64 factors: exact scoring
// (FactorScorer::TopKFor: int8 or bfloat16 pre-selection proven exact by rescoring, see
// topk.h, per kernel;
// and float only: Eigen matrix-vector product + bounded-heap selection) and the HNSW index
// (hnswlib, inner product, M=16, ef_construction=200, ef_search 100-800). Each benchmark iteration
// is one query; the counters p50_us / p99_us come from per-query timings (a latency histogram of
// every query run), and hnsw_recall is recall@100 against exact scoring.
//
//   ./build/release/bench/topk_bench --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "recommenders/hnsw_index.h"
#include "recommenders/topk.h"

namespace tailor::recommenders {
namespace {

constexpr size_t kItems = 100'000, kDim = 64, kK = 100, kQueries = 512;

struct Fixture {
  std::vector<float> items, queries;
  FactorScorer exact;
  HnswIndex hnsw;
  double build_seconds = 0;
};

// Data set 0: i.i.d. Gaussian vectors, the worst case for a graph index (no structure).
// Data set 1: 200 Gaussian clusters with noise of a third of the spread, closer to
// learned item factors (genres, tastes).
Fixture* MakeFixture(int dataset) {
  auto* x = new Fixture;  // leaked on purpose: lives for the process
  std::mt19937_64 rng(7);
  std::normal_distribution<float> g(0.0f, 1.0f);
  auto fill = [&](std::vector<float>& v, size_t n) {
    v.resize(n * kDim);
    if (dataset == 0) {
      for (float& e : v) e = g(rng);
      return;
    }
    constexpr size_t kClusters = 200;
    static std::vector<float> centres = [&] {
      std::vector<float> c(kClusters * kDim);
      for (float& e : c) e = g(rng);
      return c;
    }();
    std::uniform_int_distribution<size_t> pick(0, kClusters - 1);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = pick(rng);
      for (size_t d = 0; d < kDim; ++d) v[i * kDim + d] = centres[c * kDim + d] + g(rng) / 3.0f;
    }
  };
  fill(x->items, kItems);
  fill(x->queries, kQueries);
  {
    x->exact.Reset(x->items, kItems, kDim);
    HnswOptions o;
    o.ef_search = 200;
    o.threads = 2;
    auto t0 = std::chrono::steady_clock::now();
    Status st = x->hnsw.Build(x->items, kItems, kDim, o);
    x->build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.ok()) std::abort();
  }
  return x;
}

const Fixture& GetFixture(int dataset = 0) {
  static Fixture* fixtures[2] = {nullptr, nullptr};
  if (!fixtures[dataset]) fixtures[dataset] = MakeFixture(dataset);
  return *fixtures[dataset];
}

void Percentiles(benchmark::State& state, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["max_us"] = us.back();
}

// Args: catalog size (the first n of the 100k items), pre-selection kernel (ScoreKernel:
// 0 auto = the best the CPU has, 1 AVX-512 VNNI int8, 2 AVX2 bfloat16, 3 portable),
// data set (0 Gaussian, 1 clustered).
void BM_ExactTop100(benchmark::State& state) {
  const Fixture& f = GetFixture(static_cast<int>(state.range(2)));
  const auto n = static_cast<size_t>(state.range(0));
  FactorScorer scorer;
  scorer.Reset(std::span<const float>(f.items.data(), n * kDim), n, kDim,
               static_cast<ScoreKernel>(state.range(1)));
  state.counters["kernel"] = static_cast<double>(scorer.kernel());
  std::vector<double> us;
  size_t q = 0;
  std::vector<float> scores(n);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    std::span<const float> query(f.queries.data() + (q++ % kQueries) * kDim, kDim);
    auto top = scorer.TopKFor(query, kK);
    benchmark::DoNotOptimize(top.data());
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  Percentiles(state, us);
}
BENCHMARK(BM_ExactTop100)
    ->Args({20'000, 0, 0})
    ->Args({50'000, 0, 0})
    ->Args({100'000, 0, 0})
    ->Args({100'000, 0, 1})
    ->Args({100'000, 2, 0})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);

// Exact scoring in float only (ScoreAll + TopK), without the bfloat16 pre-selection.
void BM_ExactFloatOnlyTop100(benchmark::State& state) {
  const Fixture& f = GetFixture();
  std::vector<double> us;
  size_t q = 0;
  std::vector<float> scores(kItems);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    std::span<const float> query(f.queries.data() + (q++ % kQueries) * kDim, kDim);
    f.exact.ScoreAll(query, scores);
    auto top = TopK(scores, kK);
    benchmark::DoNotOptimize(top.data());
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  Percentiles(state, us);
}
BENCHMARK(BM_ExactFloatOnlyTop100)->Unit(benchmark::kMicrosecond)->Iterations(2000);

// Args: ef_search (beam width; the beam is at least k = 100), data set (0 Gaussian,
// 1 clustered).
void BM_HnswTop100(benchmark::State& state) {
  const Fixture& f = GetFixture(static_cast<int>(state.range(1)));
  const auto ef = static_cast<size_t>(state.range(0));
  std::vector<double> us;
  size_t q = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    std::span<const float> query(f.queries.data() + (q++ % kQueries) * kDim, kDim);
    auto top = f.hnsw.Search(query, kK, {}, ef);
    benchmark::DoNotOptimize(top);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  Percentiles(state, us);
  // Recall@100 against exact scoring, over every query.
  size_t found = 0;
  for (size_t i = 0; i < kQueries; ++i) {
    std::span<const float> query(f.queries.data() + i * kDim, kDim);
    std::set<uint32_t> truth;
    for (const auto& s : f.exact.TopKFor(query, kK)) truth.insert(s.item);
    for (const auto& s : *f.hnsw.Search(query, kK, {}, ef)) found += truth.count(s.item);
  }
  state.counters["hnsw_recall"] = static_cast<double>(found) / (kQueries * kK);
  state.counters["build_s"] = f.build_seconds;
}
BENCHMARK(BM_HnswTop100)
    ->ArgsProduct({{100, 200, 400, 800}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);

}  // namespace
}  // namespace tailor::recommenders

BENCHMARK_MAIN();
