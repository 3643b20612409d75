// Configuration through the admin API of a real server: versions go live at once,
// errors name file and line, history/diff/rollback, dead-letter replay after a schema
// fix, and rate limits.
#include <gtest/gtest.h>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

// v1: purchases need order_id and revenue.
constexpr char kStrictPurchase[] = R"(events:
  schemas:
    purchase:
      type: object
      required: [order_id, revenue]
      properties:
        order_id: {type: string}
        revenue: {type: number, minimum: 0}
)";

// v2: revenue became optional (the "schema fix").
constexpr char kLenientPurchase[] = R"(events:
  schemas:
    purchase:
      type: object
      required: [order_id]
      properties:
        order_id: {type: string}
        revenue: {type: number, minimum: 0}
)";

Json Files(const std::string& name, const std::string& yaml) {
  return {{"files", {{name, yaml}}}};
}

class IntegrationConfig : public ServerTest {
 protected:
  // Applies one YAML file and returns the new version.
  uint64_t Apply(const std::string& yaml) {
    Reply r = api_->Post("/v1/config", Files("events.yaml", yaml));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.json.value("version", uint64_t{0});
  }

  // A purchase without revenue; returns the ingest reply.
  Reply PostPurchase(const std::string& event_id, bool with_revenue, const std::string& user = "buyer") {
    Json props = {{"order_id", "o-" + event_id}};
    if (with_revenue) props["revenue"] = 12.5;
    return api_->Post("/v1/events",
                      BatchBody({MakeEvent(event_id, "purchase", user, "", {{"properties", props}})}));
  }

  // True when the single-event batch was accepted, false when rejected; fails otherwise.
  static bool Accepted(const Reply& r) {
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.json["accepted"].get<size_t>() + r.json["rejected"].size(), 1u) << r.Describe();
    return r.json["accepted"] == 1;
  }

};

TEST_F(IntegrationConfig, SchemaIsLiveAsSoonAsApplied) {
  EXPECT_TRUE(Accepted(PostPurchase("p-before", /*with_revenue=*/false)));
  Reply r = api_->Post("/v1/config", Files("events.yaml", kStrictPurchase));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["version"], 1) << r.Describe();
  EXPECT_EQ(r.json["changed"], true) << r.Describe();

  Reply rejected = PostPurchase("p-after", false);
  EXPECT_FALSE(Accepted(rejected));
  ASSERT_EQ(rejected.json["rejected"].size(), 1u);
  const Json& err = rejected.json["rejected"][0]["error"];
  EXPECT_EQ(rejected.json["rejected"][0]["event_id"], "p-after");
  EXPECT_EQ(err["path"].get<std::string>().rfind("events[0].properties", 0), 0u) << err.dump();
  EXPECT_TRUE(Accepted(PostPurchase("p-valid", true)));

  EXPECT_EQ(api_->Get("/readyz").json["config_version"], 1);
  // The same configuration again stores nothing.
  r = api_->Post("/v1/config", Files("renamed.yaml", kStrictPurchase));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["version"], 1) << r.Describe();
  EXPECT_EQ(r.json["changed"], false) << r.Describe();
}

TEST_F(IntegrationConfig, InvalidConfigListsEveryErrorWithFileAndLine) {
  Json body = {{"files",
                {{"events.yaml", "events:\n  strict: false\n  strcit: true\n"},
                 {"broken.yaml", "sessions:\n  inactivity_gap: [30m\n"},
                 {"limits.yaml", "rate_limits:\n  default: {rate: -1}\n"}}}};
  Reply r = api_->Post("/v1/config", body);
  ASSERT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.json["error"]["code"], "invalid_argument") << r.Describe();
  const Json& errors = r.json["error"]["errors"];
  ASSERT_TRUE(errors.is_array()) << r.Describe();
  bool typo = false, syntax = false, range = false;
  for (const auto& e : errors) {
    if (e["file"] == "events.yaml" && e["line"] == 3) {
      typo = true;
      EXPECT_NE(e["message"].get<std::string>().find("strict"), std::string::npos) << e.dump();
    }
    if (e["file"] == "broken.yaml" && e["line"].get<int>() >= 1) syntax = true;
    if (e["file"] == "limits.yaml" && e["line"] == 2) range = true;
  }
  EXPECT_TRUE(typo) << r.body;
  EXPECT_TRUE(syntax) << r.body;
  EXPECT_TRUE(range) << r.body;
  // Nothing was stored.
  EXPECT_EQ(api_->Get("/v1/config").json["version"], 0);
  r = api_->Post("/v1/config", Files("notes.txt", "hello"));
  EXPECT_EQ(r.status, 400) << r.Describe();
  r = api_->Post("/v1/config", Json{{"files", "events.yaml"}});
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.json["error"]["path"], "files") << r.Describe();
}

