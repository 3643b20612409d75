#include "decision/flat_json.h"

#include <gtest/gtest.h>

#include "condition/condition.h"
#include "condition/json_document.h"
#include "decision/condition_cases_testutil.h"
#include "decision/profile_view.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

using condition::ValueKind;

TEST(FlatJson, ReadsEveryKindAndFindsMembersOfSmallAndLargeObjects) {
  Json big = Json::object();
  for (int i = 0; i < 40; ++i) big["k" + std::to_string(i)] = i;
  Json j = {{"s", "text"},
            {"n", 2.5},
            {"i", -7},
            {"u", 18446744073709551615u},
            {"b", true},
            {"z", nullptr},
            {"a", {1, "x", Json::array(), {{"deep", false}}}},
            {"big", big},
            {"", "empty key"},
            {"emoji 🙂", "ok"}};
  FlatJson f(j);
  ASSERT_EQ(f.Kind(FlatJson::kRoot), ValueKind::kObject);
  EXPECT_EQ(f.Size(FlatJson::kRoot), j.size());
  FlatJson::Index i;
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "s", &i));
  EXPECT_EQ(f.GetString(i), "text");
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "n", &i));
  EXPECT_EQ(f.GetNumber(i), 2.5);
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "i", &i));
  EXPECT_EQ(f.GetNumber(i), -7);
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "u", &i));
  EXPECT_EQ(f.GetNumber(i), 18446744073709551615.0);
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "b", &i));
  EXPECT_TRUE(f.GetBool(i));
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "z", &i));
  EXPECT_EQ(f.Kind(i), ValueKind::kNull);
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "", &i));
  EXPECT_EQ(f.GetString(i), "empty key");
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "emoji 🙂", &i));
  EXPECT_FALSE(f.Find(FlatJson::kRoot, "missing", &i));
  EXPECT_FALSE(f.Find(FlatJson::kRoot, "ss", &i));

  FlatJson::Index a;
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "a", &a));
  ASSERT_EQ(f.Kind(a), ValueKind::kArray);
  ASSERT_EQ(f.Size(a), 4u);
  EXPECT_EQ(f.GetNumber(f.ArrayAt(a, 0)), 1);
  EXPECT_EQ(f.GetString(f.ArrayAt(a, 1)), "x");
  EXPECT_EQ(f.Size(f.ArrayAt(a, 2)), 0u);
  condition::PathSegment path[] = {{"a", -1}, {"3", 3}, {"deep", -1}};
  ASSERT_TRUE(f.Lookup(FlatJson::kRoot, path, &i));
  EXPECT_EQ(f.Kind(i), ValueKind::kBool);
  EXPECT_FALSE(f.GetBool(i));
  condition::PathSegment out_of_range[] = {{"a", -1}, {"4", 4}};
  EXPECT_FALSE(f.Lookup(FlatJson::kRoot, out_of_range, &i));
  condition::PathSegment through_scalar[] = {{"s", -1}, {"x", -1}};
  EXPECT_FALSE(f.Lookup(FlatJson::kRoot, through_scalar, &i));

  // More than eight members: binary search.
  FlatJson::Index b;
  ASSERT_TRUE(f.Find(FlatJson::kRoot, "big", &b));
  for (int k = 0; k < 40; ++k) {
    ASSERT_TRUE(f.Find(b, "k" + std::to_string(k), &i)) << k;
    EXPECT_EQ(f.GetNumber(i), k);
  }
  EXPECT_FALSE(f.Find(b, "k40", &i));
  EXPECT_FALSE(f.Find(b, "a", &i));
  EXPECT_FALSE(f.Find(b, "z", &i));

  FlatJson empty;
  EXPECT_EQ(empty.Kind(FlatJson::kRoot), ValueKind::kObject);
  EXPECT_EQ(empty.Size(FlatJson::kRoot), 0u);
  EXPECT_FALSE(empty.Find(FlatJson::kRoot, "x", &i));
  FlatJson scalar(Json(3));
  EXPECT_EQ(scalar.Kind(FlatJson::kRoot), ValueKind::kNumber);
  EXPECT_FALSE(scalar.Find(FlatJson::kRoot, "x", &i));
}

