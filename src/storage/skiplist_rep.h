#pragma once

// A RocksDB memtable representation: an ordered skiplist of memtable entries, one writer
// and lock-free readers (the design of LevelDB's skiplist and of RocksDB's InlineSkipList,
// with InlineSkipList's "splice" insert hints).
//
// Why Tailor has its own: Debian's librocksdb 7.8 is built without NDEBUG, so its
// InlineSkipList re-verifies the whole insert splice after every insert. Counted with
// RocksDB's perf_context under the ingest load, that is ≈ 50 key comparisons per memtable
// insert even when the insert hint puts the key in place at once (≈ 3 comparisons);
// comparisons were over half of MemTable::Add, itself 16-19 % of the server's CPU
// (docs/performance.md, "Session 17"). This file is compiled with Tailor's flags.
//
// Used by RocksStore for every column family. It does not support concurrent inserts,
// so the database runs with allow_concurrent_memtable_write = false (RocksDB then has the
// leader of a write group insert the group's batches one after another).

#include <rocksdb/memtablerep.h>

#include <memory>

namespace tailor::storage::internal {

std::shared_ptr<rocksdb::MemTableRepFactory> NewSkipListRepFactory();

}  // namespace tailor::storage::internal
