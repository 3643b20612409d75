// ExperimentResults: the statistics of one experiment computed from its aggregates
// (exposure_tracker.h), for GET /v1/experiments/{key}/results and `tailor experiment
// results` (docs/experiments.md "Results").
//
// Per treatment variation and metric: units, mean (rate, ratio), absolute and relative
// lift with intervals (delta method), p-value — frequentist (z / Welch, CUPED on request)
// or sequential (always valid) — and always the Bayesian chance to beat control, expected
// loss and credible interval; p-values adjusted over all variation × metric comparisons
// (Holm and Benjamini–Hochberg); the sample-ratio-mismatch check of units against
// weights. Degenerate data gives defined values (stats/), and no field is ever NaN:
// non-finite numbers are written as null.
//
// Thread safety: pure function.
#pragma once

#include <string_view>

#include "core/json_doc.h"
#include "core/status.h"
#include "experiments/experiment_set.h"
#include "experiments/exposure_tracker.h"

namespace tailor::experiments {

enum class ResultsMethod : uint8_t { kFrequentist, kSequential, kBayesian };

struct ResultsOptions {
  ResultsMethod method = ResultsMethod::kFrequentist;
  bool cuped = false;   // CUPED for metrics with a `cuped` covariate (frequentist only)
  double alpha = 0.05;  // significance level / 1 - credible level
  double sequential_tuning = 5000;  // M of the confidence sequence (stats/sequential.h)
  double srm_threshold = 0.001;     // SRM flagged below this p-value
};

// "frequentist" | "sequential" | "bayesian".
Result<ResultsMethod> ParseResultsMethod(std::string_view text);
std::string_view ResultsMethodName(ResultsMethod m);

// The results document. Errors only for invalid options.
Result<Json> ComputeResults(const ConfiguredExperiment& e, const ExperimentSet& set,
                            const ExperimentAggregates& aggregates, const ResultsOptions& options);

// Units per variation and status: the summary GET /v1/experiments lists.
Json ExperimentSummary(const ConfiguredExperiment& e, const ExperimentAggregates& aggregates);

}  // namespace tailor::experiments
