// Thin commands that map one-to-one onto admin HTTP routes: config, keys, profiles,
// dead letters. Each works against --url or directly on --data-dir (cli/endpoint.h).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "config/config_store.h"
#include "core/json_doc.h"
#include "server/router.h"

namespace tailor::cli {

namespace {

using server::Method;

// Runs one request against the endpoint and prints the response.
int Run(const EndpointFlags& flags, Method m, const std::string& target, const std::string& body = {}) {
  auto endpoint = OpenEndpointOrReport(flags);
  if (!endpoint) {
    return 1;
  }
  return PrintResponse(endpoint->Call(m, target, body));
}

std::string Encode(std::string_view s) { return server::PercentEncode(s); }

}  // namespace

void RegisterConfig(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("config", "Apply, inspect, diff and roll back configuration versions.");
  cmd->require_subcommand(1);
  struct State {
    EndpointFlags endpoint;
    std::string dir;
    uint64_t version = 0, from = 0, to = 0;
    size_t limit = 20;
  };
  auto st = std::make_shared<State>();

  auto* apply = cmd->add_subcommand("apply", "Validate a config directory and store it as a new version (live at once on a running server).");
  apply->add_option("DIR", st->dir, "Directory of YAML/JSON config files")->required();
  st->endpoint.AddTo(apply);
  apply->callback([st, exit_code] {
    auto files = config::LoadDirectory(st->dir);
    if (!files.ok()) {
      std::cerr << "error: " << files.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    Json body = {{"files", *files}};
    *exit_code = Run(st->endpoint, Method::kPost, "/v1/config", body.dump()) ? 2 : 0;
  });

  auto* show = cmd->add_subcommand("show", "Print the active (or a given) config version with its files.");
  show->add_option("--version", st->version, "Version to show (default: active)");
  st->endpoint.AddTo(show);
  show->callback([st, exit_code, show] {
    std::string target = "/v1/config";
    if (show->count("--version")) target += "?version=" + std::to_string(st->version);
    *exit_code = Run(st->endpoint, Method::kGet, target);
  });

  auto* history = cmd->add_subcommand("history", "List config versions, newest first.");
  history->add_option("--limit", st->limit, "How many versions");
  st->endpoint.AddTo(history);
  history->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kGet, "/v1/config/versions?limit=" + std::to_string(st->limit));
  });

  auto* diff = cmd->add_subcommand("diff", "Line diff of the config files between two versions.");
  diff->add_option("FROM", st->from, "Older version")->required();
  diff->add_option("TO", st->to, "Newer version (default: active)");
  st->endpoint.AddTo(diff);
  diff->callback([st, exit_code, diff] {
    std::string target = "/v1/config/diff?from=" + std::to_string(st->from);
    if (diff->count("TO")) target += "&to=" + std::to_string(st->to);
    auto endpoint = OpenEndpointOrReport(st->endpoint);
    if (!endpoint) {
      *exit_code = 1;
      return;
    }
    auto r = endpoint->Call(Method::kGet, target);
    if (r.ok() && r->status == 200) {
      auto j = ParseJson(r->body);
      if (j.ok()) {
        std::cout << (*j)["text"].get<std::string>();
        return;
      }
    }
    *exit_code = PrintResponse(r);
  });

  auto* rollback = cmd->add_subcommand("rollback", "Make an earlier version active again (stored as a new version).");
  rollback->add_option("VERSION", st->version, "Version to return to")->required();
  st->endpoint.AddTo(rollback);
  rollback->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kPost, "/v1/config/rollback",
                     Json{{"version", st->version}}.dump());
  });
}

void RegisterKeys(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("keys", "Create, list and delete API keys.");
  cmd->require_subcommand(1);
  struct State {
    EndpointFlags endpoint;
    std::string name, id;
    std::vector<std::string> scopes;
  };
  auto st = std::make_shared<State>();
  auto* create = cmd->add_subcommand("create", "Create an API key (the key is printed once).");
  create->add_option("--name", st->name, "Label for the key")->required();
  create->add_option("--scope", st->scopes, "Scope: events:write, profiles:read, decide, admin (repeatable)")
      ->required();
  st->endpoint.AddTo(create);
  create->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kPost, "/v1/keys",
                     Json{{"name", st->name}, {"scopes", st->scopes}}.dump());
  });
  auto* list = cmd->add_subcommand("list", "List API keys (ids, names, scopes; never secrets).");
  st->endpoint.AddTo(list);
  list->callback([st, exit_code] { *exit_code = Run(st->endpoint, Method::kGet, "/v1/keys"); });
  auto* del = cmd->add_subcommand("delete", "Delete an API key by id.");
  del->add_option("ID", st->id, "Key id (key_...)")->required();
  st->endpoint.AddTo(del);
  del->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kDelete, "/v1/keys/" + Encode(st->id));
  });
}

void RegisterProfiles(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("profile", "Show a profile and its event history.");
  struct State {
    EndpointFlags endpoint;
    std::string id;
    int events = 0;
  };
  auto st = std::make_shared<State>();
  cmd->add_option("ID", st->id, "User id, anonymous id or profile id")->required();
  cmd->add_option("--events", st->events, "Also print this many latest events");
  st->endpoint.AddTo(cmd);
  cmd->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kGet, "/v1/profiles/" + Encode(st->id));
    if (*exit_code == 0 && st->events > 0) {
      *exit_code = Run(st->endpoint, Method::kGet,
                       "/v1/profiles/" + Encode(st->id) + "/events?limit=" + std::to_string(st->events));
    }
  });
}

void RegisterDeadLetters(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("deadletters", "List or replay rejected events.");
  cmd->require_subcommand(1);
  struct State {
    EndpointFlags endpoint;
    int limit = 100;
    std::vector<std::string> ids;
  };
  auto st = std::make_shared<State>();
  auto* list = cmd->add_subcommand("list", "List dead letters, oldest first.");
  list->add_option("--limit", st->limit, "How many");
  st->endpoint.AddTo(list);
  list->callback([st, exit_code] {
    *exit_code = Run(st->endpoint, Method::kGet, "/v1/deadletters?limit=" + std::to_string(st->limit));
  });
  auto* replay = cmd->add_subcommand("replay", "Re-ingest dead letters under the active config (after a schema fix).");
  replay->add_option("--id", st->ids, "Only these dead letters (repeatable)");
  replay->add_option("--limit", st->limit, "At most this many (oldest first)");
  st->endpoint.AddTo(replay);
  replay->callback([st, exit_code] {
    Json body = Json::object();
    if (!st->ids.empty()) body["ids"] = st->ids;
    body["limit"] = st->limit;
    *exit_code = Run(st->endpoint, Method::kPost, "/v1/deadletters/replay", body.dump());
  });
}

void RegisterBackup(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "backup",
      "Write a consistent checkpoint of the store to a new directory (a complete data dir; "
      "restore by starting tailor on it). With --url the path is on the server's machine.");
  struct State {
    EndpointFlags endpoint;
    std::string out;
  };
  auto st = std::make_shared<State>();
  cmd->add_option("--out", st->out, "Directory to create (must not exist)")->required();
  st->endpoint.AddTo(cmd);
  cmd->callback([st, exit_code] {
    std::string out = st->out;
    if (st->endpoint.url.empty()) {
      std::error_code ec;
      auto abs = std::filesystem::absolute(out, ec);
      if (!ec) out = abs.string();
    }
    *exit_code = Run(st->endpoint, Method::kPost, "/v1/admin/backup", Json{{"dir", out}}.dump());
  });
}

}  // namespace tailor::cli
