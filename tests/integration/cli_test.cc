// The `tailor` command line: help for every command, the offline demo -> import ->
// profile path, import into a running server, and argument errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

constexpr std::chrono::seconds kCommandTimeout{30};

CommandResult Tailor(std::vector<std::string> args) {
  SpawnOptions o;
  o.args = {TailorBinary()};
  o.args.insert(o.args.end(), args.begin(), args.end());
  o.env["TAILOR_ADMIN_KEY"] = kAdminKey;
  return RunCommand(o, kCommandTimeout);
}

std::string Show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") +
         "\nstdout:\n" + r.out.substr(0, 3000) + "\nstderr:\n" + r.err.substr(0, 3000);
}

// Parses "N accepted, M duplicates, R rejected" from `tailor import`'s summary.
struct ImportSummary {
  long accepted = -1, duplicates = -1, rejected = -1;
};
ImportSummary ParseImport(const std::string& out) {
  static const std::regex kSummary(R"(: (\d+) accepted, (\d+) duplicates, (\d+) rejected)");
  std::smatch m;
  ImportSummary s;
  if (std::regex_search(out, m, kSummary)) {
    s.accepted = std::stol(m[1]);
    s.duplicates = std::stol(m[2]);
    s.rejected = std::stol(m[3]);
  }
  return s;
}

size_t CountLines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += !line.empty();
  return n;
}

TEST(IntegrationCli, HelpForEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {
      {},
      {"serve"},
      {"import"},
      {"config"},
      {"config", "apply"},
      {"config", "show"},
      {"config", "history"},
      {"config", "diff"},
      {"config", "rollback"},
      {"keys"},
      {"keys", "create"},
      {"keys", "list"},
      {"keys", "delete"},
      {"profile"},
      {"deadletters"},
      {"deadletters", "list"},
      {"deadletters", "replay"},
      {"demo"},
      {"settings"},
  };
  for (auto args : commands) {
    std::string name = "tailor";
    for (const auto& a : args) name += " " + a;
    args.push_back("--help");
    CommandResult r = Tailor(args);
    EXPECT_EQ(r.exit_code, 0) << name << " --help: " << Show(r);
    std::string usage = "Usage: " + name;
    EXPECT_NE(r.out.find(usage), std::string::npos) << name << " --help: " << Show(r);
  }
  // Every setting is a flag of serve.
  CommandResult serve = Tailor({"serve", "--help"});
  for (const char* flag : {"--data-dir", "--listen", "--max-body-bytes", "--max-batch-events",
                           "--sync-writes", "--drain-timeout", "--log-level"}) {
    EXPECT_NE(serve.out.find(flag), std::string::npos) << flag;
  }
  CommandResult settings = Tailor({"settings"});
  EXPECT_EQ(settings.exit_code, 0) << Show(settings);
  EXPECT_NE(settings.out.find("`TAILOR_MAX_BODY_BYTES`"), std::string::npos) << Show(settings);
}

