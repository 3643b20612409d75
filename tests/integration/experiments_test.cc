// Experiments through a real server: a config with metrics, an experiment and a placement
// serving it; decide and assign many users; conversion events; results with units per
// variation, SRM and lift intervals; stopping via config keeps results and history; bad
// input is a 4xx naming the path; results survive a restart.
#include <gtest/gtest.h>

#include <set>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

std::string ExperimentsYaml(const char* status) {
  return std::string(R"(content:
  hero_a: {variants: {default: {template: "A"}}}
  hero_b: {variants: {default: {template: "B"}}}
  generic: {variants: {default: {template: "generic"}}}
decisions:
  consent_by_default: true
metrics:
  bought: {type: conversion, event: purchase, window: 7d}
  revenue: {type: sum, event: purchase, property: amount}
experiments:
  definitions:
    hero_test:
      variations: [{name: control, content: hero_a}, {name: treatment, content: hero_b}]
      weights: [0.5, 0.5]
      hashVersion: 2
      status: )") + status + R"(
      metrics: [bought, revenue]
placements:
  home:
    rules:
      - {name: test, serve: {experiment: hero_test}}
    default: {content: generic}
)";
}

class IntegrationExperiments : public ServerTest {
 protected:
  Reply Apply(const char* status) {
    return api_->Post("/v1/config", Json{{"files", {{"exp.yaml", ExperimentsYaml(status)}}}});
  }
};

TEST_F(IntegrationExperiments, AssignsExposesAttributesAndReports) {
  ASSERT_EQ(Apply("running").status, 200);
  std::map<std::string, std::string> content_of;
  const int kUsers = 400;
  for (int i = 0; i < kUsers; ++i) {
    std::string user = "user-" + std::to_string(i);
    if (i % 2 == 0) {
      Reply r = api_->Post("/v1/decide", Json{{"user_id", user}, {"placements", {"home"}}});
      ASSERT_EQ(r.status, 200) << r.Describe();
      const Json& d = r.json["decisions"][0];
      EXPECT_EQ(d["action"], "experiment");
      content_of[user] = d["content"]["id"];
      if (i == 0) {  // the log names the experiment and the propensity of the answer
        Reply rec = api_->Get("/v1/decisions/" + d["decision_id"].get<std::string>());
        ASSERT_EQ(rec.status, 200) << rec.Describe();
        EXPECT_NE(rec.json.value("action_version", ""), "") << rec.Describe();
        EXPECT_GT(rec.json["propensity"].get<double>(), 0.0);
        EXPECT_LT(rec.json["propensity"].get<double>(), 1.0);
      }
    } else {
      Reply r = api_->Post("/v1/assign", Json{{"user_id", user}, {"experiments", {"hero_test"}}});
      ASSERT_EQ(r.status, 200) << r.Describe();
      const Json& a = r.json["assignments"][0];
      EXPECT_TRUE(a["inExperiment"].get<bool>());
      EXPECT_TRUE(a["exposed"].get<bool>());
      content_of[user] = a["content"];
    }
  }
  // Same user, same answer; the second exposure is deduplicated.
  Reply again = api_->Post("/v1/assign", Json{{"user_id", "user-1"}});
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.json["assignments"][0]["content"], content_of["user-1"]);
  EXPECT_FALSE(again.json["assignments"][0]["exposed"].get<bool>());

  // Treatment users buy more often.
  std::vector<Json> events;
  int n = 0;
  for (const auto& [user, content] : content_of) {
    int idx = std::stoi(user.substr(5));
    bool buys = content == "hero_b" ? idx % 2 == 0 : idx % 5 == 0;
    if (!buys) continue;
    events.push_back(MakeEvent("p-" + user, "purchase", user, "", {{"properties", {{"amount", 10 + idx % 7}}}}));
    if (events.size() == 100) {
      ASSERT_EQ(api_->Post("/v1/events", BatchBody(events)).status, 200);
      events.clear();
    }
    ++n;
  }
  if (!events.empty()) ASSERT_EQ(api_->Post("/v1/events", BatchBody(events)).status, 200);

  Reply res = api_->Get("/v1/experiments/hero_test/results");
  ASSERT_EQ(res.status, 200) << res.Describe();
  const Json& vars = res.json["variations"];
  EXPECT_EQ(vars[0]["units"].get<double>() + vars[1]["units"].get<double>(), kUsers);
  EXPECT_TRUE(res.json["srm"]["ok"].get<bool>()) << res.json["srm"].dump();
  const Json& bought = res.json["results"][0];
  EXPECT_EQ(bought["metric"], "bought");
  double conversions = bought["variations"][0]["total"].get<double>() + bought["variations"][1]["total"].get<double>();
  EXPECT_EQ(conversions, n);
  const Json& cmp = bought["comparisons"][0];
  ASSERT_TRUE(cmp["rel_ci"].is_array()) << cmp.dump();
  EXPECT_GT(cmp["abs_lift"].get<double>(), 0);
  EXPECT_LT(cmp["p_value"].get<double>(), 0.05);
  EXPECT_GT(cmp["chance_to_beat_control"].get<double>(), 0.95);
  EXPECT_EQ(res.body.find("NaN"), std::string::npos);
  for (const char* q : {"?method=sequential", "?method=bayesian", "?cuped=true"}) {
    Reply r = api_->Get(std::string("/v1/experiments/hero_test/results") + q);
    EXPECT_EQ(r.status, 200) << q << " " << r.Describe();
  }

  // Stop it: no new exposures, results and config still there, the history shows it.
  ASSERT_EQ(Apply("stopped").status, 200);
  Reply d = api_->Post("/v1/decide", Json{{"user_id", "late-user"}, {"placements", {"home"}}});
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.json["decisions"][0]["content"]["id"], "generic");
  EXPECT_TRUE(d.json["decisions"][0]["fallback"].get<bool>());
  Reply stopped = api_->Get("/v1/experiments/hero_test/results");
  ASSERT_EQ(stopped.status, 200);
  EXPECT_EQ(stopped.json["status"], "stopped");
  EXPECT_EQ(stopped.json["results"][0]["comparisons"][0]["p_value"], cmp["p_value"]);
  Reply hist = api_->Get("/v1/experiments/hero_test/history");
  ASSERT_EQ(hist.status, 200) << hist.Describe();
  ASSERT_EQ(hist.json["history"].size(), 2u) << hist.body;
  EXPECT_EQ(hist.json["history"][0]["to"], "running");
  EXPECT_EQ(hist.json["history"][1]["from"], "running");
  EXPECT_EQ(hist.json["history"][1]["to"], "stopped");
  EXPECT_FALSE(hist.json["history"][1]["applied_by"].get<std::string>().empty());
  Reply list = api_->Get("/v1/experiments");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json["experiments"][0]["status"], "stopped");

  // Results survive a restart (flushed at shutdown).
  ASSERT_TRUE(server_->Stop());
  Start();
  Reply after = api_->Get("/v1/experiments/hero_test/results");
  ASSERT_EQ(after.status, 200) << after.Describe();
  EXPECT_EQ(after.json["results"][0]["comparisons"][0]["p_value"], cmp["p_value"]);
}

