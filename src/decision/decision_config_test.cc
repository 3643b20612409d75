#include "decision/decision_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

TEST(DecisionConfig, ErrorsNameThePathAndTheProblem) {
  std::ifstream in(std::string(TAILOR_DECISION_TESTDATA) + "/config_errors.json");
  Json cases = Json::parse(in);
  DecisionConfig base;
  base.content.emplace("hero", *ParseContent("hero", Json::parse(R"({"variants":{"web":"Hi"}})")));
  for (const Json& c : cases) {
    SCOPED_TRACE(c.dump());
    std::string section = c["section"], name = c["name"];
    Status s;
    if (section == "content") s = ParseContent(name, c["def"]).status();
    if (section == "campaigns") s = ParseCampaign(name, c["def"]).status();
    if (section == "placements") s = ParsePlacement(name, c["def"], base).status();
    if (section == "decisions") s = ParseDecisionSettings(c["def"], base).status();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.path(), c["path"].get<std::string>());
    EXPECT_NE(s.message().find(c["message"].get<std::string>()), std::string::npos) << s.message();
  }
}

TEST(DecisionConfig, RulesSortByPriorityThenFileOrderAndCollectInputs) {
  DecisionConfig config;
  config.content.emplace("hero", *ParseContent("hero", Json::parse(R"({"variants":{"web":"Hi"}})")));
  auto pl = ParsePlacement("p", Json::parse(R"({"rules":[
      {"name":"a","when":{"traits.country":"NO"},"serve":{"flag":1}},
      {"name":"b","priority":3,"when":{"features.x":{"$gt":1}},"serve":{"content":"hero"}},
      {"name":"c","when":{"context.time.hour":{"$lt":9}},"serve":{"flag":2}},
      {"name":"d","priority":3,"serve":{"flag":3}}],"default":{"content":"hero"}})"),
                           config);
  ASSERT_OK(pl);
  std::vector<std::string> order;
  for (const auto& r : pl->live.rules) order.push_back(r.name);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "d", "a", "c"}));
  EXPECT_EQ(pl->input_paths,
            (std::vector<std::string>{"context.time.hour", "features.x", "traits.country"}));
  EXPECT_TRUE(pl->reads_time);
  EXPECT_TRUE(pl->needs_time);
  EXPECT_TRUE(pl->cacheable);
  ASSERT_TRUE(pl->live.default_action.has_value());
  EXPECT_EQ(ActionToJson(*pl->live.default_action), Json::parse(R"({"content":"hero"})"));
}

TEST(DecisionConfig, TimeOfDayIsComputedOnlyWhenSomethingReadsIt) {
  DecisionConfig config;
  config.content.emplace("plain", *ParseContent("plain", Json::parse(R"({"variants":{"web":"Hi {{traits.name}}"}})")));
  config.content.emplace("clock", *ParseContent("clock", Json::parse(R"({"variants":{"web":"It is {{context.time.hour}}h"}})")));
  auto plain = ParsePlacement("a", Json::parse(R"({"rules":[{"name":"r","when":{"context.page":"/"},"serve":{"content":"plain"}}],
                                                  "default":{"flag":1}})"), config);
  ASSERT_OK(plain);
  EXPECT_FALSE(plain->needs_time);
  auto by_template = ParsePlacement("b", Json::parse(R"({"rules":[],"default":{"content":"clock"}})"), config);
  ASSERT_OK(by_template);
  EXPECT_FALSE(by_template->reads_time);
  EXPECT_TRUE(by_template->needs_time);
}

TEST(DecisionConfig, VariantLookupFallsBackToDefaultChannel) {
  auto c = ParseContent("x", Json::parse(R"({"variants":{"email":"E","default":{"value":{"k":1}}}})"));
  ASSERT_OK(c);
  EXPECT_NE(c->VariantFor("email")->body, nullptr);
  EXPECT_EQ(c->VariantFor("push")->value, Json::parse(R"({"k":1})"));
  auto only = ParseContent("y", Json::parse(R"({"variants":{"web":"W"}})"));
  EXPECT_EQ(only->VariantFor("push"), nullptr);
}

}  // namespace
}  // namespace tailor::decision
