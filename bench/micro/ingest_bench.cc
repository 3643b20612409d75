// In-process ingest throughput: ingest::Pipeline::IngestBody on batches of 100 events of
// about 300 bytes (distinct event ids, users drawn from 10,000, schema validation on),
// against
//   - RocksDB in a fresh temp directory, WAL without fsync (sync:0) and with a
//     group-committed fsync per batch (sync:1), at 1, 2 and 4 concurrent callers;
//   - the in-memory store, to separate the pipeline's CPU cost from RocksDB's;
//   - plain KvStore::Write of 100 x 300-byte values, the storage ceiling the pipeline
//     works under (DESIGN.md §7);
//   - the *Features variants: the same with the 20 features and 30 segments of
//     bench/load/config-features configured (issue 3's throughput scenario).
// Profiles are write-behind like the server's default (profile_flush_interval 1 s): the
// flush runs inside the timed loop once a second, so its cost is counted. The
// *WriteThrough variants write every profile with its batch (profile_flush_interval 0).
// items_per_second counts events. Linked with benchmark_main; see docs/performance.md.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/event_gen.h"
#include "config/config_loader.h"
#include "core/clock.h"
#include "core/random.h"
#include "identity/identity_index.h"
#include "ingest/pipeline.h"
#include "profile/profile_store.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"

