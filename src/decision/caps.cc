#include "decision/caps.h"

#include <algorithm>
#include <functional>

#include "core/json_doc.h"
#include "core/json_util.h"
#include "core/string_table.h"
#include "storage/key_codec.h"

namespace tailor::decision {

namespace {
constexpr int64_t kMaxWindowMs = 366LL * 86'400'000;
}  // namespace

std::string EncodeCapTimes(const std::map<std::string, std::vector<int64_t>, std::less<>>& times) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, ts] : times) {
    if (ts.empty()) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(&out, key);
    out += ":[";
    for (size_t i = 0; i < ts.size(); ++i) {
      if (i) out += ',';
      AppendJsonInt(&out, ts[i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

Result<std::map<std::string, std::vector<int64_t>, std::less<>>> DecodeCapTimes(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.ok() || !doc->is_object()) return Corruption("cap record is not a JSON object");
  std::map<std::string, std::vector<int64_t>, std::less<>> out;
  for (const auto& [key, v] : doc->items()) {
    if (!v.is_array()) return Corruption("cap record member '" + key + "' is not an array");
    auto& ts = out[key];
    for (const auto& t : v) {
      if (!t.is_number_integer()) return Corruption("cap time of '" + key + "' is not an integer");
      ts.push_back(t.get<int64_t>());
    }
    std::sort(ts.begin(), ts.end());
  }
  return out;
}

// An open-addressing table hashed once per call (core/string_table.h): a decision reads
// the ledger of its person for every capped rule it tries.
struct CapLedger::Shard {
  Mutex mu;
  StringMap<Times> map GUARDED_BY(mu);
  std::vector<std::string> dirty GUARDED_BY(mu);
};

CapLedger::CapLedger(storage::KvStore& store, size_t max_profiles)
    : store_(store),
      per_shard_cap_(std::max<size_t>(1, max_profiles / kShards)),
      shards_(new Shard[kShards]) {}

CapLedger::~CapLedger() = default;

CapLedger::Shard& CapLedger::ShardFor(const std::string& pid, size_t* hash) {
  *hash = StringHash{}(pid);
  return shards_[ShardOf(*hash, kShards)];
}

Result<CapLedger::Times*> CapLedger::Entry(Shard& shard, const std::string& pid, size_t hash) {
  auto it = shard.map.find(pid, hash);
  if (it != shard.map.end()) return &it.value();
  // A point read under the shard lock: rare (first use of a profile since start or
  // eviction) and short; it keeps a concurrent Record from being lost.
  TAILOR_ASSIGN_OR_RETURN(auto stored, store_.Get(storage::Keyspace::kCaps, storage::ProfilePrefix(pid)));
  Times times;
  if (stored) {
    TAILOR_ASSIGN_OR_RETURN(times, DecodeCapTimes(*stored));
  }
  if (shard.map.size() >= per_shard_cap_) {
    // Evict a clean entry (dirty ones wait for the writer).
    for (auto e = shard.map.begin(); e != shard.map.end(); ++e) {
      if (std::find(shard.dirty.begin(), shard.dirty.end(), e->first) == shard.dirty.end()) {
        shard.map.erase(e);
        break;
      }
    }
  }
  return &shard.map.emplace(pid, std::move(times)).first.value();
}

Result<int> CapLedger::Count(const std::string& pid, std::string_view key, int64_t window_ms,
                             int64_t now_ms) {
  int n = 0;
  const Query q{key, window_ms};
  TAILOR_RETURN_IF_ERROR(CountAll(pid, std::span(&q, 1), now_ms, &n));
  return n;
}

Status CapLedger::CountAll(const std::string& pid, std::span<const Query> queries, int64_t now_ms,
                           int* counts) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  MutexLock lock(shard.mu);
  TAILOR_ASSIGN_OR_RETURN(Times * times, Entry(shard, pid, hash));
  for (size_t i = 0; i < queries.size(); ++i) {
    counts[i] = 0;
    auto it = times->find(queries[i].key);
    if (it == times->end()) continue;
    const auto& ts = it->second;
    auto lo = std::upper_bound(ts.begin(), ts.end(), now_ms - queries[i].window_ms);
    auto hi = std::upper_bound(ts.begin(), ts.end(), now_ms);
    counts[i] = static_cast<int>(hi - lo);
  }
  return Status::OK();
}

Status CapLedger::Record(const std::string& pid, std::span<const Impression> impressions, int64_t at_ms) {
  if (impressions.empty()) return Status::OK();
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  MutexLock lock(shard.mu);
  TAILOR_ASSIGN_OR_RETURN(Times * times, Entry(shard, pid, hash));
  for (const Impression& imp : impressions) {
    auto& ts = (*times)[imp.key];
    ts.insert(std::upper_bound(ts.begin(), ts.end(), at_ms), at_ms);
    // Forget what no cap can count any more: times beyond the window, and all but the
    // newest `keep` (a cap of max N only asks whether N fall in the window).
    auto old = std::upper_bound(ts.begin(), ts.end(), at_ms - kMaxWindowMs);
    ts.erase(ts.begin(), old);
    size_t keep = static_cast<size_t>(std::clamp(imp.keep, 1, kMaxPerKey));
    if (ts.size() > keep) ts.erase(ts.begin(), ts.begin() + static_cast<std::ptrdiff_t>(ts.size() - keep));
  }
  if (std::find(shard.dirty.begin(), shard.dirty.end(), pid) == shard.dirty.end()) {
    shard.dirty.push_back(pid);
  }
  return Status::OK();
}

void CapLedger::StageDirty(storage::WriteBatch* batch) {
  for (size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    MutexLock lock(shard.mu);
    for (const std::string& pid : shard.dirty) {
      auto it = shard.map.find(pid);
      if (it == shard.map.end()) continue;
      batch->Put(storage::Keyspace::kCaps, storage::ProfilePrefix(pid), EncodeCapTimes(it->second));
    }
    shard.dirty.clear();
  }
}

void CapLedger::Forget(const std::string& pid) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  MutexLock lock(shard.mu);
  shard.map.erase(pid);
  std::erase(shard.dirty, pid);
}

}  // namespace tailor::decision
