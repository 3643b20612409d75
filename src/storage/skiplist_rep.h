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
//
// Insert hints live here, not in RocksDB's (memtable_insert_with_hint_prefix_extractor):
// its hint map hashed every key's prefix with a general-purpose std::unordered_map (3 % of
// the server's CPU under ingest), and RocksDB 7.8 shares that map with the range-deletion
// memtable, which made hinted range deletions corrupt the skiplist.

#include <rocksdb/memtablerep.h>

#include <cstddef>
#include <memory>

namespace tailor::storage::internal {

struct SkipListRepOptions {
  // How an insert finds its place. Every mode is correct for any key order; they differ
  // in what they make cheap.
  enum class Hint {
    kNone,        // keys in no particular order: a key that does not go right after the
                  // last one inserted searches from the top
    kSequential,  // mostly increasing keys (time-ordered ids): a key goes near the last
                  // one, searching only the levels where it does not fit
    kPerPrefix,   // increasing keys per prefix of `prefix_bytes` (a profile's events):
                  // as kSequential, per prefix, for user keys longer than the prefix
  };
  Hint hint = Hint::kNone;
  size_t prefix_bytes = 0;
  // The column family orders keys with RocksDB's default (bytewise) comparator: entries
  // are then compared here, inline, rather than through the memtable's comparator (two
  // virtual calls and a thread-local perf counter per comparison in Debian's build).
  bool bytewise = true;
};

std::shared_ptr<rocksdb::MemTableRepFactory> NewSkipListRepFactory(
    const SkipListRepOptions& options);

}  // namespace tailor::storage::internal
