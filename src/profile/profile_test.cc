#include "profile/profile.h"

#include <gtest/gtest.h>

#include "core/json_doc.h"
#include "profile/profile_store.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::profile {
namespace {

Profile Sample() {
  Profile p;
  p.id = "01JDABCDEFGHJKMNPQRSTVWXY1";
  p.user_ids = {"u1"};
  p.anonymous_ids = {"a1"};
  p.traits_json = R"({"plan":"pro","address":{"city":"Oslo"}})";
  p.consents["analytics"] = {true, 1000, "banner"};
  p.first_seen_ms = 1000;
  p.last_seen_ms = 5000;
  p.event_count = 3;
  p.session_count = 1;
  p.session_id = "s1";
  p.version = 4;
  return p;
}

TEST(Profile, EncodeDecodeRoundTrip) {
  Profile p = Sample();
  auto back = DecodeProfile(EncodeProfile(p));
  ASSERT_OK(back);
  EXPECT_EQ(EncodeProfile(*back), EncodeProfile(p));
  EXPECT_TRUE(back->HasConsent("analytics"));
  EXPECT_FALSE(back->HasConsent("marketing"));
  EXPECT_EQ(DecodeProfile("{").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeProfile("{\"id\":1}").status().code(), StatusCode::kCorruption);
}

TEST(Profile, MergeTraitsIsMergePatch) {
  std::string t = R"({"plan":"free","address":{"city":"Oslo","zip":"0150"},"old":1})";
  ASSERT_OK(MergeTraits(&t, R"({"plan":"pro","address":{"city":"Bergen"},"old":null})"));
  EXPECT_EQ(*ParseJson(t), *ParseJson(R"({"plan":"pro","address":{"city":"Bergen","zip":"0150"}})"));
  EXPECT_FALSE(MergeTraits(&t, "[1]").ok());
}

TEST(Profile, MergeProfileInto) {
  Profile anon;
  anon.id = "A";
  anon.anonymous_ids = {"a9"};
  anon.traits_json = R"({"theme":"dark","plan":"free"})";
  anon.consents["marketing"] = {true, 9000, "banner"};
  anon.first_seen_ms = 500;
  anon.last_seen_ms = 800;
  anon.event_count = 2;
  Profile user = Sample();
  MergeProfileInto(anon, &user);
  EXPECT_EQ(user.anonymous_ids, (std::vector<std::string>{"a1", "a9"}));
  EXPECT_EQ(*ParseJson(user.traits_json),
            *ParseJson(R"({"theme":"dark","plan":"pro","address":{"city":"Oslo"}})"));
  EXPECT_TRUE(user.HasConsent("marketing"));
  EXPECT_EQ(user.first_seen_ms, 500);
  EXPECT_EQ(user.last_seen_ms, 5000);
  EXPECT_EQ(user.event_count, 5u);
  EXPECT_EQ(user.merged_from, std::vector<std::string>{"A"});
}

TEST(ProfileStore, EventPagesAreNewestFirstWithoutGapsOnTies) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ProfileStore profiles(store);
  std::string pid = "01JDABCDEFGHJKMNPQRSTVWXY1";
  storage::WriteBatch b;
  for (int i = 0; i < 7; ++i) {
    int64_t ts = 1000 + (i / 2) * 10;  // pairs share a timestamp
    b.Put(storage::Keyspace::kEvents, storage::EventKey(pid, ts, "e" + std::to_string(i)),
          "{\"i\":" + std::to_string(i) + "}");
  }
  ASSERT_OK(store.Write(b));
  std::vector<std::string> all;
  std::optional<EventCursor> cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = profiles.Events(pid, 3, cursor);
    ASSERT_OK(page);
    for (auto& e : page->events_json) all.push_back(e);
    if (!page->next) break;
    cursor = page->next;
  }
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.front(), "{\"i\":6}");
  EXPECT_EQ(all.back(), "{\"i\":0}");
}

TEST(ProfileStore, LoadCachesAndEraseRemovesEverything) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ProfileStore profiles(store);
  Profile p = Sample();
  storage::WriteBatch b;
  ProfileStore::Stage(p, &b);
  b.Put(storage::Keyspace::kEvents, storage::EventKey(p.id, 1, "e"), "{}");
  ASSERT_OK(store.Write(b));
  auto loaded = profiles.Load(p.id);
  ASSERT_OK(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->user_ids, p.user_ids);
  storage::WriteBatch erase;
  ProfileStore::StageErase(p.id, &erase);
  ASSERT_OK(store.Write(erase));
  profiles.Forget(p.id);
  EXPECT_FALSE(profiles.Load(p.id)->has_value());
  EXPECT_EQ(store.CountKeys(storage::Keyspace::kEvents), 0u);
}

}  // namespace
}  // namespace tailor::profile
