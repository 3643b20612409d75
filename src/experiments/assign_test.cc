#include "experiments/assign.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "condition/json_document.h"
#include "core/json_doc.h"
#include "experiments/experiment_parser.h"
#include "testutil/testutil.h"

namespace tailor::experiments {
namespace {

Experiment Make(const std::string& json) {
  auto e = ParseExperimentText(json);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

Assignment AssignJson(const Experiment& e, const std::string& attrs,
                      const AssignContext& ctx = {}) {
  static Json keep;  // the Assignment views the document; keep it alive across the call
  keep = Json::parse(attrs);
  return Assign(e, condition::JsonDocument(keep), ctx);
}

TEST(Assign, MatchesGrowthBookHashAndRanges) {
  Experiment e = Make(R"({"key": "my-test", "variations": [0, 1], "hashVersion": 2})");
  for (int i = 0; i < 50; ++i) {
    const std::string id = "user-" + std::to_string(i);
    Assignment a = AssignJson(e, R"({"id": ")" + id + R"("})");
    ASSERT_TRUE(a.in_experiment);
    EXPECT_TRUE(a.hash_used);
    EXPECT_EQ(a.hash_value(), id);
    const double n = *Hash("my-test", id, 2);
    EXPECT_DOUBLE_EQ(a.bucket, n);
    EXPECT_EQ(a.variation_id, n < 0.5 ? 0 : 1);
    EXPECT_EQ(a.reason, AssignReason::kAssigned);
  }
}

TEST(Assign, NumericHashValueUsesJavaScriptString) {
  Experiment e = Make(R"({"key": "k", "variations": [0, 1]})");
  Assignment a = AssignJson(e, R"({"id": 123})");
  EXPECT_EQ(a.hash_value(), "123");
  EXPECT_DOUBLE_EQ(a.bucket, *Hash("k", "123", 1));
  Assignment copy = a;  // the number lives inside the Assignment: copies stay valid
  EXPECT_EQ(copy.hash_value(), "123");
}

TEST(Assign, ReasonsForNotTakingPart) {
  struct Case {
    const char* experiment;
    const char* attributes;
    AssignReason reason;
  };
  const Case cases[] = {
      {R"({"key": "k", "variations": [0]})", R"({"id": "1"})", AssignReason::kTooFewVariations},
      {R"({"key": "k", "variations": [0, 1], "status": "draft"})", R"({"id": "1"})",
       AssignReason::kNotRunning},
      {R"({"key": "k", "variations": [0, 1], "status": "stopped"})", R"({"id": "1"})",
       AssignReason::kNotRunning},
      {R"({"key": "k", "variations": [0, 1], "startDate": "2999-01-01T00:00:00Z"})",
       R"({"id": "1"})", AssignReason::kOutsideDates},
      {R"({"key": "k", "variations": [0, 1]})", R"({"name": "x"})", AssignReason::kNoHashValue},
      {R"({"key": "k", "variations": [0, 1]})", R"({"id": ""})", AssignReason::kNoHashValue},
      {R"({"key": "k", "variations": [0, 1], "condition": {"country": "NO"}})",
       R"({"id": "1", "country": "SE"})", AssignReason::kCondition},
      {R"({"key": "k", "variations": [0, 1], "coverage": 0})", R"({"id": "1"})",
       AssignReason::kCoverage},
      // hash("__ns", "1", 1) >= 0.4 for id "1" ("user 1, namespace1" in the suite uses
      // __namespace1)
      {R"({"key": "k", "variations": [0, 1], "namespace": ["namespace1", 0, 0.4]})",
       R"({"id": "1"})", AssignReason::kNamespace},
  };
  for (const Case& c : cases) {
    Experiment e = Make(c.experiment);
    Assignment a = AssignJson(e, c.attributes, AssignContext{.now_ms = 1'700'000'000'000});
    EXPECT_FALSE(a.in_experiment) << c.experiment;
    EXPECT_EQ(a.variation_id, 0) << c.experiment;
    EXPECT_EQ(AssignReasonName(a.reason), AssignReasonName(c.reason)) << c.experiment;
  }
}

TEST(Assign, DatesAreHalfOpen) {
  Experiment e = Make(R"({"key": "k", "variations": [0, 1],
      "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-02T00:00:00Z"})");
  EXPECT_TRUE(AssignJson(e, R"({"id": "1"})", {.now_ms = *e.start_ms}).in_experiment);
  EXPECT_FALSE(AssignJson(e, R"({"id": "1"})", {.now_ms = *e.end_ms}).in_experiment);
  EXPECT_TRUE(AssignJson(e, R"({"id": "1"})", {.now_ms = *e.end_ms - 1}).in_experiment);
}

TEST(Assign, FallbackAttribute) {
  Experiment e = Make(
      R"({"key": "k", "variations": [0, 1], "hashAttribute": "user_id", "fallbackAttribute": "anonymous_id"})");
  Assignment a = AssignJson(e, R"({"user_id": "", "anonymous_id": "anon-7"})");
  EXPECT_TRUE(a.in_experiment);
  EXPECT_EQ(a.hash_attribute, "anonymous_id");
  EXPECT_EQ(a.hash_value(), "anon-7");
}

TEST(Assign, ForcedVariations) {
  Experiment e = Make(R"({"key": "k", "variations": [0, 1, 2], "forcedVariations": {"qa": 2}})");
  Assignment a = AssignJson(e, R"({"id": "qa"})");
  EXPECT_TRUE(a.in_experiment);  // as the SDKs report it
  EXPECT_FALSE(a.hash_used);
  EXPECT_EQ(a.variation_id, 2);
  EXPECT_EQ(a.reason, AssignReason::kForced);

  std::map<std::string, int, std::less<>> by_key = {{"k", 1}};
  Assignment b = AssignJson(e, R"({"id": "someone"})", {.forced_variations = &by_key});
  EXPECT_EQ(b.variation_id, 1);
  EXPECT_EQ(b.reason, AssignReason::kForced);

  Experiment f = Make(R"({"key": "k", "variations": [0, 1], "force": 1})");
  Assignment c = AssignJson(f, R"({"id": "x"})");
  EXPECT_TRUE(c.in_experiment);
  EXPECT_FALSE(c.hash_used);
  EXPECT_EQ(c.variation_id, 1);
  Experiment g = Make(R"({"key": "k", "variations": [0, 1], "force": 1, "coverage": 0})");
  EXPECT_FALSE(AssignJson(g, R"({"id": "x"})").in_experiment);  // coverage wins over force
}

TEST(Assign, StickyKeepsVariationWhenWeightsChangeButNotWhenSeedChanges) {
  InMemoryStickyStore store;
  Experiment before =
      Make(R"({"key": "k", "variations": [0, 1], "weights": [0.5, 0.5], "seed": "s1"})");
  Experiment after =
      Make(R"({"key": "k", "variations": [0, 1], "weights": [0.05, 0.95], "seed": "s1"})");
  Experiment reseeded =
      Make(R"({"key": "k", "variations": [0, 1], "weights": [0.05, 0.95], "seed": "s2"})");
  int moved_without_sticky = 0, kept = 0, users_in_0 = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string attrs = R"({"id": "u)" + std::to_string(i) + R"("})";
    Assignment first = AssignJson(before, attrs, {.sticky = &store});
    ASSERT_TRUE(first.in_experiment);
    if (first.variation_id != 0) continue;
    ++users_in_0;
    Assignment plain = AssignJson(after, attrs);
    moved_without_sticky += plain.variation_id != 0;
    Assignment sticky = AssignJson(after, attrs, {.sticky = &store});
    EXPECT_TRUE(sticky.in_experiment);
    EXPECT_TRUE(sticky.sticky_used);
    kept += sticky.variation_id == 0;
    Assignment fresh = AssignJson(reseeded, attrs, {.sticky = &store});
    EXPECT_FALSE(fresh.sticky_used);
    EXPECT_EQ(fresh.reason, AssignReason::kAssigned);
  }
  EXPECT_GT(users_in_0, 100);
  EXPECT_GT(moved_without_sticky, users_in_0 / 2);  // the weight change would move most
  EXPECT_EQ(kept, users_in_0);                      // sticky keeps every one
}

TEST(Assign, GlobalHoldoutIsIndependentOfTheExperiment) {
  GlobalHoldout holdout;
  holdout.fraction = 0.1;
  ASSERT_OK(holdout.Validate());
  Experiment a = Make(R"({"key": "a", "variations": [0, 1]})");
  Experiment b = Make(R"({"key": "b", "variations": [0, 1], "seed": "other", "hashVersion": 2})");
  Experiment exempt = Make(R"({"key": "c", "variations": [0, 1], "excludeFromHoldout": true})");
  int held = 0;
  const int kUsers = 2000;
  for (int i = 0; i < kUsers; ++i) {
    const std::string attrs = R"({"id": "h)" + std::to_string(i) + R"("})";
    Assignment x = AssignJson(a, attrs, {.holdout = &holdout});
    Assignment y = AssignJson(b, attrs, {.holdout = &holdout});
    Assignment z = AssignJson(exempt, attrs, {.holdout = &holdout});
    const bool in_holdout = InGlobalHoldout(holdout, "h" + std::to_string(i));
    EXPECT_EQ(x.reason == AssignReason::kHoldout, in_holdout);
    EXPECT_EQ(y.reason == AssignReason::kHoldout, in_holdout);
    EXPECT_TRUE(z.in_experiment);
    held += in_holdout;
  }
  EXPECT_NEAR(held, kUsers * 0.1, kUsers * 0.03);
  GlobalHoldout bad;
  bad.fraction = 1;
  EXPECT_FALSE(bad.Validate().ok());
}

TEST(Assign, SplitIsCloseToWeights) {
  Experiment e = Make(
      R"({"key": "split", "variations": [0, 1, 2], "weights": [0.2, 0.3, 0.5], "hashVersion": 2})");
  int counts[3] = {0, 0, 0};
  const int kUsers = 30000;
  for (int i = 0; i < kUsers; ++i) {
    counts[AssignJson(e, R"({"id": ")" + std::to_string(i) + R"("})").variation_id]++;
  }
  EXPECT_NEAR(counts[0], 0.2 * kUsers, 0.02 * kUsers);
  EXPECT_NEAR(counts[1], 0.3 * kUsers, 0.02 * kUsers);
  EXPECT_NEAR(counts[2], 0.5 * kUsers, 0.02 * kUsers);
}

}  // namespace
}  // namespace tailor::experiments
