// `tailor experiment assign`: which variation of an experiment a user gets, the QA tool.
// Takes the experiment in the GrowthBook JSON shape and the user's attributes, prints the
// assignment as JSON (inExperiment, variationId, value, hashValue, hashUsed, bucket, ...).
// Exit 2 with the reason on stderr when the experiment or attributes are invalid.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "condition/json_document.h"
#include "core/json_doc.h"
#include "core/time_util.h"
#include "experiments/assign.h"
#include "experiments/experiment_parser.h"

namespace tailor::cli {

namespace {

struct AssignFlags {
  std::string experiment;
  std::string attributes = "{}";
  std::string now;
  double holdout = 0;
  bool growthbook = false;
};

int Fail(std::string_view what, const Status& s) {
  std::cerr << "error: " << what << ": ";
  if (!s.path().empty()) std::cerr << s.path() << ": ";
  std::cerr << s.message() << "\n";
  return 2;
}

int RunAssign(const AssignFlags& f) {
  experiments::ParseOptions po;
  if (f.growthbook) po.condition_dialect = condition::Dialect::kGrowthBook;
  Result<experiments::Experiment> e = experiments::ParseExperimentText(f.experiment, po);
  if (!e.ok()) return Fail("invalid --experiment", e.status());
  Result<Json> attrs = [&]() -> Result<Json> {
    try {
      return ParseJsonObject(f.attributes);
    } catch (const nlohmann::json::exception& ex) {
      return InvalidArgument(std::string("malformed JSON: ") + ex.what());
    }
  }();
  if (!attrs.ok()) return Fail("invalid --attributes", attrs.status());
  experiments::AssignContext ctx;
  // Time is resolved once, here at the edge.
  if (f.now.empty()) {
    ctx.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  } else {
    Result<int64_t> now = ParseIso8601(f.now);
    if (!now.ok()) return Fail("invalid --now", now.status());
    ctx.now_ms = *now;
  }
  experiments::GlobalHoldout holdout;
  holdout.fraction = f.holdout;
  if (Status s = holdout.Validate(); !s.ok()) return Fail("invalid --holdout", s);
  ctx.holdout = &holdout;
  experiments::Assignment a = experiments::Assign(*e, condition::JsonDocument(*attrs), ctx);
  Json out = Json::object();
  out["key"] = e->key;
  out["inExperiment"] = a.in_experiment;
  out["variationId"] = a.variation_id;
  out["value"] = Json::parse(e->variation_values[a.variation_id]);
  out["hashAttribute"] =
      std::string(a.hash_attribute.empty() ? e->hash_attribute : a.hash_attribute);
  out["hashValue"] = std::string(a.hash_value());
  out["hashUsed"] = a.hash_used;
  out["bucket"] = a.bucket;
  out["stickyBucketUsed"] = a.sticky_used;
  out["reason"] = std::string(experiments::AssignReasonName(a.reason));
  std::cout << out.dump(2) << "\n";
  return 0;
}

struct ResultsFlags {
  EndpointFlags endpoint;
  std::string key;
  std::string method = "frequentist";
  bool cuped = false;
};

// GET /v1/experiments/{key}/results through the endpoint (a server or the data dir).
int RunResults(const ResultsFlags& f) {
  auto endpoint = OpenEndpointOrReport(f.endpoint);
  if (!endpoint) return 1;
  std::string target = "/v1/experiments/" + f.key + "/results?method=" + f.method +
                       (f.cuped ? "&cuped=true" : "");
  return PrintResponse(endpoint->Call(server::Method::kGet, target));
}

}  // namespace

void RegisterExperiment(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("experiment", "Work with experiments (A/B tests).");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<AssignFlags>();
  auto* assign = cmd->add_subcommand(
      "assign",
      "Print which variation a user gets, as JSON: inExperiment, variationId, value, hashValue, "
      "hashUsed, bucket, reason. Same answer as a GrowthBook SDK given the same settings. Exits "
      "2 with the reason on stderr when the experiment or attributes are invalid.");
  assign
      ->add_option("--experiment", flags->experiment,
                   R"(Experiment JSON (GrowthBook shape), e.g. '{"key": "btn", "variations": )"
                   R"(["blue", "green"], "weights": [0.5, 0.5], "hashVersion": 2}')")
      ->required();
  assign
      ->add_option("--attributes", flags->attributes,
                   R"(User attributes JSON object, e.g. '{"id": "user-42", "country": "NO"}')")
      ->capture_default_str();
  assign->add_option("--now", flags->now,
                     "Evaluate at this ISO-8601 time (startDate/endDate); default: now");
  assign
      ->add_option("--holdout", flags->holdout,
                   "Global holdout fraction in [0, 1) (seed tailor-global-holdout, attribute id)")
      ->capture_default_str();
  assign->add_flag("--growthbook", flags->growthbook,
                   "Compile the condition in the GrowthBook dialect (unknown operators are false)");
  assign->callback([flags, exit_code] { *exit_code = RunAssign(*flags); });

  auto rf = std::make_shared<ResultsFlags>();
  auto* results = cmd->add_subcommand(
      "results",
      "Print an experiment's results (GET /v1/experiments/KEY/results): per variation and "
      "metric units, mean, lifts with intervals, p-values (adjusted too), chance to beat "
      "control, expected loss; the SRM check.");
  results->add_option("key", rf->key, "Experiment key")->required();
  results->add_option("--method", rf->method, "frequentist, sequential or bayesian")
      ->capture_default_str();
  results->add_flag("--cuped", rf->cuped, "CUPED variance reduction for metrics with a covariate");
  rf->endpoint.AddTo(results);
  results->callback([rf, exit_code] { *exit_code = RunResults(*rf); });
}

}  // namespace tailor::cli