TEST_F(IntegrationConfig, VersionsDiffAndRollback) {
  ASSERT_EQ(Apply(kStrictPurchase), 1u);
  ASSERT_EQ(Apply(kLenientPurchase), 2u);
  EXPECT_TRUE(Accepted(PostPurchase("rb-v2", false)));

  Reply versions = api_->Get("/v1/config/versions");
  ASSERT_EQ(versions.status, 200) << versions.Describe();
  EXPECT_EQ(versions.json["current"], 2);
  ASSERT_EQ(versions.json["versions"].size(), 2u) << versions.body;
  EXPECT_EQ(versions.json["versions"][0]["version"], 2);  // newest first
  EXPECT_EQ(versions.json["versions"][1]["version"], 1);
  EXPECT_NE(versions.json["versions"][0]["digest"], versions.json["versions"][1]["digest"]);

  Reply diff = api_->Get("/v1/config/diff?from=0&to=1");
  ASSERT_EQ(diff.status, 200) << diff.Describe();
  ASSERT_EQ(diff.json["files"].size(), 1u) << diff.body;
  EXPECT_EQ(diff.json["files"][0]["file"], "events.yaml");
  EXPECT_EQ(diff.json["files"][0]["change"], "added");
  diff = api_->Get("/v1/config/diff?from=1&to=2");
  ASSERT_EQ(diff.status, 200) << diff.Describe();
  ASSERT_EQ(diff.json["files"].size(), 1u) << diff.body;
  EXPECT_EQ(diff.json["files"][0]["change"], "changed");
  bool removed = false, added = false;
  for (const auto& l : diff.json["files"][0]["lines"]) {
    removed |= l["op"] == "-" && l["text"].get<std::string>().find("revenue]") != std::string::npos;
    added |= l["op"] == "+" && l["text"].get<std::string>().find("[order_id]") != std::string::npos;
  }
  EXPECT_TRUE(removed && added) << diff.body;
  EXPECT_EQ(api_->Get("/v1/config/diff?from=1&to=9").status, 404);
  EXPECT_EQ(api_->Get("/v1/config/diff").status, 400);

  // Version 0 (built-in defaults) is not a rollback target; unknown versions are 404.
  Reply r = api_->Post("/v1/config/rollback", Json{{"version", 0}});
  EXPECT_EQ(r.status, 400) << r.Describe();
  r = api_->Post("/v1/config/rollback", Json{{"version", 42}});
  EXPECT_EQ(r.status, 404) << r.Describe();

  r = api_->Post("/v1/config/rollback", Json{{"version", 1}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["version"], 3) << r.Describe();
  EXPECT_FALSE(Accepted(PostPurchase("rb-v3", false)));  // v1's behaviour is back
  EXPECT_TRUE(Accepted(PostPurchase("rb-v3-ok", true)));
  versions = api_->Get("/v1/config/versions");
  EXPECT_EQ(versions.json["current"], 3);
  EXPECT_EQ(versions.json["versions"][0]["rollback_of"], 1) << versions.body;
  EXPECT_EQ(api_->Get("/v1/config?version=3").json["files"],
            api_->Get("/v1/config?version=1").json["files"]);
}

TEST_F(IntegrationConfig, DeadLetterReplayAfterSchemaFix) {
  ASSERT_EQ(Apply(kStrictPurchase), 1u);
  std::vector<Json> batch;
  for (int i = 0; i < 3; ++i) {
    std::string id = "dl-" + std::to_string(i);
    batch.push_back(MakeEvent(id, "purchase", "replay-user", "",
                              {{"properties", {{"order_id", "order-" + id}}}}));
  }
  batch.push_back(MakeEvent("dl-ok", "purchase", "replay-user", "",
                            {{"properties", {{"order_id", "o9"}, {"revenue", 3}}}}));
  Reply r = api_->Post("/v1/events", BatchBody(batch));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 1) << r.Describe();
  EXPECT_EQ(r.json["rejected"].size(), 3u) << r.Describe();

  Reply dead = api_->Get("/v1/deadletters");
  ASSERT_EQ(dead.status, 200) << dead.Describe();
  ASSERT_EQ(dead.json["dead_letters"].size(), 3u) << dead.body;
  EXPECT_EQ(dead.json["dead_letters"][0]["event"]["type"], "purchase");

  // Replaying under the same schema keeps them as dead letters.
  r = api_->Post("/v1/deadletters/replay", std::string());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["replayed"], 0) << r.Describe();
  EXPECT_EQ(r.json["still_failing"], 3) << r.Describe();

  ASSERT_EQ(Apply(kLenientPurchase), 2u);
  r = api_->Post("/v1/deadletters/replay", Json::object());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["replayed"], 3) << r.Describe();
  EXPECT_EQ(r.json["still_failing"], 0) << r.Describe();

  std::vector<std::string> ids;
  Reply failure;
  ASSERT_TRUE(CollectEventIds(*api_, "replay-user", &ids, &failure)) << failure.Describe();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"dl-0", "dl-1", "dl-2", "dl-ok"}));
  EXPECT_EQ(api_->Get("/v1/profiles/replay-user").json["event_count"], 4);
  dead = api_->Get("/v1/deadletters");
  EXPECT_EQ(dead.json["dead_letters"].size(), 0u) << dead.body;
  r = api_->Post("/v1/deadletters/replay", Json::object());
  EXPECT_EQ(r.json["replayed"], 0) << r.Describe();
}

