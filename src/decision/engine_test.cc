#include "decision/engine.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/clock.h"
#include "core/random.h"
#include "core/time_util.h"
#include "decision/explain.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

Json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// Builds a DecisionConfig from a JSON object with the config sections content,
// campaigns, decisions and placements (in the order config/ parses them).
Result<std::shared_ptr<const DecisionConfig>> BuildConfig(const Json& c) {
  auto config = std::make_shared<DecisionConfig>();
  const Json content_defs = c.value("content", Json::object());
  const Json campaign_defs = c.value("campaigns", Json::object());
  const Json placement_defs = c.value("placements", Json::object());
  for (const auto& [name, def] : content_defs.items()) {
    TAILOR_ASSIGN_OR_RETURN(auto content, ParseContent(name, def));
    config->content.emplace(name, std::move(content));
  }
  for (const auto& [name, def] : campaign_defs.items()) {
    TAILOR_ASSIGN_OR_RETURN(auto campaign, ParseCampaign(name, def));
    config->campaigns.emplace(name, std::move(campaign));
  }
  TAILOR_ASSIGN_OR_RETURN(config->settings, ParseDecisionSettings(c.value("decisions", Json()), *config));
  for (const auto& [name, def] : placement_defs.items()) {
    TAILOR_ASSIGN_OR_RETURN(auto pl, ParsePlacement(name, def, *config));
    config->placements.emplace(name, std::move(pl));
  }
  config->AssignRuleMemo();  // as config/ does: the cases run with the rule memo
  return std::shared_ptr<const DecisionConfig>(std::move(config));
}

class Fixture {
 public:
  explicit Fixture(int64_t now_ms)
      : clock(now_ms), store(clock), profiles(store), identities(store), random(1),
        engine(store, profiles, identities, clock, random) {}

  // Stores a profile built from {user_id, traits, segments, consent}.
  void AddProfile(const Json& p, const std::string& pid) {
    profile::Profile prof;
    prof.id = pid;
    prof.traits_json = p.value("traits", Json::object()).dump();
    for (const auto& s : p.value("segments", Json::array())) prof.segments[s.get<std::string>()] = clock.NowMs();
    const Json consents = p.value("consent", Json::object());
    for (const auto& [purpose, granted] : consents.items()) {
      prof.consents[purpose] = profile::ConsentState{granted.get<bool>(), clock.NowMs(), "test"};
    }
    prof.event_count = 1;
    storage::WriteBatch batch;
    profile::ProfileStore::Stage(prof, &batch);
    identity::IdentityIndex::Stage(identity::IdKind::kUser, p["user_id"].get<std::string>(), pid, &batch);
    ASSERT_OK(store.Write(batch));
    profiles.Remember(prof);
  }

  FakeClock clock;
  storage::MemoryStore store;
  profile::ProfileStore profiles;
  identity::IdentityIndex identities;
  SeededRandom random;
  DecisionEngine engine;
};

std::vector<std::string> TraceStrings(const Answer& a) {
  std::vector<std::string> out;
  for (const auto& t : a.trace) out.push_back(t.rule + ":" + std::string(RuleOutcomeName(t.outcome)));
  return out;
}

TEST(EngineGolden, Cases) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto config = BuildConfig(file["config"]);
  ASSERT_OK(config);
  size_t checked = 0;
  for (const Json& c : file["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    int64_t now = c.contains("now") ? *ParseIso8601(c["now"].get<std::string>()) : 1'795'000'000'000;
    Fixture f(now);
    if (c.contains("profile")) f.AddProfile(c["profile"], "01JTESTPROFILE000000000000");
    DecisionInputs in{*config, nullptr, nullptr, nullptr, 1, nullptr};
    for (const Json& step : c["steps"]) {
      auto req = ParseDecideRequest(step["request"].dump());
      ASSERT_OK(req);
      auto out = f.engine.Decide(*req, in);
      ASSERT_OK(out);
      ASSERT_EQ(out->size(), req->placements.size());
      for (const Json& e : step.value("expect", Json::array())) {
        const Decision* d = nullptr;
        for (const auto& x : *out) {
          if (x.placement == e["placement"].get<std::string>()) d = &x;
        }
        ASSERT_NE(d, nullptr) << e.dump();
        const Answer& a = *d->answer;
        SCOPED_TRACE(e.dump());
        if (e.contains("rule")) {
          EXPECT_EQ(a.rule, e["rule"].is_null() ? "" : e["rule"].get<std::string>());
        }
        if (e.contains("content")) {
          EXPECT_EQ(a.content, e["content"].get<std::string>());
        }
        if (e.contains("variant")) {
          EXPECT_EQ(a.variant, e["variant"].get<std::string>());
        }
        if (e.contains("body")) {
          EXPECT_EQ(a.body, e["body"].get<std::string>());
        }
        if (e.contains("value")) {
          EXPECT_EQ(a.value, e["value"]);
        }
        if (e.contains("action")) {
          EXPECT_EQ(ActionKindName(a.action), e["action"].get<std::string>());
        }
        if (e.contains("fallback")) {
          EXPECT_EQ(a.fallback, e["fallback"].get<bool>());
        }
        if (e.contains("personalized")) {
          EXPECT_EQ(a.personalized, e["personalized"].get<bool>());
        }
        if (e.contains("trace")) {
          EXPECT_EQ(TraceStrings(a), e["trace"].get<std::vector<std::string>>());
        }
        EXPECT_FALSE(d->decision_id.empty());
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 15u);
}

TEST(Engine, UnknownPlacementIsAClearError) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto config = BuildConfig(file["config"]);
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  auto req = ParseDecideRequest(R"({"anonymous_id":"a","placements":["home_hero","nope"]})");
  ASSERT_OK(req);
  auto out = f.engine.Decide(*req, DecisionInputs{*config, nullptr, nullptr, nullptr, 1, nullptr});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().path(), "placements[1]");
}

