// Pipeline: the ingest path. decode -> validate (schema) -> sample -> dedup -> resolve
// identity -> consent gate -> sessionize -> append to the profile's event log -> update
// the profile -> one WriteBatch -> acknowledge (docs/design.md §3).
//
// Concurrency: work on one profile is serialized by striped locks over identities,
// profile ids and event ids. A call first takes the locks that are free (never waiting
// while it holds them) and stores the events whose locks it got in one atomic
// WriteBatch; the events of people another call is working on, with every event sharing
// a lock with them, follow in a second WriteBatch under locks taken in ascending stripe
// order (blocking, so no deadlock). An acknowledged batch is fully stored; on an error
// return its first part may be stored: a retry stores the rest (event ids deduplicate).
// Dead-letter replays are never split (their deletes go in the one write).
//
// Thread safety: safe for concurrent use from any number of threads.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "identity/identity_index.h"
#include "ingest/dead_letters.h"
#include "ingest/event_codec.h"
#include "ingest/ingest_config.h"
#include "ingest/profile_journal.h"
#include "ingest/recent_ids.h"
#include "ingest/schema_registry.h"
#include "profile/features.h"
#include "profile/profile_store.h"
#include "segments/segment_set.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

// The configuration a batch is ingested under: one immutable snapshot per call.
struct IngestSnapshot {
  IngestConfig config;
  std::shared_ptr<const SchemaRegistry> schemas;  // never null
  DecodeOptions decode;
  // Computed features and segments maintained on every ingested event (may be null).
  std::shared_ptr<const profile::FeatureSet> features;
  std::shared_ptr<const segments::SegmentSet> segments;
  std::shared_ptr<const condition::SavedGroups> saved_groups;

  // Builds a snapshot (compiling the schemas); fails like SchemaRegistry::Compile.
  static Result<std::shared_ptr<const IngestSnapshot>> Build(const IngestConfig& config,
                                                             size_t max_batch_events);
};

struct RejectedEvent {
  size_t index = 0;
  std::string event_id;
  Status error;
};

struct IngestOutcome {
  size_t accepted = 0;
  size_t duplicates = 0;
  size_t sampled_out = 0;      // dropped by per-type sampling
  size_t consent_dropped = 0;  // dropped: profile lacks the storage purpose
  std::vector<RejectedEvent> rejected;
};

// Monotonic counters for /metrics.
struct PipelineCounters {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> dead_lettered{0};
  std::atomic<uint64_t> sampled_out{0};
  std::atomic<uint64_t> consent_dropped{0};
  std::atomic<uint64_t> merges{0};
  std::atomic<uint64_t> write_errors{0};
  std::atomic<uint64_t> segment_entries{0};
  std::atomic<uint64_t> segment_exits{0};
  std::atomic<uint64_t> profiles_deferred{0};   // profile writes left to FlushProfiles
  std::atomic<uint64_t> profiles_flushed{0};    // written by FlushProfiles
  std::atomic<uint64_t> profiles_recovered{0};  // rebuilt from the journal
  std::atomic<uint64_t> dedup_deferred{0};       // dedup entries left to the flush (RecentIds)
  std::atomic<uint64_t> dedup_flushed{0};        // written by FlushProfiles (or Recover)
  // Lock acquisitions (a call makes one, or a few when identities move meanwhile) that
  // waited for another call's stripe locks (the same person, identity or event id in
  // flight), and the microseconds they waited in all.
  std::atomic<uint64_t> lock_waits{0};
  std::atomic<uint64_t> lock_wait_us{0};
  // Ingest calls that stored their events in two writes: some of their events' locks were
  // held by another call (see Concurrency above).
  std::atomic<uint64_t> batches_split{0};
  // Ingest calls that could not try the free locks first because an identity moved while
  // they resolved (a merge, or a new identity once the identity cache is full): they took
  // every lock the blocking way.
  std::atomic<uint64_t> lock_free_fallbacks{0};
};

struct PipelineOptions {
  // fsync the WAL before acknowledging (group-committed across concurrent batches).
  bool sync_writes = false;
  // Write-behind: an ingest batch leaves the profiles it changed in the cache and writes a
  // journal entry instead (profile_journal.h); FlushProfiles writes them. Takes effect
  // once Recover has run. Profiles are still written at once when they are new, merged,
  // gain an identity or keep a consent whose event is dropped.
  bool write_behind = false;
  // With write_behind, dedup entries too (recent_ids.h) while fewer than this many wait
  // for the flush; beyond that a batch writes its own. 0: never (the setting
  // dedup_write_behind off, the default: with time-ordered ids it costs more than it saves).
  size_t max_recent_ids = 0;
};

class Pipeline {
 public:
  // All references must outlive the pipeline.
  Pipeline(storage::KvStore& store, profile::ProfileStore& profiles,
           identity::IdentityIndex& identities, const Clock& clock, Random& random,
           PipelineOptions options);

  // Decodes and ingests a request body {"events":[...]}. `source` (API key id, "import")
  // is recorded on dead letters. Returns kInvalidArgument / kPayloadTooLarge for a bad
  // body (nothing stored) and an I/O error when the write failed (nothing stored).
  Result<IngestOutcome> IngestBody(std::string* body, const IngestSnapshot& snapshot,
                                   std::string_view source);

  // Ingests an already decoded batch.
  Result<IngestOutcome> Ingest(DecodedBatch batch, const IngestSnapshot& snapshot,
                               std::string_view source);

