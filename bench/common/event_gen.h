// Synthetic ingest traffic for the benchmarks: request bodies {"events":[...]} of about
// 300-byte events (alternating `purchase` and `page_view`), users drawn uniformly from a
// population, and the JSON Schemas those events satisfy.
//
// Event ids are "<run>-<stream>-<batch>-<k>" where <batch> is a fixed-width decimal
// field. BatchTemplate::Stamp rewrites that field (and optionally the timestamps) in place, so one pre-built body can be
// sent many times with fresh, distinct event ids for the cost of a few small memcpy's:
// the load generator's own CPU use stays small.
//
// Thread safety: a BatchTemplate is not thread-safe (use one per thread); the free
// functions are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace tailor::bench {

struct EventGenOptions {
  // Events per request body.
  int batch_size = 100;
  // User population: events name user-<n> with n uniform in [0, users).
  int users = 10'000;
  // Prefix of every event id; distinct per run so re-runs against one store are not
  // duplicates. At most 16 characters of [A-Za-z0-9].
  std::string run_id = "run";
  // Event timestamps are now_ms minus up to one second (ms since the epoch), a fixed
  // amount per user.
  int64_t now_ms = 0;
  // false: a body's ids share the batch number, so ids arrive in increasing order (as
  // from a client whose ids are time-ordered, ULID or UUIDv7 style). true: every event's
  // <batch> field is a different scrambled number, so ids arrive in random order, as
  // UUIDv4 message ids (the common SDK default) do; still distinct.
  bool random_ids = false;
};

// One request body whose event ids can be re-stamped.
class BatchTemplate {
 public:
  // Builds a body for `stream` (a connection or thread number) drawing users from `rng`.
  BatchTemplate(const EventGenOptions& options, int stream, std::mt19937_64& rng);

  // Writes `batch` (REQUIRES: < 10^10) into every event id and returns the body. Distinct
  // (stream, batch) pairs give distinct ids. With `now_ms` > 0, also rewrites every
  // event's timestamp to now_ms minus its user's fixed offset (up to one second), so each
  // user's events arrive in time order, as live traffic from one device does; with 0
  // the timestamps stay those of the options' now_ms for the whole run.
  const std::string& Stamp(uint64_t batch, int64_t now_ms = 0);

  const std::string& body() const { return body_; }
  size_t events() const { return stamp_offsets_.size(); }

 private:
  std::string body_;
  std::vector<size_t> stamp_offsets_;  // where each event id's <batch> field starts
  std::vector<size_t> time_offsets_;   // where each event's timestamp string starts
  std::vector<int> jitter_ms_;         // each event's timestamp is now minus this
  bool random_ids_ = false;
};

// Digits of the <batch> field in event ids.
inline constexpr int kBatchDigits = 10;

// event type -> JSON Schema (compact JSON) for `properties`, as IngestConfig::schemas.
std::map<std::string, std::string> BenchSchemas();

// A config file (JSON, accepted by `tailor config apply`) declaring BenchSchemas() under
// events.schemas.
std::string BenchConfigFile();

}  // namespace tailor::bench