TEST(Engine, StagedRolloutIsDeterministicAndProportional) {
  auto config = BuildConfig(Json::parse(R"({
    "decisions": {"consent_purpose": null},
    "placements": {"p": {"rules": [{"name": "new_ui", "rollout": 30, "serve": {"flag": true}}],
                         "default": {"flag": false}}}})"));
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  DecisionInputs in{*config, nullptr, nullptr, nullptr, 1, nullptr};
  int on = 0;
  for (int i = 0; i < 2000; ++i) {
    auto req = ParseDecideRequest(R"({"anonymous_id":"v)" + std::to_string(i) + R"(","placements":["p"]})");
    auto a = f.engine.Decide(*req, in);
    auto b = f.engine.Decide(*req, in);
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_EQ((*a)[0].answer->value, (*b)[0].answer->value);  // same user, same answer
    if ((*a)[0].answer->value == Json(true)) ++on;
  }
  EXPECT_NEAR(on / 2000.0, 0.30, 0.04);
}

TEST(Engine, DecisionsAreLoggedExplainedAndJoinedToOutcomes) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto config = BuildConfig(file["config"]);
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  f.AddProfile(Json::parse(R"({"user_id":"u1","traits":{"first_name":"Ada","lifetime_value":10},
                               "segments":["vip"],"consent":{"personalization":true}})"),
               "01JTESTPROFILE000000000000");
  auto req = ParseDecideRequest(R"({"user_id":"u1","placements":["home_hero"],"context":{"page":"/"}})");
  auto out = f.engine.Decide(*req, DecisionInputs{*config, nullptr, nullptr, nullptr, 7, nullptr});
  ASSERT_OK(out);
  const std::string id = (*out)[0].decision_id;
  // An outcome event as the ingest pipeline stores it.
  storage::WriteBatch batch;
  batch.Put(storage::Keyspace::kDecisionOutcomes, storage::DecisionOutcomeKey(id, "ev1"), R"({"event_id":"ev1","type":"click"})");
  ASSERT_OK(f.store.Write(batch));

  auto record = f.engine.log().Get(id);
  ASSERT_OK(record);
  EXPECT_EQ((*record)["snapshot"]["traits"]["first_name"], "Ada");
  AddInputs(&*record, config->get());
  EXPECT_EQ((*record)["placement"], "home_hero");
  EXPECT_EQ((*record)["rule"], "vip");
  EXPECT_EQ((*record)["config_version"], 7);
  EXPECT_EQ((*record)["inputs"]["segments"], Json::parse(R"(["vip"])"));
  EXPECT_EQ((*record)["inputs"]["traits.lifetime_value"], 10);
  EXPECT_EQ((*record)["context"]["page"], "/");
  ASSERT_EQ((*record)["outcomes"].size(), 1u);
  EXPECT_EQ((*record)["outcomes"][0]["type"], "click");

  Json why = Explain(*record, config->get());
  EXPECT_EQ(why["summary"], "Served content 'vip_hero' (variant web) by rule 'vip'.");
  ASSERT_EQ(why["because"].size(), 2u);
  EXPECT_EQ(why["because"][0], "rule 'big_spender' did not match on traits.lifetime_value = 10");
  EXPECT_EQ(why["because"][1], "rule 'vip' matched on segments = [\"vip\"]");
  EXPECT_EQ(Explain(*record, nullptr)["rules"][1]["result"], "matched");

  EXPECT_EQ(f.engine.log().Get("01JNOPE0000000000000000000").status().code(), StatusCode::kNotFound);
}

