// Memtable inserts through RocksDB (WAL off, one big write buffer, so nothing but the
// memtable is measured): Tailor's skiplist (storage/skiplist_rep.h) against the one in
// Debian's librocksdb, for the key orders Tailor writes.
//
//   build/release/bench/memtable_bench --benchmark_min_time=1
//
// Arguments: /0 = RocksDB's SkipListFactory as Tailor configured it before (an insert
// hint per profile prefix for the per-profile keys, none otherwise), /1 = Tailor's rep.
// Items are puts.
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/skiplist_rep.h"

namespace {

using tailor::storage::internal::SkipListRepOptions;

enum class Order { kIncreasing, kRandom, kPerProfile };

// Keys as Tailor writes them: time-ordered ids (dedup), random ids (dedup with UUIDv4,
// segment members, profiles), and "{pid}" + time, interleaved over 10,000 profiles
// (events).
std::vector<std::string> MakeKeys(Order order, size_t n) {
  std::mt19937_64 rng(42);
  std::vector<std::string> keys;
  keys.reserve(n);
  std::vector<uint64_t> clock(10000, 0);
  char buf[64];
  for (size_t i = 0; i < n; ++i) {
    switch (order) {
      case Order::kIncreasing:
        std::snprintf(buf, sizeof buf, "01J%013zu-%08llx", i,
                      static_cast<unsigned long long>(rng() & 0xffffffff));
        break;
      case Order::kRandom:
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                      static_cast<unsigned long long>(rng()));
        break;
      case Order::kPerProfile: {
        const size_t p = rng() % clock.size();
        std::snprintf(buf, sizeof buf, "{01J00000000000000000%06zu}%013llu", p,
                      static_cast<unsigned long long>(++clock[p]));
        break;
      }
    }
    keys.emplace_back(buf);
  }
  return keys;
}

// A fresh RocksDB in a temp dir of its own (emptied first) with one 512 MiB
// write buffer (no flush during a round); with Tailor's memtable when `rep` is given.
std::unique_ptr<rocksdb::DB> OpenFresh(const std::string& dir, rocksdb::Options options,
                                       const SkipListRepOptions* rep) {
  std::filesystem::remove_all(dir);
  options.create_if_missing = true;
  options.write_buffer_size = 512 << 20;
  if (rep != nullptr) {
    options.allow_concurrent_memtable_write = false;
    options.memtable_factory = tailor::storage::internal::NewSkipListRepFactory(*rep);
  }
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) return nullptr;
  return std::unique_ptr<rocksdb::DB>(raw);
}

std::string TempDir(const char* name) {
  return (std::filesystem::temp_directory_path() / (name + std::to_string(getpid()))).string();
}

void BM_MemtablePut(benchmark::State& state, Order order) {
  const bool tailor = state.range(0) == 1;
  const size_t n = 200000;
  const std::vector<std::string> keys = MakeKeys(order, n);
  const std::string value(100, 'v');
  const std::string dir = TempDir("tailor-memtable-bench-");
  SkipListRepOptions rep;
  rocksdb::Options options;
  if (order == Order::kIncreasing) rep.hint = SkipListRepOptions::Hint::kSequential;
  if (order == Order::kPerProfile) {
    rep.hint = SkipListRepOptions::Hint::kPerPrefix;
    rep.prefix_bytes = 28;
    // RocksDB's skiplist with the per-profile hint Tailor gave it before.
    if (!tailor) {
      options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewCappedPrefixTransform(28));
    }
  }
  size_t puts = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<rocksdb::DB> db = OpenFresh(dir, options, tailor ? &rep : nullptr);
    if (db == nullptr) {
      state.SkipWithError("cannot open RocksDB");
      return;
    }
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    state.ResumeTiming();
    // Batches of 100, as ingest writes them.
    for (size_t i = 0; i < n; i += 100) {
      rocksdb::WriteBatch batch;
      for (size_t k = i; k < i + 100 && k < n; ++k) batch.Put(keys[k], value);
      db->Write(wo, &batch).PermitUncheckedError();
    }
    puts += n;
    state.PauseTiming();
    db.reset();
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(static_cast<int64_t>(puts));
  state.SetLabel(tailor ? "tailor" : "rocksdb");
}

// Point reads of the memtable: half hits, half misses (as the dedup check sees them), on
// 200,000 random keys. No memtable Bloom filter, so every miss searches the skiplist.
void BM_MemtableGet(benchmark::State& state) {
  const bool tailor = state.range(0) == 1;
  const size_t n = 200000;
  const std::vector<std::string> keys = MakeKeys(Order::kRandom, 2 * n);
  const std::string dir = TempDir("tailor-memtable-get-bench-");
  const SkipListRepOptions rep;
  std::unique_ptr<rocksdb::DB> db = OpenFresh(dir, rocksdb::Options(), tailor ? &rep : nullptr);
  if (db == nullptr) {
    state.SkipWithError("cannot open RocksDB");
    return;
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  for (size_t i = 0; i < n; ++i) db->Put(wo, keys[2 * i], "v").PermitUncheckedError();
  size_t reads = 0, found = 0;
  std::string value;
  for (auto _ : state) {
    for (const std::string& k : keys) found += db->Get(rocksdb::ReadOptions(), k, &value).ok();
    reads += keys.size();
  }
  if (found != n * static_cast<size_t>(state.iterations())) state.SkipWithError("lost keys");
  db.reset();
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(static_cast<int64_t>(reads));
  state.SetLabel(tailor ? "tailor" : "rocksdb");
}

BENCHMARK(BM_MemtableGet)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_MemtablePut, increasing, Order::kIncreasing)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MemtablePut, random, Order::kRandom)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MemtablePut, per_profile, Order::kPerProfile)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
