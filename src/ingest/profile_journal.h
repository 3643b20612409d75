// ProfileJournal: what the store does not know yet about cached profiles (write-behind).
//
// With write-behind on, an ingest batch writes its events, identity links and membership
// changes as always, but leaves most changed profiles in the cache: instead of their
// stored form (kilobytes with feature states) it writes one small journal entry in the
// same WriteBatch — for each deferred profile, the keys of the events it applied, in
// order — and, with the setting dedup_write_behind, the dedup entries of its events
// (event id and profile, and the time received), which the flush writes to the dedup
// keyspace in id order (RecentIds); without it they go into the WriteBatch directly.
// Every profile records the journal sequence number of the last batch folded into it
// (`Profile::applied_seq`). After a crash, Pipeline::RecoverProfiles replays, for each
// profile, the journal entries newer than its stored applied_seq from its stored events, so
// no acknowledged change is lost. A periodic flush writes dirty profiles and truncates the
// journal below the oldest change still unstored (docs/design.md §3, docs/storage-format.md).
//
// Thread safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ingest/recent_ids.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

struct JournalEntry;  // below

class ProfileJournal {
 public:
  // One deferred profile of a batch: the events it applied, as event-key suffixes (the
  // part of storage::EventKey after the profile prefix), in application order.
  struct Change {
    std::string pid;
    std::vector<std::string> event_suffixes;
  };

  // `store` must outlive the journal.
  explicit ProfileJournal(storage::KvStore& store) : store_(store) {}

  // Reads where numbering continues. Call once, before any other method.
  Status Open();

  // Allocates the sequence number of a batch; it counts as in flight until End(seq).
  uint64_t Begin();
  void End(uint64_t seq);

  // Adds the entry of batch `seq` to `wb` (also when `changes` and `dedup` are empty: the
  // key records that `seq` was used). `dedup`: the batch's events received at
  // `received_ms`.
  static void Stage(uint64_t seq, const std::vector<Change>& changes, int64_t received_ms,
                    const std::vector<DedupRecord>& dedup, storage::WriteBatch* wb);

  // The smallest sequence number a truncation must keep for batches in flight: the
  // lowest in flight, else the next to be allocated.
  uint64_t InFlightFloor() const;

  // Deletes every entry below `floor` and records the next sequence number, so numbers
  // never repeat across restarts. One write.
  Status Truncate(uint64_t floor);

  // Calls `fn` for every change of every entry, in sequence order. Stops at the first error.
  Status Scan(const std::function<Status(uint64_t seq, Change& change)>& fn) const;
  // Calls `fn` with every entry, decoded, in sequence order. Stops at the first error.
  Status ForEachEntry(const std::function<Status(uint64_t seq, JournalEntry& entry)>& fn) const;

  // The next sequence number to be allocated.
  uint64_t next_seq() const;

 private:
  storage::KvStore& store_;
  mutable std::mutex mu_;
  uint64_t next_ = 1;                  // guarded by mu_
  std::multiset<uint64_t> in_flight_;  // guarded by mu_
};

// One journal entry, decoded.
struct JournalEntry {
  std::vector<ProfileJournal::Change> changes;
  int64_t received_ms = 0;  // of the dedup records
  std::vector<std::pair<std::string, std::string>> dedup;  // (event id, pid)
};

// The encoded value of one journal entry, and its decoding (kCorruption when malformed).
// Entries written before dedup records were journaled (no dedup section) decode with
// none.
std::string EncodeJournalEntry(const std::vector<ProfileJournal::Change>& changes,
                               int64_t received_ms = 0,
                               const std::vector<DedupRecord>& dedup = {});
Result<JournalEntry> DecodeJournalEntry(std::string_view value);

}  // namespace tailor::ingest
