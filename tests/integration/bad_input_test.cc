// Hostile and malformed input against a real server: every bad request gets a precise
// error, the server keeps serving, nothing acknowledged is lost and every rejected event
// lands in the dead-letter store.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

constexpr int kMaxBatchEvents = 50;

class IntegrationBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = TailorServer::Start(
        (dir_.path() / "data").string(),
        {"--max-body-bytes", "64KiB", "--max-batch-events", std::to_string(kMaxBatchEvents)});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    api_ = std::make_unique<ApiClient>(server_->url());
  }

  void TearDown() override {
    if (!server_) return;
    // After whatever the test sent, the server still serves ...
    ApiClient fresh(server_->url());
    Reply h = fresh.Get("/healthz");
    EXPECT_EQ(h.status, 200) << "server stopped serving: " << h.Describe();
    // ... every acknowledged event is readable through its profile ...
    for (const auto& [user, ids] : accepted_) {
      std::vector<std::string> stored;
      Reply failure;
      ASSERT_TRUE(CollectEventIds(fresh, user, &stored, &failure))
          << "user " << user << ": " << failure.Describe();
      std::multiset<std::string> have(stored.begin(), stored.end());
      for (const auto& id : ids) {
        EXPECT_EQ(have.count(id), 1u) << "acknowledged event " << id << " of " << user;
      }
      EXPECT_EQ(stored.size(), ids.size()) << "user " << user;
    }
    // ... and every rejected event (with a readable id) is a dead letter.
    std::set<std::string> dead;
    std::string after;
    for (int page = 0; page < 100; ++page) {
      Reply r = fresh.Get("/v1/deadletters?limit=1000" + (after.empty() ? "" : "&after=" + UrlEncode(after)));
      ASSERT_EQ(r.status, 200) << r.Describe();
      for (const auto& d : r.json["dead_letters"]) {
        if (d["event_id"].is_string()) dead.insert(d["event_id"].get<std::string>());
        EXPECT_TRUE(d["error"]["code"].is_string()) << d.dump();
        EXPECT_FALSE(d["event"].is_null()) << "the raw element is kept: " << d.dump();
      }
      if (!r.json["next_after"].is_string()) break;
      after = r.json["next_after"].get<std::string>();
    }
    for (const auto& id : rejected_) EXPECT_EQ(dead.count(id), 1u) << "rejected event " << id;
  }

  // Posts `events` and checks the outcome: `bad` maps each index expected to be rejected
  // to its error path. Records accepted and rejected ids for TearDown.
  void PostMixed(const std::vector<Json>& events, const std::map<size_t, std::string>& bad) {
    Reply r = api_->Post("/v1/events", BatchBody(events));
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.json["accepted"], events.size() - bad.size()) << r.Describe();
    ASSERT_EQ(r.json["rejected"].size(), bad.size()) << r.Describe();
    std::set<size_t> rejected_indexes;
    for (const auto& rej : r.json["rejected"]) {
      size_t index = rej["index"].get<size_t>();
      rejected_indexes.insert(index);
      auto it = bad.find(index);
      ASSERT_NE(it, bad.end()) << "unexpected rejection " << rej.dump();
      EXPECT_EQ(rej["error"]["path"], it->second) << rej.dump();
      EXPECT_EQ(rej["error"]["code"], "invalid_argument") << rej.dump();
      EXPECT_FALSE(rej["error"]["message"].get<std::string>().empty());
      const Json& sent = events[index];
      // Dead letters echo the event id only when it is a well-formed id.
      if (sent.is_object() && sent.contains("event_id") && sent["event_id"].is_string()) {
        std::string id = sent["event_id"].get<std::string>();
        bool readable = !id.empty();
        for (unsigned char c : id) readable = readable && c >= 0x20 && c != 0x7f;
        if (readable) rejected_.push_back(id);
      }
    }
    for (size_t i = 0; i < events.size(); ++i) {
      if (rejected_indexes.count(i)) continue;
      accepted_[events[i]["user_id"].get<std::string>()].push_back(
          events[i]["event_id"].get<std::string>());
    }
  }

  // Expects a whole-body failure with `status`, the error shape and (when non-empty) path.
  void ExpectBodyError(const std::string& body, int status, const std::string& path) {
    Reply r = api_->Post("/v1/events", body);
    EXPECT_EQ(r.status, status) << "body " << body.substr(0, 200) << " -> " << r.Describe();
    ASSERT_TRUE(r.json.is_object() && r.json.contains("error")) << r.Describe();
    EXPECT_TRUE(r.json["error"].contains("path")) << r.Describe();
    if (!path.empty()) {
      EXPECT_EQ(r.json["error"]["path"], path) << r.Describe();
    }
  }

  testutil::TempDir dir_;
  std::unique_ptr<TailorServer> server_;
  std::unique_ptr<ApiClient> api_;
  std::map<std::string, std::vector<std::string>> accepted_;  // user -> event ids
  std::vector<std::string> rejected_;                          // rejected event ids
};

