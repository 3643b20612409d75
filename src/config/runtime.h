// Runtime: the active configuration as the request paths consume it — the validated
// snapshot plus what is compiled from it (JSON Schemas, ...). Immutable; the server
// swaps a std::shared_ptr<const Runtime> atomically on apply / rollback, so requests
// in flight finish on the version they started with.
#pragma once

#include <atomic>
#include <memory>

#include "config/snapshot.h"
#include "core/status.h"
#include "ingest/pipeline.h"

namespace tailor::config {

struct Runtime {
  std::shared_ptr<const ConfigSnapshot> config;
  std::shared_ptr<const ingest::IngestSnapshot> ingest;

  // Compiles everything `config` needs. Fails only for configs that did not pass
  // LoadConfig (schemas are validated there).
  static Result<std::shared_ptr<const Runtime>> Build(std::shared_ptr<const ConfigSnapshot> config,
                                                      size_t max_batch_events);
};

// Holds the active Runtime. Thread safety: Load/Store are safe for concurrent use.
class RuntimeHolder {
 public:
  std::shared_ptr<const Runtime> Load() const { return current_.load(std::memory_order_acquire); }
  void Store(std::shared_ptr<const Runtime> r) { current_.store(std::move(r), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Runtime>> current_;
};

}  // namespace tailor::config
