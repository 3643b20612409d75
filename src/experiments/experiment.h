// Experiment: one A/B(/n) test as assignment sees it, already validated and compiled.
// Built by ParseExperiment (experiment_parser.h) from the GrowthBook JSON shape; read by
// Assign (assign.h). Holds no JSON types: variation values are kept as their JSON text.
//
// Thread safety: immutable after construction; share freely between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "condition/condition.h"
#include "experiments/bucketing.h"

namespace tailor::experiments {

enum class ExperimentStatus : uint8_t {
  kDraft,    // configured, assigns nobody
  kRunning,  // assigns users
  kStopped,  // assigns nobody; results stay queryable
};

// "draft", "running", "stopped".
std::string_view ExperimentStatusName(ExperimentStatus s);

struct Experiment {
  std::string key;
  // Compact JSON text of each variation's value ("0", "\"red\"", "{...}"); size >= 1.
  std::vector<std::string> variation_values;
  // Traffic split, one per variation, summing to 1 (within 1e-3).
  std::vector<double> weights;
  // Fraction of eligible users included, in [0, 1].
  double coverage = 1;
  // Precomputed GetBucketRanges(variations, coverage, weights).
  std::vector<BucketRange> ranges;
  // Targeting: only users whose attributes match take part. Empty condition: everyone.
  condition::Condition condition;
  bool has_condition = false;
  // Top-level attribute whose value is hashed ("id", "anonymous_id", "company"), and the
  // attribute used when that one is missing or empty (empty: none).
  std::string hash_attribute = "id";
  std::string fallback_attribute;
  int hash_version = kHashV1;  // as the SDKs: 1 unless the experiment says 2
  // Hash seed; ParseExperiment sets it to `key` when the JSON has none. A new seed
  // re-randomizes everybody (and invalidates sticky assignments).
  std::string seed;
  std::optional<Namespace> ns;
  ExperimentStatus status = ExperimentStatus::kRunning;
  // Assignment window, epoch milliseconds, [start, end). nullopt: unbounded.
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;
  // GrowthBook `force`: every included user gets this variation (reason kForced).
  // nullopt: none.
  std::optional<int> force;
  // QA: hash attribute value -> variation shown to that user (reason kForced).
  // Transparent comparator: lookups by string_view do not allocate.
  std::map<std::string, int, std::less<>> forced_variations;
  // False: the global holdout (holdout.h) does not apply to this experiment.
  bool in_global_holdout = true;

  int num_variations() const { return static_cast<int>(variation_values.size()); }
};

}  // namespace tailor::experiments
