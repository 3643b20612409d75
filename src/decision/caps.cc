#include "decision/caps.h"

#include <algorithm>
#include <functional>

#include "core/json_doc.h"
#include "core/json_util.h"
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

CapLedger::Shard& CapLedger::ShardFor(const std::string& pid) {
  return shards_[std::hash<std::string>{}(pid) % kShards];
}

Result<CapLedger::Times*> CapLedger::Entry(Shard& shard, const std::string& pid) {
  auto it = shard.map.find(pid);
  if (it != shard.map.end()) return &it->second;
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
  return &shard.map.emplace(pid, std::move(times)).first->second;
}

Result<int> CapLedger::Count(const std::string& pid, std::string_view key, int64_t window_ms,
                             int64_t now_ms) {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  TAILOR_ASSIGN_OR_RETURN(Times * times, Entry(shard, pid));
  auto it = times->find(key);
  if (it == times->end()) return 0;
  const auto& ts = it->second;
  auto lo = std::upper_bound(ts.begin(), ts.end(), now_ms - window_ms);
  auto hi = std::upper_bound(ts.begin(), ts.end(), now_ms);
  return static_cast<int>(hi - lo);
}

Status CapLedger::Record(const std::string& pid, std::span<const Impression> impressions, int64_t at_ms) {
  if (impressions.empty()) return Status::OK();
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  TAILOR_ASSIGN_OR_RETURN(Times * times, Entry(shard, pid));
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
  for (Shard& shard : shards_) {
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
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  shard.map.erase(pid);
  std::erase(shard.dirty, pid);
}

}  // namespace tailor::decision
