// Authentication, scopes, keys and the public endpoints of a real server.
#include <gtest/gtest.h>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

class IntegrationApi : public ServerTest {
 protected:
  // Asserts the common error body shape and returns the error code.
  static std::string ErrorCode(const Reply& r) {
    EXPECT_TRUE(r.json.is_object()) << r.Describe();
    if (!r.json.is_object() || !r.json.contains("error")) return "";
    const Json& e = r.json["error"];
    EXPECT_TRUE(e.contains("code") && e["code"].is_string()) << r.Describe();
    EXPECT_TRUE(e.contains("message") && e["message"].is_string()) << r.Describe();
    EXPECT_TRUE(e.contains("path")) << r.Describe();
    EXPECT_TRUE(e["path"].is_null() || e["path"].is_string()) << r.Describe();
    return e.value("code", "");
  }

};

TEST_F(IntegrationApi, MissingKeyIs401WithErrorBody) {
  ApiClient anon(server_->url(), "");
  Reply r = anon.Get("/v1/profiles/x");
  EXPECT_EQ(r.status, 401) << r.Describe();
  EXPECT_EQ(ErrorCode(r), "unauthenticated");
  r = anon.Post("/v1/events", BatchBody({MakeEvent("api-e1", "page_view", "u1")}));
  EXPECT_EQ(r.status, 401) << r.Describe();
  EXPECT_EQ(ErrorCode(r), "unauthenticated");
}

TEST_F(IntegrationApi, WrongKeyIs401) {
  ApiClient wrong(server_->url(), "tk_this-is-not-a-key-of-this-server");
  Reply r = wrong.Get("/v1/keys");
  EXPECT_EQ(r.status, 401) << r.Describe();
  EXPECT_EQ(ErrorCode(r), "unauthenticated");
  // A near miss of the real key is not accepted either.
  std::string near(kAdminKey);
  near.back() = near.back() == 'j' ? 'k' : 'j';
  ApiClient almost(server_->url(), near);
  EXPECT_EQ(almost.Get("/v1/keys").status, 401);
}

TEST_F(IntegrationApi, ScopedKeyIs403OutsideItsScope) {
  ApiClient admin(server_->url());
  Reply created = admin.Post("/v1/keys", Json{{"name", "writer"}, {"scopes", {"events:write"}}});
  ASSERT_EQ(created.status, 201) << created.Describe();
  std::string secret = created.json.value("key", "");
  ASSERT_FALSE(secret.empty()) << created.Describe();

  ApiClient writer(server_->url(), secret);
  Reply r = writer.Get("/v1/profiles/x");
  EXPECT_EQ(r.status, 403) << r.Describe();
  EXPECT_EQ(ErrorCode(r), "permission_denied");
  EXPECT_EQ(writer.Get("/v1/keys").status, 403);
  EXPECT_EQ(writer.Post("/v1/config", Json{{"files", Json::object()}}).status, 403);
  // Within its scope it works.
  r = writer.Post("/v1/events", BatchBody({MakeEvent("api-scope-1", "page_view", "u-scope")}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 1) << r.Describe();
  // An unknown scope name is a 400 naming the position.
  r = admin.Post("/v1/keys", Json{{"name", "bad"}, {"scopes", {"events:write", "root"}}});
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.json["error"]["path"], "scopes[1]") << r.Describe();
}

TEST_F(IntegrationApi, KeysListAndDelete) {
  ApiClient admin(server_->url());
  Reply created = admin.Post("/v1/keys", Json{{"name", "reader"}, {"scopes", {"profiles:read"}}});
  ASSERT_EQ(created.status, 201) << created.Describe();
  std::string id = created.json.value("id", "");
  std::string secret = created.json.value("key", "");
  ASSERT_FALSE(id.empty());

  Reply list = admin.Get("/v1/keys");
  ASSERT_EQ(list.status, 200) << list.Describe();
  bool found = false;
  for (const auto& k : list.json["keys"]) {
    EXPECT_FALSE(k.contains("key")) << "secrets must never be listed: " << list.body;
    if (k["id"] == id) {
      found = true;
      EXPECT_EQ(k["name"], "reader");
      EXPECT_EQ(k["scopes"], Json::array({"profiles:read"}));
    }
  }
  EXPECT_TRUE(found) << list.body;
  EXPECT_EQ(list.json["keys"].size(), 2u) << list.body;  // the bootstrap admin key + this one
  EXPECT_EQ(list.body.find(secret), std::string::npos);

  ApiClient reader(server_->url(), secret);
  EXPECT_EQ(reader.Get("/v1/profiles/nobody").status, 404);  // authenticated, no such profile

  Reply del = admin.Delete("/v1/keys/" + id);
  EXPECT_EQ(del.status, 200) << del.Describe();
  Reply after = reader.Get("/v1/profiles/nobody");
  EXPECT_EQ(after.status, 401) << after.Describe();
  EXPECT_EQ(admin.Delete("/v1/keys/" + id).status, 404);
  list = admin.Get("/v1/keys");
  EXPECT_EQ(list.json["keys"].size(), 1u) << list.body;
}

TEST_F(IntegrationApi, HealthReadyAndMetricsNeedNoKey) {
  ApiClient anon(server_->url(), "");
  Reply h = anon.Get("/healthz");
  EXPECT_EQ(h.status, 200) << h.Describe();
  EXPECT_EQ(h.json["status"], "ok");
  Reply ready = anon.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.Describe();
  EXPECT_EQ(ready.json["ready"], true) << ready.Describe();
  EXPECT_EQ(ready.json["config_version"], 0) << ready.Describe();

  ApiClient admin(server_->url());
  Reply ingest = admin.Post("/v1/events", BatchBody({MakeEvent("api-m1", "page_view", "u-m"),
                                                     MakeEvent("api-m2", "page_view", "u-m")}));
  ASSERT_EQ(ingest.status, 200) << ingest.Describe();

  Reply m = anon.Get("/metrics");
  ASSERT_EQ(m.status, 200) << m.Describe();
  EXPECT_NE(m.body.find("tailor_http_requests_total"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("tailor_events_total{outcome=\"accepted\"} 2\n"), std::string::npos)
      << m.body;
  // No decision yet: no view built, on a request or in the background.
  EXPECT_NE(m.body.find("tailor_decision_view_builds_total{where=\"request\"} 0\n"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("tailor_decision_view_builds_total{where=\"background\"} 0\n"), std::string::npos)
      << m.body;
}

}  // namespace
}  // namespace tailor::integration
