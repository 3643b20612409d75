// FailingStore: a KvStore wrapper for failure injection in tests. Every write fails while
// `fail` is set, every read (Get, iterators) while `fail_reads` is set; `before_next_write` runs once inside the next write, and
// `after_next_get` once after the next Get has read (to interleave work with a write or a
// read in progress). Header-only: only tests that use it link the storage library.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "storage/kv_store.h"

namespace tailor::testutil {

// An iterator whose read failed: never valid, status() is an I/O error.
class FailedIterator final : public storage::Iterator {
 public:
  bool Valid() const override { return false; }
  void Seek(std::string_view) override {}
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Next() override {}
  void Prev() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  Status status() const override { return IOError("injected read failure"); }
};

class FailingStore final : public storage::KvStore {
 public:
  explicit FailingStore(storage::KvStore& inner) : inner_(inner) {}

  bool fail = false;
  bool fail_reads = false;
  std::function<void()> before_next_write;
  // Called with every write that reaches the inner store.
  std::function<void(const storage::WriteBatch&)> observe_writes;
  std::function<void()> after_next_get;
  // What reached the inner store: writes with and without the WAL, Persist calls and
  // iterators opened.
  std::atomic<int> logged_writes{0}, unlogged_writes{0}, persists{0}, iterators{0};

  Result<std::optional<std::string>> Get(storage::Keyspace ks, std::string_view k) override {
    if (fail_reads) return IOError("injected read failure");
    auto value = inner_.Get(ks, k);
    if (auto hook = std::exchange(after_next_get, nullptr)) hook();
    return value;
  }
  Status Write(const storage::WriteBatch& b, const storage::WriteOptions& o) override {
    if (fail) return IOError("injected write failure");
    if (auto hook = std::exchange(before_next_write, nullptr)) hook();
    (o.skip_wal ? unlogged_writes : logged_writes).fetch_add(1);
    if (observe_writes) observe_writes(b);
    return inner_.Write(b, o);
  }
  std::unique_ptr<storage::Iterator> NewIterator(storage::Keyspace ks, std::string_view l,
                                                 std::string_view u) override {
    if (fail_reads) return std::make_unique<FailedIterator>();
    iterators.fetch_add(1);
    return inner_.NewIterator(ks, l, u);
  }
  Status Checkpoint(const std::string& d) override { return inner_.Checkpoint(d); }
  Status Flush() override { return inner_.Flush(); }
  Status Persist(std::span<const storage::Keyspace> ks, bool wait) override {
    persists.fetch_add(1);
    return inner_.Persist(ks, wait);
  }
  std::map<std::string, uint64_t> Stats() override { return inner_.Stats(); }

 private:
  storage::KvStore& inner_;
};

}  // namespace tailor::testutil
