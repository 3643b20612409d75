// Stored forms of the experiments keyspaces (docs/storage-format.md):
//   exp_units       experiment '\0' unit -> UnitRecord (binary, version byte 1)
//   exp_profiles    {pid} experiment -> unit
//   exp_aggregates  experiment -> AggregateRecord (version byte 1 + JSON)
//   exp_sticky      attribute '\0' value '\0' experiment '\0' seed -> variation (decimal)
// Internal to experiments/. Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "experiments/exposure_tracker.h"

namespace tailor::experiments {

struct UnitRecord {
  uint16_t variation = 0;
  int64_t first_exposure_ms = 0;
  std::string pid;
  struct Metric {
    std::string name;
    double value = 0;
    double covariate = 0;
  };
  std::vector<Metric> metrics;
};

std::string ExpUnitKey(std::string_view experiment, std::string_view unit);
// Splits an exp_units key; nullopt when malformed.
std::optional<std::pair<std::string_view, std::string_view>> SplitExpUnitKey(std::string_view key);
std::string ExpProfileKey(std::string_view pid, std::string_view experiment);
std::string ExpStickyKey(std::string_view attribute, std::string_view value,
                         std::string_view experiment, std::string_view seed);

std::string EncodeUnitRecord(const UnitRecord& r);
Result<UnitRecord> DecodeUnitRecord(std::string_view bytes);

std::string EncodeAggregates(const ExperimentAggregates& a);
Result<ExperimentAggregates> DecodeAggregates(std::string_view bytes);

}  // namespace tailor::experiments
