#include "recommenders/topk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "recommenders/hnsw_index.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(TopK, OrdersByScoreThenIndex) {
  std::vector<float> s = {0.5f, 2.0f, -kInf, 2.0f, 1.0f, NAN, 0.5f};
  auto top = TopK(s, 4);
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0], (ScoredItem{1, 2.0f}));
  EXPECT_EQ(top[1], (ScoredItem{3, 2.0f}));
  EXPECT_EQ(top[2], (ScoredItem{4, 1.0f}));
  EXPECT_EQ(top[3], (ScoredItem{0, 0.5f}));
  EXPECT_EQ(TopK(s, 100).size(), 5u);  // -inf and NaN never returned
  EXPECT_TRUE(TopK(s, 0).empty());
}

TEST(TopK, FilterSkipsItems) {
  std::vector<float> s = {5, 4, 3, 2, 1};
  auto top = TopK(s, 2, [](uint32_t i) { return i % 2 == 1; });
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].item, 1u);
  EXPECT_EQ(top[1].item, 3u);
}

TEST(TopK, MatchesFullSortOnRandomScores) {
  const uint64_t seed = 1234;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(0, 50);  // many ties
  std::vector<float> s(5000);
  for (float& x : s) x = static_cast<float>(d(rng));
  std::vector<uint32_t> idx(s.size());
  for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return s[a] > s[b]; });
  auto top = TopK(s, 100);
  ASSERT_EQ(top.size(), 100u);
  for (size_t r = 0; r < 100; ++r) EXPECT_EQ(top[r].item, idx[r]);
}

std::vector<float> RandomFactors(size_t n, size_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(n * dim);
  for (float& x : v) x = g(rng);
  return v;
}

TEST(FactorScorer, EqualsNaiveDotProducts) {
  const size_t n = 300, dim = 17;
  auto f = RandomFactors(n, dim, 5);
  auto q = RandomFactors(1, dim, 6);
  FactorScorer scorer;
  scorer.Reset(f, n, dim);
  std::vector<float> s(n);
  scorer.ScoreAll(q, s);
  for (size_t i = 0; i < n; ++i) {
    double dot = 0;
    for (size_t d = 0; d < dim; ++d) dot += static_cast<double>(f[i * dim + d]) * q[d];
    EXPECT_NEAR(s[i], dot, 1e-4);
  }
  EXPECT_EQ(scorer.TopKFor(q, 5)[0].item, TopK(s, 1)[0].item);
}

// The bfloat16 pre-selection must give exactly the float result: random items, a filter,
// and duplicated items (exact ties at the boundary force the fallback).
// Every pre-selection kernel (those the CPU lacks fall back to one it has), even and odd
// dimensions (padding of bfloat16 pairs and int8 groups).
class TopKForKernels : public ::testing::TestWithParam<std::tuple<ScoreKernel, size_t>> {};

INSTANTIATE_TEST_SUITE_P(
    Kernels, TopKForKernels,
    ::testing::Combine(::testing::Values(ScoreKernel::kAuto, ScoreKernel::kAvx512Vnni,
                                         ScoreKernel::kAvx2, ScoreKernel::kPortable),
                       ::testing::Values(size_t{24}, size_t{13})));

TEST_P(TopKForKernels, TopKForIsExactOnLargeCatalogs) {
  const auto [kernel, dim] = GetParam();
  const size_t n = 30000;
  auto f = RandomFactors(n, dim, 21);
  for (size_t i = 0; i < 200; ++i) {  // items 0..199 duplicated at 1000..1199
    std::copy(f.begin() + i * dim, f.begin() + (i + 1) * dim, f.begin() + (1000 + i) * dim);
  }
  FactorScorer scorer;
  scorer.Reset(f, n, dim, kernel);
  if (kernel != ScoreKernel::kAuto && kernel == BestScoreKernel())
    EXPECT_EQ(scorer.kernel(), kernel);
  if (kernel == ScoreKernel::kPortable) EXPECT_EQ(scorer.kernel(), kernel);
  EXPECT_GT(scorer.MemoryBytes(), n * dim * sizeof(float));  // the reduced copy
  auto qs = RandomFactors(50, dim, 22);
  const ItemFilter odd = [](uint32_t i) { return i % 2 == 1; };
  std::vector<float> s(n);
  for (size_t t = 0; t < 50; ++t) {
    std::span<const float> q(qs.data() + t * dim, dim);
    scorer.ScoreAll(q, s);
    for (const ItemFilter* filter : {static_cast<const ItemFilter*>(nullptr), &odd}) {
      ItemFilter fl = filter ? *filter : ItemFilter{};
      auto want = TopK(s, 100, fl);
      auto got = scorer.TopKFor(q, 100, fl);
      ASSERT_EQ(got.size(), want.size());
      for (size_t r = 0; r < want.size(); ++r) {
        EXPECT_EQ(got[r].item, want[r].item) << "query " << t << " rank " << r;
        EXPECT_NEAR(got[r].score, want[r].score, 1e-4);
      }
    }
  }
  // A k that cuts between the two copies of a duplicated item (an exact tie at the
  // boundary): the result must still be the float one, lower index first.
  std::span<const float> q0(qs.data(), dim);
  scorer.ScoreAll(q0, s);
  auto full = TopK(s, n);
  for (size_t r = 1; r < 1000; ++r) {
    if (full[r].score != full[r - 1].score) continue;
    auto want = TopK(s, r);
    auto got = scorer.TopKFor(q0, r);
    ASSERT_EQ(got.size(), r);
    EXPECT_EQ(got.back().item, want.back().item) << "tie cut at rank " << r;
    break;
  }
}

