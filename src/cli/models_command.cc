// `tailor train --model NAME` and `tailor models list|info|promote|rollback|shadow|
// shadow-report`: the model
// registry, through the same routes as the HTTP API (--url for a running server,
// otherwise in-process on --data-dir).
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "core/json_doc.h"

namespace tailor::cli {

namespace {

struct ModelsState {
  EndpointFlags endpoint;
  std::string name;
  uint64_t version = 0;
  bool promote = false;
  bool no_wait = false;
  bool off = false;
};

int Run(const ModelsState& st, server::Method method, const std::string& target,
        const std::string& body = {}) {
  auto endpoint = OpenEndpointOrReport(st.endpoint);
  if (!endpoint) return 1;
  return PrintResponse(endpoint->Call(method, target, body));
}

}  // namespace

void RegisterModels(CLI::App& app, int* exit_code) {
  auto st = std::make_shared<ModelsState>();
  auto* train = app.add_subcommand(
      "train",
      "Train a configured recommender on the stored events, evaluate it on a holdout "
      "and store a new model version.");
  train->add_option("--model", st->name, "Recommender name (from the recommenders config section)")
      ->required();
  train->add_flag("--promote", st->promote, "Make the new version live at once");
  train->add_flag("--no-wait", st->no_wait,
                  "Start the training job and print its id without following it");
  st->endpoint.AddTo(train);
  train->callback([st, exit_code] {
    // The server trains in a background job; follow it with a progress bar.
    auto endpoint = OpenEndpointOrReport(st->endpoint);
    if (!endpoint) {
      *exit_code = 1;
      return;
    }
    auto r = endpoint->Call(server::Method::kPost, "/v1/models/" + st->name + "/train" +
                                                       (st->promote ? "?promote=true" : ""));
    if (!r.ok() || r->status != 202) {
      *exit_code = PrintResponse(r);
      return;
    }
    *exit_code = FollowJob(*endpoint, *r, "train " + st->name, "‰", st->no_wait);
  });

  auto* models = app.add_subcommand("models", "List, promote or roll back recommender versions.");
  models->require_subcommand(1);
  auto* list =
      models->add_subcommand("list", "Every recommender with its versions and live version.");
  st->endpoint.AddTo(list);
  list->callback([st, exit_code] { *exit_code = Run(*st, server::Method::kGet, "/v1/models"); });
  auto* info = models->add_subcommand(
      "info", "One recommender: versions, live version, memory and training peak estimate.");
  info->add_option("name", st->name, "Recommender name")->required();
  st->endpoint.AddTo(info);
  info->callback(
      [st, exit_code] { *exit_code = Run(*st, server::Method::kGet, "/v1/models/" + st->name); });
  auto* promote = models->add_subcommand("promote", "Make a stored version live.");
  promote->add_option("name", st->name, "Recommender name")->required();
  promote->add_option("--version", st->version, "Version to make live")->required();
  st->endpoint.AddTo(promote);
  promote->callback([st, exit_code] {
    *exit_code = Run(*st, server::Method::kPost, "/v1/models/" + st->name + "/promote",
                     Json{{"version", st->version}}.dump());
  });
  auto* shadow = models->add_subcommand(
      "shadow",
      "Run a stored version in shadow beside the live one (compared, never served), or "
      "stop it with --off.");
  shadow->add_option("name", st->name, "Recommender name")->required();
  auto* shadow_version = shadow->add_option("--version", st->version, "Version to run in shadow");
  auto* shadow_off = shadow->add_flag("--off", st->off, "Stop the shadow");
  shadow_version->excludes(shadow_off);
  st->endpoint.AddTo(shadow);
  shadow->callback([st, exit_code] {
    if (!st->off && st->version == 0) {
      std::cerr << "error: pass --version N or --off\n";
      *exit_code = 2;
      return;
    }
    const std::string target = "/v1/models/" + st->name + "/shadow";
    *exit_code =
        st->off ? Run(*st, server::Method::kDelete, target)
                : Run(*st, server::Method::kPut, target, Json{{"version", st->version}}.dump());
  });
  auto* report = models->add_subcommand(
      "shadow-report",
      "How the shadow version's lists compare with the live ones: overlap@k, rank "
      "correlation, latency.");
  report->add_option("name", st->name, "Recommender name")->required();
  st->endpoint.AddTo(report);
  report->callback([st, exit_code] {
    *exit_code = Run(*st, server::Method::kGet, "/v1/models/" + st->name + "/shadow");
  });
  auto* rollback =
      models->add_subcommand("rollback", "Make the previously live version live again.");
  rollback->add_option("name", st->name, "Recommender name")->required();
  st->endpoint.AddTo(rollback);
  rollback->callback([st, exit_code] {
    *exit_code = Run(*st, server::Method::kPost, "/v1/models/" + st->name + "/rollback");
  });
}

}  // namespace tailor::cli
