// Rules split into the person's part and the rest (CompileWhen), the person's part kept
// per view (RuleMemo, RuleHolds): a rule must hold exactly when its whole condition does,
// whether its memo is empty, filled, or owned by another config.
#include <gtest/gtest.h>

#include "condition/json_document.h"
#include "decision/condition_cases_testutil.h"
#include "decision/decision_config.h"
#include "decision/profile_view.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

std::shared_ptr<ProfileView> ViewOf(const Json& attributes) {
  auto view = std::make_shared<ProfileView>();
  view->doc = attributes;
  view->flat = FlatJson(view->doc);
  view->segments = SegmentFilter::Of(view->flat);
  return view;
}

// Runs every case of `cases` (condition over attributes, as in the condition module's
// data files) as a rule's `when`, alone and with a request-context test added, over a
// view of the attributes: RuleHolds, cold and then answered from the memo, and under a
// second owner, must agree with the whole condition over the attributes plus context.
// Returns the number of cases run.
int CheckCases(const Json& cases, bool growthbook, const std::string& what) {
  int n = 0;
  for (const ConditionCase& c : UsableConditionCases(cases, growthbook)) {
    if (!c.condition.is_object()) continue;
    Json with_context = c.condition;
    if (!with_context.contains("context.device")) with_context["context.device"] = {{"$in", {"mobile"}}};
    for (const Json& when : {c.condition, with_context}) {
      Rule rule;
      if (Status s = CompileWhen(when, c.options, &rule); !s.ok()) {
        ADD_FAILURE() << what << ": " << when.dump() << ": " << s.ToString();
        continue;
      }
      rule.memo_slot = 5;
      auto view = ViewOf(c.attributes);
      for (const char* device : {"mobile", "desktop"}) {
        const Json context = {{"device", device}};
        Json all = c.attributes;
        all["context"] = context;
        const bool expected = rule.when->Evaluate(condition::JsonDocument(all), &c.groups);
        const FlatJson flat_context(context);
        DecisionDocument doc(view->flat, flat_context, &view->segments);
        const std::string trace = what + ": " + when.dump() + " over " + all.dump();
        EXPECT_EQ(RuleHolds(rule, doc, *view, /*memo_owner=*/11, &c.groups), expected) << trace;
        EXPECT_EQ(RuleHolds(rule, doc, *view, 11, &c.groups), expected) << "memo " << trace;
        EXPECT_EQ(RuleHolds(rule, doc, *view, 12, &c.groups), expected) << "owner " << trace;
        if (rule.when_view) {
          EXPECT_GE(view->rules.Get(11, 5), 0) << trace;
        }
      }
      ++n;
    }
  }
  return n;
}

TEST(RuleMemo, RulesHoldAsTheirConditionsOnTheGoldenCases) {
  int n = 0;
  for (const auto& [name, cases] : ConditionCaseFiles()) n += CheckCases(cases, false, name);
  EXPECT_GT(n, 150);
}

TEST(RuleMemo, RulesHoldAsTheirConditionsOnTheGrowthBookCases) {
  Json cases;
  std::string why;
  if (!testutil::LoadConformanceCases("growthbook-cases.json", &cases, &why)) GTEST_SKIP() << why;
  EXPECT_GT(CheckCases(cases.at("evalCondition"), true, "growthbook"), 200);
}

TEST(RuleMemo, SplitsTopLevelEntriesByWhetherTheyReadTheContext) {
  Rule r;
  ASSERT_OK(CompileWhen(Json::parse(R"({"segments": {"$elemMatch": {"$eq": "vip"}},
      "traits.tier": "gold", "context.device": "mobile",
      "$or": [{"context.page": "/"}, {"traits.age": {"$gt": 30}}],
      "$and": [{"features.views_7d": {"$gte": 3}}]})"),
                        {}, &r));
  ASSERT_NE(r.when_view, nullptr);
  ASSERT_NE(r.when_rest, nullptr);
  EXPECT_EQ(r.when_view->Paths(),
            (std::vector<std::string>{"features.views_7d", "segments", "traits.tier"}));
  EXPECT_EQ(r.when_rest->Paths(),
            (std::vector<std::string>{"context.device", "context.page", "traits.age"}));

  ASSERT_OK(CompileWhen(Json::parse(R"({"context": {"$exists": true}})"), {}, &r));
  EXPECT_EQ(r.when_view, nullptr);  // nothing of the person's: `when` as it is
  EXPECT_EQ(r.when_rest, nullptr);
  ASSERT_OK(CompileWhen(Json::parse(R"({"contexts": 1})"), {}, &r));  // not "context"
  EXPECT_NE(r.when_view, nullptr);
  EXPECT_EQ(r.when_rest, nullptr);
  ASSERT_OK(CompileWhen(Json::object(), {}, &r));
  EXPECT_EQ(r.when_view, nullptr);

  // Errors are the compiler's own, for the whole condition.
  const Json wrong = Json::parse(R"({"context.page": "/", "traits.tier": {"$gtt": 1}})");
  auto bad = CompileWhen(wrong, {}, &r);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.path(), condition::Condition::Compile(wrong).status().path());
  EXPECT_NE(bad.path().find("$gtt"), std::string::npos) << bad.path();
}