  struct ReplayOutcome {
    size_t replayed = 0;  // re-ingested and removed from the dead letters
    size_t still_failing = 0;
    size_t duplicates = 0;
    size_t sampled_out = 0;      // removed: dropped by sampling under the current config
    size_t consent_dropped = 0;  // removed: the profile lacks the storage purpose
  };
  // Re-ingests up to `limit` dead letters (oldest first, or only `ids` when non-empty)
  // under `snapshot`; successes are removed, failures stay with their new reason.
  Result<ReplayOutcome> ReplayDeadLetters(const std::vector<std::string>& ids, size_t limit,
                                          const IngestSnapshot& snapshot);

  // Lock stripes over identities and profile ids.
  // Many stripes: two concurrent batches of ~100 people rarely share one.
  static constexpr size_t kStripes = 1 << 16;

  // Re-evaluates stored profiles under `snapshot`: with `recompute_features`, rebuilds
  // their feature states from their stored event history (backfill after a feature
  // definition changed); always re-evaluates segments (time-based entry and expiry).
  // Writes the changes in one batch. Unknown pids are skipped.
  Status Refresh(const std::vector<std::string>& pids, const IngestSnapshot& snapshot,
                 bool recompute_features);

  // Merges traits into stored profiles: (pid, JSON object) pairs, e.g. a cluster label
  // from `tailor cluster`. Segments reading traits are re-evaluated. One write.
  Status MergeTraits(const std::vector<std::pair<std::string, std::string>>& updates,
                     const IngestSnapshot& snapshot);

  // Rebuilds every profile whose stored form lags its journal (after a crash, or a
  // previous run with write-behind), writes them, and truncates the journal. Call once at
  // start, before ingesting and before serving reads; write-behind starts after it.
  // Returns how many profiles were rebuilt.
  Result<size_t> Recover(const IngestSnapshot& snapshot);

  // Writes every profile changed but not stored yet and every dedup entry left to it
  // (RecentIds), and truncates the journal below the oldest change still unstored.
  // Called on an interval and at shutdown; safe to call concurrently with ingest. Returns
  // how many profiles were written.
  Result<size_t> FlushProfiles();

  // Calls `listener` with every event once it is stored (e.g. `impression` events feed
  // frequency caps). Set once, before the pipeline is shared.
  void SetAcceptedListener(std::function<void(const Event&)> listener) {
    accepted_listener_ = std::move(listener);
  }

  const PipelineCounters& counters() const { return counters_; }
  DeadLetterStore& dead_letters() { return dead_letters_; }

 private:
  class Batch;        // the per-call working state (pipeline_batch.h)
  class StripeGuard;  // a call's stripe locks (pipeline.cc)
  using EventRefs = std::vector<std::pair<size_t, Event*>>;  // (index in the request, event)

  // Takes the stripes of `events` (their identities, event ids and the profiles those
  // resolve to), blocking, and tells `b` what the identities resolve to.
  Status LockAll(const EventRefs& events, StripeGuard* guard, Batch* b);
  // Takes only the stripes free now; keeps in *events those whose stripes it all got and
  // that share none with another, moves the rest to *later (request order kept) and
  // tells `b` what the kept events' identities resolve to. When none can go, or an
  // identity moved meanwhile, takes every stripe the blocking way instead (LockAll).
  Status LockFree(EventRefs* events, EventRefs* later, StripeGuard* guard, Batch* b);
  // Drops duplicates (in the batch, or stored within the dedup window) and applies the
  // rest to `b`. REQUIRES: their stripes held.
  Status ApplyEvents(const EventRefs& events, Batch* b);
  // ApplyEvents, then commits `b`, releases `guard` and notifies the accepted-event
  // listener. REQUIRES: `guard` holds the events' stripes.
  Status StoreEvents(const EventRefs& events, StripeGuard* guard, Batch* b);

  // Ingest() that also deletes the dead letters `dead_letters` in the same write.
  Result<IngestOutcome> IngestWithDeletes(DecodedBatch batch, const IngestSnapshot& snapshot,
                                          std::string_view source,
                                          const std::vector<std::string>& dead_letters);

  // Rebuilds `pids` (all with journal entries when null) from the stored profile plus the
  // journal entries newer than its applied_seq and caches them as unstored (no write).
  // With `held`, the caller holds their cache entries (Take): they are rebuilt from the
  // stored form without letting readers in, and each ends rebuilt or forgotten.
  // REQUIRES: no concurrent writer of those profiles (stripes held, or start-up).
  Result<size_t> ReplayJournal(const std::set<std::string>* pids, const IngestSnapshot& snapshot,
                               bool held = false);

  std::function<void(const Event&)> accepted_listener_;
  storage::KvStore& store_;
  profile::ProfileStore& profiles_;
  identity::IdentityIndex& identities_;
  const Clock& clock_;
  Random& random_;
  PipelineOptions options_;
  DeadLetterStore dead_letters_;
  ProfileJournal journal_;
  RecentIds recent_ids_;
  std::atomic<bool> recovered_{false};
  std::atomic<bool> keep_journal_{false};  // a rebuild failed: never truncate until restart
  // Profiles a failed batch could not rebuild (ReplayJournal): the next batch that needs
  // one retries the rebuild first and fails with kUnavailable while it cannot.
  std::mutex broken_mu_;
  std::set<std::string> broken_;  // guarded by broken_mu_
  bool IsBroken(const std::string& pid);
  std::mutex flush_mu_;           // one FlushProfiles at a time
  uint64_t truncated_floor_ = 0;  // guarded by flush_mu_
  PipelineCounters counters_;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace tailor::ingest
