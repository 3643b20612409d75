// Identity resolution and consent gating through a real server.
#include <gtest/gtest.h>

#include <algorithm>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

class IntegrationIdentity : public ServerTest {
 protected:
  // Posts `events`, expecting every one accepted.
  void PostAll(const std::vector<Json>& events) {
    Reply r = api_->Post("/v1/events", BatchBody(events));
    ASSERT_EQ(r.status, 200) << r.Describe();
    ASSERT_EQ(r.json["accepted"], events.size()) << r.Describe();
  }

  std::vector<std::string> SortedEventIds(const std::string& id) {
    std::vector<std::string> ids;
    Reply failure;
    EXPECT_TRUE(CollectEventIds(*api_, id, &ids, &failure)) << failure.Describe();
    std::sort(ids.begin(), ids.end());
    return ids;
  }

};

TEST_F(IntegrationIdentity, IdentifyMergesAnonymousProfileIntoUser) {
  // Anonymous browsing, with a trait set while still anonymous.
  PostAll({MakeEvent("an-1", "page_view", "", "anon-42"),
           MakeEvent("an-2", "page_view", "", "anon-42"),
           MakeEvent("an-3", "identify", "", "anon-42", {{"traits", {{"color", "blue"}}}})});
  // The known user on another device.
  PostAll({MakeEvent("us-1", "page_view", "ann"),
           MakeEvent("us-2", "identify", "ann", "", {{"traits", {{"plan", "pro"}}}})});
  Reply anon_before = api_->Get("/v1/profiles/anon-42");
  Reply user_before = api_->Get("/v1/profiles/ann");
  ASSERT_EQ(anon_before.status, 200) << anon_before.Describe();
  ASSERT_EQ(user_before.status, 200) << user_before.Describe();
  ASSERT_NE(anon_before.json["id"], user_before.json["id"]);

  // Logging in links the two.
  PostAll({MakeEvent("link-1", "identify", "ann", "anon-42", {{"traits", {{"name", "Ann"}}}})});

  Reply by_user = api_->Get("/v1/profiles/ann");
  Reply by_anon = api_->Get("/v1/profiles/anon-42");
  ASSERT_EQ(by_user.status, 200) << by_user.Describe();
  ASSERT_EQ(by_anon.status, 200) << by_anon.Describe();
  EXPECT_EQ(by_user.json["id"], by_anon.json["id"]);
  EXPECT_EQ(by_user.json["id"], user_before.json["id"]) << "the user's profile survives";
  EXPECT_EQ(by_user.json["event_count"], 6) << by_user.body;
  EXPECT_EQ(by_user.json["traits"], (Json{{"color", "blue"}, {"plan", "pro"}, {"name", "Ann"}}))
      << by_user.body;
  EXPECT_EQ(by_user.json["identities"]["user_ids"], Json::array({"ann"})) << by_user.body;
  EXPECT_EQ(by_user.json["identities"]["anonymous_ids"], Json::array({"anon-42"})) << by_user.body;
  EXPECT_NE(by_user.body.find(anon_before.json["id"].get<std::string>()), std::string::npos)
      << "merged_from should name the anonymous profile: " << by_user.body;
  // The old anonymous profile id no longer resolves to a profile of its own.
  Reply old = api_->Get("/v1/profiles/" + anon_before.json["id"].get<std::string>() + "?id_type=profile");
  EXPECT_EQ(old.status, 404) << old.Describe();

  std::vector<std::string> expected = {"an-1", "an-2", "an-3", "link-1", "us-1", "us-2"};
  EXPECT_EQ(SortedEventIds("ann"), expected);
  EXPECT_EQ(SortedEventIds("anon-42"), expected);

  // Later anonymous events land on the merged profile.
  PostAll({MakeEvent("an-4", "page_view", "", "anon-42")});
  EXPECT_EQ(api_->Get("/v1/profiles/ann").json["event_count"], 7);
}

TEST_F(IntegrationIdentity, IdentifyLinksWhenOnlyTheAnonymousProfileExists) {
  PostAll({MakeEvent("solo-1", "page_view", "", "anon-solo")});
  std::string pid = api_->Get("/v1/profiles/anon-solo").json.value("id", "");
  ASSERT_FALSE(pid.empty());
  EXPECT_EQ(api_->Get("/v1/profiles/bob").status, 404);
  PostAll({MakeEvent("solo-2", "identify", "bob", "anon-solo")});
  Reply bob = api_->Get("/v1/profiles/bob");
  ASSERT_EQ(bob.status, 200) << bob.Describe();
  EXPECT_EQ(bob.json["id"], pid);
  EXPECT_EQ(bob.json["event_count"], 2);
  // id_type narrows the lookup.
  EXPECT_EQ(api_->Get("/v1/profiles/bob?id_type=anonymous").status, 404);
  EXPECT_EQ(api_->Get("/v1/profiles/anon-solo?id_type=anonymous").json["id"], pid);
}

TEST_F(IntegrationIdentity, ConsentRequiredForStorage) {
  Reply cfg = api_->Post("/v1/config",
                         Json{{"files", {{"consent.yaml", "consent:\n  required_for_storage: analytics\n"}}}});
  ASSERT_EQ(cfg.status, 200) << cfg.Describe();

  int64_t t = NowMs() - 60'000;
  auto at = [&t](Json e) {
    e["timestamp"] = t += 1000;
    return e;
  };
  auto consent = [](bool granted) {
    return Json{{"consent", {{"purposes", {{"analytics", granted}}}, {"source", "banner"}}}};
  };

  // No consent yet: dropped and counted, nothing stored, no profile created.
  Reply r = api_->Post("/v1/events", BatchBody({at(MakeEvent("c-0", "page_view", "carol"))}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 0) << r.Describe();
  EXPECT_EQ(r.json["dropped"]["no_consent"], 1) << r.Describe();
  EXPECT_EQ(api_->Get("/v1/profiles/carol").status, 404);

  // Granting consent stores the consent event and what follows.
  r = api_->Post("/v1/events", BatchBody({at(MakeEvent("c-1", "consent", "carol", "", consent(true))),
                                          at(MakeEvent("c-2", "page_view", "carol"))}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 2) << r.Describe();

  // Revoking stops storage again (the revocation itself is recorded on the profile).
  r = api_->Post("/v1/events", BatchBody({at(MakeEvent("c-3", "consent", "carol", "", consent(false))),
                                          at(MakeEvent("c-4", "page_view", "carol"))}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json["accepted"], 0) << r.Describe();
  EXPECT_EQ(r.json["dropped"]["no_consent"], 2) << r.Describe();

  Reply p = api_->Get("/v1/profiles/carol");
  ASSERT_EQ(p.status, 200) << p.Describe();
  EXPECT_EQ(p.json["event_count"], 2) << p.body;
  EXPECT_EQ(p.json["consents"]["analytics"]["granted"], false) << p.body;
  EXPECT_EQ(SortedEventIds("carol"), (std::vector<std::string>{"c-1", "c-2"}));

  // An unknown purpose is a per-event rejection naming the purpose.
  r = api_->Post("/v1/events",
                 BatchBody({MakeEvent("c-5", "consent", "carol", "",
                                      Json{{"consent", {{"purposes", {{"telemetry", true}}}}}})}));
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_EQ(r.json["rejected"].size(), 1u) << r.Describe();
  EXPECT_EQ(r.json["rejected"][0]["error"]["path"], "events[0].consent.purposes.telemetry")
      << r.Describe();
}

}  // namespace
}  // namespace tailor::integration