TEST(RuleMemo, KeepsAnswersPerOwnerAndIsReadBack) {
  RuleMemo memo;
  EXPECT_EQ(memo.Get(1, 0), RuleMemo::kUnknown);
  memo.Set(1, 0, true);
  memo.Set(1, 1, false);
  memo.Set(1, RuleMemo::kSlots - 1, true);
  EXPECT_EQ(memo.Get(1, 0), 1);
  EXPECT_EQ(memo.Get(1, 1), 0);
  EXPECT_EQ(memo.Get(1, 2), RuleMemo::kUnknown);
  EXPECT_EQ(memo.Get(1, RuleMemo::kSlots - 1), 1);
  memo.Set(2, 2, true);  // claimed by owner 1: ignored
  EXPECT_EQ(memo.Get(2, 0), RuleMemo::kOthers);
  EXPECT_EQ(memo.Get(1, 2), RuleMemo::kUnknown);

  // RuleHolds reads a known answer instead of evaluating: a planted wrong answer shows.
  Rule rule;
  ASSERT_OK(CompileWhen(Json::parse(R"({"traits.tier": "gold", "context.device": "mobile"})"),
                        {}, &rule));
  rule.memo_slot = 3;
  auto view = ViewOf(Json{{"traits", {{"tier", "silver"}}}});
  const FlatJson context(Json{{"device", "mobile"}});
  DecisionDocument doc(view->flat, context, &view->segments);
  view->rules.Set(7, 3, true);
  EXPECT_TRUE(RuleHolds(rule, doc, *view, 7, nullptr));
  EXPECT_FALSE(RuleHolds(rule, doc, *view, 8, nullptr));  // another owner evaluates
  rule.memo_slot = -1;
  EXPECT_FALSE(RuleHolds(rule, doc, *view, 7, nullptr));  // no slot: evaluates
}

TEST(RuleMemo, AssignsSlotsToRulesWithAPersonsPartWhileTheyLast) {
  DecisionConfig config;
  auto content = ParseContent("c", Json{{"variants", {{"default", {{"template", "x"}}}}}});
  ASSERT_OK(content);
  config.content.emplace("c", std::move(content).value());
  auto placement = [&](int rules) {
    Json def = {{"rules", Json::array()}, {"default", {{"content", "c"}}}};
    for (int i = 0; i < rules; ++i) {
      def["rules"].push_back({{"name", "r" + std::to_string(i)},
                              {"when", i % 2 ? Json{{"traits.n", i}} : Json{{"context.page", "/"}}},
                              {"serve", {{"content", "c"}}}});
    }
    return def;
  };
  for (int p = 0; p < 3; ++p) {
    auto pl = ParsePlacement("p" + std::to_string(p), placement(2 * 100), config);
    ASSERT_OK(pl);
    config.placements.emplace("p" + std::to_string(p), std::move(pl).value());
  }
  config.AssignRuleMemo();
  const uint64_t first_id = config.memo_id;
  EXPECT_NE(first_id, 0u);
  std::vector<bool> used(RuleMemo::kSlots, false);
  size_t with_slot = 0, person = 0;
  for (const auto& [name, pl] : config.placements) {
    for (const Rule& r : pl.live.rules) {
      if (r.when_view == nullptr) {
        EXPECT_EQ(r.memo_slot, -1) << r.name;
        continue;
      }
      ++person;
      if (r.memo_slot < 0) continue;
      ASSERT_LT(static_cast<size_t>(r.memo_slot), RuleMemo::kSlots);
      EXPECT_FALSE(used[r.memo_slot]) << "slot given twice: " << r.memo_slot;
      used[r.memo_slot] = true;
      ++with_slot;
    }
  }
  EXPECT_EQ(person, 300u);
  EXPECT_EQ(with_slot, RuleMemo::kSlots);
  config.AssignRuleMemo();
  EXPECT_NE(config.memo_id, first_id);
  EXPECT_NE(RuleMemoOwner(config, 1), RuleMemoOwner(config, 2));
}

}  // namespace
}  // namespace tailor::decision
