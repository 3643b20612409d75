// `tailor train --model NAME` and `tailor models list|promote|rollback`: the model
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
  st->endpoint.AddTo(train);
  train->callback([st, exit_code] {
    std::cerr << "training " << st->name << " ...\n";
    *exit_code = Run(*st, server::Method::kPost,
                     "/v1/models/" + st->name + "/train" + (st->promote ? "?promote=true" : ""));
  });

  auto* models = app.add_subcommand("models", "List, promote or roll back recommender versions.");
  models->require_subcommand(1);
  auto* list =
      models->add_subcommand("list", "Every recommender with its versions and live version.");
  st->endpoint.AddTo(list);
  list->callback([st, exit_code] { *exit_code = Run(*st, server::Method::kGet, "/v1/models"); });
  auto* promote = models->add_subcommand("promote", "Make a stored version live.");
  promote->add_option("name", st->name, "Recommender name")->required();
  promote->add_option("--version", st->version, "Version to make live")->required();
  st->endpoint.AddTo(promote);
  promote->callback([st, exit_code] {
    *exit_code = Run(*st, server::Method::kPost, "/v1/models/" + st->name + "/promote",
                     Json{{"version", st->version}}.dump());
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
