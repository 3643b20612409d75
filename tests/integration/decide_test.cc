// The decision engine through a real server: config with content and placements,
// POST /v1/decide for known and unknown people, consent, caps fed by impression events,
// outcome joins, explain, shadow report, replay, and bad input.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/time_util.h"
#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

constexpr char kDecisionsYaml[] = R"(content:
  generic_hero: {variants: {web: {template: "Welcome to the shop"}}}
  vip_hero:     {variants: {web: {template: "Welcome back, {{traits.first_name}}"}}}
  banner:       {variants: {default: {template: "Sale!"}}, cap: {max: 1, window: 1d}}
  plain:        {variants: {default: "Plain"}}
segments:
  vip: {condition: {"traits.tier": "gold"}}
decisions:
  consent_purpose: personalization
placements:
  home_hero:
    rules:
      - {name: vip, when: {"segments": {"$elemMatch": {"$eq": "vip"}}}, serve: {content: vip_hero}}
    default: {content: generic_hero}
    shadow:
      rules:
        - {name: everyone_banner, serve: {content: banner}}
  side:
    record_impressions: false
    rules:
      - {name: banner, serve: {content: banner}}
    default: {content: plain}
)";

class IntegrationDecide : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    Reply r = api_->Post("/v1/config", Json{{"files", {{"decisions.yaml", kDecisionsYaml}}}});
    ASSERT_EQ(r.status, 200) << r.Describe();
    version_ = r.json["version"].get<uint64_t>();
  }

  void Send(const Json& events) {
    Reply r = api_->Post("/v1/events", Json{{"events", events}});
    ASSERT_EQ(r.status, 200) << r.Describe();
  }

  Json Decide(const Json& body) {
    Reply r = api_->Post("/v1/decide", body);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.json;
  }

  uint64_t version_ = 0;
};

TEST_F(IntegrationDecide, PersonalizesExplainsAndJoinsOutcomes) {
  Send(Json::parse(R"([
    {"event_id":"c1","type":"consent","user_id":"ada","timestamp":"2026-11-20T10:00:00Z",
     "consent":{"purposes":{"personalization":true}}},
    {"event_id":"i1","type":"identify","user_id":"ada","timestamp":"2026-11-20T10:00:01Z",
     "traits":{"first_name":"Ada","tier":"gold"}}])"));
  Json out = Decide(Json::parse(R"({"user_id":"ada","placements":["home_hero"],"context":{"page":"/"}})"));
  ASSERT_EQ(out["decisions"].size(), 1u);
  const Json& d = out["decisions"][0];
  EXPECT_EQ(d["placement"], "home_hero");
  EXPECT_EQ(d["rule"], "vip");
  EXPECT_EQ(d["action"], "content");
  EXPECT_EQ(d["content"]["id"], "vip_hero");
  EXPECT_EQ(d["content"]["body"], "Welcome back, Ada");
  EXPECT_EQ(d["fallback"], false);
  std::string id = d["decision_id"];

  // A click on it joins to the decision.
  Send(Json::array({{{"event_id", "k1"}, {"type", "click"}, {"user_id", "ada"},
                     {"timestamp", "2026-11-20T10:00:05Z"}, {"decision_id", id}}}));
  Reply rec = api_->Get("/v1/decisions/" + id);
  ASSERT_EQ(rec.status, 200) << rec.Describe();
  EXPECT_EQ(rec.json["rule"], "vip");
  EXPECT_EQ(rec.json["config_version"], version_);
  EXPECT_EQ(rec.json["inputs"]["segments"], Json::parse(R"(["vip"])"));
  ASSERT_EQ(rec.json["outcomes"].size(), 1u);
  EXPECT_EQ(rec.json["outcomes"][0]["type"], "click");
  EXPECT_EQ(rec.json["shadow"]["content"], "banner");

  Reply why = api_->Get("/v1/decisions/" + id + "/explain");
  ASSERT_EQ(why.status, 200) << why.Describe();
  EXPECT_EQ(why.json["summary"], "Served content 'vip_hero' (variant web) by rule 'vip'.");

  Reply shadow = api_->Get("/v1/placements/home_hero/shadow-report");
  ASSERT_EQ(shadow.status, 200) << shadow.Describe();
  EXPECT_EQ(shadow.json["with_shadow"], 1);
  EXPECT_EQ(shadow.json["differ"], 1);

  EXPECT_EQ(api_->Get("/v1/decisions/01JNOPE0000000000000000000").status, 404);
}