TEST_F(IntegrationExperiments, BadInputNamesThePath) {
  std::string bad = ExperimentsYaml("running");
  bad.replace(bad.find("weights: [0.5, 0.5]"), 19, "weights: [0.5, 0.6]");
  bad.replace(bad.find("metrics: [bought, revenue]"), 26, "metrics: [bought, nope]");
  Reply r = api_->Post("/v1/config", Json{{"files", {{"exp.yaml", bad}}}});
  ASSERT_EQ(r.status, 400) << r.Describe();
  std::set<std::string> paths;
  for (const auto& e : r.json["error"]["errors"]) paths.insert(e["path"].get<std::string>());
  EXPECT_TRUE(paths.count("experiments.definitions.hero_test.metrics[1]") ||
              paths.count("experiments.definitions.hero_test.weights"))
      << r.body;
  ASSERT_EQ(Apply("running").status, 200);
  Reply unknown = api_->Post("/v1/assign", Json{{"user_id", "u"}, {"experiments", {"nope"}}});
  EXPECT_EQ(unknown.status, 400) << unknown.Describe();
  EXPECT_EQ(unknown.json["error"]["path"], "experiments[0]");
  Reply noid = api_->Post("/v1/assign", Json{{"experiments", "all"}});
  EXPECT_EQ(noid.status, 400);
  EXPECT_EQ(noid.json["error"]["path"], "user_id");
  Reply method = api_->Get("/v1/experiments/hero_test/results?method=magic");
  EXPECT_EQ(method.status, 400);
  EXPECT_EQ(method.json["error"]["path"], "method");
  EXPECT_EQ(api_->Get("/v1/experiments/nope/results").status, 404);
}

}  // namespace
}  // namespace tailor::integration
