#include "app/settings.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "core/time_util.h"

namespace tailor::app {

namespace {

Result<int64_t> ParseInt(std::string_view v) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return InvalidArgument("'" + std::string(v) + "' is not an integer");
  }
  return n;
}

// "8MiB", "512KiB", "1GiB", "1048576".
Result<uint64_t> ParseBytes(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  if (i == 0) return InvalidArgument("'" + std::string(v) + "' is not a size like 8MiB");
  TAILOR_ASSIGN_OR_RETURN(int64_t n, ParseInt(v.substr(0, i)));
  std::string_view unit = v.substr(i);
  uint64_t mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB" || unit == "KB" || unit == "k") mult = 1ull << 10;
  else if (unit == "MiB" || unit == "MB" || unit == "m") mult = 1ull << 20;
  else if (unit == "GiB" || unit == "GB" || unit == "g") mult = 1ull << 30;
  else return InvalidArgument("unknown size unit '" + std::string(unit) + "'; use B, KiB, MiB or GiB");
  return static_cast<uint64_t>(n) * mult;
}

std::string FormatBytes(uint64_t b) {
  if (b && b % (1ull << 30) == 0) return std::to_string(b >> 30) + "GiB";
  if (b && b % (1ull << 20) == 0) return std::to_string(b >> 20) + "MiB";
  if (b && b % (1ull << 10) == 0) return std::to_string(b >> 10) + "KiB";
  return std::to_string(b);
}

Result<bool> ParseBool(std::string_view v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return InvalidArgument("'" + std::string(v) + "' is not a boolean (true/false)");
}

#define STRING_ROW(field, help)                                                     \
  SettingRow {                                                                      \
    #field, "string", help,                                                         \
        [](Settings* s, std::string_view v) { s->field = std::string(v); return Status::OK(); }, \
        [](const Settings& s) { return s.field; }                                   \
  }
#define INT_ROW(field, help)                                                        \
  SettingRow {                                                                      \
    #field, "int", help,                                                            \
        [](Settings* s, std::string_view v) -> Status {                             \
          TAILOR_ASSIGN_OR_RETURN(auto n, ParseInt(v));                             \
          s->field = static_cast<decltype(s->field)>(n);                            \
          return Status::OK();                                                      \
        },                                                                          \
        [](const Settings& s) { return std::to_string(s.field); }                   \
  }
#define BYTES_ROW(field, help)                                                      \
  SettingRow {                                                                      \
    #field, "bytes", help,                                                          \
        [](Settings* s, std::string_view v) -> Status {                             \
          TAILOR_ASSIGN_OR_RETURN(s->field, ParseBytes(v));                         \
          return Status::OK();                                                      \
        },                                                                          \
        [](const Settings& s) { return FormatBytes(s.field); }                      \
  }
#define DURATION_ROW(field, name, help)                                             \
  SettingRow {                                                                      \
    name, "duration", help,                                                         \
        [](Settings* s, std::string_view v) -> Status {                             \
          TAILOR_ASSIGN_OR_RETURN(s->field, ParseDurationMs(v));                    \
          return Status::OK();                                                      \
        },                                                                          \
        [](const Settings& s) { return FormatDurationMs(s.field); }                 \
  }
#define BOOL_ROW(field, help)                                                       \
  SettingRow {                                                                      \
    #field, "bool", help,                                                           \
        [](Settings* s, std::string_view v) -> Status {                             \
          TAILOR_ASSIGN_OR_RETURN(s->field, ParseBool(v));                          \
          return Status::OK();                                                      \
        },                                                                          \
        [](const Settings& s) { return std::string(s.field ? "true" : "false"); }   \
  }

}  // namespace

