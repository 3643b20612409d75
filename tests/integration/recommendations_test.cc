// Recommendations through a real server: a config with a catalog and a recommender; the
// catalog extended by POST /v1/items and an `item` event; interaction events; train,
// list, promote, rollback; lists with filter, exclude-seen and diversity; fresh history
// before retraining; similar items; decide with a recommend rule (and its fallback);
// bad input is a 4xx naming the path; the live version serves again after a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "integration/harness.h"
#include "integration/process.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

constexpr char kConfig[] = R"(decisions:
  consent_by_default: true
content:
  generic: {variants: {default: {template: "generic"}}}
items:
  s1: {title: "Runner", categories: [shoes], attributes: {price: 80, in_stock: true, provider: acme}}
  s2: {title: "Trail", categories: [shoes], attributes: {price: 120, in_stock: true, provider: acme}}
  h1: {title: "Cap", categories: [hats], attributes: {price: 15, in_stock: true, provider: bolt}}
recommenders:
  knn:
    model: itemknn
    events: {view: 1, purchase: 5}
  diverse:
    model: itemknn
    serving: {category_cap: 1}
  cold:
    model: popularity
placements:
  shelf:
    rules:
      - {name: recs, serve: {recommend: knn, k: 3, filter: {attributes.in_stock: true}}}
    default: {content: generic}
)";