// A parsed request logs its context from the request's own text, with what the server
// completed ("channel", "time") appended (request.cc, CompleteContext); a request built
// in code (SetContext) encodes its context. Both must log the same completed context.
TEST(Engine, LoggedContextIsTheCompletedContextWhetherParsedOrBuilt) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto config = BuildConfig(file["config"]);
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  DecisionInputs in{*config, nullptr, nullptr, nullptr, 7, nullptr};
  for (const char* context : {R"({})", R"({"page":"/","geo":{"country":"NO"},"n":1.5})",
                              R"({"channel":"app","device":"mobile"})"}) {
    SCOPED_TRACE(context);
    auto parsed = ParseDecideRequest(std::string(R"({"anonymous_id":"v","placements":["home_hero","switches"],"context":)") +
                                     context + "}");
    ASSERT_OK(parsed);
    EXPECT_EQ(Json::parse(parsed->context_text), Json::parse(context));
    DecideRequest built = *parsed;
    built.SetContext(Json::parse(context));
    Json logged[2];
    int k = 0;
    for (const DecideRequest* r : {&*parsed, &built}) {
      auto out = f.engine.Decide(*r, in);
      ASSERT_OK(out);
      auto record = f.engine.log().Get((*out)[0].decision_id);
      ASSERT_OK(record);
      logged[k++] = (*record)["context"];
    }
    EXPECT_EQ(logged[0], logged[1]);
    Json expected = Json::parse(context);
    if (!expected.contains("channel")) expected["channel"] = "web";
    for (auto& [key, value] : expected.items()) EXPECT_EQ(logged[0][key], value) << key;
    // "switches" reads context.time, so the server completed it.
    ASSERT_TRUE(logged[0].contains("time"));
    EXPECT_TRUE(logged[0]["time"].contains("hour"));
    EXPECT_EQ(logged[0].size(), expected.size() + 1);
  }
}

// A view found by id past three quarters of its life is rebuilt in the background while
// the request is answered from it, so the request after its expiry needs no rebuild.
TEST(Engine, ViewsAreRefreshedInTheBackgroundBeforeTheyExpire) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto config = BuildConfig(file["config"]);
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  f.AddProfile(Json::parse(R"({"user_id":"u1","traits":{"first_name":"Ada"},"segments":["vip"],
                               "consent":{"personalization":true}})"),
               "01JTESTPROFILE000000000000");
  const int64_t ttl = (*config)->settings.view_ttl_ms;
  auto req = *ParseDecideRequest(R"({"user_id":"u1","placements":["home_hero"]})");
  DecisionInputs without_owner{*config, nullptr, nullptr, nullptr, 7, nullptr};
  DecisionInputs in = without_owner;
  in.owner = *config;
  const auto& counters = f.engine.counters();

  ASSERT_OK(f.engine.Decide(req, in));
  ASSERT_EQ(counters.view_builds.load(), 1u);
  auto first = f.engine.ViewFor("u1", "", in, f.clock.NowMs());
  ASSERT_OK(first);
  const int64_t life = (*first)->Life(ttl);
  EXPECT_GE(life, ttl / 5 * 4);

  // Before three quarters of its life: served as is, nothing queued.
  f.clock.SetMs((*first)->built_at_ms + life / 2);
  ASSERT_OK(f.engine.Decide(req, in));
  f.engine.WaitForRefreshes();
  EXPECT_EQ(counters.view_builds.load(), 1u);
  // Without an owner for the inputs nothing is queued either.
  f.clock.SetMs((*first)->built_at_ms + life / 5 * 4);
  ASSERT_OK(f.engine.Decide(req, without_owner));
  f.engine.WaitForRefreshes();
  EXPECT_EQ(counters.view_refreshes.load(), 0u);
  // Past three quarters: answered from the old view, rebuilt in the background, once.
  ASSERT_OK(f.engine.Decide(req, in));
  ASSERT_OK(f.engine.Decide(req, in));
  f.engine.WaitForRefreshes();
  EXPECT_EQ(counters.view_refreshes.load(), 1u);
  EXPECT_EQ(counters.view_builds.load(), 2u);
  EXPECT_TRUE((*first)->retired.load());
  // After the old view's expiry the refreshed one serves: no rebuild on the request.
  f.clock.SetMs((*first)->built_at_ms + life + 1);
  auto out = f.engine.Decide(req, in);
  ASSERT_OK(out);
  EXPECT_EQ((*out)[0].answer->rule, "vip");
  EXPECT_EQ(counters.view_builds.load(), 2u);
}