const std::vector<SettingRow>& SettingsTable() {
  static const std::vector<SettingRow> kTable = {
      STRING_ROW(data_dir, "Directory of the embedded RocksDB store (created if missing)."),
      STRING_ROW(config_dir,
                 "Directory of YAML config files applied at start-up (a new version is stored "
                 "only if it differs). Empty: keep the stored version."),
      STRING_ROW(listen, "HOST:PORT the HTTP server binds (port 0 picks a free port)."),
      INT_ROW(http_threads, "HTTP worker threads."),
      BYTES_ROW(max_body_bytes, "Largest accepted request body; larger bodies get 413."),
      INT_ROW(max_batch_events, "Most events in one POST /v1/events batch; more gets 413."),
      DURATION_ROW(request_timeout_ms, "request_timeout",
                   "Time allowed to read a request and write its response."),
      DURATION_ROW(drain_timeout_ms, "drain_timeout",
                   "On SIGTERM, how long in-flight requests may take to finish."),
      BOOL_ROW(sync_writes,
               "fsync the write-ahead log before acknowledging events (survives power loss; "
               "slower). Without it, acknowledged events survive a process crash."),
      BOOL_ROW(dedup_write_behind,
               "Write-behind of dedup entries (needs profile_flush_interval > 0): a batch "
               "journals its event ids and the profile flush writes them in id order. Turn it "
               "on when clients send random event ids (UUIDv4): ingest over HTTP then measured "
               "a median 35 % more events/s with features, 70 % without. Leave it off for "
               "time-ordered ids (ULID, UUIDv7): there it costs up to 15 % and a higher batch "
               "p99 (docs/performance.md, Session 16)."),
      DURATION_ROW(dedup_retention_ms, "dedup_retention",
                   "How long event ids are remembered for deduplication (caps "
                   "events.dedup_window)."),
      DURATION_ROW(dead_letter_retention_ms, "dead_letter_retention",
                   "How long rejected events are kept in the dead-letter store."),
      DURATION_ROW(decision_log_retention_ms, "decision_log_retention",
                   "How long decision records (and the outcome events joined to them) are kept "
                   "for GET /v1/decisions, explain, shadow reports and replay."),
      DURATION_ROW(decision_log_persist_interval_ms, "decision_log_persist_interval",
                   "Decision records skip the write-ahead log and are persisted this often, so a "
                   "crash (not a clean shutdown) loses at most this much of the decision log; "
                   "frequency caps are always logged. Each persist writes new table files, so "
                   "shorter intervals cost more. 0ms logs every record (about 10 % more CPU "
                   "per decision)."),
      BYTES_ROW(block_cache_bytes, "RocksDB block cache size."),
      STRING_ROW(log_level, "Log level: debug, info, warn, error or off."),
      DURATION_ROW(segment_refresh_interval_ms, "segment_refresh_interval",
                   "How often time-based segments (windows, recency) are re-evaluated for every "
                   "profile so the membership index and segment_entered/exited events follow time; "
                   "0ms disables. Profile reads are always current."),
      DURATION_ROW(experiment_flush_interval_ms, "experiment_flush_interval",
                   "How often experiment exposures and metric aggregates are written to the store "
                   "(write-behind); a crash loses at most this much experiment data."),
      DURATION_ROW(profile_flush_interval_ms, "profile_flush_interval",
                   "Write-behind of profiles: how often profiles changed by ingest are written to "
                   "the store. Meanwhile a small journal in each event batch records them, so a "
                   "crash loses nothing (start-up replays it). 0ms writes every changed profile "
                   "with its batch (slower ingest)."),
      DURATION_ROW(model_retrain_check_ms, "model_retrain_check",
                   "How often the server checks which recommenders are due for scheduled "
                   "retraining (their retrain_every); each due one gets a training job (GET /v1/jobs)."),
      BYTES_ROW(model_train_memory_budget,
                "Largest estimated memory peak of one model training (data, factors, EASE's "
                "items x items matrix, ...). A training estimated above it fails before fitting "
                "(its job ends failed, resource_exhausted, naming this setting); 0 = no limit."),
      INT_ROW(model_train_threads, "Worker threads of one model training (als, itemknn, ease)."),
      INT_ROW(model_keep_versions,
              "Per recommender, the newest versions whose stored model data is kept besides the "
              "live, shadow and rollback ones; older versions' data is deleted after each "
              "training or promotion (records stay, marked pruned; promoting one refits it). "
              "0 keeps all."),
  };
  return kTable;
}

std::string FlagName(std::string_view name) {
  std::string flag = "--";
  for (char c : name) flag.push_back(c == '_' ? '-' : c);
  if (flag == "--config-dir") flag = "--config";
  return flag;
}

std::string EnvName(std::string_view name) {
  std::string env = "TAILOR_";
  for (char c : name) env.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return env;
}