class IntegrationRecommendations : public ServerTest {
 protected:
  void Send(const std::vector<Json>& events) {
    Reply r = api_->Post("/v1/events", BatchBody(events));
    ASSERT_EQ(r.status, 200) << r.Describe();
  }
  Json View(const std::string& user, const std::string& item, const std::string& type = "view") {
    return MakeEvent("e" + std::to_string(next_++), type, user, "",
                     Json{{"properties", {{"item_id", item}}}});
  }
  // Starts a training job (202) and follows it to its end; returns the finished job.
  Json Train(const std::string& name, bool promote = false) {
    Reply started = api_->Post("/v1/models/" + name + "/train" + (promote ? "?promote=true" : ""),
                               std::string());
    EXPECT_EQ(started.status, 202) << started.Describe();
    EXPECT_EQ(started.json["kind"], "model_train") << started.Describe();
    const std::string id = started.json.value("id", "");
    for (int i = 0; i < 600; ++i) {
      Reply job = api_->Get("/v1/jobs/" + id);
      EXPECT_EQ(job.status, 200) << job.Describe();
      const std::string state = job.json.value("state", "");
      if (state == "done" || state == "failed") return job.json;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "training job " << id << " did not finish";
    return Json::object();
  }
  std::vector<std::string> Ids(const Reply& r) {
    std::vector<std::string> out;
    for (const auto& i : r.json["items"]) out.push_back(i["id"]);
    return out;
  }
  // Everyone viewed s1; most also s2 and h1; a few s3; one bought m1 (added by API).
  void Populate() {
    std::vector<Json> events;
    for (int u = 0; u < 20; ++u) {
      std::string user = "u" + std::to_string(u);
      events.push_back(View(user, "s1"));
      if (u % 4 != 0) events.push_back(View(user, "s2"));
      if (u % 2 == 0) events.push_back(View(user, "h1"));
      if (u % 5 == 0) events.push_back(View(user, "s3"));
      if (u == 3) events.push_back(View(user, "m1", "purchase"));
    }
    Send(events);
  }

  int next_ = 0;
};

TEST_F(IntegrationRecommendations, TrainPromoteServeDecide) {
  Reply applied = api_->Post("/v1/config", Json{{"files", {{"rec.yaml", kConfig}}}});
  ASSERT_EQ(applied.status, 200) << applied.Describe();
  // Catalog by API and by event.
  Reply items = api_->Post(
      "/v1/items",
      Json::parse(
          R"({"items": [{"id": "m1", "title": "Mug", "categories": ["kitchen"], "attributes": {"price": 9, "in_stock": true}}]})"));
  ASSERT_EQ(items.status, 200) << items.Describe();
  Send({MakeEvent(
      "item-1", "item", "", "catalog-bot",
      Json{{"properties",
            {{"item_id", "s3"},
             {"title", "Sandal"},
             {"categories", {"shoes"}},
             {"attributes", {{"price", 30}, {"in_stock", false}, {"provider", "bolt"}}}}}})});
  Populate();

  // Not trained yet: 503 naming why; decide falls back.
  Reply none = api_->Get("/v1/recommendations?model=knn&user_id=u1");
  EXPECT_EQ(none.status, 503) << none.Describe();
  Reply fb = api_->Post("/v1/decide", Json{{"user_id", "u1"}, {"placements", {"shelf"}}});
  ASSERT_EQ(fb.status, 200) << fb.Describe();
  EXPECT_EQ(fb.json["decisions"][0]["fallback"], true) << fb.Describe();

  // Training is a background job; its result is the version record.
  Json job = Train("knn");
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["progress"], 1.0);
  const Json& trained = job["result"];
  EXPECT_EQ(trained["version"], 1);
  EXPECT_EQ(trained["data"]["users"], 20);
  EXPECT_TRUE(trained["metrics"].contains("ndcg@10")) << trained.dump();
  EXPECT_GT(trained["training_peak_estimate_bytes"].get<size_t>(), 0u) << trained.dump();
  EXPECT_GT(trained["model_bytes"].get<size_t>(), 0u) << trained.dump();
  ASSERT_EQ(api_->Post("/v1/models/knn/promote", Json{{"version", 1}}).status, 200);
  ASSERT_EQ(Train("knn", true)["state"], "done");
  EXPECT_EQ(api_->Post("/v1/models/nope/train", std::string()).status, 404);
  // One model's info and the memory gauges.
  Reply info = api_->Get("/v1/models/knn");
  ASSERT_EQ(info.status, 200) << info.Describe();
  EXPECT_EQ(info.json["live_version"], 2);
  EXPECT_GT(info.json["memory_bytes"].get<size_t>(), 0u) << info.Describe();
  EXPECT_GT(info.json["training_peak_estimate_bytes"].get<size_t>(), 0u) << info.Describe();
  EXPECT_EQ(api_->Get("/v1/models/nope").status, 404);
  Reply metrics = api_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("tailor_model_memory_bytes{name=\"knn\",role=\"live\",version=\"2\"}"),
      std::string::npos)
      << metrics.body.substr(0, 2000);
  EXPECT_NE(metrics.body.find("tailor_model_training_peak_bytes{name=\"knn\""), std::string::npos);
  Reply list = api_->Get("/v1/models");
  ASSERT_EQ(list.status, 200);
  const Json& knn = list.json["models"][2];  // by name: cold, diverse, knn
  ASSERT_EQ(knn["name"], "knn") << list.Describe();
  EXPECT_EQ(knn["live_version"], 2);
  EXPECT_EQ(knn["versions"].size(), 2u);
  EXPECT_GT(knn["memory_bytes"].get<size_t>(), 0u);
  Reply back = api_->Post("/v1/models/knn/rollback", std::string());
  ASSERT_EQ(back.status, 200) << back.Describe();
  EXPECT_EQ(back.json["live_version"], 1);

  // u1 viewed s1 and s2: neither comes back; h1 and s3 do.
  Reply r = api_->Get("/v1/recommendations?model=knn&user_id=u1&k=5");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["version"], 1);
  const std::vector<std::string> ids = Ids(r);
  std::set<std::string> got(ids.begin(), ids.end());
  EXPECT_FALSE(got.count("s1") || got.count("s2")) << r.Describe();
  EXPECT_TRUE(got.count("h1")) << r.Describe();
  // Filter over item attributes (s3 is out of stock, known only from its `item` event).
  Reply f = api_->Get("/v1/recommendations?model=knn&user_id=u1&k=5&filter=" +
                      UrlEncode(R"({"attributes.in_stock": true})"));
  ASSERT_EQ(f.status, 200) << f.Describe();
  for (const auto& id : Ids(f)) EXPECT_NE(id, "s3");
  // exclude_seen=false brings seen items back.
  Reply all = api_->Get("/v1/recommendations?model=knn&user_id=u1&k=5&exclude_seen=false");
  ASSERT_EQ(all.status, 200);
  EXPECT_GE(all.json["items"].size(), got.size());

  // Fresh: a new user's first view counts before any retraining.
  Reply cold = api_->Get("/v1/recommendations?model=knn&user_id=newbie&k=2");
  ASSERT_EQ(cold.status, 200) << cold.Describe();
  EXPECT_EQ(cold.json["source"], "cold_start");
  Send({View("newbie", "s3")});
  Reply warm = api_->Get("/v1/recommendations?model=knn&user_id=newbie&k=2");
  ASSERT_EQ(warm.status, 200) << warm.Describe();
  EXPECT_EQ(warm.json["source"], "model");
  for (const auto& id : Ids(warm)) EXPECT_NE(id, "s3");

  // Diversity: at most one item per category.
  ASSERT_EQ(Train("diverse", true)["state"], "done");
  Reply d = api_->Get("/v1/recommendations?model=diverse&user_id=u0&k=5&exclude_seen=false");
  ASSERT_EQ(d.status, 200) << d.Describe();
  EXPECT_LE(d.json["items"].size(), 3u) << d.Describe();  // shoes, hats, kitchen

  // Similar items.
  Reply sim = api_->Get("/v1/items/s1/similar?model=knn&k=2");
  ASSERT_EQ(sim.status, 200) << sim.Describe();
  EXPECT_EQ(sim.json["items"].size(), 2u);
  // An item added after training gets content neighbours until it has interactions.
  ASSERT_EQ(api_->Post("/v1/items", Json::parse(R"({"items": [{"id": "s9", "title": "Trail racer",
      "categories": ["shoes"]}]})"))
                .status,
            200);
  Reply fresh = api_->Get("/v1/items/s9/similar?model=knn&k=3");
  ASSERT_EQ(fresh.status, 200) << fresh.Describe();
  EXPECT_EQ(fresh.json["source"], "content") << fresh.Describe();
  ASSERT_FALSE(Ids(fresh).empty()) << fresh.Describe();
  EXPECT_EQ(Ids(fresh)[0], "s2") << fresh.Describe();  // "Trail", shoes

  // Decide with the recommend rule: value lists in-stock items.
  Reply dec = api_->Post("/v1/decide", Json{{"user_id", "u1"}, {"placements", {"shelf"}}});
  ASSERT_EQ(dec.status, 200) << dec.Describe();
  const Json& answer = dec.json["decisions"][0];
  EXPECT_EQ(answer["fallback"], false) << dec.Describe();
  EXPECT_EQ(answer["action"], "recommend") << dec.Describe();
  ASSERT_TRUE(answer["value"].is_array()) << dec.Describe();
  for (const auto& item : answer["value"]) EXPECT_NE(item["id"], "s3");
  // The decision record names the model version that answered.
  Reply record = api_->Get("/v1/decisions/" + answer["decision_id"].get<std::string>());
  ASSERT_EQ(record.status, 200) << record.Describe();
  EXPECT_EQ(record.json["action_version"], "knn@1") << record.Describe();

  // Bad input: 4xx naming the path.
  Reply bad_filter = api_->Get("/v1/recommendations?model=knn&user_id=u1&filter=" +
                               UrlEncode(R"({"a": {"$gtt": 1}})"));
  EXPECT_EQ(bad_filter.status, 400) << bad_filter.Describe();
  EXPECT_NE(bad_filter.body.find("filter"), std::string::npos) << bad_filter.Describe();
  Reply bad_k = api_->Get("/v1/recommendations?model=knn&user_id=u1&k=0");
  EXPECT_EQ(bad_k.status, 400);
  EXPECT_NE(bad_k.body.find("\"k\""), std::string::npos) << bad_k.Describe();
  EXPECT_EQ(api_->Get("/v1/recommendations?model=nope&user_id=u1").status, 404);
  EXPECT_EQ(api_->Get("/v1/recommendations?model=knn").status, 400);
  EXPECT_EQ(api_->Get("/v1/items/zzz/similar?model=knn").status, 404);
  Reply bad_item =
      api_->Post("/v1/items", Json::parse(R"({"items": [{"id": "x", "attributes": 3}]})"));
  EXPECT_EQ(bad_item.status, 400);
  EXPECT_NE(bad_item.body.find("items[0].attributes"), std::string::npos) << bad_item.Describe();
  EXPECT_EQ(api_->Post("/v1/models/knn/promote", Json{{"version", 99}}).status, 404);
  Reply bad_cfg = api_->Post(
      "/v1/config",
      Json{{"files", {{"rec.yaml", "recommenders:\n  x: {model: als, params: {factor: 3}}\n"}}}});
  EXPECT_EQ(bad_cfg.status, 400);
  EXPECT_NE(bad_cfg.body.find("recommenders.x.params.factor"), std::string::npos)
      << bad_cfg.Describe();

  // After a restart the live version serves again (loaded from its stored model data).
  ASSERT_TRUE(server_->Stop().has_value());
  Start();
  Reply again = api_->Get("/v1/recommendations?model=knn&user_id=u1&k=5");
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(again.json["version"], 1);
}

