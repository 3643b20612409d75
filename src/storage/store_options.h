// Options shared by the KvStore implementations.
#pragma once

#include <array>
#include <cstdint>

#include "core/status.h"
#include "storage/keyspaces.h"

namespace tailor::storage {

struct StoreOptions {
  // Retention per keyspace in milliseconds; 0 keeps entries forever. Only keyspaces
  // whose KeyspaceInfo::expires is true honour it. Expired entries are invisible to
  // reads at once and physically removed by compaction.
  std::array<int64_t, static_cast<size_t>(Keyspace::kCount)> ttl_ms{};

  // RocksDB block cache in bytes (shared by all keyspaces).
  uint64_t block_cache_bytes = 256ull << 20;
  // RocksDB write buffer per keyspace in bytes.
  uint64_t write_buffer_bytes = 64ull << 20;
  // Background compaction / flush threads.
  int background_jobs = 2;

  void SetTtl(Keyspace ks, int64_t ms) { ttl_ms[static_cast<size_t>(ks)] = ms; }
  int64_t Ttl(Keyspace ks) const { return ttl_ms[static_cast<size_t>(ks)]; }

  // Rejects a TTL on a keyspace that cannot expire and negative values.
  Status Validate() const;
};

}  // namespace tailor::storage
