#include "recommenders/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/json_doc.h"
#include "recommenders/evaluate.h"
#include "recommenders/registry.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

TEST(Metrics, HandComputedList) {
  std::vector<uint32_t> rec = {3, 1, 7}, rel = {1, 7, 9};
  UserRankMetrics m = RankMetrics(rec, rel, 3);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3);
  const double dcg = 1 / std::log2(3.0) + 1 / std::log2(4.0);
  const double idcg = 1 + 1 / std::log2(3.0) + 1 / std::log2(4.0);
  EXPECT_NEAR(m.ndcg, dcg / idcg, 1e-12);
  EXPECT_NEAR(m.ndcg, 0.530721, 1e-6);
  EXPECT_NEAR(m.ap, (1.0 / 2 + 2.0 / 3) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(m.rr, 0.5);
  EXPECT_DOUBLE_EQ(m.hit, 1);
}

TEST(Metrics, ShortListsAndMisses) {
  std::vector<uint32_t> rec = {5}, rel = {5, 6};
  UserRankMetrics m = RankMetrics(rec, rel, 10);  // one slot filled of ten
  EXPECT_DOUBLE_EQ(m.precision, 0.1);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.ndcg, 1.0 / (1 + 1 / std::log2(3.0)), 1e-12);
  EXPECT_DOUBLE_EQ(m.ap, 0.5);
  std::vector<uint32_t> none = {1, 2};
  UserRankMetrics z = RankMetrics(none, rel, 2);
  EXPECT_EQ(z.ndcg, 0);
  EXPECT_EQ(z.rr, 0);
  EXPECT_EQ(z.hit, 0);
}

TEST(Metrics, Gini) {
  EXPECT_DOUBLE_EQ(Gini({1, 1, 1, 1}), 0);
  EXPECT_DOUBLE_EQ(Gini({0, 0, 0, 4}), 0.75);  // (n - 1) / n when one item takes all
  EXPECT_DOUBLE_EQ(Gini({}), 0);
  EXPECT_DOUBLE_EQ(Gini({0, 0}), 0);
}

// Reference values from scripts/gen_rec_metrics_golden.py (numpy).
TEST(Metrics, MatchesNumpyGolden) {
  std::ifstream in(std::string(TAILOR_RECOMMENDERS_TESTDATA) + "/metrics_golden.json");
  ASSERT_TRUE(in) << "missing testdata/metrics_golden.json";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto doc = ParseJson(text);
  ASSERT_OK(doc);
  size_t n = 0;
  for (const auto& c : (*doc)["ranking"]) {
    std::vector<uint32_t> rec = c["recommended"].get<std::vector<uint32_t>>();
    std::vector<uint32_t> rel = c["relevant"].get<std::vector<uint32_t>>();
    UserRankMetrics m = RankMetrics(rec, rel, c["k"].get<size_t>());
    SCOPED_TRACE("case " + std::to_string(n++));
    EXPECT_NEAR(m.precision, c["precision"].get<double>(), 1e-12);
    EXPECT_NEAR(m.recall, c["recall"].get<double>(), 1e-12);
    EXPECT_NEAR(m.ndcg, c["ndcg"].get<double>(), 1e-12);
    EXPECT_NEAR(m.ap, c["ap"].get<double>(), 1e-12);
    EXPECT_NEAR(m.rr, c["rr"].get<double>(), 1e-12);
    EXPECT_NEAR(m.hit, c["hit"].get<double>(), 1e-12);
  }
  EXPECT_EQ(n, 40u);
  for (const auto& c : (*doc)["gini"]) {
    EXPECT_NEAR(Gini(c["counts"].get<std::vector<double>>()), c["gini"].get<double>(), 1e-12);
  }
}

// Popularity on a four-item toy split, every aggregate computed by hand.
TEST(Evaluate, ToySplitByHand) {
  RawInteractions all;
  all.Add("u0", "a", 1, 0);
  all.Add("u1", "a", 1, 0);
  all.Add("u1", "b", 1, 0);
  all.Add("u2", "a", 1, 0);
  all.Add("u2", "b", 1, 0);
  all.Add("u2", "c", 1, 0);
  all.Add("u2", "d", 1, 0);
  RawInteractions train, test;
  for (RawInteractions* p : {&train, &test}) {
    p->users = all.users;
    p->items = all.items;
  }
  // Train: u0 {a}, u1 {a, b}, u2 {a, b, c}; test: u0 {c}, u1 {c}, u2 {d}.
  for (size_t i : {0, 1, 2, 3, 4, 5}) train.rows.push_back(all.rows[i]);
  test.rows.push_back({0, 2, 1, 0});
  test.rows.push_back({1, 2, 1, 0});
  test.rows.push_back(all.rows[6]);
  auto tr = Interactions::Build(train, {});
  auto te = Interactions::Build(test, {});
  ASSERT_OK(tr);
  ASSERT_OK(te);
  auto model = CreateModel("popularity", {});
  ASSERT_OK(model);
  ASSERT_OK((*model)->Fit(*tr, {}, {}));
  EvalOptions o;
  o.k = 2;
  auto m = EvaluateModel(**model, *tr, *te, o);
  ASSERT_OK(m);
  // Lists: u0 [b, c] (hit at 2), u1 [c, d] (hit at 1), u2 [d] (hit at 1).
  EXPECT_EQ(m->users, 3u);
  EXPECT_DOUBLE_EQ(m->precision, 0.5);
  EXPECT_DOUBLE_EQ(m->recall, 1.0);
  EXPECT_NEAR(m->ndcg, (1 / std::log2(3.0) + 2) / 3, 1e-12);
  EXPECT_NEAR(m->map, 2.5 / 3, 1e-12);
  EXPECT_NEAR(m->mrr, 2.5 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(m->hit_rate, 1);
  EXPECT_DOUBLE_EQ(m->coverage, 0.75);
  EXPECT_DOUBLE_EQ(m->gini, 0.35);  // counts a0 b1 c2 d2: (-1 + 2 + 6) / (4 * 5)
  EXPECT_NEAR(m->novelty, (-std::log2(2.0 / 3) - 4 * std::log2(1.0 / 3)) / 5, 1e-12);
  EXPECT_DOUBLE_EQ(m->avg_popularity, 0.8);
  EXPECT_NEAR(m->diversity, ((1 - 1 / std::sqrt(2.0)) + 1) / 2, 1e-12);
  auto named = m->Named();
  EXPECT_EQ(named[0].first, "ndcg@2");
  EXPECT_EQ(named.back().first, "avg_popularity");
  // With a catalog: b {x}, c {x, y}, d without categories.
  ItemCatalog catalog;
  catalog.Add({"b", "", {"x"}, {}});
  catalog.Add({"c", "", {"y", "x"}, {}});
  o.catalog = &catalog;
  m = EvaluateModel(**model, *tr, *te, o);
  ASSERT_OK(m);
  ASSERT_TRUE(m->has_category_diversity);
  // Lists [b, c]: cosine 1 / sqrt(2); [c, d]: 0.
  EXPECT_NEAR(m->category_diversity, ((1 - 1 / std::sqrt(2.0)) + 1) / 2, 1e-12);
  EXPECT_EQ(m->Named().back().first, "category_diversity");
}

}  // namespace
}  // namespace tailor::recommenders
