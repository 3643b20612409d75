// Quality guard on MovieLens 100k (../shared/data, never copied into the repo): the
// per-user stratified 75/25 split of the Microsoft recommenders' benchmark, k = 10,
// relevant = every held-out item, training items excluded. The best model must reach
// nDCG@10 >= 0.442 (BPR's published figure on that protocol). Skips, saying why, when
// the data set is absent.
#include <gtest/gtest.h>

#include <chrono>

#include "recommenders/evaluate.h"
#include "recommenders/interactions_csv.h"
#include "recommenders/registry.h"
#include "recommenders/split.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

TEST(MovieLens100k, BestModelReachesTargetNdcg) {
  const auto dir = testutil::SharedDir() / "data" / "movielens-100k";
  const auto file = dir / "u.data";
  if (testutil::SharedDir().empty() || !std::filesystem::exists(file)) {
    GTEST_SKIP() << "MovieLens 100k not found at " << file.string()
                 << " (set TAILOR_SHARED_DIR to the shared directory)";
  }
  CsvOptions csv;
  csv.columns = "user,item,rating,timestamp";
  csv.separator = "\t";
  RawInteractions raw;
  CsvReport report;
  ASSERT_OK(ReadInteractionsCsvFile(file.string(), csv, &raw, &report));
  ASSERT_EQ(report.accepted, 100000u);
  ASSERT_EQ(report.bad, 0u);
  SeededRandom random(42);
  auto split = SplitInteractions(raw, {SplitSpec::Kind::kStratified, 0.75}, random);
  ASSERT_OK(split);
  auto train = Interactions::Build(split->train, {});
  auto test = Interactions::Build(split->test, {});
  ASSERT_OK(train);
  ASSERT_OK(test);
  EXPECT_EQ(train->nnz() + test->nnz(), 100000u);
  TrainOptions topts;
  topts.threads = 2;
  EvalOptions eopts;
  eopts.threads = 2;
  double best = 0;
  std::string best_name;
  for (const char* name : {"popularity", "ease", "als"}) {
    auto model = CreateModel(name, {});
    ASSERT_OK(model);
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_OK((*model)->Fit(*train, topts, {}));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto m = EvaluateModel(**model, *train, *test, eopts);
    ASSERT_OK(m);
    std::printf("%-10s ndcg@10 %.4f precision@10 %.4f recall@10 %.4f map@10 %.4f train %.2fs\n",
                name, m->ndcg, m->precision, m->recall, m->map, secs);
    EXPECT_EQ(m->users, 943u);
    if (m->ndcg > best) {
      best = m->ndcg;
      best_name = name;
    }
  }
  std::printf("best: %s %.4f\n", best_name.c_str(), best);
  EXPECT_GE(best, 0.442);
}

}  // namespace
}  // namespace tailor::recommenders
