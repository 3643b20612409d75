// RecentIds: the ids of accepted events whose dedup entries are not in the store yet
// (write-behind of dedup entries; docs/design.md, deviation (h)).
//
// Every accepted event leaves a dedup entry (event id -> profile and time received), so
// a retry of it is recognised. Written with its batch, each entry is one insert into the
// dedup memtable at a place its id alone decides: with ids in random order, as UUIDv4
// ids arrive, that is a search of a tens-of-megabytes skiplist, a dozen cache and TLB
// misses per event, which made ingest over HTTP about a third slower than with
// time-ordered ids (docs/performance.md, "Session 16"). Instead, with the setting
// dedup_write_behind (and profile write-behind) on, a batch journals its dedup records
// (profile_journal.h) and remembers its ids here; the periodic flush writes them all in
// id order, where consecutive inserts fall next to each other in the skiplist, and
// forgets them. The dedup check looks here first, then in the store.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

// The dedup value: "<pid>|<received_at_ms>"; AppendDedupValue appends it to *out.
std::string DedupValue(std::string_view pid, int64_t received_ms);
void AppendDedupValue(std::string* out, std::string_view pid, int64_t received_ms);

// The received_at_ms of a dedup value (0 when it has none).
int64_t DedupTime(std::string_view value);

// An accepted event's dedup entry: its id and the profile it went to.
struct DedupRecord {
  std::string_view event_id;
  std::string_view pid;
};

class RecentIds {
 public:
  RecentIds();
  ~RecentIds();

  // Remembers `records`, received at `received_ms` (an id remembered already takes the
  // new record: it was accepted again, its first time outside the dedup window).
  void Add(const std::vector<DedupRecord>& records, int64_t received_ms);

  // For ids written to the store directly, by a batch past the limit of remembered ids:
  // the remembered ones take the new record, so the flush does not write an older one
  // over it.
  void Supersede(const std::vector<DedupRecord>& records, int64_t received_ms);

  // When `event_id` was received, if remembered.
  std::optional<int64_t> ReceivedAt(std::string_view event_id) const;

  // How many ids are remembered (an id accepted again during a Flush counts twice until
  // it ends).
  size_t size() const { return size_.load(std::memory_order_acquire); }

  // Writes the dedup entry of every id remembered when it starts to `store`, in id order
  // (writes of at most `max_per_write` entries, small enough that ingest writes queued
  // behind one wait a few milliseconds at most), then forgets them; ids added meanwhile
  // stay. Until an id is written, ReceivedAt still finds it, so a dedup check that reads
  // here before the store never misses one. Returns how many were written; on an error
  // nothing is forgotten.
  Result<size_t> Flush(storage::KvStore& store, size_t max_per_write = 4096);

 private:
  static constexpr size_t kShards = 16;
  struct Shard;
  // Gives `r.event_id` the record (r.pid, received_ms); with `only_if_remembered`, only
  // when the id is in either table already.
  void Set(const DedupRecord& r, int64_t received_ms, bool only_if_remembered);
  std::unique_ptr<std::array<Shard, kShards>> shards_;
  std::atomic<size_t> size_{0};
  Mutex flush_mu_;  // one Flush at a time
};

}  // namespace tailor::ingest
