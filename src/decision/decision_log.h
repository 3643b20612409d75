// DecisionLog: every decision, with what it read, the rules it tried, the config
// version and the answer, kept in the `decisions` keyspace for the retention set by the
// `decision_log_retention` setting. Outcome events that carry a decision_id are stored
// by the ingest pipeline under `decision_outcomes` and joined here.
//
// Appending is cheap and never blocks on storage: Append encodes the record in its
// compact binary form (decision_record.h) straight into an in-memory queue, and a writer
// thread writes the queue in batches every few milliseconds (with the dirty
// frequency-cap entries). Decision ids are monotonic ULIDs assigned at append, so the
// records of one flush are stored as one *segment* (up to kSegmentRecords) under the
// first record's id: one RocksDB entry per flush instead of one per decision. A read
// seeks to the segment whose first id is at or before the wanted one. Reads flush the
// queue first, so a decision is readable as soon as it was answered. If the writer falls
// more than `max_queue` records behind, new records are dropped and counted (dropped());
// the answer is never delayed.
//
// Records and snapshots skip the write-ahead log (its copy of every record cost ~10 % of
// a decision's CPU); the writer persists their keyspaces every `persist_interval_ms`
// instead, so a crash loses at most that much of the log (a clean shutdown loses
// nothing). Frequency-cap entries, which later answers depend on, always go through the
// WAL. persist_interval_ms = 0 logs every batch (durable within flush_interval_ms).
//
// Thread safety: safe for concurrent use.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/json_doc.h"
#include "core/mutex.h"
#include "core/status.h"
#include "decision/answer.h"
#include "decision/caps.h"
#include "decision/decision_config.h"
#include "decision/decision_record.h"
#include "decision/profile_view.h"
#include "storage/kv_store.h"

namespace tailor::decision {

// Adds "inputs" to a stored record: the value of every attribute path the placement's
// rules read in `config` (the config version the decision ran under), taken from the
// record's "snapshot" (profile document) and "context". Without config or snapshot,
// "inputs" is empty.
void AddInputs(Json* record, const DecisionConfig* config);

struct DecisionLogOptions {
  size_t max_queue = 200'000;
  int64_t flush_interval_ms = 5;
  // 0: records go through the write-ahead log. Each persist flushes the log's memtables
  // into new table files; once a second those flushes showed in the decide p99 under
  // load (docs/performance.md, "Session 11"), so the default is 5 s.
  int64_t persist_interval_ms = 5000;
};

class DecisionLog {
 public:
  // `caps` (may be null) has its dirty entries written with every batch. Ids are made
  // from `clock` and `random`, which must outlive the log.
  DecisionLog(storage::KvStore& store, CapLedger* caps, const Clock& clock, Random& random,
              DecisionLogOptions options = {});
  ~DecisionLog();  // stops the writer after writing what is queued

  static constexpr size_t kSegmentRecords = 256;

  // Assigns the decision its id (returned) and queues its encoded record; `d` and what
  // it points at are not used after the call.
  std::string Append(const PendingDecision& d);
  // Logs the document of a newly built view (decisions refer to it by id).
  void AppendSnapshot(std::shared_ptr<const ProfileView> view);

  // Writes everything queued now (also called by the writer thread).
  Status Flush();

  // The stored record (a JSON object) with "outcomes": [...] joined and "snapshot" (the
  // profile document it read; null when expired); kNotFound when unknown or expired.
  Result<Json> Get(const std::string& decision_id);

  // Calls `fn` with every stored record decided in [since_ms, until_ms), oldest first,
  // until it returns false. With `snapshots`, each record carries its "snapshot".
  Status Scan(int64_t since_ms, int64_t until_ms, bool snapshots,
              const std::function<bool(const Json&)>& fn);

  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Persists the unlogged keyspaces when a write left something to persist.
  void PersistIfDue(int64_t now_ms);
  // Sets record["snapshot"] from the stored snapshot it names (null when gone).
  Status AttachSnapshot(Json* record);

  storage::KvStore& store_;
  CapLedger* caps_;
  DecisionLogOptions options_;
  // std::mutex (not core Mutex) because the writer waits on it with a condition variable.
  std::mutex mu_;
  // Encoded records (length-prefixed, decision_record.h), oldest first.
  std::string queue_;      // guarded by mu_
  size_t queued_ = 0;      // records in queue_; guarded by mu_
  // Where each segment's first record starts in queue_ (every kSegmentRecords-th
  // record), noted at append so a flush need not scan the records; guarded by mu_.
  std::vector<size_t> segment_starts_;
  std::vector<std::shared_ptr<const ProfileView>> snapshots_;  // guarded by mu_
  MonotonicUlids ids_;                                         // guarded by mu_
  const Clock& clock_;  // ids carry the time they were made
  Random& random_;
  bool stop_ = false;                   // guarded by mu_
  std::condition_variable cv_;
  Mutex write_mu_;  // one writer at a time, so records land in order
  // The previous batch, emptied, kept for its capacity.
  std::string spare_ GUARDED_BY(write_mu_);
  std::vector<size_t> spare_starts_ GUARDED_BY(write_mu_);
  std::string segment_ GUARDED_BY(write_mu_);  // the segment being built, likewise
  static constexpr size_t kMaxSpareCapacity = 16 << 20;
  std::atomic<bool> unpersisted_{false};  // an unlogged write since the last persist
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  int64_t last_persist_ms_;  // the writer thread's own
  std::thread writer_;
};

}  // namespace tailor::decision
