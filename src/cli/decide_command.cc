// `tailor decide`, `tailor decisions show|explain` and `tailor replay`: the decision
// engine from the command line, against a running server (--url) or a data directory.
#include <iostream>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "core/json_doc.h"
#include "core/time_util.h"

namespace tailor::cli {

namespace {

// Runs one request and prints the response; sets the exit code.
void CallAndPrint(const EndpointFlags& flags, server::Method method, const std::string& target,
                  const std::string& body, int* exit_code) {
  auto endpoint = OpenEndpointOrReport(flags);
  if (!endpoint) {
    *exit_code = 1;
    return;
  }
  *exit_code = PrintResponse(endpoint->Call(method, target, body));
}

// An ISO 8601 time or epoch ms as JSON; kInvalidArgument otherwise.
Result<Json> TimeArg(const std::string& text, const char* flag) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return Json(std::stoll(text));
  if (ParseIso8601(text).ok()) return Json(text);
  return InvalidArgument(std::string(flag) + " must be ISO 8601 (2026-11-23T10:00:00Z) or epoch ms");
}

}  // namespace

void RegisterDecide(CLI::App& app, int* exit_code) {
  struct State {
    EndpointFlags endpoint;
    std::string user_id, anonymous_id, context = "{}";
    std::vector<std::string> placements;
    bool record = false;
    std::string id;
  };
  auto st = std::make_shared<State>();
  auto* cmd = app.add_subcommand("decide", "Ask what a person should see in placements (POST /v1/decide). "
                                           "A dry run unless --record: no impressions are counted.");
  cmd->add_option("--user", st->user_id, "User id");
  cmd->add_option("--anonymous", st->anonymous_id, "Anonymous id (a new visitor gets cold-start answers)");
  cmd->add_option("--placement,-p", st->placements, "Placement name (repeat for several)")->required();
  cmd->add_option("--context", st->context, "Request context as JSON, e.g. '{\"channel\":\"email\"}'");
  cmd->add_flag("--record", st->record, "Count impressions as a live request would");
  st->endpoint.AddTo(cmd);
  cmd->callback([st, exit_code] {
    auto context = ParseJson(st->context);
    if (!context.ok() || !context->is_object()) {
      std::cerr << "error: --context must be a JSON object\n";
      *exit_code = 2;
      return;
    }
    Json body = {{"placements", st->placements}, {"context", *context}, {"dry_run", !st->record}};
    if (!st->user_id.empty()) body["user_id"] = st->user_id;
    if (!st->anonymous_id.empty()) body["anonymous_id"] = st->anonymous_id;
    CallAndPrint(st->endpoint, server::Method::kPost, "/v1/decide", body.dump(), exit_code);
  });

  auto* decisions = app.add_subcommand("decisions", "Show logged decisions and why they were made.");
  decisions->require_subcommand(1);
  for (const char* what : {"show", "explain"}) {
    bool explain = std::string(what) == "explain";
    auto* sub = decisions->add_subcommand(what, explain ? "Explain in plain terms why a decision served what it did"
                                                        : "Print a decision record with its inputs, trace and outcomes");
    sub->add_option("id", st->id, "Decision id (from a decide answer)")->required();
    st->endpoint.AddTo(sub);
    sub->callback([st, exit_code, explain] {
      CallAndPrint(st->endpoint, server::Method::kGet,
                   "/v1/decisions/" + st->id + (explain ? "/explain" : ""), "", exit_code);
    });
  }
}

void RegisterReplay(CLI::App& app, int* exit_code) {
  struct State {
    EndpointFlags endpoint;
    uint64_t version = 0;
    std::string since, until;
    uint64_t limit = 1'000'000;
  };
  auto st = std::make_shared<State>();
  auto* cmd = app.add_subcommand(
      "replay", "Re-run logged decisions under another config version and report what would have "
                "changed (counts per placement and rule, examples).");
  cmd->add_option("--config-version", st->version, "Config version to replay under (tailor config history)")
      ->required();
  cmd->add_option("--since", st->since, "Start of the decisions to replay (ISO 8601 or epoch ms)")->required();
  cmd->add_option("--until", st->until, "End (exclusive; default: now)");
  cmd->add_option("--limit", st->limit, "At most this many decisions");
  st->endpoint.AddTo(cmd);
  cmd->callback([st, exit_code] {
    Json body = {{"config_version", st->version}, {"limit", st->limit}};
    auto since = TimeArg(st->since, "--since");
    if (!since.ok()) {
      std::cerr << "error: " << since.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    body["since"] = *since;
    if (!st->until.empty()) {
      auto until = TimeArg(st->until, "--until");
      if (!until.ok()) {
        std::cerr << "error: " << until.status().message() << "\n";
        *exit_code = 2;
        return;
      }
      body["until"] = *until;
    }
    CallAndPrint(st->endpoint, server::Method::kPost, "/v1/decisions/replay", body.dump(), exit_code);
  });
}

}  // namespace tailor::cli
