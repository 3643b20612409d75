#include "experiments/experiment_parser.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace tailor::experiments {
namespace {

TEST(ParseExperiment, GrowthBookShapeWithDefaults) {
  auto e = ParseExperimentText(R"({"key": "btn", "variations": ["a", "b", "c"]})");
  ASSERT_OK(e);
  EXPECT_EQ(e->key, "btn");
  EXPECT_EQ(e->seed, "btn");
  EXPECT_EQ(e->hash_attribute, "id");
  EXPECT_EQ(e->hash_version, 1);
  EXPECT_EQ(e->status, ExperimentStatus::kRunning);
  ASSERT_EQ(e->variation_values.size(), 3u);
  EXPECT_EQ(e->variation_values[1], "\"b\"");
  ASSERT_EQ(e->ranges.size(), 3u);
  EXPECT_NEAR(e->ranges[1].start, 1.0 / 3, 1e-12);
  EXPECT_FALSE(e->has_condition);
}

TEST(ParseExperiment, AllMembers) {
  auto e = ParseExperimentText(R"({
    "key": "k", "variations": [0, 1], "weights": [0.25, 0.75], "coverage": 0.5,
    "condition": {"country": "NO"}, "hashAttribute": "anonymous_id",
    "fallbackAttribute": "id", "hashVersion": 2, "seed": "s2", "namespace": ["ns", 0, 0.5],
    "status": "draft", "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-02-01T00:00:00Z",
    "force": 1, "forcedVariations": {"qa-user": 0}, "excludeFromHoldout": true,
    "name": "Button", "description": "d"})");
  ASSERT_OK(e);
  EXPECT_EQ(e->seed, "s2");
  EXPECT_EQ(e->hash_version, 2);
  EXPECT_TRUE(e->has_condition);
  ASSERT_TRUE(e->ns.has_value());
  EXPECT_EQ(e->ns->id, "ns");
  EXPECT_EQ(e->status, ExperimentStatus::kDraft);
  ASSERT_TRUE(e->start_ms && e->end_ms);
  EXPECT_LT(*e->start_ms, *e->end_ms);
  EXPECT_EQ(e->force, 1);
  EXPECT_EQ(e->forced_variations.at("qa-user"), 0);
  EXPECT_FALSE(e->in_global_holdout);
  EXPECT_DOUBLE_EQ(e->ranges[1].start, 0.25);
  EXPECT_DOUBLE_EQ(e->ranges[1].end, 0.25 + 0.375);
}

struct BadCase {
  const char* json;
  const char* path;
  const char* message;
};

TEST(ParseExperiment, ErrorsNameTheJsonPath) {
  const BadCase cases[] = {
      {R"([])", "", "must be a JSON object"},
      {R"({"variations": [0, 1]})", "key", "is required"},
      {R"({"key": "", "variations": [0, 1]})", "key", "must not be empty"},
      {R"({"key": "k"})", "variations", "is required"},
      {R"({"key": "k", "variations": []})", "variations", "at least one"},
      {R"({"key": "k", "variations": [0, 1], "weights": [0.5, 0.6]})", "weights", "sum to 1"},
      {R"({"key": "k", "variations": [0, 1], "weights": [0.5]})", "weights", "2 variations"},
      {R"({"key": "k", "variations": [0, 1], "weights": [1.5, -0.5]})", "weights[0]",
       "between 0 and 1"},
      {R"({"key": "k", "variations": [0, 1], "weights": [0.5, "x"]})", "weights[1]", "number"},
      {R"({"key": "k", "variations": [0, 1], "coverage": 1.2})", "coverage", "between 0 and 1"},
      {R"({"key": "k", "variations": [0, 1], "coverage": -0.1})", "coverage", "between 0 and 1"},
      {R"({"key": "k", "variations": [0, 1], "hashVersion": 3})", "hashVersion", "1 or 2"},
      {R"({"key": "k", "variations": [0, 1], "namespace": ["n", 0.6, 0.2]})", "namespace",
       "start must not exceed end"},
      {R"({"key": "k", "variations": [0, 1], "namespace": ["n", 0, 2]})", "namespace[2]",
       "between 0 and 1"},
      {R"({"key": "k", "variations": [0, 1], "status": "paused"})", "status", "draft"},
      {R"({"key": "k", "variations": [0, 1], "force": 2})", "force", "out of range"},
      {R"({"key": "k", "variations": [0, 1], "forcedVariations": {"u1": 5}})",
       "forcedVariations.u1", "out of range"},
      {R"({"key": "k", "variations": [0, 1], "startDate": "yesterday"})", "startDate", "ISO-8601"},
      {R"({"key": "k", "variations": [0, 1], "startDate": "2026-02-01T00:00:00Z",
           "endDate": "2026-01-01T00:00:00Z"})",
       "endDate", "after startDate"},
      {R"({"key": "k", "variations": [0, 1], "condition": {"age": {"$gtt": 1}}})",
       "condition.age.$gtt", "unknown operator"},
      {R"({"key": "k", "variations": [0, 1], "weigths": [0.5, 0.5]})", "weigths", "unknown member"},
      {R"({"key": "k", "variations": [0, 1], "coverage": 1e999})", "", "malformed JSON"},
  };
  for (const BadCase& c : cases) {
    auto e = ParseExperimentText(c.json);
    ASSERT_FALSE(e.ok()) << c.json;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(e.status().path(), c.path) << c.json << ": " << e.status().ToString();
    EXPECT_NE(e.status().message().find(c.message), std::string::npos)
        << c.json << ": " << e.status().ToString();
  }
}

TEST(ParseExperiment, WeightsWithinToleranceAreAccepted) {
  EXPECT_OK(ParseExperimentText(
      R"({"key": "k", "variations": [0, 1, 2], "weights": [0.3333, 0.3333, 0.3334]})"));
  EXPECT_OK(ParseExperimentText(R"({"key": "k", "variations": [0, 1], "weights": [0.5, 0.5005]})"));
}

TEST(ParseExperiment, EmptySeedMeansKey) {
  auto e = ParseExperimentText(R"({"key": "k", "variations": [0, 1], "seed": ""})");
  ASSERT_OK(e);
  EXPECT_EQ(e->seed, "k");
}

}  // namespace
}  // namespace tailor::experiments
