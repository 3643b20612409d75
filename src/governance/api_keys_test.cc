#include "governance/api_keys.h"

#include <gtest/gtest.h>

#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::governance {
namespace {

class ApiKeysTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  SeededRandom random_{7};
  storage::MemoryStore store_{clock_};
};

TEST_F(ApiKeysTest, CreateAuthenticateDelete) {
  auto keys = ApiKeyStore::Open(store_, clock_, random_);
  ASSERT_OK(keys);
  auto k = (*keys)->Create("ingest", {"events:write"}, "key_admin");
  ASSERT_OK(k);
  EXPECT_EQ(k->secret.substr(0, 3), "tk_");
  auto who = (*keys)->Authenticate(k->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->id, k->record.id);
  EXPECT_EQ(who->scopes, std::vector<std::string>{"events:write"});
  EXPECT_EQ((*keys)->Authenticate("tk_wrong").status().code(), StatusCode::kUnauthenticated);
  ASSERT_OK((*keys)->Delete(k->record.id));
  EXPECT_FALSE((*keys)->Authenticate(k->secret).ok());
  EXPECT_EQ((*keys)->Delete(k->record.id).code(), StatusCode::kNotFound);
}

TEST_F(ApiKeysTest, StoresOnlyHashesAndReloads) {
  std::string secret;
  {
    auto keys = ApiKeyStore::Open(store_, clock_, random_);
    ASSERT_OK(keys);
    auto k = (*keys)->Create("a", {"admin"}, "bootstrap");
    ASSERT_OK(k);
    secret = k->secret;
  }
  auto it = store_.NewIterator(storage::Keyspace::kApiKeys, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_EQ(std::string(it->key()).find(secret), std::string::npos);
    EXPECT_EQ(std::string(it->value()).find(secret), std::string::npos);
  }
  auto reopened = ApiKeyStore::Open(store_, clock_, random_);
  ASSERT_OK(reopened);
  EXPECT_OK((*reopened)->Authenticate(secret));
}

TEST_F(ApiKeysTest, BootstrapOnlyOnce) {
  auto keys = ApiKeyStore::Open(store_, clock_, random_);
  ASSERT_OK(keys);
  auto first = (*keys)->Bootstrap("my-admin-key-0123456789");
  ASSERT_OK(first);
  EXPECT_EQ(first->value(), "my-admin-key-0123456789");
  auto second = (*keys)->Bootstrap("other-admin-key-0123456789");
  ASSERT_OK(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_OK((*keys)->Authenticate("my-admin-key-0123456789"));
  EXPECT_FALSE((*keys)->Import("short", "x", {"admin"}, "t").ok());
}

}  // namespace
}  // namespace tailor::governance
