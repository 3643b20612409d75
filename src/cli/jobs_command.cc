#include <iostream>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "core/json_doc.h"

namespace tailor::cli {

void RegisterJobs(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "features", "Recompute computed features from stored history (backfill) or refresh "
                  "time-based segments, with a progress bar.");
  cmd->require_subcommand(1);
  struct State {
    EndpointFlags endpoint;
    bool no_wait = false;
  };
  auto st = std::make_shared<State>();
  for (const char* kind : {"backfill", "refresh-segments"}) {
    bool backfill = std::string(kind) == "backfill";
    auto* sub = cmd->add_subcommand(kind, backfill ? "Rebuild every profile's features from its events."
                                                   : "Re-evaluate every profile's segments now.");
    sub->add_flag("--no-wait", st->no_wait, "Start the job and print its id without following it");
    st->endpoint.AddTo(sub);
    sub->callback([st, exit_code, backfill] {
      auto endpoint = OpenEndpointOrReport(st->endpoint);
      if (!endpoint) {
        *exit_code = 1;
        return;
      }
      Json body = {{"kind", backfill ? "feature_backfill" : "segment_refresh"}};
      auto r = endpoint->Call(server::Method::kPost, "/v1/jobs", body.dump());
      if (!r.ok() || r->status != 202) {
        *exit_code = PrintResponse(r);
        return;
      }
      *exit_code = FollowJob(*endpoint, *r, backfill ? "backfill" : "refresh", "profiles",
                             st->no_wait);
    });
  }
}

}  // namespace tailor::cli