// Evaluates each usable case through a DecisionDocument over a FlatJson (the view) and,
// for comparison, a JsonDocument; counts the cases run.
int CompareOnCases(const Json& cases, bool growthbook, const std::string& what) {
  int n = 0;
  for (const ConditionCase& c : UsableConditionCases(cases, growthbook)) {
    auto cond = condition::Condition::Compile(c.condition, c.options);
    condition::JsonDocument json_doc(c.attributes);
    FlatJson flat(c.attributes);
    const FlatJson context(Json{{"channel", "web"}});
    DecisionDocument flat_doc(flat, context);
    EXPECT_EQ(cond->Evaluate(flat_doc, &c.groups), cond->Evaluate(json_doc, &c.groups))
        << what << ": " << c.condition.dump() << " over " << c.attributes.dump();
    ++n;
  }
  return n;
}

TEST(FlatJson, ConditionsAnswerAsOverJsonOnTheGoldenCases) {
  int n = 0;
  for (const auto& [name, cases] : ConditionCaseFiles()) n += CompareOnCases(cases, false, name);
  EXPECT_GT(n, 80);
}

TEST(FlatJson, ConditionsAnswerAsOverJsonOnTheGrowthBookCases) {
  Json cases;
  std::string why;
  if (!testutil::LoadConformanceCases("growthbook-cases.json", &cases, &why)) GTEST_SKIP() << why;
  EXPECT_GT(CompareOnCases(cases.at("evalCondition"), true, "growthbook"), 100);
}

TEST(DecisionDocument, ContextIsTheRequestsAndTheRestIsTheView) {
  FlatJson view(Json{{"traits", {{"tier", "gold"}}}, {"context", {{"stale", true}}}});
  const FlatJson context(
      Json{{"device", "mobile"}, {"geo", {{"country", "NO"}}}, {"tags", {"a", "b"}}});
  DecisionDocument doc(view, context);
  condition::Node n;
  condition::PathSegment tier[] = {{"traits", -1}, {"tier", -1}};
  ASSERT_TRUE(doc.Lookup(doc.Root(), tier, &n));
  EXPECT_EQ(doc.GetString(n), "gold");
  condition::PathSegment country[] = {{"context", -1}, {"geo", -1}, {"country", -1}};
  ASSERT_TRUE(doc.Lookup(doc.Root(), country, &n));
  EXPECT_EQ(doc.GetString(n), "NO");
  condition::PathSegment stale[] = {{"context", -1}, {"stale", -1}};
  EXPECT_FALSE(doc.Lookup(doc.Root(), stale, &n));
  EXPECT_EQ(doc.Size(doc.Root()), 2u);  // traits + context
  // Step by step, as the evaluator's own walks do.
  condition::Node traits, t;
  ASSERT_TRUE(doc.Find(doc.Root(), "traits", &traits));
  EXPECT_EQ(doc.Kind(traits), ValueKind::kObject);
  ASSERT_TRUE(doc.Find(traits, "tier", &t));
  EXPECT_EQ(doc.GetString(t), "gold");
  // The context the same way: its nodes stay in the context's FlatJson.
  condition::Node ctx, geo, c, tags;
  ASSERT_TRUE(doc.Find(doc.Root(), "context", &ctx));
  EXPECT_EQ(doc.Kind(ctx), ValueKind::kObject);
  EXPECT_EQ(doc.Size(ctx), 3u);
  EXPECT_FALSE(doc.Find(ctx, "stale", &n));
  ASSERT_TRUE(doc.Find(ctx, "geo", &geo));
  ASSERT_TRUE(doc.Find(geo, "country", &c));
  EXPECT_EQ(doc.GetString(c), "NO");
  ASSERT_TRUE(doc.Find(ctx, "tags", &tags));
  EXPECT_EQ(doc.Kind(tags), ValueKind::kArray);
  EXPECT_EQ(doc.GetString(doc.ArrayAt(tags, 1)), "b");
  EXPECT_TRUE(doc.ArrayHasString(tags, "a"));
  EXPECT_FALSE(doc.ArrayHasString(tags, "c"));
  condition::PathSegment second_tag[] = {{"tags", -1}, {"1", 1}};
  ASSERT_TRUE(doc.Lookup(ctx, second_tag, &n));
  EXPECT_EQ(doc.GetString(n), "b");
}

