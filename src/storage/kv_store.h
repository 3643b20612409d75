// KvStore: the storage interface every module writes through. Implementations:
// RocksStore (embedded RocksDB, the default) and MemoryStore (tests). A Redis Cluster
// implementation must be possible: keys of one profile share the "{pid}" prefix (a
// hash tag) and every multi-key mutation is one WriteBatch (one MULTI / Lua script).
//
// Engine types never leave storage/ (STYLE.md rule 9).
//
// Thread safety: all methods are safe for concurrent use. A WriteBatch is applied
// atomically: readers see all of it or none of it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/keyspaces.h"

namespace tailor::storage {

// A list of mutations applied atomically by KvStore::Write.
class WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Keyspace keyspace;
    std::string key;    // begin key for kDeleteRange
    std::string value;  // end key (exclusive) for kDeleteRange
  };

  void Put(Keyspace ks, std::string_view key, std::string_view value);
  void Delete(Keyspace ks, std::string_view key);
  // Deletes every key in [begin, end). REQUIRES: !end.empty().
  void DeleteRange(Keyspace ks, std::string_view begin, std::string_view end);
  void Clear() { ops_.clear(); bytes_ = 0; }

  const std::vector<Op>& ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Sum of key and value sizes.
  size_t ApproximateBytes() const { return bytes_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

struct WriteOptions {
  // fsync the write-ahead log before returning. Concurrent synced writes are group
  // committed by the engine (one fsync covers every batch waiting at that moment).
  bool sync = false;
  // Skip the write-ahead log: the write is durable against a process crash only once its
  // keyspaces are persisted (KvStore::Persist) or the store is closed cleanly. For data
  // whose loss on a crash is bounded by a documented interval and worth the saved copy
  // (the decision log: its WAL write was ~10 % of a decision's CPU). Not with `sync`.
  bool skip_wal = false;
};

// Iterates keys in [lower, upper) of one keyspace in byte order. Expired entries are
// skipped. Not thread safe: one iterator per thread.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  // Positions at the first key >= `key` (clamped to the bounds).
  virtual void Seek(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  // Positions at the last key < upper bound.
  virtual void SeekToLast() = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  // REQUIRES: Valid(). Views stay valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK if iteration stopped on an error.
  virtual Status status() const = 0;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // Returns the value, std::nullopt when absent (or expired), or an I/O error.
  virtual Result<std::optional<std::string>> Get(Keyspace ks, std::string_view key) = 0;

  // Get of many keys of one keyspace, values in the order of `keys`. Engines with a
  // batched lookup (RocksDB's MultiGet) override it; the default asks one key at a time.
  virtual Result<std::vector<std::optional<std::string>>> MultiGet(
      Keyspace ks, const std::vector<std::string_view>& keys);

  // Applies `batch` atomically. Durable against process crash once it returns OK;
  // durable against power loss too when options.sync.
  virtual Status Write(const WriteBatch& batch, const WriteOptions& options = {}) = 0;

  // Iterator over [lower, upper); an empty `upper` means "to the end of the keyspace".
  virtual std::unique_ptr<Iterator> NewIterator(Keyspace ks, std::string_view lower,
                                                std::string_view upper) = 0;

  // Writes a consistent point-in-time copy of the whole store to `dir` (which must not
  // exist). The copy opens as a normal data directory.
  virtual Status Checkpoint(const std::string& dir) = 0;

  // Flushes memtables and the WAL to disk (used at shutdown).
  virtual Status Flush() = 0;

  // Makes the writes to `keyspaces` made with WriteOptions::skip_wal durable (RocksDB
  // flushes those memtables to table files). Returns once the flush is scheduled, or
  // with `wait` once it is done. Stores without a log (in memory) have nothing to do.
  virtual Status Persist(std::span<const Keyspace> keyspaces, bool wait = false) = 0;

  // Engine statistics for /metrics, as name -> value.
  virtual std::map<std::string, uint64_t> Stats() = 0;
};

// Returns the smallest key greater than every key starting with `prefix` (the exclusive
// upper bound of a prefix scan); empty if none exists (prefix is all 0xff).
std::string PrefixEnd(std::string_view prefix);

}  // namespace tailor::storage