TEST(Engine, ReplayReportsWhatANewConfigChanges) {
  Json file = ReadJsonFile(std::string(TAILOR_DECISION_TESTDATA) + "/engine_cases.json");
  auto v1 = BuildConfig(file["config"]);
  ASSERT_OK(v1);
  Json changed = file["config"];
  changed["placements"]["home_hero"]["rules"][0]["serve"] = {{"content", "sale_banner"}};
  auto v2 = BuildConfig(changed);
  ASSERT_OK(v2);
  Fixture f(1'795'000'000'000);
  f.AddProfile(Json::parse(R"({"user_id":"u1","segments":["vip"],"consent":{"personalization":true}})"),
               "01JTESTPROFILE000000000000");
  DecisionInputs in{*v1, nullptr, nullptr, nullptr, 1, nullptr};
  ASSERT_OK(f.engine.Decide(*ParseDecideRequest(R"({"user_id":"u1","placements":["home_hero"]})"), in));
  ASSERT_OK(f.engine.Decide(*ParseDecideRequest(R"({"anonymous_id":"x","placements":["home_hero"]})"), in));
  f.clock.AdvanceMs(1000);
  auto report = f.engine.Replay(*v2, 2, 0, f.clock.NowMs(), 1000);
  ASSERT_OK(report);
  EXPECT_EQ((*report)["decisions"], 2);
  EXPECT_EQ((*report)["changed"], 1);
  EXPECT_EQ((*report)["placements"]["home_hero"]["transitions"]["vip -> vip_hero  =>  vip -> sale_banner"], 1);
  ASSERT_EQ((*report)["examples"].size(), 1u);
}

TEST(Engine, ShadowRulesAreLoggedAndReportedNeverServed) {
  auto config = BuildConfig(Json::parse(R"({
    "decisions": {"consent_purpose": null},
    "content": {"a": {"variants": {"default": "A"}}, "b": {"variants": {"default": "B"}}},
    "placements": {"p": {"rules": [{"name": "live", "serve": {"content": "a"}}],
                         "shadow": {"rules": [{"name": "candidate", "when": {"context.page": "/sale"},
                                               "serve": {"content": "b"}}],
                                    "default": {"content": "a"}}}}})"));
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  DecisionInputs in{*config, nullptr, nullptr, nullptr, 1, nullptr};
  for (const char* page : {"/sale", "/", "/sale"}) {
    auto req = ParseDecideRequest(std::string(R"({"anonymous_id":"v","placements":["p"],"context":{"page":")") + page + "\"}}");
    auto out = f.engine.Decide(*req, in);
    ASSERT_OK(out);
    EXPECT_EQ((*out)[0].answer->content, "a");
  }
  f.clock.AdvanceMs(1);
  auto report = f.engine.ShadowReport("p", 0, f.clock.NowMs(), 1000);
  ASSERT_OK(report);
  EXPECT_EQ((*report)["with_shadow"], 3);
  EXPECT_EQ((*report)["differ"], 2);
}

TEST(Engine, ImpressionEventsCountTowardCaps) {
  auto config = BuildConfig(Json::parse(R"({
    "decisions": {"consent_purpose": null},
    "content": {"ad": {"variants": {"default": "Ad"}, "cap": {"max": 1, "window": "1h"}},
                "plain": {"variants": {"default": "Plain"}}},
    "placements": {"p": {"record_impressions": false,
                         "rules": [{"name": "ad", "serve": {"content": "ad"}}],
                         "default": {"content": "plain"}}}})"));
  ASSERT_OK(config);
  Fixture f(1'795'000'000'000);
  f.AddProfile(Json::parse(R"({"user_id":"u1"})"), "01JTESTPROFILE000000000000");
  DecisionInputs in{*config, nullptr, nullptr, nullptr, 1, nullptr};
  auto req = *ParseDecideRequest(R"({"user_id":"u1","placements":["p"]})");
  auto first = f.engine.Decide(req, in);
  ASSERT_OK(first);
  EXPECT_EQ((*first)[0].answer->content, "ad");
  EXPECT_EQ((*f.engine.Decide(req, in))[0].answer->content, "ad");  // not shown yet: no impression
  ASSERT_OK(f.engine.RecordImpression(**config, "01JTESTPROFILE000000000000", (*first)[0].decision_id,
                                      Json::object(), f.clock.NowMs()));
  EXPECT_EQ((*f.engine.Decide(req, in))[0].answer->content, "plain");
  f.clock.AdvanceMs(3'600'001);
  EXPECT_EQ((*f.engine.Decide(req, in))[0].answer->content, "ad");  // the window slid
}

}  // namespace
}  // namespace tailor::decision