// Many conditions over one DecisionDocument (as the rules of a placement are): its
// lookups remembered by path id (LookupFromRoot) must answer as fresh lookups do, also
// when more paths than its memo holds collide, and for paths that are missing.
TEST(DecisionDocument, RememberedLookupsAnswerAsFreshOnes) {
  Json attrs = {{"segments", {"a", "b"}}, {"traits", {{"tier", "gold"}, {"n", 3}}}};
  for (int i = 0; i < 40; ++i) attrs["traits"]["k" + std::to_string(i)] = i;
  const Json context = {{"device", "mobile"}, {"channel", "web"}};
  Json both = attrs;
  both["context"] = context;
  const FlatJson view(attrs), flat_context(context);
  const DecisionDocument doc(view, flat_context);
  const condition::JsonDocument json_doc(both);
  std::vector<Json> conditions = {
      {{"segments", {{"$elemMatch", {{"$eq", "b"}}}}}},
      {{"context.device", {{"$in", {"mobile", "desktop"}}}}},
      {{"traits.tier", "gold"}},
      {{"traits.missing", {{"$exists", false}}}},
      {{"context.nope", {{"$exists", true}}}},
  };
  for (int i = 0; i < 40; ++i)
    conditions.push_back({{"traits.k" + std::to_string(i), {{"$gte", 20}}}});
  int evaluated = 0;
  for (int round = 0; round < 3; ++round) {
    for (const Json& c : conditions) {
      auto cond = condition::Condition::Compile(c);
      ASSERT_OK(cond);
      EXPECT_EQ(cond->Evaluate(doc), cond->Evaluate(json_doc)) << c.dump() << " round " << round;
      ++evaluated;
    }
  }
  EXPECT_EQ(evaluated, 3 * 45);
  EXPECT_EQ(condition::InternPath("traits.k7"),
            condition::InternPath(std::string("traits.") + "k7"));
  EXPECT_NE(condition::InternPath("traits.k7"), condition::InternPath("traits.k8"));
}