TEST_F(IntegrationBadInput, MalformedJsonAndWrongTopLevelTypes) {
  ExpectBodyError(R"({"events":[{"event_id":"x",)", 400, "");
  ExpectBodyError("not json at all", 400, "");
  ExpectBodyError("", 400, "");
  ExpectBodyError(R"([{"event_id":"x"}])", 400, "");
  ExpectBodyError(R"("events")", 400, "");
  ExpectBodyError(R"({"events":{"event_id":"x"}})", 400, "events");
  ExpectBodyError(R"({"events":"x"})", 400, "events");
  ExpectBodyError(R"({})", 400, "events");
  ExpectBodyError(R"({"events":[],"batch":1})", 400, "batch");
}

TEST_F(IntegrationBadInput, MissingFieldsRejectEventsNotTheBatch) {
  Json no_id = MakeEvent("unused", "page_view", "u-missing");
  no_id.erase("event_id");
  Json no_type = MakeEvent("bad-no-type", "page_view", "u-missing");
  no_type.erase("type");
  Json no_user = MakeEvent("bad-no-user", "page_view", "");
  Json no_ts = MakeEvent("bad-no-ts", "page_view", "u-missing");
  no_ts.erase("timestamp");
  Json bad_type = MakeEvent("bad-type-name", "Page View", "u-missing");
  Json null_props = MakeEvent("ok-null-props", "page_view", "u-missing", "", {{"properties", nullptr}});
  PostMixed({MakeEvent("ok-1", "page_view", "u-missing"), no_id, no_type,
             MakeEvent("ok-2", "page_view", "u-missing"), no_user, no_ts, bad_type, null_props,
             Json(42)},
            {{1, "events[1].event_id"},
             {2, "events[2].type"},
             {4, "events[4].user_id"},
             {5, "events[5].timestamp"},
             {6, "events[6].type"},
             {8, "events[8]"}});
}

TEST_F(IntegrationBadInput, UnknownMembersAndWrongMemberTypes) {
  PostMixed({MakeEvent("um-ok", "page_view", "u-members"),
             MakeEvent("um-unknown", "page_view", "u-members", "", {{"userId", "u-members"}}),
             MakeEvent("um-props", "page_view", "u-members", "", {{"properties", "a string"}}),
             MakeEvent("um-traits", "page_view", "u-members", "", {{"traits", {{"a", 1}}}}),
             MakeEvent("um-id-num", "page_view", "u-members", "", {{"anonymous_id", 7}}),
             MakeEvent("um-ts-float", "page_view", "u-members", "", {{"timestamp", 1.5e12}})},
            {{1, "events[1].userId"},
             {2, "events[2].properties"},
             {3, "events[3].traits"},
             {4, "events[4].anonymous_id"},
             {5, "events[5].timestamp"}});
}

TEST_F(IntegrationBadInput, TimestampsOutsideTheWindow) {
  int64_t now = NowMs();
  const int64_t day = 86'400'000;
  PostMixed({MakeEvent("ts-ok-past", "page_view", "u-ts", "", {{"timestamp", now - 30 * day}}),
             MakeEvent("ts-future", "page_view", "u-ts", "", {{"timestamp", now + 2 * day}}),
             MakeEvent("ts-old", "page_view", "u-ts", "", {{"timestamp", now - 500 * day}}),
             MakeEvent("ts-seconds", "page_view", "u-ts", "", {{"timestamp", now / 1000}}),
             MakeEvent("ts-year-9999", "page_view", "u-ts", "", {{"timestamp", "9999-12-31T23:59:59Z"}}),
             MakeEvent("ts-garbage", "page_view", "u-ts", "", {{"timestamp", "yesterday"}}),
             MakeEvent("ts-negative", "page_view", "u-ts", "", {{"timestamp", -1}}),
             MakeEvent("ts-ok-iso", "page_view", "u-ts", "", {{"timestamp", "2020-01-01T00:00:00Z"}})},
            {{1, "events[1].timestamp"},
             {2, "events[2].timestamp"},
             {3, "events[3].timestamp"},
             {4, "events[4].timestamp"},
             {5, "events[5].timestamp"},
             {6, "events[6].timestamp"},
             {7, "events[7].timestamp"}});  // 2020 is older than the 400-day horizon
}