namespace tailor::bench {
namespace {

constexpr int kBatchSize = 100;
constexpr int kUsers = 10'000;
// Untimed batches ingested before measuring, so most users already have a profile (the
// steady state of a running server) rather than every event creating one.
constexpr int kWarmupBatches = 200;
// Distinct bodies each thread cycles through (re-stamped with fresh ids every time).
constexpr int kTemplatesPerThread = 16;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ingest_bench: %s\n", what.c_str());
  std::abort();
}

// A directory under $TMPDIR removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tailor-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

enum class Backend { kRocks, kMemory };

// The features and segments of bench/load/config-features (loaded once).
const config::ConfigSnapshot& FeatureConfig() {
  static const config::ConfigSnapshot snapshot = [] {
    std::ifstream in(std::string(TAILOR_BENCH_DIR) + "/load/config-features/features.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto loaded = config::LoadConfig({{"features.yaml", ss.str()}});
    if (!loaded.ok()) Die("config: " + loaded.status().ToString());
    return std::move(loaded).value();
  }();
  return snapshot;
}

// Everything App::Open builds for ingestion, minus the HTTP server.
class IngestEnv {
 public:
  IngestEnv(Backend backend, bool sync_writes, bool with_features = false, bool write_behind = true) {
    storage::StoreOptions so;
    so.SetTtl(storage::Keyspace::kDedup, 30LL * 86'400'000);
    so.SetTtl(storage::Keyspace::kDeadLetters, 30LL * 86'400'000);
    if (backend == Backend::kRocks) {
      dir_ = std::make_unique<ScratchDir>();
      auto store = storage::OpenRocksStore(dir_->str(), so, clock_);
      if (!store.ok()) Die("OpenRocksStore: " + store.status().message());
      store_ = std::move(store).value();
    } else {
      store_ = std::make_unique<storage::MemoryStore>(clock_, so);
    }
    profiles_ = std::make_unique<profile::ProfileStore>(*store_);
    identities_ = std::make_unique<identity::IdentityIndex>(*store_);
    ingest::PipelineOptions options{sync_writes, write_behind};
    // TAILOR_BENCH_DEDUP_WRITE_BEHIND=1: the setting dedup_write_behind on.
    const char* dedup = std::getenv("TAILOR_BENCH_DEDUP_WRITE_BEHIND");
    if (dedup != nullptr && std::string_view(dedup) == "1") options.max_recent_ids = size_t{1} << 20;
    pipeline_ = std::make_unique<ingest::Pipeline>(*store_, *profiles_, *identities_, clock_,
                                                   random_, options);
    ingest::IngestConfig config;
    config.schemas = BenchSchemas();
    auto snapshot = ingest::IngestSnapshot::Build(config, 1000);
    if (!snapshot.ok()) Die("IngestSnapshot::Build: " + snapshot.status().message());
    if (with_features) {
      auto snap = std::make_shared<ingest::IngestSnapshot>(**snapshot);
      snap->features = FeatureConfig().features;
      snap->segments = FeatureConfig().segments;
      snap->saved_groups = FeatureConfig().saved_groups;
      snapshot_ = std::move(snap);
    } else {
      snapshot_ = std::move(snapshot).value();
    }
    auto recovered = pipeline_->Recover(*snapshot_);  // starts write-behind, as App::Open
    if (!recovered.ok()) Die("Recover: " + recovered.status().message());
    next_flush_ms_ = clock_.NowMs() + 1000;
  }

  // Ingests a copy of `body` (the HTTP handler copies the request body too).
  // Aborts unless every event is accepted: a benchmark of failures measures nothing.
  void Ingest(const std::string& body, size_t events) {
    std::string copy = body;
    auto outcome = pipeline_->IngestBody(&copy, *snapshot_, "bench");
    if (!outcome.ok()) Die("IngestBody: " + outcome.status().message());
    if (outcome->accepted != events) {
      Die("accepted " + std::to_string(outcome->accepted) + " of " + std::to_string(events) +
          " events (duplicates " + std::to_string(outcome->duplicates) + ", rejected " +
          std::to_string(outcome->rejected.size()) + ")");
    }
    // The server's profile flusher, once a second, by whichever caller gets there first.
    int64_t due = next_flush_ms_.load(std::memory_order_relaxed);
    int64_t now = clock_.NowMs();
    if (now >= due && next_flush_ms_.compare_exchange_strong(due, now + 1000)) {
      auto flushed = pipeline_->FlushProfiles();
      if (!flushed.ok()) Die("FlushProfiles: " + flushed.status().message());
    }
  }

  storage::KvStore& store() { return *store_; }

 private:
  SystemClock clock_;
  SystemRandom random_;
  std::unique_ptr<ScratchDir> dir_;  // declared before store_: outlives it
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<profile::ProfileStore> profiles_;
  std::unique_ptr<identity::IdentityIndex> identities_;
  std::unique_ptr<ingest::Pipeline> pipeline_;
  std::shared_ptr<const ingest::IngestSnapshot> snapshot_;
  std::atomic<int64_t> next_flush_ms_{0};
};

// Shared by the threads of one benchmark run; created and destroyed by thread 0 outside
// the timed loop (Google Benchmark starts and ends the loops of all threads together).
std::unique_ptr<IngestEnv> g_env;
// Distinguishes the streams of successive runs so event ids never repeat.
std::atomic<int> g_next_stream{0};

std::vector<BatchTemplate> MakeTemplates(int stream, uint64_t seed) {
  EventGenOptions o;
  o.batch_size = kBatchSize;
  // TAILOR_BENCH_USERS overrides the population (how a smaller working set changes the figures).
  const char* env = std::getenv("TAILOR_BENCH_USERS");
  const int users = env != nullptr ? std::atoi(env) : 0;
  o.users = users > 0 ? users : kUsers;
  o.run_id = "bench";
  // TAILOR_BENCH_EVENT_IDS=random: ids in random order, as UUIDv4 ids arrive.
  const char* ids = std::getenv("TAILOR_BENCH_EVENT_IDS");
  o.random_ids = ids != nullptr && std::string_view(ids) == "random";
  o.now_ms = SystemClock().NowMs();
  std::mt19937_64 rng(seed);
  std::vector<BatchTemplate> out;
  for (int i = 0; i < kTemplatesPerThread; ++i) out.emplace_back(o, stream, rng);
  return out;
}

void RunIngest(benchmark::State& state, Backend backend, bool with_features = false,
               bool write_behind = true) {
  const bool sync = state.range(0) != 0;
  if (state.thread_index() == 0) {
    g_env = std::make_unique<IngestEnv>(backend, sync, with_features, write_behind);
    std::vector<BatchTemplate> warm = MakeTemplates(g_next_stream++, 1);
    for (int i = 0; i < kWarmupBatches; ++i) {
      BatchTemplate& t = warm[i % warm.size()];
      g_env->Ingest(t.Stamp(static_cast<uint64_t>(i)), t.events());
    }
  }
  const int stream = g_next_stream++;
  std::vector<BatchTemplate> templates = MakeTemplates(stream, 1000 + stream);
  size_t bytes = 0;
  uint64_t n = 0;
  for (auto _ : state) {
    BatchTemplate& t = templates[n % templates.size()];
    const std::string& body = t.Stamp(n);
    g_env->Ingest(body, t.events());
    bytes += body.size();
    ++n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n) * kBatchSize);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["batches_per_second"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    state.counters["event_bytes"] = static_cast<double>(templates[0].body().size()) / kBatchSize;
  }
  if (state.thread_index() == 0) g_env.reset();
}

void BM_IngestRocks(benchmark::State& state) { RunIngest(state, Backend::kRocks); }
BENCHMARK(BM_IngestRocks)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime()
    ->MinTime(2.0);

void BM_IngestMemory(benchmark::State& state) { RunIngest(state, Backend::kMemory); }
BENCHMARK(BM_IngestMemory)->ArgName("sync")->Arg(0)->Threads(1)->Threads(2)->UseRealTime()->MinTime(2.0);

void BM_IngestRocksFeatures(benchmark::State& state) { RunIngest(state, Backend::kRocks, true); }
BENCHMARK(BM_IngestRocksFeatures)->ArgName("sync")->Arg(0)->Threads(1)->Threads(2)->UseRealTime()->MinTime(2.0);

void BM_IngestMemoryFeatures(benchmark::State& state) { RunIngest(state, Backend::kMemory, true); }
BENCHMARK(BM_IngestMemoryFeatures)->ArgName("sync")->Arg(0)->Threads(1)->UseRealTime()->MinTime(2.0);

void BM_IngestRocksWriteThrough(benchmark::State& state) {
  RunIngest(state, Backend::kRocks, false, false);
}
BENCHMARK(BM_IngestRocksWriteThrough)->ArgName("sync")->Arg(0)->Threads(1)->UseRealTime()->MinTime(2.0);

void BM_IngestRocksFeaturesWriteThrough(benchmark::State& state) {
  RunIngest(state, Backend::kRocks, true, false);
}
BENCHMARK(BM_IngestRocksFeaturesWriteThrough)->ArgName("sync")->Arg(0)->Threads(1)->UseRealTime()->MinTime(2.0);

// The storage ceiling: one WriteBatch of 100 puts of 300-byte values into the events
// keyspace per iteration.
void BM_RocksWriteBatch(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  if (state.thread_index() == 0) g_env = std::make_unique<IngestEnv>(Backend::kRocks, sync);
  const std::string value(300, 'v');
  std::string prefix = std::to_string(g_next_stream++);
  prefix += '-';
  uint64_t n = 0;
  for (auto _ : state) {
    storage::WriteBatch wb;
    for (int k = 0; k < kBatchSize; ++k) {
      wb.Put(storage::Keyspace::kEvents, prefix + std::to_string(n * kBatchSize + k), value);
    }
    Status st = g_env->store().Write(wb, storage::WriteOptions{sync});
    if (!st.ok()) Die("Write: " + st.message());
    ++n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n) * kBatchSize);
  if (state.thread_index() == 0) g_env.reset();
}
BENCHMARK(BM_RocksWriteBatch)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace tailor::bench