TEST_F(IntegrationDecide, UnknownVisitorsAndConsentGetDefaults) {
  Json out = Decide(Json::parse(R"({"anonymous_id":"fresh-visitor","placements":["home_hero","side"]})"));
  ASSERT_EQ(out["decisions"].size(), 2u);
  EXPECT_EQ(out["decisions"][0]["content"]["id"], "generic_hero");
  EXPECT_EQ(out["decisions"][0]["personalized"], false);
  EXPECT_EQ(out["decisions"][1]["content"]["id"], "plain");
}

TEST_F(IntegrationDecide, ImpressionEventsCapContent) {
  Send(Json::parse(R"([{"event_id":"c2","type":"consent","user_id":"bo","timestamp":"2026-11-20T10:00:00Z",
                        "consent":{"purposes":{"personalization":true}}}])"));
  Json body = Json::parse(R"({"user_id":"bo","placements":["side"]})");
  Json first = Decide(body);
  EXPECT_EQ(first["decisions"][0]["content"]["id"], "banner");
  EXPECT_EQ(Decide(body)["decisions"][0]["content"]["id"], "banner");  // not shown yet
  // Shown just now: a cap window counts back from the present.
  Send(Json::array({{{"event_id", "imp1"}, {"type", "impression"}, {"user_id", "bo"},
                     {"timestamp", FormatIso8601(SystemClock().NowMs())},
                     {"decision_id", first["decisions"][0]["decision_id"]}}}));
  Json after = Decide(body);
  EXPECT_EQ(after["decisions"][0]["content"]["id"], "plain");
  Reply why = api_->Get("/v1/decisions/" + after["decisions"][0]["decision_id"].get<std::string>() + "/explain");
  ASSERT_EQ(why.status, 200);
  EXPECT_NE(why.json["because"][0].get<std::string>().find("capped"), std::string::npos) << why.Describe();
}

TEST_F(IntegrationDecide, ReplayUnderAnotherVersion) {
  Send(Json::parse(R"([{"event_id":"c3","type":"consent","user_id":"cy","timestamp":"2026-11-20T10:00:00Z",
                        "consent":{"purposes":{"personalization":true}}},
                       {"event_id":"i3","type":"identify","user_id":"cy","timestamp":"2026-11-20T10:00:01Z",
                        "traits":{"tier":"gold"}}])"));
  Decide(Json::parse(R"({"user_id":"cy","placements":["home_hero"]})"));
  std::string v2 = kDecisionsYaml;
  v2.replace(v2.find("serve: {content: vip_hero}"), 26, "serve: {content: generic_hero}");
  Reply applied = api_->Post("/v1/config", Json{{"files", {{"decisions.yaml", v2}}}});
  ASSERT_EQ(applied.status, 200) << applied.Describe();
  Reply r = api_->Post("/v1/decisions/replay", Json{{"config_version", applied.json["version"]}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["decisions"], 1);
  EXPECT_EQ(r.json["changed"], 1);
  EXPECT_EQ(r.json["examples"][0]["before"], "vip -> vip_hero");
  EXPECT_EQ(r.json["examples"][0]["after"], "vip -> generic_hero");
}

TEST_F(IntegrationDecide, BadRequestsAreClear4xx) {
  struct Case {
    std::string body;
    int status;
    std::string path;
  };
  std::vector<Case> cases = {
      {R"({"user_id":"u","placements":["nope"]})", 400, "placements[0]"},
      {R"({"user_id":"u","placements":"home_hero"})", 400, "placements"},
      {R"({"placements":["home_hero"]})", 400, "user_id"},
      {R"({"user_id":"u","placements":["home_hero"],"context":"web"})", 400, "context"},
      {R"({"user_id":"u","placements":["home_hero"],"extra":1})", 400, "extra"},
      {"{oops", 400, ""},
  };
  for (const Case& c : cases) {
    Reply r = api_->Post("/v1/decide", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.Describe();
    if (!c.path.empty()) {
      EXPECT_EQ(r.json["error"]["path"], c.path) << r.Describe();
    }
  }
  ApiClient no_scope(server_->url(), "");
  EXPECT_EQ(no_scope.Post("/v1/decide", std::string(R"({"user_id":"u","placements":["home_hero"]})")).status, 401);
  EXPECT_EQ(api_->Post("/v1/decisions/replay", std::string(R"({"config_version":0})")).status, 400);
  EXPECT_EQ(api_->Get("/v1/placements/nope/shadow-report").status, 404);
}

}  // namespace
}  // namespace tailor::integration
