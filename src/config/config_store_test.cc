#include "config/config_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "core/clock.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::config {
namespace {

const ConfigFiles kV1 = {{"events.yaml", "events:\n  strict: false\n"}};
const ConfigFiles kV2 = {{"events.yaml", "events:\n  strict: true\n"},
                         {"sessions.yaml", "sessions: {inactivity_gap: 1h}\n"}};

class ConfigStoreTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  storage::MemoryStore kv_{clock_};
  ConfigStore store_{kv_};
};

TEST_F(ConfigStoreTest, CurrentIsDefaultsBeforeAnyApply) {
  auto current = store_.Current();
  ASSERT_OK(current);
  EXPECT_EQ((*current)->version, 0u);
  EXPECT_EQ((*current)->digest, DefaultSnapshot().digest);
  auto history = store_.History(10);
  ASSERT_OK(history);
  EXPECT_TRUE(history->empty());
}

TEST_F(ConfigStoreTest, ApplyUnchangedChangedHistoryRollbackDiff) {
  auto r1 = store_.Apply(kV1, "cli", 1000);
  ASSERT_OK(r1);
  EXPECT_TRUE(r1->changed);
  EXPECT_EQ(r1->snapshot->version, 1u);
  EXPECT_EQ(r1->snapshot->applied_by, "cli");
  EXPECT_EQ(r1->snapshot->applied_at_ms, 1000);

  // Same content, different formatting: unchanged, still version 1.
  auto again = store_.Apply({{"events.yaml", "events: {strict: false}  # same\n"}}, "key_2", 2000);
  ASSERT_OK(again);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->snapshot->version, 1u);

  auto r2 = store_.Apply(kV2, "key_1", 3000);
  ASSERT_OK(r2);
  EXPECT_TRUE(r2->changed);
  EXPECT_EQ(r2->snapshot->version, 2u);
  EXPECT_TRUE(r2->snapshot->ingest.strict);

  auto r3 = store_.Rollback(1, "key_1", 4000);
  ASSERT_OK(r3);
  EXPECT_TRUE(r3->changed);
  EXPECT_EQ(r3->snapshot->version, 3u);
  EXPECT_EQ(r3->snapshot->files, kV1);
  EXPECT_EQ(r3->snapshot->digest, r1->snapshot->digest);
  EXPECT_FALSE(r3->snapshot->ingest.strict);

  auto current = store_.Current();
  ASSERT_OK(current);
  EXPECT_EQ((*current)->version, 3u);

  auto history = store_.History(10);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].version, 3u);
  EXPECT_EQ((*history)[0].source_version, 1u);
  EXPECT_EQ((*history)[0].comment, "rollback to v1");
  EXPECT_EQ((*history)[1].version, 2u);
  EXPECT_EQ((*history)[1].applied_by, "key_1");
  EXPECT_EQ((*history)[1].applied_at_ms, 3000);
  EXPECT_EQ((*history)[1].comment, "");
  EXPECT_EQ((*history)[2].version, 1u);
  EXPECT_EQ((*history)[2].digest, r1->snapshot->digest);
  auto limited = store_.History(1);
  ASSERT_OK(limited);
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ((*limited)[0].version, 3u);

  auto diff = store_.Diff(1, 2);
  ASSERT_OK(diff);
  EXPECT_EQ(diff->ToText(),
            "--- v1\n+++ v2\n"
            "changed events.yaml\n-2:   strict: false\n+2:   strict: true\n"
            "added sessions.yaml\n+1: sessions: {inactivity_gap: 1h}\n");
  auto none = store_.Diff(1, 3);
  ASSERT_OK(none);
  EXPECT_TRUE(none->files.empty());

  // Rolling back to what is already current is a no-op.
  auto noop = store_.Rollback(1, "key_1", 5000);
  ASSERT_OK(noop);
  EXPECT_FALSE(noop->changed);
  EXPECT_EQ(noop->snapshot->version, 3u);
}

TEST_F(ConfigStoreTest, GetVersions) {
  ASSERT_OK(store_.Apply(kV1, "cli", 1000));
  auto v1 = store_.Get(1);
  ASSERT_OK(v1);
  EXPECT_EQ((*v1)->version, 1u);
  EXPECT_EQ((*v1)->files, kV1);
  auto v0 = store_.Get(0);
  ASSERT_OK(v0);
  EXPECT_EQ((*v0)->version, 0u);
  EXPECT_EQ(store_.Get(7).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.Rollback(7, "cli", 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_.Diff(1, 7).status().code(), StatusCode::kNotFound);
}

TEST_F(ConfigStoreTest, InvalidConfigStoresNothing) {
  std::vector<ConfigError> errors;
  auto bad = store_.Apply({{"e.yaml", "events: {strict: maybe}\n"}}, "cli", 1, &errors);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_EQ(kv_.CountKeys(storage::Keyspace::kConfig), 0u);
}

TEST_F(ConfigStoreTest, VersionsSurviveANewStoreObject) {
  ASSERT_OK(store_.Apply(kV1, "cli", 1000));
  ASSERT_OK(store_.Apply(kV2, "cli", 2000));
  EXPECT_EQ(kv_.CountKeys(storage::Keyspace::kConfig), 3u);  // v/1, v/2, current
  ConfigStore reopened(kv_);
  auto current = reopened.Current();
  ASSERT_OK(current);
  EXPECT_EQ((*current)->version, 2u);
  EXPECT_EQ((*current)->applied_at_ms, 2000);
  auto r = reopened.Apply(kV2, "cli", 3000);
  ASSERT_OK(r);
  EXPECT_FALSE(r->changed);
}

TEST_F(ConfigStoreTest, ConcurrentAppliesGetDistinctVersions) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::vector<uint64_t> versions(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ConfigFiles files = {{"s.yaml", "sessions: {inactivity_gap: " + std::to_string(t + 1) + "m}\n"}};
      auto r = store_.Apply(files, "t", t);
      if (r.ok()) versions[t] = r->snapshot->version;
    });
  }
  for (auto& th : threads) th.join();
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(LoadDirectory, ReadsConfigFilesSorted) {
  testutil::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
  };
  write("b.yaml", "sessions: {inactivity_gap: 1h}\n");
  write("a.json", "{}");
  write("c.yml", "");
  write("README.md", "not config");
  write(".hidden.yaml", "x");
  std::filesystem::create_directory(dir.path() / "sub.yaml");
  auto files = LoadDirectory(dir.str());
  ASSERT_OK(files);
  std::vector<std::string> names;
  for (const auto& [name, text] : *files) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.json", "b.yaml", "c.yml"}));
  EXPECT_EQ(files->at("b.yaml"), "sessions: {inactivity_gap: 1h}\n");
  EXPECT_EQ(LoadDirectory((dir.path() / "missing").string()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LoadDirectory((dir.path() / "b.yaml").string()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tailor::config