TEST_F(IntegrationBadInput, OversizedBodyAndBatchAre413) {
  // 64 KiB body limit: ~100 KiB of otherwise valid events.
  std::vector<Json> big;
  std::string pad(900, 'x');
  for (int i = 0; i < 40; ++i) {
    big.push_back(MakeEvent("big-" + std::to_string(i), "page_view", "u-big", "",
                            {{"properties", {{"pad", pad}, {"pad2", pad}, {"pad3", pad}}}}));
  }
  std::string body = BatchBody(big);
  ASSERT_GT(body.size(), 64u * 1024);
  Reply r = api_->Post("/v1/events", body);
  EXPECT_EQ(r.status, 413) << r.Describe();
  EXPECT_EQ(r.json["error"]["code"], "payload_too_large") << r.Describe();

  std::vector<Json> many;
  for (int i = 0; i <= kMaxBatchEvents; ++i) {
    many.push_back(MakeEvent("many-" + std::to_string(i), "page_view", "u-many"));
  }
  ASSERT_LT(BatchBody(many).size(), 64u * 1024);
  r = api_->Post("/v1/events", BatchBody(many));
  EXPECT_EQ(r.status, 413) << r.Describe();
  EXPECT_EQ(r.json["error"]["path"], "events") << r.Describe();
  // Nothing of a refused batch is stored; exactly the limit is fine.
  EXPECT_EQ(api_->Get("/v1/profiles/u-many").status, 404);
  EXPECT_EQ(api_->Get("/v1/profiles/u-big").status, 404);
  many.pop_back();
  PostMixed(many, {});
}

TEST_F(IntegrationBadInput, UnicodeEdgeCases) {
  // Emoji and other non-ASCII ids are fine, and the profile is reachable by its
  // percent-encoded id.
  PostMixed({MakeEvent("emoji-\xF0\x9F\x98\x80-1", "page_view", "user-\xF0\x9F\x8D\x95"),
             MakeEvent("cjk-\xE4\xB8\xAD\xE6\x96\x87", "page_view", "user-\xF0\x9F\x8D\x95"),
             MakeEvent("nul-in-id", "page_view", std::string("a\0b", 3)),
             MakeEvent(std::string("nul\0event", 9), "page_view", "user-ok-ascii"),
             MakeEvent("tab-in-id", "page_view", "a\tb")},
            {{2, "events[2].user_id"}, {3, "events[3].event_id"}, {4, "events[4].user_id"}});
  Reply p = api_->Get("/v1/profiles/" + UrlEncode("user-\xF0\x9F\x8D\x95"));
  EXPECT_EQ(p.status, 200) << p.Describe();
  EXPECT_EQ(p.json["identities"]["user_ids"], Json::array({"user-\xF0\x9F\x8D\x95"}));

  // Invalid UTF-8 anywhere in the body fails the body.
  std::string body = BatchBody({MakeEvent("utf8-bad", "page_view", "PLACEHOLDER")});
  body.replace(body.find("PLACEHOLDER"), 11, "bad-\xC3\x28-\xFF");
  ExpectBodyError(body, 400, "");
  // A lone UTF-16 surrogate escape is not a string JSON can carry.
  ExpectBodyError(R"({"events":[{"event_id":"sur","type":"page_view","user_id":"\ud800","timestamp":1}]})",
                  400, "");
  // An unescaped control character inside a string.
  ExpectBodyError(std::string(R"({"events":[{"event_id":"ctl)") + "\x01" + R"(","type":"x"}]})",
                  400, "");
  EXPECT_EQ(api_->Get("/v1/profiles/" + UrlEncode("bad-\xC3\x28-\xFF")).status, 404);
}

TEST_F(IntegrationBadInput, UnknownRouteAndWrongMethod) {
  Reply r = api_->Get("/v1/nothing-here");
  EXPECT_EQ(r.status, 404) << r.Describe();
  EXPECT_EQ(r.json["error"]["code"], "not_found") << r.Describe();
  r = api_->Delete("/v1/events");
  EXPECT_EQ(r.status, 405) << r.Describe();
  EXPECT_EQ(r.json["error"]["code"], "method_not_allowed") << r.Describe();
  r = api_->Send(server::Method::kPut, "/v1/profiles/x", "{}");
  EXPECT_EQ(r.status, 405) << r.Describe();
  r = api_->Get("/v1/profiles/x/events?limit=0");
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.json["error"]["path"], "limit") << r.Describe();
  r = api_->Get("/v1/profiles/x/events?cursor=nonsense");
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.json["error"]["path"], "cursor") << r.Describe();
  r = api_->Get("/v1/profiles/%ZZ");
  EXPECT_EQ(r.status, 400) << r.Describe();
}

TEST_F(IntegrationBadInput, DuplicatesInAndAcrossBatches) {
  Json e = MakeEvent("dup-1", "page_view", "u-dup");
  PostMixed({e, MakeEvent("dup-2", "page_view", "u-dup")}, {});
  Reply r = api_->Post("/v1/events", BatchBody({e, e, MakeEvent("dup-3", "page_view", "u-dup")}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 1) << r.Describe();
  EXPECT_EQ(r.json["duplicates"], 2) << r.Describe();
  accepted_["u-dup"].push_back("dup-3");
}

}  // namespace
}  // namespace tailor::integration
