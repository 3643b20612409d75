// ConfigStore: the versioned history of configurations, stored in the kConfig keyspace.
//
// Every successful Apply or Rollback appends a numbered version (1, 2, 3, ...); history
// is never rewritten. A version records the files as applied, so any version can be
// re-loaded, diffed or rolled back to. Applying a configuration whose digest equals the
// current one stores nothing and reports "unchanged".
//
// Layout (keyspace kConfig, documented in docs/storage-format.md):
//   "v/" + 20-digit zero-padded version -> JSON {format, version, digest, applied_at,
//                                                applied_by, source_version, files}
//   "current"                           -> decimal version number
// Both keys are written in one WriteBatch.
//
// Thread safety: all methods are safe to call concurrently. Apply and Rollback are
// serialized by a mutex (version numbers are read-modify-write); readers take only a
// short lock on the cached current snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config/snapshot.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::config {

struct ApplyResult {
  std::shared_ptr<const ConfigSnapshot> snapshot;  // the current snapshot afterwards
  bool changed = false;  // false: same digest as the current version, nothing stored
};

struct VersionInfo {
  uint64_t version = 0;
  std::string digest;
  int64_t applied_at_ms = 0;
  std::string applied_by;
  uint64_t source_version = 0;  // the version rolled back to; 0 for a normal apply
  std::string comment;          // "rollback to v3", or empty
};

// Reads a configuration directory: every *.yaml, *.yml and *.json file directly in
// `path` (not recursive; hidden files skipped), keyed by file name, sorted. Returns
// kNotFound if `path` does not exist, kInvalidArgument if it is not a directory or a
// file is over kMaxConfigFileBytes, kIOError if it cannot be read.
Result<ConfigFiles> LoadDirectory(const std::string& path);

class ConfigStore {
 public:
  // `store` must outlive this object. `options` are used for every load (Apply,
  // Rollback and re-loading stored versions).
  explicit ConfigStore(storage::KvStore& store, LoadOptions options = {});

  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // Validates `files` (LoadConfig) and, if the digest differs from the current
  // version's, stores them as version current+1 applied by `applied_by` at `now_ms`.
  // Returns kInvalidArgument with every problem listed (see LoadConfig; `errors` gets
  // the list when not null), or a storage error; nothing is stored on error.
  Result<ApplyResult> Apply(const ConfigFiles& files, std::string_view applied_by, int64_t now_ms,
                            std::vector<ConfigError>* errors = nullptr);

  // The current snapshot; DefaultSnapshot() (version 0) when nothing was applied.
  // Storage errors or a stored version that no longer loads are returned as errors.
  Result<std::shared_ptr<const ConfigSnapshot>> Current();

  // Version `version` re-loaded from its stored files (0 = built-in defaults).
  // kNotFound when no such version exists; kCorruption when the record is unreadable.
  Result<std::shared_ptr<const ConfigSnapshot>> Get(uint64_t version);

  // Up to `limit` versions, newest first.
  Result<std::vector<VersionInfo>> History(size_t limit);

  // Stores a new version whose files equal version `to_version`'s (history stays
  // append-only). kNotFound for an unknown version; "unchanged" (changed = false) when
  // the current version already has the same digest.
  Result<ApplyResult> Rollback(uint64_t to_version, std::string_view applied_by, int64_t now_ms);

  // Per-file line diff from version `from` to version `to` (either may be 0: no files).
  Result<ConfigDiff> Diff(uint64_t from, uint64_t to);

 private:
  struct Record;

  Result<uint64_t> ReadCurrentVersion();
  Result<Record> ReadRecord(uint64_t version);
  Result<std::shared_ptr<const ConfigSnapshot>> LoadRecord(const Record& record);
  // REQUIRES: write_mu_ held.
  Result<ApplyResult> StoreIfChanged(ConfigSnapshot snapshot, std::string_view applied_by,
                                     int64_t now_ms, uint64_t source_version);
  void SetCached(std::shared_ptr<const ConfigSnapshot> snapshot);

  storage::KvStore& store_;
  const LoadOptions options_;
  std::mutex write_mu_;  // serializes Apply and Rollback
  std::mutex cache_mu_;
  std::shared_ptr<const ConfigSnapshot> current_;  // GUARDED_BY(cache_mu_); null = not loaded
};

}  // namespace tailor::config
