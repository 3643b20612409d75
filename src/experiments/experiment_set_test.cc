// The experiments and metrics config entries: shapes, defaults and errors with paths.
#include "experiments/experiment_set.h"

#include <gtest/gtest.h>

namespace tailor::experiments {
namespace {

ExperimentSet WithMetrics() {
  ExperimentSet set;
  set.metrics.emplace("bought", ParseMetric("bought", Json::parse(R"({"type": "conversion", "event": "purchase"})")).value());
  return set;
}

Status ParseError(const char* json) {
  auto set = WithMetrics();
  auto e = ParseConfiguredExperiment("exp", Json::parse(json), set,
                                     [](std::string_view c) { return c == "hero_a"; });
  return e.ok() ? Status::OK() : e.status();
}

TEST(ExperimentSet, ParsesVariationsUnitsAndMetrics) {
  auto set = WithMetrics();
  auto e = ParseConfiguredExperiment(
      "exp",
      Json::parse(R"({"variations": [{"name": "control", "content": "hero_a"}, {"value": {"c": 1}}],
                      "hashAttribute": "traits.company", "metrics": ["bought"], "status": "draft"})"),
      set, [](std::string_view c) { return c == "hero_a"; });
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->key(), "exp");
  EXPECT_EQ(e->variations[0].content, "hero_a");
  EXPECT_EQ(e->variations[1].name, "variation_1");
  EXPECT_EQ(e->unit.source, UnitSource::kTrait);
  EXPECT_EQ(e->unit.trait_path, "company");
  ASSERT_TRUE(e->fallback_unit);
  EXPECT_EQ(e->fallback_unit->source, UnitSource::kAnonymousId);
  EXPECT_FALSE(e->running());
}

TEST(ExperimentSet, ErrorsNameThePath) {
  EXPECT_EQ(ParseError(R"({"variations": [0, 1], "metrics": ["nope"]})").path(), "metrics[0]");
  EXPECT_EQ(ParseError(R"({"variations": [0, 1], "weights": [0.5, 0.6]})").path(), "weights");
  EXPECT_EQ(ParseError(R"({"variations": [0, 1], "coverage": 1.5})").path(), "coverage");
  EXPECT_EQ(ParseError(R"({"variations": []})").path(), "variations");
  EXPECT_EQ(ParseError(R"({"variations": [0]})").path(), "variations");
  EXPECT_EQ(ParseError(R"({"variations": [{"content": "nope"}, 1]})").path(), "variations[0].content");
  EXPECT_EQ(ParseError(R"({"variations": [0, 1], "hashAttribute": "email"})").path(), "hashAttribute");
  EXPECT_EQ(ParseError(R"({"variations": [0, 1], "guardrails": [3]})").path(), "guardrails[0]");
}

TEST(Metric, ParsesAndValidates) {
  EXPECT_EQ(ParseMetric("m", Json::parse(R"({"type": "sum", "event": "purchase"})")).status().path(), "property");
  EXPECT_EQ(ParseMetric("m", Json::parse(R"({"type": "mean", "event": "x"})")).status().path(), "type");
  EXPECT_EQ(ParseMetric("m", Json::parse(R"({"type": "count", "event": "x", "window": "soon"})")).status().path(), "window");
  EXPECT_EQ(ParseMetric("m", Json::parse(R"({"type": "count", "event": "x", "where": {"a": {"$gtt": 1}}})")).status().path().rfind("where", 0), 0u);
  std::map<std::string, MetricDef, std::less<>> metrics;
  metrics.emplace("r", ParseMetric("r", Json::parse(R"({"type": "ratio", "numerator": "a", "denominator": "b"})")).value());
  EXPECT_EQ(ValidateMetrics(metrics).path(), "r.numerator");
}

TEST(Holdout, Parses) {
  auto h = ParseHoldout(Json::parse(R"({"fraction": 0.1, "hash_attribute": "anonymous_id"})"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->hash_attribute, "anonymous_id");
  EXPECT_FALSE(ParseHoldout(Json::parse(R"({"fraction": 1.5})")).ok());
}

}  // namespace
}  // namespace tailor::experiments