// Every item the same: the bound can never separate them (the second pass would collect
// everything), so the answer comes from full float scoring: the lowest indexes.
TEST_P(TopKForKernels, AllTiedFallsBackToFullScoring) {
  const auto [kernel, dim] = GetParam();
  const size_t n = 10000;
  std::vector<float> f(n * dim);
  for (size_t i = 0; i < f.size(); ++i) f[i] = 0.25f + static_cast<float>(i % dim) * 0.01f;
  FactorScorer scorer;
  scorer.Reset(f, n, dim, kernel);
  std::vector<float> q(dim, 1.0f);
  auto got = scorer.TopKFor(q, 50);
  ASSERT_EQ(got.size(), 50u);
  for (size_t r = 0; r < got.size(); ++r) EXPECT_EQ(got[r].item, r);
  // With a filter, the lowest passing indexes.
  auto odd = scorer.TopKFor(q, 10, [](uint32_t i) { return i % 2 == 1; });
  ASSERT_EQ(odd.size(), 10u);
  for (size_t r = 0; r < odd.size(); ++r) EXPECT_EQ(odd[r].item, 2 * r + 1);
}

// Recall@10 of the HNSW index against exact scoring over 10k random 32-d items.
TEST(HnswIndex, RecallAgainstExact) {
  const size_t n = 10000, dim = 32, k = 10, queries = 100;
  auto f = RandomFactors(n, dim, 11);
  FactorScorer exact;
  exact.Reset(f, n, dim);
  HnswIndex index;
  HnswOptions o;
  o.ef_search = 200;
  o.threads = 2;
  ASSERT_OK(index.Build(f, n, dim, o));
  EXPECT_EQ(index.size(), n);
  EXPECT_GT(index.MemoryBytes(), n * dim * sizeof(float));
  auto qs = RandomFactors(queries, dim, 12);
  size_t found = 0;
  for (size_t q = 0; q < queries; ++q) {
    std::span<const float> query(qs.data() + q * dim, dim);
    auto truth = exact.TopKFor(query, k);
    auto approx = index.Search(query, k);
    ASSERT_OK(approx);
    ASSERT_EQ(approx->size(), k);
    std::set<uint32_t> t;
    for (const auto& s : truth) t.insert(s.item);
    for (const auto& s : *approx) found += t.count(s.item);
  }
  const double recall = static_cast<double>(found) / (queries * k);
  std::printf("hnsw recall@10 = %.4f (n=%zu, dim=%zu, ef_search=%zu)\n", recall, n, dim,
              o.ef_search);
  EXPECT_GE(recall, 0.9);
}

TEST(HnswIndex, FilterAndErrors) {
  const size_t n = 2000, dim = 8;
  auto f = RandomFactors(n, dim, 3);
  HnswIndex index;
  auto q = RandomFactors(1, dim, 4);
  EXPECT_FALSE(index.Search(q, 5).ok());  // not built
  ASSERT_OK(index.Build(f, n, dim, {}));
  auto even = index.Search(q, 20, [](uint32_t i) { return i % 2 == 0; });
  ASSERT_OK(even);
  EXPECT_EQ(even->size(), 20u);
  for (const auto& s : *even) EXPECT_EQ(s.item % 2, 0u);
  auto rare = index.Search(q, 3, [](uint32_t i) { return i >= 1995; });  // forces widening
  ASSERT_OK(rare);
  EXPECT_EQ(rare->size(), 3u);
  std::vector<float> wrong(dim + 1);
  EXPECT_FALSE(index.Search(wrong, 5).ok());
  HnswIndex bad;
  EXPECT_FALSE(bad.Build(f, n, dim + 1, {}).ok());
}

}  // namespace
}  // namespace tailor::recommenders
