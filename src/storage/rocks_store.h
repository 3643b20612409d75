// RocksStore: the embedded RocksDB KvStore. One column family per keyspace; values of
// expiring keyspaces carry a write-time header and are dropped by a compaction filter
// once older than the keyspace's retention. RocksDB types stay in rocks_store.cc.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "storage/kv_store.h"
#include "storage/store_options.h"

namespace tailor::storage {

// Opens (creating if needed) the store in directory `path`. Fails with kIOError when
// the directory is locked by another process ("is another tailor running?") and with
// kFailedPrecondition when it holds a newer format version. `clock` must outlive the
// store.
Result<std::unique_ptr<KvStore>> OpenRocksStore(const std::string& path,
                                                const StoreOptions& options,
                                                const Clock& clock);

}  // namespace tailor::storage