TEST(SegmentFilter, HoldsEveryNameOfTheArrayAndFewOthers) {
  Json segments = Json::array();
  for (int i = 0; i < 30; ++i) segments.push_back("segment_" + std::to_string(i));
  segments.push_back(7);  // not a name: left to the exact check
  const FlatJson view(Json{{"features", {{"n", 1}}}, {"segments", segments}});
  const SegmentFilter f = SegmentFilter::Of(view);
  FlatJson::Index array;
  ASSERT_TRUE(view.Find(FlatJson::kRoot, "segments", &array));
  EXPECT_EQ(f.node(), array);
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(f.MayContain("segment_" + std::to_string(i))) << i;
  int maybes = 0;
  for (int i = 30; i < 10'030; ++i) maybes += f.MayContain("segment_" + std::to_string(i));
  // Two bits of 256 per name, 30 names: about 5 % of other names pass.
  EXPECT_LT(maybes, 1'000);
  // No array, no filter: it answers "maybe".
  for (const Json& v :
       {Json{{"segments", "a"}}, Json{{"traits", {{"a", 1}}}}, Json::array({1, 2})}) {
    const SegmentFilter none = SegmentFilter::Of(FlatJson(v));
    EXPECT_EQ(none.node(), SegmentFilter::kNone) << v.dump();
  }
}

// The filter is a shortcut only: every condition on the segments answers as without it,
// for arrays of names, of mixed elements, empty, missing, or not arrays at all.
TEST(DecisionDocument, SegmentFilterAnswersAsTheArrayDoes) {
  const Json context = {{"device", "mobile"}};
  const std::vector<Json> views = {
      {{"segments", {"vip", "buyers", "lapsed"}}, {"traits", {{"tier", "gold"}}}},
      {{"segments", {"vip", 3, nullptr, {{"name", "buyers"}}, {"x"}}}},
      {{"segments", Json::array()}},
      {{"traits", {{"segments", {"vip"}}}}},
      {{"segments", "vip"}},
      {{"segments", {{"vip", true}}}},
  };
  const std::vector<Json> conditions = {
      {{"segments", {{"$elemMatch", {{"$eq", "vip"}}}}}},
      {{"segments", {{"$elemMatch", {{"$eq", "buyers"}}}}}},
      {{"segments", {{"$elemMatch", {{"$eq", "nobody"}}}}}},
      {{"segments", {{"$elemMatch", {{"$eq", 3}}}}}},
      {{"segments", "vip"}},
      {{"segments", "nobody"}},
      {{"segments", {{"$in", {"lapsed", "nobody"}}}}},
      {{"segments", {{"$nin", {"vip"}}}}},
      {{"segments", {{"$all", {"vip", "buyers"}}}}},
      {{"segments", {{"$size", 3}}}},
      {{"segments", {{"$exists", true}}}},
      {{"segments.0", "vip"}},
      {{"segments.vip", true}},
      {{"segments", {{"$not", {{"$elemMatch", {{"$eq", "vip"}}}}}}}},
      {{"$or", {{{"segments", {{"$elemMatch", {{"$eq", "x"}}}}}}, {{"context.device", "mobile"}}}}},
  };
  int compared = 0;
  for (const Json& v : views) {
    const FlatJson view(v), flat_context(context);
    const SegmentFilter filter = SegmentFilter::Of(view);
    const DecisionDocument with(view, flat_context, &filter), without(view, flat_context);
    for (const Json& c : conditions) {
      auto cond = condition::Condition::Compile(c);
      ASSERT_OK(cond);
      EXPECT_EQ(cond->Evaluate(with), cond->Evaluate(without)) << v.dump() << " " << c.dump();
      ++compared;
    }
  }
  EXPECT_EQ(compared, 6 * 15);
  // And it is used: a name the filter rules out is never looked for in the array.
  const FlatJson view(Json{{"segments", {"vip"}}}), flat_context(context);
  const SegmentFilter filter = SegmentFilter::Of(view);
  const DecisionDocument doc(view, flat_context, &filter);
  condition::Node segments;
  ASSERT_TRUE(doc.Find(doc.Root(), "segments", &segments));
  EXPECT_TRUE(doc.ArrayHasString(segments, "vip"));
  int ruled_out = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string name = "other_" + std::to_string(i);
    ruled_out += !filter.MayContain(name);
    EXPECT_FALSE(doc.ArrayHasString(segments, name));
  }
  EXPECT_GT(ruled_out, 95);
}

TEST(FlatJson, BuilderLaysOutWhatTheJsonConstructorDoes) {
  using condition::ValueKind;
  FlatJson::Builder b;
  FlatJson::Index m = b.Open(FlatJson::kRoot, ValueKind::kObject, 4);
  b.SetName(m, "page");
  b.SetString(m, "/");
  b.SetName(m + 1, "n");
  b.SetNumber(m + 1, 3, /*integral=*/true);
  b.SetName(m + 2, "list");
  FlatJson::Index e = b.Open(m + 2, ValueKind::kArray, 3);
  b.SetBool(e, true);
  b.SetNull(e + 1);
  b.SetNumber(e + 2, 2.5, /*integral=*/false);
  b.SetName(m + 3, "copied");
  const FlatJson other(Json{{"deep", {{"x", {1, "y"}}}}});
  b.Copy(m + 3, other, FlatJson::kRoot);
  ASSERT_TRUE(b.SortMembers(FlatJson::kRoot));
  FlatJson built = std::move(b).Finish();
  const Json expected = {{"page", "/"},
                         {"n", 3},
                         {"list", {true, nullptr, 2.5}},
                         {"copied", {{"deep", {{"x", {1, "y"}}}}}}};
  EXPECT_EQ(built.ToJson(), expected);
  std::string text;
  built.AppendJson(&text);
  EXPECT_EQ(text, expected.dump());  // members in name order, 3 stays 3, 2.5 stays 2.5
  FlatJson::Index i;
  ASSERT_TRUE(built.Find(FlatJson::kRoot, "n", &i));
  EXPECT_TRUE(built.IsIntegral(i));
  EXPECT_EQ(built.NameOf(built.MemberAt(FlatJson::kRoot, 0)), "copied");

  FlatJson::Builder dup;
  FlatJson::Index d = dup.Open(FlatJson::kRoot, ValueKind::kObject, 3);
  dup.SetName(d, "b");
  dup.SetName(d + 1, "a");
  dup.SetName(d + 2, "b");
  std::string_view duplicate;
  EXPECT_FALSE(dup.SortMembers(FlatJson::kRoot, &duplicate));
  EXPECT_EQ(duplicate, "b");
}

}  // namespace
}  // namespace tailor::decision
