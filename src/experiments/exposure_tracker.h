// ExposureTracker: exposures and incrementally kept metric aggregates of every experiment.
//
// An exposure is recorded once per (experiment, unit) with the time of first exposure and
// the variation; later exposures of the same unit are deduplicated. Each stored event is
// attributed (OnEvent) to the running experiments its unit was exposed to, for each
// metric whose event type matches, when first exposure <= timestamp < first exposure +
// window and `where` holds. Attribution keeps, per unit, the value of every metric (so
// a conversion counts once and Σy² follows a unit's changing value: Δ = (v+d)² - v²) and,
// per (experiment, variation, metric), the sufficient statistics of stats/metric_stats.h.
// Results therefore never rescan events. Ratio metrics keep y = numerator and
// x = denominator per unit (Σx, Σx², Σxy), CUPED metrics the pre-exposure covariate x.
//
// Persistence is write-behind: Flush() writes every changed unit record, the profile
// index and the experiments' aggregates in one WriteBatch under all shard locks, so the
// stored units and aggregates are always a consistent cut. A crash loses what changed
// since the last Flush (the app flushes every second and at shutdown): exposures and
// attributions of that interval are missing from the results, never double counted.
// Load() restores the last cut.
//
// Units are matched to events by the experiment's unit attribute: user_id and
// anonymous_id from the event; traits.<path> through the profile index written at
// exposure (profile id -> unit).
//
// Thread safety: every method is safe for concurrent use; work is sharded by unit.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/json_doc.h"
#include "core/mutex.h"
#include "core/status.h"
#include "experiments/experiment_set.h"
#include "experiments/stats/metric_stats.h"
#include "ingest/event.h"
#include "storage/kv_store.h"

namespace tailor::experiments {

// Everything results need, merged over shards. metrics[name][variation].n = units.
struct ExperimentAggregates {
  std::vector<double> units;  // per variation
  std::map<std::string, std::vector<stats::MetricStats>, std::less<>> metrics;
};

// One unit's state in one experiment.
struct UnitMetric {
  uint16_t id = 0;  // tracker-wide metric id
  double value = 0;
  double covariate = 0;
};
struct UnitState {
  uint16_t variation = 0;
  int64_t first_exposure_ms = 0;
  std::string pid;
  std::vector<UnitMetric> metrics;
};

class ExposureTracker {
 public:
  // `store` must outlive the tracker.
  explicit ExposureTracker(storage::KvStore& store);
  ~ExposureTracker();

  // Restores units and aggregates stored by Flush. Call once, before use.
  Status Load();

  // Makes `set` the experiments and metrics attribution follows (config swap).
  void Configure(std::shared_ptr<const ExperimentSet> set);

  // Records the first exposure of `unit` to `e` in `variation` at `at_ms`; `features`
  // (the profile's features object, may be null) gives CUPED covariates. Returns true
  // when this was the first exposure, false when deduplicated.
  bool RecordExposure(const ConfiguredExperiment& e, std::string_view unit, std::string_view pid,
                      int variation, int64_t at_ms, const Json* features);

  // Attributes a stored event (pipeline accepted-listener).
  void OnEvent(const ingest::Event& event);

  // The aggregates of `experiment` (empty when nobody was exposed).
  ExperimentAggregates Aggregates(std::string_view experiment) const;

  // A unit's state; nullopt when not exposed.
  std::optional<UnitState> Unit(std::string_view experiment, std::string_view unit) const;

  // Writes everything changed since the last Flush in one batch.
  Status Flush() NO_THREAD_SAFETY_ANALYSIS;

  // Metric name of a tracker-wide id (tests, encoding).
  std::string MetricName(uint16_t id) const;

 private:
  struct Compiled;
  struct Shard;
  struct ExpState;

  Shard& ShardFor(std::string_view unit) const;
  ExperimentAggregates Merge(std::string_view experiment, bool lock) const
      NO_THREAD_SAFETY_ANALYSIS;
  uint16_t Intern(std::string_view metric);
  std::optional<std::string> UnitOf(const Compiled& c, size_t exp_index,
                                    const ingest::Event& event) const;

  storage::KvStore& store_;
  std::atomic<std::shared_ptr<const Compiled>> compiled_;
  mutable Mutex ids_mu_;
  std::map<std::string, uint16_t, std::less<>> ids_ GUARDED_BY(ids_mu_);
  std::vector<std::string> names_ GUARDED_BY(ids_mu_);
  static constexpr size_t kShards = 32;
  std::unique_ptr<std::array<Shard, kShards>> shards_;
  // Trait-keyed experiments: experiment '\0' pid -> unit.
  mutable Mutex pid_mu_;
  std::unordered_map<std::string, std::string> by_pid_ GUARDED_BY(pid_mu_);
  std::vector<std::string> pid_dirty_ GUARDED_BY(pid_mu_);
};

}  // namespace tailor::experiments
