#include "ingest/recent_ids.h"

#include <algorithm>
#include <cstdlib>

#include "core/string_table.h"

namespace tailor::ingest {

void AppendDedupValue(std::string* out, std::string_view pid, int64_t received_ms) {
  out->append(pid);
  out->push_back('|');
  out->append(std::to_string(received_ms));
}

std::string DedupValue(std::string_view pid, int64_t received_ms) {
  std::string out;
  AppendDedupValue(&out, pid, received_ms);
  return out;
}

int64_t DedupTime(std::string_view value) {
  size_t bar = value.rfind('|');
  if (bar == std::string_view::npos) return 0;
  return std::strtoll(std::string(value.substr(bar + 1)).c_str(), nullptr, 10);
}

struct RecentIds::Shard {
  struct Entry {
    std::string pid;
    int64_t received_ms = 0;
  };
  mutable Mutex mu;
  StringMap<Entry> current GUARDED_BY(mu);
  // What the running Flush writes: swapped out of `current` under `mu` when it starts and
  // cleared under `mu` when it has written them. In between nobody changes it, so Flush
  // reads it without `mu` (ReceivedAt reads it under `mu`: reads only). Not annotated:
  // it is guarded by `mu` together with flush_mu_.
  StringMap<Entry> flushing;
};

RecentIds::RecentIds() : shards_(std::make_unique<std::array<Shard, kShards>>()) {}
RecentIds::~RecentIds() = default;

void RecentIds::Set(const DedupRecord& r, int64_t received_ms, bool only_if_remembered) {
  const size_t hash = StringHash{}(r.event_id);
  Shard& shard = (*shards_)[ShardOf(hash, kShards)];
  MutexLock lock(shard.mu);
  // An id accepted again takes the new record, as a Put in the store would; one being
  // flushed is shadowed by it.
  if (auto it = shard.current.find(r.event_id, hash); it != shard.current.end()) {
    it.value() = Shard::Entry{std::string(r.pid), received_ms};
    return;
  }
  if (only_if_remembered && shard.flushing.find(r.event_id, hash) == shard.flushing.end()) return;
  shard.current.emplace(std::string(r.event_id), Shard::Entry{std::string(r.pid), received_ms});
  // Counted with the insert, under its lock: size() is never below what the tables hold,
  // so ReceivedAt's shortcut at 0 cannot skip a remembered id.
  size_.fetch_add(1, std::memory_order_release);
}

void RecentIds::Add(const std::vector<DedupRecord>& records, int64_t received_ms) {
  for (const DedupRecord& r : records) Set(r, received_ms, /*only_if_remembered=*/false);
}

void RecentIds::Supersede(const std::vector<DedupRecord>& records, int64_t received_ms) {
  if (size() == 0) return;
  for (const DedupRecord& r : records) Set(r, received_ms, /*only_if_remembered=*/true);
}

std::optional<int64_t> RecentIds::ReceivedAt(std::string_view event_id) const {
  if (size() == 0) return std::nullopt;  // nothing remembered (the setting off): no locks
  const size_t hash = StringHash{}(event_id);
  const Shard& shard = (*shards_)[ShardOf(hash, kShards)];
  MutexLock lock(shard.mu);
  if (auto it = shard.current.find(event_id, hash); it != shard.current.end()) {
    return it->second.received_ms;
  }
  if (auto it = shard.flushing.find(event_id, hash); it != shard.flushing.end()) {
    return it->second.received_ms;
  }
  return std::nullopt;
}

Result<size_t> RecentIds::Flush(storage::KvStore& store, size_t max_per_write) {
  MutexLock flush_lock(flush_mu_);
  // Take what is remembered now; ids added from here on go to fresh tables. The taken
  // ones keep answering ReceivedAt until written.
  for (Shard& shard : *shards_) {
    MutexLock lock(shard.mu);
    shard.current.swap(shard.flushing);
  }
  using Pending = std::pair<std::string_view, const Shard::Entry*>;
  std::vector<Pending> pending;
  for (const Shard& shard : *shards_) {
    for (const auto& [id, e] : shard.flushing) pending.emplace_back(id, &e);
  }
  auto give_back = [&] {
    // Not written: back into `current`, unless accepted again meanwhile (newer there).
    for (Shard& shard : *shards_) {
      MutexLock lock(shard.mu);
      size_t shadowed = 0;
      for (const auto& [id, e] : shard.flushing) shadowed += !shard.current.emplace(id, e).second;
      shard.flushing.clear();
      size_.fetch_sub(shadowed, std::memory_order_release);
    }
  };
  // In id order: each insert lands next to the one before it in the memtable's skiplist,
  // whose search path is then still in cache.
  std::sort(pending.begin(), pending.end(),
            [](const Pending& a, const Pending& b) { return a.first < b.first; });
  std::string value;
  for (size_t start = 0; start < pending.size(); start += max_per_write) {
    storage::WriteBatch wb;
    const size_t end = std::min(pending.size(), start + max_per_write);
    for (size_t i = start; i < end; ++i) {
      const Shard::Entry& e = *pending[i].second;
      value.clear();
      AppendDedupValue(&value, e.pid, e.received_ms);
      wb.Put(storage::Keyspace::kDedup, pending[i].first, value);
    }
    Status st = store.Write(wb, storage::WriteOptions{});
    if (!st.ok()) {
      give_back();
      return st;
    }
  }
  // Written: forgotten, and uncounted with the removal, under its lock. (Ids accepted
  // again meanwhile are in `current`, newer.)
  for (Shard& shard : *shards_) {
    MutexLock lock(shard.mu);
    size_.fetch_sub(shard.flushing.size(), std::memory_order_release);
    shard.flushing.clear();
  }
  return pending.size();
}

}  // namespace tailor::ingest