Status Settings::Validate() const {
  if (data_dir.empty()) return InvalidArgument("must not be empty", "data_dir");
  if (listen.find(':') == std::string::npos) {
    return InvalidArgument("must be HOST:PORT, e.g. 127.0.0.1:8080", "listen");
  }
  if (http_threads < 1 || http_threads > 256) {
    return InvalidArgument("must be between 1 and 256", "http_threads");
  }
  if (max_body_bytes < 1024) return InvalidArgument("must be at least 1KiB", "max_body_bytes");
  if (max_batch_events < 1 || max_batch_events > 100'000) {
    return InvalidArgument("must be between 1 and 100000", "max_batch_events");
  }
  if (request_timeout_ms <= 0) return InvalidArgument("must be positive", "request_timeout");
  if (experiment_flush_interval_ms < 10) {
    return InvalidArgument("must be at least 10ms", "experiment_flush_interval");
  }
  if (decision_log_persist_interval_ms < 0) {
    return InvalidArgument("must not be negative (0ms logs every record)", "decision_log_persist_interval");
  }
  if (profile_flush_interval_ms < 0) {
    return InvalidArgument("must not be negative (0ms turns write-behind off)", "profile_flush_interval");
  }
  if (model_retrain_check_ms < 1000) return InvalidArgument("must be at least 1s", "model_retrain_check");
  if (model_keep_versions < 0) return InvalidArgument("must be 0 or more", "model_keep_versions");
  if (model_train_threads < 1 || model_train_threads > 256) {
    return InvalidArgument("must be between 1 and 256", "model_train_threads");
  }
  static const char* kLevels[] = {"debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || log_level == l;
  if (!level_ok) return InvalidArgument("must be debug, info, warn, error or off", "log_level");
  return Status::OK();
}

Result<Settings> ResolveSettings(const std::string& file,
                                 const std::map<std::string, std::string>& flags) {
  Settings s;
  const auto& table = SettingsTable();
  auto find = [&](std::string_view name) -> const SettingRow* {
    for (const auto& row : table) {
      if (row.name == name) return &row;
    }
    return nullptr;
  };
  if (!file.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file);
    } catch (const YAML::Exception& e) {
      return InvalidArgument("settings file " + file + ": " + e.what());
    }
    if (root.IsDefined() && !root.IsNull()) {
      if (!root.IsMap()) return InvalidArgument("settings file " + file + " must be a map of key: value");
      for (const auto& kv : root) {
        std::string key = kv.first.as<std::string>();
        const SettingRow* row = find(key);
        if (row == nullptr) {
          return InvalidArgument(file + ":" + std::to_string(kv.first.Mark().line + 1) +
                                 ": unknown setting '" + key + "'; see `tailor serve --help`");
        }
        if (!kv.second.IsScalar()) {
          return InvalidArgument(file + ": setting '" + key + "' must be a scalar");
        }
        Status st = row->set(&s, kv.second.Scalar());
        if (!st.ok()) return InvalidArgument(file + ": " + key + ": " + st.message(), key);
      }
    }
  }
  for (const auto& row : table) {
    if (const char* env = std::getenv(EnvName(row.name).c_str()); env != nullptr && *env) {
      Status st = row.set(&s, env);
      if (!st.ok()) return InvalidArgument(EnvName(row.name) + ": " + st.message(), std::string(row.name));
    }
  }
  for (const auto& [name, value] : flags) {
    const SettingRow* row = find(name);
    if (row == nullptr) return InvalidArgument("unknown setting '" + name + "'");
    Status st = row->set(&s, value);
    if (!st.ok()) return InvalidArgument(FlagName(name) + ": " + st.message(), name);
  }
  if (Status st = s.Validate(); !st.ok()) {
    return InvalidArgument(FlagName(st.path()) + " (or " + EnvName(st.path()) + "): " + st.message(),
                           st.path());
  }
  return s;
}

std::string SettingsMarkdown() {
  Settings defaults;
  std::string out =
      "| Setting | Flag | Environment | Type | Default | Meaning |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& row : SettingsTable()) {
    std::string def = row.get(defaults);
    out += "| `" + std::string(row.name) + "` | `" + FlagName(row.name) + "` | `" + EnvName(row.name) +
           "` | " + std::string(row.type) + " | `" + (def.empty() ? "\"\"" : def) + "` | " +
           std::string(row.help) + " |\n";
  }
  return out;
}

}  // namespace tailor::app
