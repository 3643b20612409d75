#include "app/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "testutil/testutil.h"

namespace tailor::app {
namespace {

TEST(Settings, PrecedenceFlagOverEnvOverFileOverDefault) {
  testutil::TempDir dir;
  std::string file = dir.str() + "/tailor.yaml";
  std::ofstream(file) << "listen: 0.0.0.0:9000\nhttp_threads: 3\nmax_body_bytes: 1MiB\n"
                         "request_timeout: 5s\n";
  setenv("TAILOR_HTTP_THREADS", "4", 1);
  auto s = ResolveSettings(file, {{"listen", "127.0.0.1:7000"}});
  unsetenv("TAILOR_HTTP_THREADS");
  ASSERT_OK(s);
  EXPECT_EQ(s->listen, "127.0.0.1:7000");
  EXPECT_EQ(s->http_threads, 4);
  EXPECT_EQ(s->max_body_bytes, 1u << 20);
  EXPECT_EQ(s->request_timeout_ms, 5000);
  EXPECT_EQ(s->data_dir, "./tailor-data");
}

TEST(Settings, ErrorsNameTheSetting) {
  testutil::TempDir dir;
  std::string file = dir.str() + "/tailor.yaml";
  std::ofstream(file) << "lisen: x\n";
  auto s = ResolveSettings(file, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("unknown setting 'lisen'"), std::string::npos);
  EXPECT_NE(s.status().message().find(":1:"), std::string::npos);
  auto bad = ResolveSettings("", {{"http_threads", "many"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().path(), "http_threads");
  EXPECT_FALSE(ResolveSettings("", {{"listen", "nope"}}).ok());
  EXPECT_FALSE(ResolveSettings("", {{"log_level", "loud"}}).ok());
}

TEST(Settings, ProfileFlushIntervalTurnsWriteBehindOffAtZero) {
  auto d = ResolveSettings("", {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->profile_flush_interval_ms, 5000);  // write-behind by default
  auto off = ResolveSettings("", {{"profile_flush_interval", "0ms"}});
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->profile_flush_interval_ms, 0);
  auto five = ResolveSettings("", {{"profile_flush_interval", "1s"}});
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  EXPECT_EQ(five->profile_flush_interval_ms, 1000);
  auto bad = ResolveSettings("", {{"profile_flush_interval", "soon"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().path(), "profile_flush_interval");
}

TEST(Settings, DedupWriteBehindIsOffUnlessAsked) {
  auto d = ResolveSettings("", {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FALSE(d->dedup_write_behind);
  auto on = ResolveSettings("", {{"dedup_write_behind", "true"}});
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_TRUE(on->dedup_write_behind);
  auto bad = ResolveSettings("", {{"dedup_write_behind", "sometimes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().path(), "dedup_write_behind");
}

TEST(Settings, MarkdownListsEveryRow) {
  std::string md = SettingsMarkdown();
  for (const auto& row : SettingsTable()) {
    EXPECT_NE(md.find("`" + std::string(row.name) + "`"), std::string::npos) << row.name;
    EXPECT_NE(md.find(EnvName(row.name)), std::string::npos);
  }
}

}  // namespace
}  // namespace tailor::app
