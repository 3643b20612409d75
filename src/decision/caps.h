// CapLedger: impressions per user and cap key ("content:vip_hero", "rule:home_hero/vip",
// "campaign:spring_sale"), for frequency caps and cross-channel campaign budgets.
//
// Counts live in memory (sharded, loaded from the `caps` keyspace on first use of a
// profile) and are persisted asynchronously: the decision log's writer stages dirty
// entries with every batch it writes, so a crash loses at most the last ~10 ms of
// impressions (documented in docs/decisions.md). Only keys under an active cap are
// recorded, and each keeps only its cap's `max` newest times (all a "fewer than max in
// the window" check needs) and none older than 366 days (the longest cap window).
//
// Thread safety: safe for concurrent use.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::decision {

class CapLedger {
 public:
  static constexpr int kMaxPerKey = 1'000'000;  // the largest cap max config accepts

  // One impression to record: the key and how many newest times its cap needs.
  struct Impression {
    std::string key;
    int keep = 1;
  };

  explicit CapLedger(storage::KvStore& store, size_t max_profiles = 1 << 18);
  ~CapLedger();

  // Impressions of `key` by `pid` in (now_ms - window_ms, now_ms].
  Result<int> Count(const std::string& pid, std::string_view key, int64_t window_ms,
                    int64_t now_ms);
  // The same for several keys at once (one lock and lookup of the profile: a rule can
  // be under a rule, a campaign and a content cap): counts[i] answers queries[i].
  struct Query {
    std::string_view key;
    int64_t window_ms = 0;
  };
  Status CountAll(const std::string& pid, std::span<const Query> queries, int64_t now_ms,
                  int* counts);

  // Records one impression of every key in `impressions` at `at_ms`.
  Status Record(const std::string& pid, std::span<const Impression> impressions, int64_t at_ms);

  // Adds the stored form of every entry changed since the last call to `batch`.
  void StageDirty(storage::WriteBatch* batch);

  // Drops the in-memory entry of `pid` (erasure); the caller deletes the stored key.
  void Forget(const std::string& pid);

 private:
  static constexpr size_t kShards = 32;
  using Times = std::map<std::string, std::vector<int64_t>, std::less<>>;
  struct Shard;
  // The shard of `pid`, and the pid's hash for the shard's table.
  Shard& ShardFor(const std::string& pid, size_t* hash);
  // The entry of `pid` (`hash` from ShardFor), loaded from the store when not in memory.
  // The pointer is valid until the shard's lock is released. REQUIRES: shard.mu held.
  Result<Times*> Entry(Shard& shard, const std::string& pid, size_t hash) REQUIRES(shard.mu);

  storage::KvStore& store_;
  size_t per_shard_cap_;
  std::unique_ptr<Shard[]> shards_;
};

// The stored form: {"<key>": [ms, ...], ...}.
std::string EncodeCapTimes(const std::map<std::string, std::vector<int64_t>, std::less<>>& times);
Result<std::map<std::string, std::vector<int64_t>, std::less<>>> DecodeCapTimes(std::string_view json);

}  // namespace tailor::decision
