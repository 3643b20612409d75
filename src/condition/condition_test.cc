#include "condition/condition.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "condition/json_document.h"
#include "condition/regex_matcher.h"
#include "testutil/testutil.h"

namespace tailor::condition {
namespace {

using nlohmann::json;

bool Eval(std::string_view cond, const json& attrs) {
  Result<Condition> c = Condition::Parse(cond);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return false;
  return c->Evaluate(JsonDocument(attrs));
}

TEST(Condition, DefaultMatchesEverything) {
  Condition c;
  json attrs = {{"a", 1}};
  EXPECT_TRUE(c.Evaluate(JsonDocument(attrs)));
  EXPECT_TRUE(c.Paths().empty());
}

TEST(Condition, ErrorNamesOperatorAndPath) {
  Result<Condition> c = Condition::Parse(R"({"$and": [{"a": 1}, {"age": {"$gtt": 3}}]})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().path(), "$and[1].age.$gtt");
  EXPECT_EQ(c.status().message(), "unknown operator '$gtt'");
  // Callers embedding conditions in larger documents prefix their own location.
  EXPECT_EQ(c.status().WithPathPrefix("segments.adults.condition").path(),
            "segments.adults.condition.$and[1].age.$gtt");
}

TEST(Condition, MalformedJsonIsInvalidArgument) {
  Result<Condition> c = Condition::Parse(R"({"a": )");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("malformed JSON"), std::string::npos);
}

TEST(Condition, OverflowingNumberIsInvalidArgument) {
  // nlohmann throws out_of_range (not parse_error) here; found by fuzz_condition.
  Result<Condition> c = Condition::Parse(R"({"a": 7e997})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
}

TEST(Condition, OptionsAreValidated) {
  CompileOptions o;
  o.max_depth = 0;
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_FALSE(Condition::Parse("{}", o).ok());
}

TEST(Condition, PathsAreTheAttributesRead) {
  Result<Condition> c = Condition::Parse(R"({
    "country": {"$in": ["NO"]},
    "$or": [{"traits.age": {"$gte": 18}}, {"$not": {"consent.ads": false}}],
    "orders": {"$elemMatch": {"total": {"$gt": 100}}},
    "id": {"$inGroup": "beta"}, "id2": {"$notInGroup": "alpha"}
  })");
  ASSERT_OK(c);
  EXPECT_EQ(c->Paths(), (std::vector<std::string>{"consent.ads", "country", "id", "id2", "orders",
                                                  "traits.age"}));
  EXPECT_EQ(c->SavedGroupIds(), (std::vector<std::string>{"alpha", "beta"}));
}

TEST(Condition, SavedGroupsRejectBadInput) {
  EXPECT_FALSE(SavedGroups::FromJson(json::array()).ok());
  Result<SavedGroups> g = SavedGroups::FromJson(json{{"beta", 3}});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().path(), "beta");
  EXPECT_FALSE(SavedGroups::FromJson(json{{"beta", {json::array()}}}).ok());
  Result<SavedGroups> ok = SavedGroups::FromJson(json{{"beta", {"u1", 2, true, nullptr}}});
  ASSERT_OK(ok);
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_NE(ok->Find("beta"), nullptr);
  EXPECT_EQ(ok->Find("alpha"), nullptr);
}

TEST(Condition, RegexSubjectOverCapNeverMatches) {
  json attrs = {{"v", std::string(Regex::kMaxSubjectBytes + 1, 'a')}};
  EXPECT_FALSE(Eval(R"({"v": {"$regex": "a"}})", attrs));
  attrs["v"] = std::string(Regex::kMaxSubjectBytes, 'a');
  EXPECT_TRUE(Eval(R"({"v": {"$regex": "a"}})", attrs));
  // A pattern that recurses per character does not blow the stack within the cap.
  EXPECT_TRUE(Eval(R"({"v": {"$regex": "^(a|b)*$"}})", attrs));
}

TEST(Condition, RegexPatternOverCapIsRejected) {
  json cond = {{"v", {{"$regex", std::string(Regex::kMaxPatternBytes + 1, 'a')}}}};
  Result<Condition> c = Condition::Compile(cond);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().path(), "v.$regex");
}

// A Document over a flat map of dotted names, standing in for a profile adapter: it
// overrides Lookup to resolve whole paths at once.
class FlatDocument final : public Document {
 public:
  explicit FlatDocument(std::map<std::string, double, std::less<>> fields)
      : fields_(std::move(fields)) {}
  Node Root() const override { return Node{0, 0}; }
  ValueKind Kind(Node n) const override {
    return n.a == 0 ? ValueKind::kObject : ValueKind::kNumber;
  }
  bool GetBool(Node) const override { return false; }
  double GetNumber(Node n) const override { return reinterpret_cast<const double*>(n.a)[0]; }
  std::string_view GetString(Node) const override { return {}; }
  size_t Size(Node n) const override { return n.a == 0 ? fields_.size() : 0; }
  Node ArrayAt(Node n, size_t) const override { return n; }
  bool Find(Node, std::string_view key, Node* out) const override {
    auto it = fields_.find(key);
    if (it == fields_.end()) return false;
    *out = Node{reinterpret_cast<uintptr_t>(&it->second), 0};
    return true;
  }
  bool Lookup(Node start, std::span<const PathSegment> path, Node* out) const override {
    std::string joined;  // test only; a real adapter would precompute this
    for (const PathSegment& s : path) joined += (joined.empty() ? "" : ".") + std::string(s.key);
    return Find(start, joined, out);
  }

 private:
  std::map<std::string, double, std::less<>> fields_;
};

TEST(Condition, WorksOverCustomDocuments) {
  Result<Condition> c =
      Condition::Parse(R"({"features.orders_30d": {"$gte": 3}, "traits.age": {"$lt": 65}})");
  ASSERT_OK(c);
  EXPECT_TRUE(c->Evaluate(FlatDocument({{"features.orders_30d", 4}, {"traits.age", 40}})));
  EXPECT_FALSE(c->Evaluate(FlatDocument({{"features.orders_30d", 2}, {"traits.age", 40}})));
  EXPECT_FALSE(c->Evaluate(FlatDocument({{"traits.age", 40}})));
}

TEST(Condition, ConcurrentEvaluationIsSafe) {
  Result<Condition> c = Condition::Parse(
      R"({"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}, "ua": {"$regex": "Mobile"}})");
  ASSERT_OK(c);
  json yes = {{"country", "NO"}, {"age", 30}, {"ua", "Android Mobile"}};
  json no = {{"country", "DK"}, {"age", 30}, {"ua", "Android Mobile"}};
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (!c->Evaluate(JsonDocument(yes)) || c->Evaluate(JsonDocument(no))) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Condition, MovedConditionKeepsWorking) {
  Result<Condition> c = Condition::Parse(R"({"a.b": {"$eq": "x"}})");
  ASSERT_OK(c);
  Condition moved = std::move(c).value();
  json attrs = {{"a", {{"b", "x"}}}};
  EXPECT_TRUE(moved.Evaluate(JsonDocument(attrs)));
}

TEST(Condition, AttributesNeedNotBeAnObject) {
  json arr = {5, 6};
  EXPECT_TRUE(Eval(R"({"1": 6})", arr));  // getPath indexes arrays too
  json scalar = 5;
  EXPECT_TRUE(Eval(R"({"a": null})", scalar));
}

}  // namespace
}  // namespace tailor::condition