TEST(IntegrationCli, UsageErrorsExitTwo) {
  testutil::TempDir dir;
  auto data = dir.path() / "never-created";
  CommandResult r = Tailor({"serve", "--listen", "nonsense", "--data-dir", data.string()});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << Show(r);
  EXPECT_FALSE(std::filesystem::exists(data)) << "a bad flag must not create the data dir";

  r = Tailor({"serve", "--max-body-bytes", "lots", "--data-dir", data.string()});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  EXPECT_NE(r.err.find("lots"), std::string::npos) << Show(r);

  r = Tailor({});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  r = Tailor({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  r = Tailor({"import", (dir.path() / "missing.jsonl").string(), "--data-dir", data.string()});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << Show(r);
}

// A bad setting's message names the flag as the user typed it.
TEST(IntegrationCli, SettingErrorsNameTheFlag) {
  testutil::TempDir dir;
  auto data = dir.path() / "never-created";
  CommandResult r = Tailor({"serve", "--listen", "nonsense", "--data-dir", data.string()});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  EXPECT_NE(r.err.find("--listen"), std::string::npos) << Show(r);
  r = Tailor({"serve", "--max-body-bytes", "lots", "--data-dir", data.string()});
  EXPECT_EQ(r.exit_code, 2) << Show(r);
  EXPECT_NE(r.err.find("--max-body-bytes"), std::string::npos) << Show(r);
}

TEST(IntegrationCli, DemoImportOfflineThenProfile) {
  testutil::TempDir dir;
  auto events = dir.path() / "demo.jsonl";
  auto data = dir.path() / "data";
  CommandResult demo = Tailor({"demo", "--users", "20", "--out", events.string()});
  ASSERT_EQ(demo.exit_code, 0) << Show(demo);
  size_t lines = CountLines(events);
  ASSERT_GT(lines, 20u);
  EXPECT_NE(demo.err.find("wrote " + std::to_string(lines) + " events for 20 people"),
            std::string::npos)
      << Show(demo);

  CommandResult import = Tailor({"import", events.string(), "--data-dir", data.string()});
  EXPECT_EQ(import.exit_code, 0) << Show(import);
  ImportSummary s = ParseImport(import.out);
  EXPECT_EQ(s.accepted, static_cast<long>(lines)) << Show(import);
  EXPECT_EQ(s.rejected, 0) << Show(import);

  CommandResult profile = Tailor({"profile", "user-1", "--data-dir", data.string(), "--events", "3"});
  ASSERT_EQ(profile.exit_code, 0) << Show(profile);
  EXPECT_NE(profile.out.find("\"user-1\""), std::string::npos) << Show(profile);
  EXPECT_NE(profile.out.find("\"event_count\""), std::string::npos) << Show(profile);
  EXPECT_NE(profile.out.find("\"events\""), std::string::npos) << Show(profile);

  // Importing the same file again changes nothing: every event is a duplicate.
  CommandResult again = Tailor({"import", events.string(), "--data-dir", data.string()});
  EXPECT_EQ(again.exit_code, 0) << Show(again);
  s = ParseImport(again.out);
  EXPECT_EQ(s.accepted, 0) << Show(again);
  EXPECT_EQ(s.duplicates, static_cast<long>(lines)) << Show(again);

  CommandResult missing = Tailor({"profile", "user-does-not-exist", "--data-dir", data.string()});
  EXPECT_EQ(missing.exit_code, 1) << Show(missing);
  EXPECT_NE(missing.err.find("not_found"), std::string::npos) << Show(missing);
}

TEST(IntegrationCli, ImportAndAdminCommandsAgainstARunningServer) {
  testutil::TempDir dir;
  auto events = dir.path() / "demo.jsonl";
  ASSERT_EQ(Tailor({"demo", "--users", "20", "--out", events.string()}).exit_code, 0);
  size_t lines = CountLines(events);
  auto server = TailorServer::Start((dir.path() / "data").string());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->url();

  CommandResult import = Tailor({"import", events.string(), "--url", url, "--key", kAdminKey,
                                 "--batch-size", "37"});
  EXPECT_EQ(import.exit_code, 0) << Show(import);
  ImportSummary s = ParseImport(import.out);
  EXPECT_EQ(s.accepted, static_cast<long>(lines)) << Show(import);
  EXPECT_NE(import.out.find(url), std::string::npos) << Show(import);

  ApiClient api(url);
  Reply p = api.Get("/v1/profiles/user-1");
  ASSERT_EQ(p.status, 200) << p.Describe();
  EXPECT_GT(p.json["event_count"].get<int>(), 0);

  CommandResult bad_key = Tailor({"keys", "list", "--url", url, "--key", "tk_wrong-key-0000000000"});
  EXPECT_EQ(bad_key.exit_code, 1) << Show(bad_key);
  EXPECT_NE(bad_key.err.find("401"), std::string::npos) << Show(bad_key);

  CommandResult keys = Tailor({"keys", "create", "--name", "cli-made", "--scope", "events:write",
                               "--url", url, "--key", kAdminKey});
  EXPECT_EQ(keys.exit_code, 0) << Show(keys);
  EXPECT_NE(keys.out.find("\"key\""), std::string::npos) << Show(keys);
  keys = Tailor({"keys", "list", "--url", url, "--key", kAdminKey});
  EXPECT_EQ(keys.exit_code, 0) << Show(keys);
  EXPECT_NE(keys.out.find("cli-made"), std::string::npos) << Show(keys);

  auto config_dir = dir.path() / "config";
  std::filesystem::create_directories(config_dir);
  std::ofstream(config_dir / "sessions.yaml") << "sessions:\n  inactivity_gap: 10m\n";
  CommandResult apply = Tailor({"config", "apply", config_dir.string(), "--url", url, "--key", kAdminKey});
  EXPECT_EQ(apply.exit_code, 0) << Show(apply);
  EXPECT_EQ(api.Get("/v1/config").json["version"], 1);
  CommandResult history = Tailor({"config", "history", "--url", url, "--key", kAdminKey});
  EXPECT_EQ(history.exit_code, 0) << Show(history);
  EXPECT_NE(history.out.find("\"current\": 1"), std::string::npos) << Show(history);
  CommandResult diff = Tailor({"config", "diff", "0", "1", "--url", url, "--key", kAdminKey});
  EXPECT_EQ(diff.exit_code, 0) << Show(diff);
  EXPECT_NE(diff.out.find("inactivity_gap: 10m"), std::string::npos) << Show(diff);

  std::ofstream(config_dir / "sessions.yaml") << "sessions:\n  inactivity_gapp: 10m\n";
  apply = Tailor({"config", "apply", config_dir.string(), "--url", url, "--key", kAdminKey});
  EXPECT_NE(apply.exit_code, 0) << Show(apply);
  EXPECT_NE(apply.err.find("sessions.yaml:2"), std::string::npos) << Show(apply);

  CommandResult dl = Tailor({"deadletters", "list", "--url", url, "--key", kAdminKey});
  EXPECT_EQ(dl.exit_code, 0) << Show(dl);

  // Offline use of a data directory a server has open fails with a hint, not a hang.
  CommandResult locked = Tailor({"profile", "user-1", "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(locked.exit_code, 1) << Show(locked);
  EXPECT_NE(locked.err.find("--url"), std::string::npos) << Show(locked);
}

}  // namespace
}  // namespace tailor::integration
