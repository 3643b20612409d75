// Cost of the statistics for one treatment-vs-control comparison from sufficient
// statistics (what the results API does per variation and metric). Linked with
// benchmark_main.
#include <benchmark/benchmark.h>

#include "experiments/stats/bayesian.h"
#include "experiments/stats/cuped.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/multiple_testing.h"
#include "experiments/stats/power.h"
#include "experiments/stats/sequential.h"
#include "experiments/stats/srm.h"

namespace tailor::experiments::stats {
namespace {

// 1 million exposed users split 50/50.
const MetricStats kControl = FromConversions(500000, 60000);
const MetricStats kTreatment = FromConversions(500000, 61200);
const MetricStats kControlMean = FromMeanSd(500000, 12.5, 30);
const MetricStats kTreatmentMean = FromMeanSd(500000, 12.7, 31);

void BM_Proportions(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(CompareProportions(kControl, kTreatment)->p_value);
}
BENCHMARK(BM_Proportions);

void BM_Welch(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(WelchTTest(kControlMean, kTreatmentMean)->p_value);
}
BENCHMARK(BM_Welch);

void BM_CupedWelch(benchmark::State& s) {
  MetricStats c = kControlMean, t = kTreatmentMean;
  c.x_sum = 500000 * 11.0, c.x_sum_sq = 500000 * (11.0 * 11 + 900),
  c.xy_sum = 500000 * (12.5 * 11 + 600);
  t.x_sum = 500000 * 11.0, t.x_sum_sq = 500000 * (11.0 * 11 + 900),
  t.xy_sum = 500000 * (12.7 * 11 + 600);
  for (auto _ : s) benchmark::DoNotOptimize(CupedWelchTTest(c, t)->p_value);
}
BENCHMARK(BM_CupedWelch);

void BM_Sequential(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(SequentialCompare(kControl, kTreatment, true)->p_value);
}
BENCHMARK(BM_Sequential);

void BM_BayesianBinomial(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(BayesianBinomial(kControl, kTreatment)->chance_to_win);
}
BENCHMARK(BM_BayesianBinomial);

void BM_BayesianGaussian(benchmark::State& s) {
  for (auto _ : s) {
    benchmark::DoNotOptimize(BayesianGaussian(kControlMean, kTreatmentMean)->chance_to_win);
  }
}
BENCHMARK(BM_BayesianGaussian);

void BM_Srm(benchmark::State& s) {
  const double observed[] = {500000, 501200};
  for (auto _ : s) benchmark::DoNotOptimize(SampleRatioMismatch(observed)->p_value);
}
BENCHMARK(BM_Srm);

void BM_Holm20(benchmark::State& s) {
  double p[20];
  for (int i = 0; i < 20; ++i) p[i] = 0.001 * (i * 7 % 20 + 1);
  for (auto _ : s) benchmark::DoNotOptimize(HolmAdjust(p)->front());
}
BENCHMARK(BM_Holm20);

void BM_Power(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(*SampleSizeProportions(0.10, 0.05));
}
BENCHMARK(BM_Power);

}  // namespace
}  // namespace tailor::experiments::stats