CommandResult Tailor(const std::string& url, std::vector<std::string> args) {
  SpawnOptions o;
  o.args = {TailorBinary()};
  o.args.insert(o.args.end(), args.begin(), args.end());
  o.args.insert(o.args.end(), {"--url", url, "--key", kAdminKey});
  return RunCommand(o, std::chrono::seconds(30));
}

TEST_F(IntegrationRecommendations, CliTrainListPromoteRollback) {
  ASSERT_EQ(api_->Post("/v1/config", Json{{"files", {{"rec.yaml", kConfig}}}}).status, 200);
  Populate();
  CommandResult t1 = Tailor(server_->url(), {"train", "--model", "knn"});
  ASSERT_EQ(t1.exit_code, 0) << t1.err << t1.out;
  EXPECT_NE(t1.out.find("\"ndcg@10\""), std::string::npos) << t1.out;
  EXPECT_NE(t1.err.find("train knn ["), std::string::npos) << t1.err;  // the progress bar
  CommandResult queued = Tailor(server_->url(), {"train", "--model", "knn", "--no-wait"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err << queued.out;
  EXPECT_EQ(queued.out.size(), 27u) << queued.out;  // a job id (ULID) and a newline
  for (int i = 0; i < 500; ++i) {                   // let it finish: versions below count from it
    if (api_->Get("/v1/jobs/" + queued.out.substr(0, 26)).json.value("state", "") == "done") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CommandResult p1 = Tailor(server_->url(), {"models", "promote", "knn", "--version", "1"});
  ASSERT_EQ(p1.exit_code, 0) << p1.err << p1.out;
  CommandResult t2 = Tailor(server_->url(), {"train", "--model", "knn", "--promote"});
  ASSERT_EQ(t2.exit_code, 0) << t2.err << t2.out;
  CommandResult list = Tailor(server_->url(), {"models", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = ParseJson(list.out);
  ASSERT_TRUE(j.ok()) << list.out;
  EXPECT_EQ((*j)["models"][2]["live_version"], 3);
  // Version 2 runs in shadow: requests are answered by v3 and compared with v2's lists.
  CommandResult sh = Tailor(server_->url(), {"models", "shadow", "knn", "--version", "2"});
  ASSERT_EQ(sh.exit_code, 0) << sh.err << sh.out;
  EXPECT_EQ(Tailor(server_->url(), {"models", "shadow", "knn"}).exit_code, 2);
  Reply bad_shadow =
      api_->Send(server::Method::kPut, "/v1/models/knn/shadow", Json{{"version", "x"}}.dump());
  EXPECT_EQ(bad_shadow.status, 400) << bad_shadow.Describe();
  EXPECT_NE(bad_shadow.body.find("\"version\""), std::string::npos) << bad_shadow.Describe();
  EXPECT_EQ(
      api_->Send(server::Method::kPut, "/v1/models/knn/shadow", Json{{"version", 3}}.dump()).status,
      400);  // live
  Json report;
  for (int i = 0; i < 200; ++i) {
    Reply r = api_->Get("/v1/recommendations?model=knn&user_id=u" + std::to_string(i % 20));
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.json["version"], 3);
    report = api_->Get("/v1/models/knn/shadow").json;
    if (report.value("compared", 0) >= 5) break;
  }
  EXPECT_GE(report.value("compared", 0), 5) << report.dump();
  EXPECT_EQ(report["shadow_version"], 2) << report.dump();
  EXPECT_TRUE(report["overlap_at_k"].is_number()) << report.dump();
  CommandResult rep = Tailor(server_->url(), {"models", "shadow-report", "knn"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  EXPECT_NE(rep.out.find("\"rank_correlation\""), std::string::npos) << rep.out;
  CommandResult off = Tailor(server_->url(), {"models", "shadow", "knn", "--off"});
  ASSERT_EQ(off.exit_code, 0) << off.err << off.out;
  EXPECT_TRUE(api_->Get("/v1/models/knn/shadow").json["shadow_version"].is_null());
  CommandResult back = Tailor(server_->url(), {"models", "rollback", "knn"});
  ASSERT_EQ(back.exit_code, 0) << back.err << back.out;
  CommandResult again = Tailor(server_->url(), {"models", "rollback", "knn"});
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.err.find("no earlier live version"), std::string::npos) << again.err << again.out;
  CommandResult unknown = Tailor(server_->url(), {"train", "--model", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
}

}  // namespace
}  // namespace tailor::integration
