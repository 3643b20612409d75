// ViewCache's map from external identities to views (GetExternal / PutExternal): what it
// serves, what it refuses, and that it stays within its bound.
#include <gtest/gtest.h>

#include <string>

#include "decision/profile_view.h"

namespace tailor::decision {
namespace {

std::shared_ptr<const ProfileView> MakeView(const std::string& pid, uint64_t config_version,
                                            int64_t built_at_ms) {
  auto v = std::make_shared<ProfileView>();
  v->pid = pid;
  v->config_version = config_version;
  v->built_at_ms = built_at_ms;
  return v;
}

TEST(ViewCacheExternal, ServesTheViewAnIdentityResolvedTo) {
  ViewCache cache;
  auto v = MakeView("p1", 7, 1000);
  cache.Put(v);
  cache.PutExternal('u', "alice", 3, v);
  EXPECT_EQ(cache.GetExternal('u', "alice", 3, 7, 1500, 60'000), v);
  // The same id as another kind is another identity.
  EXPECT_EQ(cache.GetExternal('a', "alice", 3, 7, 1500, 60'000), nullptr);
  cache.PutExternal('a', "alice", 3, MakeView("p2", 7, 1000));
  EXPECT_EQ(cache.GetExternal('u', "alice", 3, 7, 1500, 60'000), v);
  EXPECT_EQ(cache.GetExternal('a', "alice", 3, 7, 1500, 60'000)->pid, "p2");
  // Ids that differ only after a prefix, long ids (not inline), empty ids.
  std::string long_id(200, 'x');
  cache.PutExternal('u', "alice2", 3, MakeView("p3", 7, 1000));
  cache.PutExternal('u', long_id, 3, MakeView("p4", 7, 1000));
  cache.PutExternal('u', "", 3, MakeView("p5", 7, 1000));
  EXPECT_EQ(cache.GetExternal('u', "alice2", 3, 7, 1500, 60'000)->pid, "p3");
  EXPECT_EQ(cache.GetExternal('u', long_id, 3, 7, 1500, 60'000)->pid, "p4");
  EXPECT_EQ(cache.GetExternal('u', long_id + "y", 3, 7, 1500, 60'000), nullptr);
  EXPECT_EQ(cache.GetExternal('u', "", 3, 7, 1500, 60'000)->pid, "p5");
  // A later put replaces the entry.
  auto newer = MakeView("p1", 7, 2000);
  cache.PutExternal('u', "alice", 3, newer);
  EXPECT_EQ(cache.GetExternal('u', "alice", 3, 7, 2500, 60'000), newer);
}

TEST(ViewCacheExternal, RefusesStaleEntries) {
  ViewCache cache;
  auto v = MakeView("p1", 7, 1000);
  cache.Put(v);
  cache.PutExternal('u', "bob", 3, v);
  EXPECT_EQ(cache.GetExternal('u', "bob", 4, 7, 1500, 60'000), nullptr)
      << "the identity index moved since";
  EXPECT_EQ(cache.GetExternal('u', "bob", 3, 8, 1500, 60'000), nullptr) << "another config";
  EXPECT_EQ(cache.GetExternal('u', "bob", 3, 7, 70'000, 60'000), nullptr) << "older than its TTL";
  EXPECT_EQ(cache.GetExternal('u', "bob", 3, 7, 500, 60'000), nullptr) << "built in the future";
  EXPECT_EQ(cache.GetExternal('u', "bob", 3, 7, 1500, 60'000), v);
  cache.Invalidate("p1");  // the profile changed: its view is retired
  EXPECT_EQ(cache.GetExternal('u', "bob", 3, 7, 1500, 60'000), nullptr);
}

TEST(ProfileView, ExpiresOverTheLastFifthOfItsTtlBySpread) {
  ProfileView v;
  v.built_at_ms = 1'000;
  for (uint16_t spread : {0, 1, 100, 199}) {
    v.spread_permille = spread;
    const int64_t life = 60'000 - 60'000 / 1000 * spread;  // 60 s down to 48.06 s
    EXPECT_TRUE(v.FreshAt(1'000, 60'000)) << spread;
    EXPECT_TRUE(v.FreshAt(1'000 + life, 60'000)) << spread;
    EXPECT_FALSE(v.FreshAt(1'000 + life + 1, 60'000)) << spread;
    EXPECT_FALSE(v.FreshAt(999, 60'000)) << "built in the future";
    EXPECT_GE(life, 48'000);
    // A TTL of 0 rebuilds every time but the same millisecond.
    EXPECT_TRUE(v.FreshAt(1'000, 0));
    EXPECT_FALSE(v.FreshAt(1'001, 0));
  }
}

// A background rebuild must not cache a view read before a change to its profile, nor
// replace a view of another config version.
TEST(ViewCache, PutUnlessInvalidatedKeepsOutViewsAChangeOvertook) {
  ViewCache cache;
  uint64_t stamp = cache.InvalidationStamp("p1");
  cache.Invalidate("p1");  // the profile changed while the view was built
  EXPECT_FALSE(cache.PutUnlessInvalidated(MakeView("p1", 7, 1000), stamp));
  EXPECT_EQ(cache.Get("p1", 7, 1500, 60'000), nullptr);

  stamp = cache.InvalidationStamp("p1");
  auto v = MakeView("p1", 7, 1000);
  EXPECT_TRUE(cache.PutUnlessInvalidated(v, stamp));
  EXPECT_EQ(cache.Get("p1", 7, 1500, 60'000), v);
  // A view of config 8 is cached now; a late rebuild under config 7 does not replace it.
  auto newer = MakeView("p1", 8, 2000);
  cache.Put(newer);
  EXPECT_TRUE(v->retired.load());
  EXPECT_FALSE(cache.PutUnlessInvalidated(MakeView("p1", 7, 2500), cache.InvalidationStamp("p1")));
  EXPECT_EQ(cache.Get("p1", 8, 2600, 60'000), newer);
}

TEST(ViewCacheExternal, StaysWithinItsBound) {
  // 64 shards of one entry each: every put past that evicts, and nothing breaks.
  ViewCache cache(64);
  auto v = MakeView("p", 1, 0);
  for (int i = 0; i < 10'000; ++i) {
    char kind = i % 3 == 0 ? 'a' : 'u';
    cache.PutExternal(kind, "id-" + std::to_string(i), 1, v);
    ASSERT_EQ(cache.GetExternal(kind, "id-" + std::to_string(i), 1, 1, 0, 1000), v) << i;
  }
  int kept = 0;
  for (int i = 0; i < 10'000; ++i) {
    char kind = i % 3 == 0 ? 'a' : 'u';
    kept += cache.GetExternal(kind, "id-" + std::to_string(i), 1, 1, 0, 1000) != nullptr;
  }
  EXPECT_LE(kept, 64);
  EXPECT_GE(kept, 1);
}

}  // namespace
}  // namespace tailor::decision