TEST_F(IntegrationConfig, RateLimitAdmitsAFullBucketThen429) {
  // A second key, created before the limit applies, has a bucket of its own.
  Reply key = api_->Post("/v1/keys", Json{{"name", "other"}, {"scopes", {"events:write"}}});
  ASSERT_EQ(key.status, 201) << key.Describe();
  ASSERT_EQ(Apply("rate_limits:\n  default: {rate: 5, burst: 5}\n"), 1u);

  auto batch = [](const std::string& prefix) {
    std::vector<Json> events;
    for (int i = 0; i < 10; ++i) {
      events.push_back(MakeEvent(prefix + std::to_string(i), "page_view", "limited"));
    }
    return BatchBody(events);
  };
  Reply first = api_->Post("/v1/events", batch("rl-a-"));
  ASSERT_EQ(first.status, 200) << first.Describe();
  EXPECT_EQ(first.json["accepted"], 10);
  Reply second = api_->Post("/v1/events", batch("rl-b-"));
  ASSERT_EQ(second.status, 429) << second.Describe();
  EXPECT_EQ(second.json["error"]["code"], "resource_exhausted") << second.Describe();
  auto retry = second.Header("Retry-After");
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(std::atoi(retry->c_str()), 1) << *retry;
  EXPECT_LE(std::atoi(retry->c_str()), 3) << *retry;  // 10 tokens owed at 5/s

  ApiClient other(server_->url(), key.json["key"].get<std::string>());
  Reply own = other.Post("/v1/events", batch("rl-c-"));
  EXPECT_EQ(own.status, 200) << own.Describe();

  // The refused batch stored nothing.
  std::vector<std::string> ids;
  Reply failure;
  ASSERT_TRUE(CollectEventIds(*api_, "limited", &ids, &failure)) << failure.Describe();
  EXPECT_EQ(ids.size(), 20u);
  for (const auto& id : ids) EXPECT_EQ(id.rfind("rl-b-", 0), std::string::npos) << id;
}

}  // namespace
}  // namespace tailor::integration
