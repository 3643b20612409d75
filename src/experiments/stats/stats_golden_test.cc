// The golden runner: every case in testdata/*.json, written by scripts/gen_stats_golden.py
// from SciPy reference values. A bug fix adds a case to the script first (STYLE.md 12).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_doc.h"
#include "experiments/stats/bayesian.h"
#include "experiments/stats/cuped.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/multiple_testing.h"
#include "experiments/stats/power.h"
#include "experiments/stats/sequential.h"
#include "experiments/stats/srm.h"

namespace tailor::experiments::stats {
namespace {

Json Load(const char* name) {
  std::filesystem::path path = std::filesystem::path(TAILOR_STATS_TESTDATA_DIR) / name;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Json> j = ParseJson(ss.str());
  EXPECT_TRUE(j.ok()) << path << ": " << j.status().ToString();
  if (!j.ok() || !j->contains("cases") || (*j)["cases"].empty()) {
    ADD_FAILURE() << path << " has no cases";
    return Json::array();
  }
  return (*j)["cases"];
}

// Relative tolerance with an absolute floor for values near zero.
void ExpectClose(double got, double want, double rel, const std::string& what) {
  EXPECT_NEAR(got, want, rel * std::max(std::fabs(want), 1e-12) + 1e-15) << what;
}

MetricStats Arm(const Json& j) {
  if (j.contains("conversions")) {
    return FromConversions(j["n"].get<double>(), j["conversions"].get<double>());
  }
  if (j.contains("mean")) {
    return FromMeanSd(j["n"].get<double>(), j["mean"].get<double>(), j["sd"].get<double>());
  }
  MetricStats s;
  s.n = j["n"].get<double>();
  s.sum = j["sum"].get<double>();
  s.sum_sq = j["sum_sq"].get<double>();
  s.x_sum = j["x_sum"].get<double>();
  s.x_sum_sq = j["x_sum_sq"].get<double>();
  s.xy_sum = j["xy_sum"].get<double>();
  return s;
}

// Compares an interval whose open ends are null in the golden file.
void ExpectInterval(const std::optional<Interval>& got, const Json& want, double rel,
                    const std::string& what) {
  ASSERT_TRUE(got.has_value()) << what;
  if (want[0].is_null()) {
    EXPECT_TRUE(std::isinf(got->lower) && got->lower < 0) << what;
  } else {
    ExpectClose(got->lower, want[0].get<double>(), rel, what + " lower");
  }
  if (want[1].is_null()) {
    EXPECT_TRUE(std::isinf(got->upper) && got->upper > 0) << what;
  } else {
    ExpectClose(got->upper, want[1].get<double>(), rel, what + " upper");
  }
}

TEST(StatsGolden, Frequentist) {
  int n = 0;
  for (const Json& c : Load("frequentist.json")) {
    const std::string name = c["name"];
    TestOptions o;
    o.alpha = c["alpha"];
    o.sided = *ParseSided(c["sided"].get<std::string>());
    Result<Comparison> r = c["kind"] == "proportions"
                               ? CompareProportions(Arm(c["control"]), Arm(c["treatment"]), o)
                               : WelchTTest(Arm(c["control"]), Arm(c["treatment"]), o);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    const Json& e = c["expected"];
    EXPECT_EQ(r->validity, Validity::kOk) << name;
    ExpectClose(r->statistic, e["statistic"], 1e-9, name + " statistic");
    ExpectClose(r->p_value, e["p_value"], 1e-7, name + " p_value");
    if (e.contains("df")) ExpectClose(r->df, e["df"], 1e-9, name + " df");
    ExpectClose(r->abs_lift, e["abs_lift"], 1e-9, name + " abs_lift");
    ExpectInterval(r->abs_ci, e["abs_ci"], 1e-8, name + " abs_ci");
    ASSERT_TRUE(r->rel_lift.has_value()) << name;
    ExpectClose(*r->rel_lift, e["rel_lift"], 1e-9, name + " rel_lift");
    ExpectInterval(r->rel_ci, e["rel_ci"], 1e-8, name + " rel_ci");
    ++n;
  }
  std::printf("[golden] frequentist: %d cases\n", n);
  EXPECT_GE(n, 50);
}

TEST(StatsGolden, Cuped) {
  int n = 0;
  for (const Json& c : Load("cuped.json")) {
    const std::string name = c["name"];
    Result<CupedAdjustment> a = CupedAdjust(Arm(c["control"]), Arm(c["treatment"]));
    ASSERT_TRUE(a.ok()) << name;
    const Json& e = c["expected"];
    ExpectClose(a->theta, e["theta"], 1e-8, name + " theta");
    ExpectClose(a->control.mean, e["control_mean"], 1e-9, name + " control mean");
    ExpectClose(a->treatment.mean, e["treatment_mean"], 1e-9, name + " treatment mean");
    ExpectClose(a->control.variance, e["control_variance"], 1e-6, name + " control var");
    ExpectClose(a->treatment.variance, e["treatment_variance"], 1e-6, name + " treatment var");
    EXPECT_GT(a->variance_reduction, 0.1) << name;
    Result<Comparison> r = CupedWelchTTest(Arm(c["control"]), Arm(c["treatment"]));
    ASSERT_TRUE(r.ok()) << name;
    ExpectClose(r->statistic, e["statistic"], 1e-6, name + " statistic");
    ExpectClose(r->p_value, e["p_value"], 1e-5, name + " p_value");
    ++n;
  }
  std::printf("[golden] cuped: %d cases\n", n);
  EXPECT_GE(n, 3);
}

TEST(StatsGolden, Sequential) {
  int n = 0;
  for (const Json& c : Load("sequential.json")) {
    const std::string name = c["name"];
    SequentialOptions o;
    o.alpha = c["alpha"];
    o.tuning = c["tuning"];
    Result<Comparison> r =
        SequentialCompare(Arm(c["control"]), Arm(c["treatment"]), c["kind"] == "proportions", o);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    const Json& e = c["expected"];
    ExpectInterval(r->abs_ci, e["abs_ci"], 1e-8, name + " abs_ci");
    ExpectInterval(r->rel_ci, e["rel_ci"], 1e-8, name + " rel_ci");
    ExpectClose(r->p_value, e["p_value"], 1e-6, name + " p_value");
    ++n;
  }
  std::printf("[golden] sequential: %d cases\n", n);
  EXPECT_GE(n, 5);
}

TEST(StatsGolden, Bayesian) {
  int n = 0;
  for (const Json& c : Load("bayesian.json")) {
    const std::string name = c["name"];
    Result<BayesianResult> r = c["kind"] == "binomial"
                                   ? BayesianBinomial(Arm(c["control"]), Arm(c["treatment"]))
                                   : BayesianGaussian(Arm(c["control"]), Arm(c["treatment"]));
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    const Json& e = c["expected"];
    EXPECT_NEAR(r->chance_to_win, e["chance_to_win"].get<double>(), 1e-7) << name;
    ExpectClose(r->expected_loss, e["expected_loss"], 1e-5, name + " expected_loss");
    ExpectClose(r->expected_loss_control, e["expected_loss_control"], 1e-5,
                name + " expected_loss_control");
    ASSERT_TRUE(r->rel_lift.has_value()) << name;
    ExpectClose(*r->rel_lift, e["rel_lift"], 1e-8, name + " rel_lift");
    ExpectInterval(r->rel_ci, e["rel_ci"], 1e-8, name + " rel_ci");
    ++n;
  }
  std::printf("[golden] bayesian: %d cases\n", n);
  EXPECT_GE(n, 8);
}

TEST(StatsGolden, SampleRatioMismatch) {
  int n = 0;
  for (const Json& c : Load("srm.json")) {
    const std::string name = c["name"];
    std::vector<double> observed = c["observed"].get<std::vector<double>>();
    std::vector<double> weights;
    if (!c["weights"].is_null()) weights = c["weights"].get<std::vector<double>>();
    Result<SrmResult> r = SampleRatioMismatch(observed, weights);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    ExpectClose(r->chi_squared, c["expected"]["chi_squared"], 1e-10, name + " chi2");
    ExpectClose(r->p_value, c["expected"]["p_value"], 1e-8, name + " p");
    EXPECT_EQ(r->df, c["expected"]["df"].get<double>()) << name;
    ++n;
  }
  std::printf("[golden] srm: %d cases\n", n);
  EXPECT_GE(n, 6);
}

TEST(StatsGolden, MultipleTesting) {
  int n = 0;
  for (const Json& c : Load("multiple_testing.json")) {
    const std::string name = c["name"];
    std::vector<double> p = c["p_values"].get<std::vector<double>>();
    auto holm = HolmAdjust(p);
    auto bh = BenjaminiHochbergAdjust(p);
    ASSERT_TRUE(holm.ok() && bh.ok()) << name;
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_NEAR((*holm)[i], c["expected"]["holm"][i].get<double>(), 1e-12) << name << " " << i;
      EXPECT_NEAR((*bh)[i], c["expected"]["bh"][i].get<double>(), 1e-12) << name << " " << i;
    }
    ++n;
  }
  std::printf("[golden] multiple_testing: %d cases\n", n);
  EXPECT_GE(n, 5);
}

TEST(StatsGolden, Power) {
  int n = 0;
  for (const Json& c : Load("power.json")) {
    const std::string name = c["name"];
    PowerOptions o;
    o.alpha = c["alpha"];
    o.power = c["power"];
    o.sided = *ParseSided(c["sided"].get<std::string>());
    Result<int64_t> r = c["kind"] == "proportions"
                            ? SampleSizeProportions(c["baseline"], c["mde"], o)
                            : SampleSizeMeans(c["mean"], c["sd"], c["mde"], o);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(*r, c["expected"]["n_per_variation"].get<int64_t>()) << name;
    ++n;
  }
  std::printf("[golden] power: %d cases\n", n);
  EXPECT_GE(n, 7);
}

}  // namespace
}  // namespace tailor::experiments::stats
