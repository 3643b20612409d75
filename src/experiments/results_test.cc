// ComputeResults: the document's numbers agree with stats/ on the same sums, SRM and
// multiple-testing fields are present, and degenerate data never yields NaN.
#include "experiments/results.h"

#include <gtest/gtest.h>

#include "experiments/stats/frequentist.h"

namespace tailor::experiments {
namespace {

struct Fixture {
  ExperimentSet set;
  const ConfiguredExperiment* e = nullptr;
  Fixture() {
    set.metrics.emplace("bought", ParseMetric("bought", Json::parse(R"({"type": "conversion", "event": "purchase"})")).value());
    set.metrics.emplace("revenue", ParseMetric("revenue", Json::parse(R"({"type": "sum", "event": "purchase", "property": "amount"})")).value());
    set.metrics.emplace("orders", ParseMetric("orders", Json::parse(R"({"type": "count", "event": "purchase"})")).value());
    set.metrics.emplace("aov", ParseMetric("aov", Json::parse(R"({"type": "ratio", "numerator": "revenue", "denominator": "orders"})")).value());
    set.experiments.emplace(
        "exp", std::make_shared<const ConfiguredExperiment>(ParseConfiguredExperiment(
                   "exp", Json::parse(R"({"variations": ["a", "b"], "metrics": ["bought", "revenue", "aov"]})"),
                   set, [](std::string_view) { return true; })
                   .value()));
    e = set.Find("exp");
  }
};

TEST(Results, MatchesStatsLibraryAndFlagsSrm) {
  Fixture f;
  ExperimentAggregates a;
  a.units = {1000, 1200};
  a.metrics["bought"] = {stats::FromConversions(1000, 120), stats::FromConversions(1200, 180)};
  auto r = ComputeResults(*f.e, f.set, a, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NEAR((*r)["srm"]["p_value"].get<double>(), 2.0079e-05, 1e-8);
  EXPECT_FALSE((*r)["srm"]["ok"].get<bool>());
  const Json& c = (*r)["results"][0]["comparisons"][0];
  auto expected = stats::CompareProportions(stats::FromConversions(1000, 120),
                                            stats::FromConversions(1200, 180));
  EXPECT_DOUBLE_EQ(c["p_value"].get<double>(), expected->p_value);
  EXPECT_TRUE(c.contains("p_value_holm"));
  EXPECT_TRUE(c.contains("chance_to_beat_control"));
  EXPECT_NEAR((*r)["results"][0]["variations"][1]["mean"].get<double>(), 0.15, 1e-12);
}

TEST(Results, EmptyAggregatesGiveNoNaN) {
  Fixture f;
  for (auto method : {ResultsMethod::kFrequentist, ResultsMethod::kSequential, ResultsMethod::kBayesian}) {
    ResultsOptions o;
    o.method = method;
    o.cuped = true;
    auto r = ComputeResults(*f.e, f.set, ExperimentAggregates{}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::string text = r->dump();
    EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;
    EXPECT_EQ((*r)["results"].size(), 3u);
  }
}

TEST(Results, RejectsBadMethod) {
  EXPECT_EQ(ParseResultsMethod("magic").status().path(), "method");
}

}  // namespace
}  // namespace tailor::experiments
