// ModelVersions: the stored registry of trained model versions (the `models` keyspace).
//
// Each training writes one version record: model, parameters, event weights, the data
// snapshot it saw (profiles, items, interactions, newest event), holdout metrics,
// training time and memory. Per model name one pointer names the live version, with
// the previously live versions kept for rollback.
//
// Layout (docs/storage-format.md): versions at name '\0' 8-byte big-endian version,
// the live pointer at name '\1'; values are a version byte + JSON. The fitted model data
// of a version (an opaque blob, RecService's envelope) at name '\2' 8-byte big-endian
// version 4-byte big-endian chunk, in chunks of at most kModelDataChunk bytes.
//
// Thread safety: safe for concurrent use; Next/Put of one name are serialized by the
// caller (RecService holds a lock while training).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::recommenders {

struct LivePointer {
  uint64_t version = 0;            // 0 = none live
  std::vector<uint64_t> previous;  // earlier live versions, oldest first
};

// Largest value of one model data chunk.
inline constexpr size_t kModelDataChunk = size_t{32} << 20;

class ModelVersions {
 public:
  explicit ModelVersions(storage::KvStore& store) : store_(store) {}

  // The next version number of `name` (1 for the first).
  Result<uint64_t> NextVersion(const std::string& name);
  // Stores a version record (must carry "version") and, when `data` is not empty, the
  // version's model data, in one atomic write.
  Status Put(const std::string& name, const Json& record, std::string_view data = {});
  // The model data stored with a version; nullopt when none was stored. kCorruption when
  // its chunks are not contiguous.
  Result<std::optional<std::string>> GetData(const std::string& name, uint64_t version);
  // One version's record; kNotFound naming "version" when absent.
  Result<Json> Get(const std::string& name, uint64_t version);
  // Every version of `name`, oldest first.
  Result<std::vector<Json>> List(const std::string& name);

  // Deletes the stored model data of every version of `name` that has some and is not
  // in `keep`, and marks those records pruned ("pruned": true, "pruned_at_ms": now_ms;
  // the record itself stays). One atomic write. Returns the versions pruned, oldest
  // first.
  Result<std::vector<uint64_t>> PruneData(const std::string& name, const std::set<uint64_t>& keep,
                                          int64_t now_ms);

  Result<LivePointer> Live(const std::string& name);
  Status SetLive(const std::string& name, const LivePointer& live);

  // The shadow version of `name` (0 = none), stored at name '\3'.
  Result<uint64_t> Shadow(const std::string& name);
  Status SetShadow(const std::string& name, uint64_t version);

 private:
  storage::KvStore& store_;
};

}  // namespace tailor::recommenders
