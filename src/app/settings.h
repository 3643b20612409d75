// Settings: how one tailor process runs (where data lives, what it listens on, limits,
// durability). Distinct from the configuration (config/), which describes the
// business objects and is versioned in the store.
//
// One table (kSettingsTable in settings.cc) drives every way to set a setting:
// command-line flags, TAILOR_* environment variables, a settings file (YAML, key:
// value), `--help` text and docs/config.md ("Settings"). Adding a setting is one row.
// Precedence: flag > environment > settings file > default.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tailor::app {

struct Settings {
  std::string data_dir = "./tailor-data";
  std::string config_dir;  // empty: use the stored config version (or built-in defaults)
  std::string listen = "127.0.0.1:8080";
  int http_threads = 2;
  uint64_t max_body_bytes = 8ull << 20;
  uint64_t max_batch_events = 1000;
  int64_t request_timeout_ms = 30'000;
  int64_t drain_timeout_ms = 10'000;
  bool sync_writes = false;
  bool dedup_write_behind = false;  // dedup entries journaled, written by the profile flush
  int64_t dedup_retention_ms = 30LL * 86'400'000;
  int64_t dead_letter_retention_ms = 30LL * 86'400'000;
  int64_t decision_log_retention_ms = 30LL * 86'400'000;
  int64_t decision_log_persist_interval_ms = 5000;  // 0: records go through the WAL
  uint64_t block_cache_bytes = 256ull << 20;
  std::string log_level = "info";
  int64_t segment_refresh_interval_ms = 10LL * 60'000;  // 0 disables
  int64_t experiment_flush_interval_ms = 1000;  // write-behind of experiment aggregates
  int64_t profile_flush_interval_ms = 5000;     // write-behind of profiles; 0: write-through
  int64_t model_retrain_check_ms = 60'000;    // how often retrain_every schedules are checked
  uint64_t model_train_memory_budget = 2ull << 30;  // estimated training peak allowed; 0 = none
  int model_train_threads = 1;                      // threads of one model training
  int model_keep_versions = 5;  // newest versions whose model data is kept; 0 = all

  // Cross-field checks, run once after all sources are applied.
  Status Validate() const;
};

struct SettingRow {
  std::string_view name;     // settings-file key and flag name (with '-' for '_')
  std::string_view type;     // "string", "int", "bytes", "duration", "bool"
  std::string_view help;
  std::function<Status(Settings*, std::string_view)> set;  // parse + assign
  std::function<std::string(const Settings&)> get;         // current value, formatted
};

// Every setting, in documentation order.
const std::vector<SettingRow>& SettingsTable();

// The command-line flag of a setting: "--" + name with '-' for '_' ("--config" for
// config_dir).
std::string FlagName(std::string_view name);

// The environment variable of a setting: "TAILOR_" + upper-case name.
std::string EnvName(std::string_view name);

// Applies the settings file (when `file` is non-empty), then the environment, then
// `flags` (name -> raw value, from the command line) over defaults.
Result<Settings> ResolveSettings(const std::string& file,
                                 const std::map<std::string, std::string>& flags);

// A Markdown table of every setting (name, flag, env, type, default, help).
std::string SettingsMarkdown();

}  // namespace tailor::app
