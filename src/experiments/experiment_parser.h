// ParseExperiment: the GrowthBook JSON shape of an experiment -> a validated Experiment.
//
//   {"key": "checkout-button", "variations": ["blue", "green"], "weights": [0.5, 0.5],
//    "coverage": 1, "hashAttribute": "id", "hashVersion": 2, "seed": "cb-2024",
//    "namespace": ["checkout", 0, 0.5], "condition": {"country": "NO"},
//    "status": "running", "startDate": "2026-01-01T00:00:00Z"}
//
// Members: key (required, non-empty string), variations (required, non-empty array of any
// JSON values), weights (numbers in [0, 1], one per variation, summing to 1 within 1e-3;
// default equal), coverage ([0, 1], default 1), condition (object, compiled with the
// condition language), hashAttribute (default "id"), fallbackAttribute, hashVersion (1 or
// 2, default 1 as in the SDKs), seed (default key), namespace ([id, start, end] with
// 0 <= start <= end <= 1), status ("draft" | "running" | "stopped", default "running"),
// active (GrowthBook: false means stopped), startDate / endDate (ISO-8601), force
// (variation index), forcedVariations ({hash value: variation index}, for QA),
// excludeFromHoldout (bool), name and description (ignored). Anything else is an error.
//
// Errors are kInvalidArgument whose path names the offending member ("weights",
// "weights[1]", "namespace[2]", "condition.age.$gtt").
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "condition/condition.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "experiments/experiment.h"

namespace tailor::experiments {

struct ParseOptions {
  // Dialect the targeting condition is compiled in; kGrowthBook for experiments
  // exported from GrowthBook, kStrict (default) for Tailor's own configuration.
  condition::Dialect condition_dialect = condition::Dialect::kStrict;
};

Result<Experiment> ParseExperiment(const Json& json, const ParseOptions& options = {});

// Parses JSON text, then ParseExperiment. Malformed JSON is kInvalidArgument.
Result<Experiment> ParseExperimentText(std::string_view text, const ParseOptions& options = {});

}  // namespace tailor::experiments
