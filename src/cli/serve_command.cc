#include <iostream>
#include <map>

#include "app/app.h"
#include "app/settings.h"
#include "cli/commands.h"
#include "cli/demo_data.h"
#include "core/clock.h"
#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::cli {

namespace {

// Loads the demo data set into an empty store, in batches through the normal ingest
// path (schemas, consent, sessions, identity merges).
Status LoadDemo(app::App& app, int users) {
  DemoOptions o;
  o.users = users;
  o.now_ms = SystemClock().NowMs();
  std::vector<std::string> batch;
  uint64_t accepted = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    std::string body = "{\"events\":[";
    for (size_t i = 0; i < batch.size(); ++i) body += (i ? "," : "") + batch[i];
    body += "]}";
    batch.clear();
    auto r = app.Call(server::Method::kPost, "/v1/events", body);
    if (r.status != 200) return Internal("demo load failed: " + r.body);
    auto pos = r.body.find("\"accepted\":");
    accepted += std::strtoull(r.body.c_str() + pos + 11, nullptr, 10);
    return Status::OK();
  };
  Status st;
  GenerateDemoEvents(o, [&](const std::string& e) {
    batch.push_back(e);
    if (batch.size() == 500 && st.ok()) st = flush();
  });
  if (st.ok()) st = flush();
  if (st.ok()) std::cerr << "Loaded the demo data set: " << accepted << " events.\n";
  return st;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the HTTP server on a data directory.");
  struct State {
    std::map<std::string, std::string> flags;
    std::string settings_file;
    bool demo = false;
    int demo_users = 500;
    std::map<std::string, std::string> bool_values;
  };
  auto state = std::make_shared<State>();  // owned by the callbacks below
  auto* flags = &state->flags;
  auto* settings_file = &state->settings_file;
  auto* demo = &state->demo;
  auto* demo_users = &state->demo_users;
  cmd->add_option("--settings", *settings_file, "Settings file (YAML key: value)")
      ->envname("TAILOR_SETTINGS");
  cmd->add_flag("--demo", *demo,
                "On an empty data directory, apply the demo config and load a generated demo "
                "data set");
  cmd->add_option("--demo-users", *demo_users, "People in the generated demo data set");
  for (const auto& row : app::SettingsTable()) {
    std::string flag = app::FlagName(row.name).substr(2);
    std::string name(row.name);
    if (row.type == "bool") {
      // `--sync-writes` alone means true; `--sync-writes=false` is accepted too.
      auto* value = &state->bool_values[name];
      cmd->add_flag("--" + flag + "{true}", *value,
                    std::string(row.help) + " [bool, env " + app::EnvName(row.name) + ", default " +
                        row.get(app::Settings{}) + "]");
      continue;
    }
    cmd->add_option_function<std::string>(
        "--" + flag, [flags, name](const std::string& v) { (*flags)[name] = v; },
        std::string(row.help) + " [" + std::string(row.type) + ", env " + app::EnvName(row.name) +
            ", default " + row.get(app::Settings{}) + "]");
  }
  cmd->callback([=, keep = state] {
    for (const auto& [name, value] : keep->bool_values) {
      if (!value.empty()) (*flags)[name] = value;
    }
    auto settings = app::ResolveSettings(*settings_file, *flags);
    if (!settings.ok()) {
      std::cerr << "error: " << settings.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    auto opened = app::App::Open(*settings);
    if (!opened.ok()) {
      std::cerr << "error: " << opened.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    app::App& a = **opened;
    const auto& key = a.bootstrap_key();
    if (key) {
      // Printed at once: a later failure (port taken, bad config) must not lose it.
      std::cout << "Created data directory " << settings->data_dir
                << ". Admin API key (shown once, store it now): " << *key << "\n"
                << std::flush;
    }
    if (!settings->config_dir.empty()) {
      auto applied = a.ApplyConfigDir(settings->config_dir, "serve --config");
      if (!applied.ok()) {
        std::cerr << "error: config " << settings->config_dir << ": " << applied.status().message() << "\n";
        *exit_code = 2;
        return;
      }
      std::cerr << "Config: " << *applied << "\n";
    }
    if (*demo && a.Empty()) {
      std::string body = "{\"files\":{\"demo.yaml\":" + JsonQuote(DemoSchemasYaml()) + "}}";
      auto r = a.Call(server::Method::kPost, "/v1/config", body);
      if (r.status != 200) {
        std::cerr << "error: demo config: " << r.body << "\n";
        *exit_code = 1;
        return;
      }
      if (Status st = LoadDemo(a, *demo_users); !st.ok()) {
        std::cerr << "error: " << st.message() << "\n";
        *exit_code = 1;
        return;
      }
    }
    Status st = a.Serve([&](uint16_t port) {
      std::string host = settings->listen.substr(0, settings->listen.rfind(':'));
      if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
      std::string url = "http://" + host + ":" + std::to_string(port);
      std::string shown = key ? *key : "<your admin key>";
      std::cout << "\nTailor is serving " << settings->data_dir << " at " << url << "\n";
      if (!key) {
        std::cout << "Use an API key of this data directory (the admin key was printed when it "
                     "was created; `tailor keys create` makes more).\n";
      }
      std::cout << "Try:\n  curl -s -H 'Authorization: Bearer " << shown << "' " << url
                << "/v1/profiles/user-1\n"
                << "  curl -s -X POST -H 'Authorization: Bearer " << shown
                << "' -H 'Content-Type: application/json' " << url
                << "/v1/events -d '{\"events\":[{\"event_id\":\"hello-1\",\"type\":\"page_view\","
                   "\"user_id\":\"user-1\",\"timestamp\":\""
                << FormatIso8601(SystemClock().NowMs())
                << "\",\"properties\":{\"page\":\"/\"}}]}'\n"
                << "  curl -s -X POST -H 'Authorization: Bearer " << shown << "' " << url
                << "/v1/decide -d '{\"user_id\":\"user-1\",\"placements\":[\"home_hero\"]}'\n"
                << "Stop with Ctrl-C (drains in-flight requests).\n"
                << std::flush;
    });
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      *exit_code = 1;
    }
  });
}

void RegisterSettings(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("settings", "Print the settings table as Markdown.");
  cmd->callback([] { std::cout << app::SettingsMarkdown(); });
}

}  // namespace tailor::cli
