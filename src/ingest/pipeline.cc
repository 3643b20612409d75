#include "ingest/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_set>

#include "core/hash.h"
#include "core/union_find.h"
#include "ingest/pipeline_batch.h"

namespace tailor::ingest {

using identity::IdKind;

Result<std::shared_ptr<const IngestSnapshot>> IngestSnapshot::Build(const IngestConfig& config,
                                                                    size_t max_batch_events) {
  auto snap = std::make_shared<IngestSnapshot>();
  snap->config = config;
  TAILOR_ASSIGN_OR_RETURN(snap->schemas, SchemaRegistry::Compile(config));
  snap->decode = DecodeOptions::FromConfig(config);
  snap->decode.max_batch_events = max_batch_events;
  TAILOR_RETURN_IF_ERROR(snap->decode.Validate());
  return std::shared_ptr<const IngestSnapshot>(std::move(snap));
}

Pipeline::Pipeline(storage::KvStore& store, profile::ProfileStore& profiles,
                   identity::IdentityIndex& identities, const Clock& clock, Random& random,
                   PipelineOptions options)
    : store_(store),
      profiles_(profiles),
      identities_(identities),
      clock_(clock),
      random_(random),
      options_(options),
      dead_letters_(store, clock, random),
      journal_(store) {}

Result<IngestOutcome> Pipeline::IngestBody(std::string* body, const IngestSnapshot& snapshot,
                                           std::string_view source) {
  TAILOR_ASSIGN_OR_RETURN(DecodedBatch batch,
                          DecodeBatchInPlace(body, snapshot.decode, clock_.NowMs()));
  return Ingest(std::move(batch), snapshot, source);
}

// Holds a sorted set of stripe locks; releases them on destruction. Acquire blocks (in
// ascending stripe order, so two callers never deadlock) and counts the acquisitions that
// had to wait for another call's locks, and for how long; TryAcquire takes only the free
// ones and never waits, so a caller holding what it got that way must not block on more.
class Pipeline::StripeGuard {
 public:
  StripeGuard(std::array<std::mutex, Pipeline::kStripes>& stripes, PipelineCounters& counters)
      : stripes_(stripes), counters_(counters) {}
  ~StripeGuard() { Release(); }
  void Acquire(std::vector<size_t> want) {
    SortUnique(&want);
    std::optional<std::chrono::steady_clock::time_point> waited_from;
    for (size_t s : want) {
      if (stripes_[s].try_lock()) continue;
      if (!waited_from) waited_from = std::chrono::steady_clock::now();
      stripes_[s].lock();
    }
    if (waited_from) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - *waited_from);
      counters_.lock_waits.fetch_add(1, std::memory_order_relaxed);
      counters_.lock_wait_us.fetch_add(static_cast<uint64_t>(us.count()), std::memory_order_relaxed);
    }
    held_ = std::move(want);
  }
  // Adds every stripe of `want` that is free now (or already held) to the held set.
  void TryAcquire(std::vector<size_t> want) {
    SortUnique(&want);
    std::vector<size_t> got, merged;
    got.reserve(want.size());  // nothing below may throw once a stripe is locked
    merged.reserve(held_.size() + want.size());
    for (size_t s : want) {
      if (Holds(s) || stripes_[s].try_lock()) got.push_back(s);
    }
    std::set_union(held_.begin(), held_.end(), got.begin(), got.end(), std::back_inserter(merged));
    held_ = std::move(merged);
  }
  // Releases every held stripe not in `keep` (sorted).
  void KeepOnly(const std::vector<size_t>& keep) {
    std::vector<size_t> kept;
    for (size_t s : held_) {
      if (std::binary_search(keep.begin(), keep.end(), s)) {
        kept.push_back(s);
      } else {
        stripes_[s].unlock();
      }
    }
    held_ = std::move(kept);
  }
  void Release() {
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) stripes_[*it].unlock();
    held_.clear();
  }
  bool Holds(size_t s) const { return std::binary_search(held_.begin(), held_.end(), s); }

 private:
  static void SortUnique(std::vector<size_t>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }

  std::array<std::mutex, Pipeline::kStripes>& stripes_;
  PipelineCounters& counters_;
  std::vector<size_t> held_;
};

namespace {

size_t StripeOf(std::string_view key) { return Hash64(key) % Pipeline::kStripes; }

// What the events of a call lock before resolving anything: the identities each names
// and the stripes of those and of its event id (two batches carrying the same event_id
// for different people must not both pass the dedup check).
struct EventKeys {
  std::vector<std::pair<IdKind, std::string_view>> ids;
  std::vector<size_t> first;         // event k names ids[first[k] .. first[k + 1])
  std::vector<size_t> event_stripe;  // per event
  std::vector<size_t> id_stripe;     // per id

  explicit EventKeys(const std::vector<std::pair<size_t, Event*>>& events) {
    first.reserve(events.size() + 1);
    event_stripe.reserve(events.size());
    for (const auto& [index, e] : events) {
      first.push_back(ids.size());
      if (!e->user_id.empty()) ids.emplace_back(IdKind::kUser, e->user_id);
      if (!e->anonymous_id.empty()) ids.emplace_back(IdKind::kAnonymous, e->anonymous_id);
      event_stripe.push_back(StripeOf("e:" + e->event_id));
    }
    first.push_back(ids.size());
    id_stripe.reserve(ids.size());
    for (const auto& [kind, id] : ids) id_stripe.push_back(StripeOf(ExternalKey(kind, id)));
  }
  // Every stripe above.
  std::vector<size_t> All() const {
    std::vector<size_t> all = event_stripe;
    all.insert(all.end(), id_stripe.begin(), id_stripe.end());
    return all;
  }
};

}  // namespace

Result<IngestOutcome> Pipeline::Ingest(DecodedBatch batch, const IngestSnapshot& snap,
                                       std::string_view source) {
  return IngestWithDeletes(std::move(batch), snap, source, {});
}

Result<IngestOutcome> Pipeline::IngestWithDeletes(DecodedBatch batch, const IngestSnapshot& snap,
                                                  std::string_view source,
                                                  const std::vector<std::string>& dead_letters) {
  // Released once the batch commits, else after ~Batch, which may rebuild profiles. The
  // second part of a split call (below) has its own, destroyed before these.
  StripeGuard guard(stripes_, counters_);
  Batch b(*this, snap, source);
  std::optional<StripeGuard> guard2;
  std::optional<Batch> b2;
  const bool defer = options_.write_behind && recovered_.load();
  if (defer) b.AllowDeferral();
  for (const std::string& id : dead_letters) b.DeleteDeadLetter(id);
  // Rejected events are dead-lettered in the call's last write: a retry after a failed
  // second write must not dead-letter them twice.
  struct Rejection {
    size_t index;
    std::string event_id;
    Status error;
    std::string raw_json;
  };
  std::vector<Rejection> rejections;
  for (const EventError& err : batch.errors) {
    rejections.push_back({err.index, err.event_id, err.status, err.raw_json});
  }
  EventRefs kept;
  for (size_t k = 0; k < batch.events.size(); ++k) {
    Event& e = batch.events[k];
    size_t index = batch.indexes[k];
    Status st = IsInternalEventType(e.type)
                    ? InvalidArgument(
                          "'" + e.type + "' is reserved for events Tailor writes itself", "type")
                    : snap.schemas->Validate(e);
    if (!st.ok()) {
      rejections.push_back({index, e.event_id,
                            st.WithPathPrefix("events[" + std::to_string(index) + "]"),
                            EncodeWireEventJson(e)});
      continue;
    }
    if (auto it = snap.config.sampling.find(e.type); it != snap.config.sampling.end()) {
      const std::string& unit = e.user_id.empty() ? e.anonymous_id : e.user_id;
      if (UnitInterval(unit, e.type) >= it->second) {
        ++b.outcome.sampled_out;
        continue;
      }
    }
    kept.emplace_back(index, &e);
  }

  // Events whose locks are all free now go first, in this call's first write; the others
  // (those of people another batch is working on: two batches of 100 events over 10,000
  // people share one or two most of the time) follow in a second write once their locks
  // come free. Waiting for them first would idle this thread for most of the other
  // batch. A replay of dead letters never splits: it deletes them in its one write.
  EventRefs later;
  if (dead_letters.empty()) {
    TAILOR_RETURN_IF_ERROR(LockFree(&kept, &later, &guard, &b));
  } else {
    TAILOR_RETURN_IF_ERROR(LockAll(kept, &guard, &b));
  }
  if (!later.empty()) {
    b2.emplace(*this, snap, source);
    b2->ContinueCall();
    if (defer) b2->AllowDeferral();
  }
  Batch& last = b2 ? *b2 : b;
  for (const Rejection& r : rejections) last.Reject(r.index, r.event_id, r.error, r.raw_json);

  TAILOR_RETURN_IF_ERROR(StoreEvents(kept, &guard, &b));
  IngestOutcome out = std::move(b.outcome);
  if (b2) {
    counters_.batches_split.fetch_add(1, std::memory_order_relaxed);
    guard2.emplace(stripes_, counters_);
    TAILOR_RETURN_IF_ERROR(LockAll(later, &*guard2, &*b2));
    TAILOR_RETURN_IF_ERROR(StoreEvents(later, &*guard2, &*b2));
    out.accepted += b2->outcome.accepted;
    out.duplicates += b2->outcome.duplicates;
    out.consent_dropped += b2->outcome.consent_dropped;
    out.sampled_out += b2->outcome.sampled_out;
    for (RejectedEvent& r : b2->outcome.rejected) out.rejected.push_back(std::move(r));
  }
  std::sort(out.rejected.begin(), out.rejected.end(),
            [](const RejectedEvent& x, const RejectedEvent& y) { return x.index < y.index; });
  return out;
}

Status Pipeline::LockAll(const EventRefs& events, StripeGuard* guard, Batch* b) {
  // Lock every identity of the events and every profile they resolve to. Resolution may
  // change while we wait for the locks, so re-check and widen until stable.
  const EventKeys keys(events);
  const auto& ids = keys.ids;
  std::vector<size_t> want = keys.All();
  std::vector<std::optional<std::string>> resolved(ids.size());
  uint64_t last_generation = 0;
  for (int attempt = 0;; ++attempt) {
    // A mapping found once moves only with a change of the index's generation (read
    // before the lookups): while it holds, only the ids not found before are looked up
    // again (another batch may have created them), which keeps most lookups out of the
    // locks.
    const uint64_t generation = identities_.generation();
    const bool every = attempt == 0 || generation != last_generation;
    last_generation = generation;
    std::vector<size_t> pid_stripes;
    for (size_t k = 0; k < ids.size(); ++k) {
      if (every || !resolved[k]) {
        TAILOR_ASSIGN_OR_RETURN(resolved[k], identities_.Lookup(ids[k].first, ids[k].second));
      }
      if (resolved[k]) pid_stripes.push_back(StripeOf(*resolved[k]));
    }
    bool covered = attempt > 0;
    for (size_t s : pid_stripes) covered = covered && guard->Holds(s);
    if (covered) break;
    guard->Release();
    if (attempt >= 4) {
      // Still moving after five passes: take every stripe; the next pass resolves under
      // them and is covered whatever it finds.
      want.resize(kStripes);
      std::iota(want.begin(), want.end(), size_t{0});
    } else {
      want.insert(want.end(), pid_stripes.begin(), pid_stripes.end());
    }
    guard->Acquire(want);
  }
  // Resolutions read under the locks stay valid for this batch: look each id up once.
  for (size_t k = 0; k < ids.size(); ++k) b->Know(ids[k].first, ids[k].second, resolved[k]);
  return Status::OK();
}

Status Pipeline::LockFree(EventRefs* events, EventRefs* later, StripeGuard* guard, Batch* b) {
  const size_t n = events->size();
  const EventKeys keys(*events);
  const auto& [ids, first, event_stripe, id_stripe] = keys;
  // An id whose stripe this call holds cannot gain a mapping meanwhile, and while the
  // index's generation holds no mapping moves: for an event whose event and identity
  // stripes were held before its lookups, and whose resolved profiles' stripes are held
  // after them, what is read here is what a lookup under every lock would read. (A
  // stripe got only in the second TryAcquire, by a hash collision with a profile's,
  // does not count: the lookup ran before it was held.)
  const uint64_t generation = identities_.generation();
  guard->TryAcquire(keys.All());
  std::vector<bool> event_held(n), id_held(ids.size());
  for (size_t k = 0; k < n; ++k) event_held[k] = guard->Holds(event_stripe[k]);
  for (size_t i = 0; i < ids.size(); ++i) id_held[i] = guard->Holds(id_stripe[i]);
  // Per id: the stripe of the profile it resolved to, and for an id not held, of the one
  // it resolves to after the profiles' stripes are taken (kNone: no profile).
  constexpr size_t kNone = SIZE_MAX;
  std::vector<std::optional<std::string>> resolved(ids.size());
  std::vector<size_t> pid_stripe(ids.size(), kNone), later_pid_stripe(ids.size(), kNone);
  std::vector<size_t> pid_stripes;
  for (size_t i = 0; i < ids.size(); ++i) {
    TAILOR_ASSIGN_OR_RETURN(resolved[i], identities_.Lookup(ids[i].first, ids[i].second));
    if (resolved[i]) pid_stripes.push_back(pid_stripe[i] = StripeOf(*resolved[i]));
  }
  guard->TryAcquire(std::move(pid_stripes));
  // The ids not held are read again, now: another call that linked one of them to a
  // profile whose stripe this call now holds committed that link before releasing the
  // stripe, so it shows here, and its event stays with that profile's (below).
  for (size_t i = 0; i < ids.size(); ++i) {
    if (id_held[i]) continue;
    TAILOR_ASSIGN_OR_RETURN(auto now, identities_.Lookup(ids[i].first, ids[i].second));
    if (now) later_pid_stripe[i] = StripeOf(*now);
  }
  if (identities_.generation() != generation) {
    // Someone moved an identity: the whole batch takes the blocking way. (Counted: with
    // the identity cache full, every new identity moves the generation, and batches stop
    // splitting.)
    counters_.lock_free_fallbacks.fetch_add(1, std::memory_order_relaxed);
    guard->Release();
    return LockAll(*events, guard, b);
  }
  // The stripes event k needs: need[at[k] .. at[k + 1]). It can go now when it held them
  // all in time (above).
  std::vector<size_t> need, at(n + 1);
  std::vector<bool> can(n, true);
  for (size_t k = 0; k < n; ++k) {
    at[k] = need.size();
    need.push_back(event_stripe[k]);
    can[k] = event_held[k];
    for (size_t i = first[k]; i < first[k + 1]; ++i) {
      need.push_back(id_stripe[i]);
      can[k] = can[k] && id_held[i];
      for (size_t stripe : {pid_stripe[i], later_pid_stripe[i]}) {
        if (stripe == kNone) continue;
        need.push_back(stripe);
        can[k] = can[k] && guard->Holds(stripe);
      }
    }
  }
  at[n] = need.size();
  if (std::find(can.begin(), can.end(), false) == can.end()) {  // the common case
    for (size_t i = 0; i < ids.size(); ++i) b->Know(ids[i].first, ids[i].second, resolved[i]);
    return Status::OK();
  }
  // Events sharing a stripe (a person, an identity, an event id) form one group, and a
  // group goes now only when every one of its events can: so the events of one person
  // keep their request order. Union-find over the stripes (numbered by their rank among
  // the batch's distinct stripes), linear in the events but for one sort.
  std::vector<size_t> distinct = need;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  UnionFind groups(distinct.size());
  auto find = [&](size_t stripe) {
    return groups.Find(static_cast<size_t>(
        std::lower_bound(distinct.begin(), distinct.end(), stripe) - distinct.begin()));
  };
  for (size_t k = 0; k < n; ++k) {
    for (size_t j = at[k] + 1; j < at[k + 1]; ++j) groups.Join(find(need[j]), find(need[at[k]]));
  }
  std::vector<bool> blocked(distinct.size(), false);  // groups with an event that cannot go
  for (size_t k = 0; k < n; ++k) {
    if (!can[k]) blocked[find(need[at[k]])] = true;
  }
  std::vector<size_t> keep;
  EventRefs go;
  for (size_t k = 0; k < n; ++k) {
    if (blocked[find(need[at[k]])]) {
      later->push_back((*events)[k]);
      continue;
    }
    go.push_back((*events)[k]);
    keep.insert(keep.end(), need.begin() + static_cast<std::ptrdiff_t>(at[k]),
                need.begin() + static_cast<std::ptrdiff_t>(at[k + 1]));
    for (size_t i = first[k]; i < first[k + 1]; ++i) b->Know(ids[i].first, ids[i].second, resolved[i]);
  }
  if (go.empty()) {
    guard->Release();
    later->clear();
    return LockAll(*events, guard, b);
  }
  std::sort(keep.begin(), keep.end());
  guard->KeepOnly(keep);  // the waiting events' stripes go back to whoever wants them
  *events = std::move(go);
  return Status::OK();
}

Status Pipeline::StoreEvents(const EventRefs& events, StripeGuard* guard, Batch* b) {
  TAILOR_RETURN_IF_ERROR(ApplyEvents(events, b));
  TAILOR_RETURN_IF_ERROR(b->Commit());
  // Committed: every other call may go on. Other calls mostly wait for these locks, so
  // what is left here (the listeners, freeing the batch) runs without them.
  guard->Release();
  b->NotifyAccepted();
  return Status::OK();
}

Status Pipeline::ApplyEvents(const EventRefs& events, Batch* b) {
  const int64_t window = b->snap_.config.dedup_window_ms;
  // The ids the flush has not written yet first, then every id in the store at once (one
  // batched RocksDB lookup): in that order, an id the flush writes and forgets meanwhile
  // is found in one or the other.
  std::vector<std::string_view> event_ids;
  std::vector<std::optional<int64_t>> recent(events.size());
  event_ids.reserve(events.size());
  for (size_t k = 0; k < events.size(); ++k) {
    event_ids.push_back(events[k].second->event_id);
    recent[k] = recent_ids_.ReceivedAt(event_ids.back());
  }
  TAILOR_ASSIGN_OR_RETURN(auto stored_ids, store_.MultiGet(storage::Keyspace::kDedup, event_ids));
  auto stored_duplicate = [&](size_t k) {
    return (recent[k] && b->now() - *recent[k] <= window) ||
           (stored_ids[k] && b->now() - DedupTime(*stored_ids[k]) <= window);
  };
  if (b->snap_.features && !b->snap_.features->empty()) {
    // The profiles of the events that are no duplicates, loaded and their feature states
    // prefetched together (without features there is nothing to prefetch). An id's later
    // events in the batch are left out: whether they apply depends on whether the first
    // is accepted (it is not applied yet).
    std::unordered_set<std::string_view> ids;
    std::vector<const Event*> fresh;
    fresh.reserve(events.size());
    for (size_t k = 0; k < events.size(); ++k) {
      const Event* e = events[k].second;
      if (!stored_duplicate(k) && ids.insert(e->event_id).second) fresh.push_back(e);
    }
    b->Preload(fresh);
  }
  for (size_t k = 0; k < events.size(); ++k) {
    const auto& [index, e] = events[k];
    if (b->SeenInBatch(e->event_id)) {
      ++b->outcome.duplicates;
      continue;
    }
    if (stored_duplicate(k)) {
      ++b->outcome.duplicates;
      continue;
    }
    TAILOR_RETURN_IF_ERROR(b->Apply(std::move(*e), index));
  }
  return Status::OK();
}

Status Pipeline::MergeTraits(const std::vector<std::pair<std::string, std::string>>& updates,
                             const IngestSnapshot& snapshot) {
  StripeGuard guard(stripes_, counters_);
  Batch b(*this, snapshot, "traits");
  std::vector<size_t> want;
  for (const auto& [pid, traits] : updates) want.push_back(StripeOf(pid));
  guard.Acquire(std::move(want));
  for (const auto& [pid, traits] : updates) TAILOR_RETURN_IF_ERROR(b.PatchTraits(pid, traits));
  return b.Commit();
}

Status Pipeline::Refresh(const std::vector<std::string>& pids, const IngestSnapshot& snapshot,
                         bool recompute_features) {
  StripeGuard guard(stripes_, counters_);
  Batch b(*this, snapshot, "refresh");
  std::vector<size_t> want;
  for (const auto& pid : pids) want.push_back(StripeOf(pid));
  guard.Acquire(std::move(want));
  for (const auto& pid : pids) TAILOR_RETURN_IF_ERROR(b.RefreshProfile(pid, recompute_features));
  return b.Commit();
}

Result<size_t> Pipeline::ReplayJournal(const std::set<std::string>* pids,
                                       const IngestSnapshot& snapshot, bool held) {
  // pid -> (seq, event-key suffixes), in sequence order.
  std::map<std::string, std::vector<std::pair<uint64_t, std::vector<std::string>>>> changes;
  auto mark = [&](const std::string& pid, bool broken) {
    std::lock_guard<std::mutex> lock(broken_mu_);
    if (broken)
      broken_.insert(pid);
    else
      broken_.erase(pid);
  };
  Status scanned = journal_.Scan([&](uint64_t seq, ProfileJournal::Change& c) {
    if (pids == nullptr || pids->count(c.pid)) {
      changes[c.pid].emplace_back(seq, std::move(c.event_suffixes));
    }
    return Status::OK();
  });
  if (!scanned.ok()) {
    keep_journal_ = true;  // what failed to rebuild stays replayable at the next start
    if (pids != nullptr) {
      for (const auto& pid : *pids) {
        mark(pid, true);
        if (held) profiles_.Forget(pid);
      }
    }
    return scanned;
  }
  size_t rebuilt = 0;
  Status first_error;
  for (const auto& [pid, list] : changes) {
    Batch b(*this, snapshot, "recovery");
    auto replayed = b.ReplayProfile(pid, list, held);
    if (!replayed.ok()) {
      keep_journal_ = true;
      mark(pid, true);  // the next batch for it retries first (Batch::LoadProfile)
      if (first_error.ok()) first_error = replayed.status();
      continue;
    }
    b.FinishReplay();
    mark(pid, false);
    rebuilt += *replayed;
  }
  if (pids != nullptr) {
    for (const auto& pid : *pids) {
      if (changes.count(pid)) continue;
      mark(pid, false);  // nothing journaled: the store is current
      if (held) profiles_.Forget(pid);
    }
  }
  counters_.profiles_recovered.fetch_add(rebuilt, std::memory_order_relaxed);
  if (!first_error.ok()) return first_error;
  return rebuilt;
}

bool Pipeline::IsBroken(const std::string& pid) {
  std::lock_guard<std::mutex> lock(broken_mu_);
  return broken_.count(pid) > 0;
}

Result<size_t> Pipeline::Recover(const IngestSnapshot& snapshot) {
  TAILOR_RETURN_IF_ERROR(journal_.Open());
  TAILOR_ASSIGN_OR_RETURN(size_t rebuilt, ReplayJournal(nullptr, snapshot));
  // The dedup entries journaled batches had left to a flush that never came, unless the
  // store holds a newer one (written directly by a later batch past the limit of
  // remembered ids); entry by entry, in journal order, so a later record of an id wins.
  TAILOR_RETURN_IF_ERROR(journal_.ForEachEntry([&](uint64_t, JournalEntry& entry) -> Status {
    if (entry.dedup.empty()) return Status::OK();
    std::vector<std::string_view> ids;
    ids.reserve(entry.dedup.size());
    for (const auto& [id, pid] : entry.dedup) ids.push_back(id);
    TAILOR_ASSIGN_OR_RETURN(auto stored, store_.MultiGet(storage::Keyspace::kDedup, ids));
    std::vector<DedupRecord> unwritten;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (stored[i] && DedupTime(*stored[i]) >= entry.received_ms) continue;
      unwritten.push_back({entry.dedup[i].first, entry.dedup[i].second});
    }
    recent_ids_.Add(unwritten, entry.received_ms);
    return Status::OK();
  }));
  recovered_ = true;
  // Writes them; truncates the journal.
  TAILOR_RETURN_IF_ERROR(FlushProfiles().status());
  return rebuilt;
}

Result<size_t> Pipeline::FlushProfiles() {
  std::lock_guard<std::mutex> lock(flush_mu_);
  // The in-flight floor first: a batch that ends after this read has left its profiles
  // marked unstored, which UnstoredFloor (read after the flush) sees.
  uint64_t floor = journal_.InFlightFloor();
  TAILOR_ASSIGN_OR_RETURN(size_t written, profiles_.Flush());
  counters_.profiles_flushed.fetch_add(written, std::memory_order_relaxed);
  // Every batch below the floor remembered its ids before it ended (Batch::Commit), so
  // they are all written here, before the truncation drops their journal entries.
  TAILOR_ASSIGN_OR_RETURN(size_t dedup, recent_ids_.Flush(store_));
  counters_.dedup_flushed.fetch_add(dedup, std::memory_order_relaxed);
  if (!recovered_ || keep_journal_) return written;
  floor = std::min(floor, profiles_.UnstoredFloor());
  if (floor == truncated_floor_) return written;  // no range tombstone per idle second
  TAILOR_RETURN_IF_ERROR(journal_.Truncate(floor));
  truncated_floor_ = floor;
  return written;
}

Result<Pipeline::ReplayOutcome> Pipeline::ReplayDeadLetters(const std::vector<std::string>& ids,
                                                            size_t limit,
                                                            const IngestSnapshot& snapshot) {
  std::vector<DeadLetter> letters;
  if (ids.empty()) {
    TAILOR_ASSIGN_OR_RETURN(letters, dead_letters_.List(limit));
  } else {
    for (const std::string& id : ids) {
      TAILOR_ASSIGN_OR_RETURN(auto d, dead_letters_.Get(id));
      if (!d) return NotFound("no dead letter with id '" + id + "'", "ids");
      letters.push_back(std::move(*d));
    }
  }
  ReplayOutcome out;
  if (letters.empty()) return out;
  std::string body = "{\"events\":[";
  std::vector<std::string> delete_ids;
  for (size_t i = 0; i < letters.size(); ++i) {
    if (i) body.push_back(',');
    body += letters[i].raw_json;
    delete_ids.push_back(letters[i].id);
  }
  body += "]}";
  DecodeOptions decode = snapshot.decode;
  decode.max_batch_events = std::max(decode.max_batch_events, letters.size());
  TAILOR_ASSIGN_OR_RETURN(DecodedBatch batch, DecodeBatchInPlace(&body, decode, clock_.NowMs()));
  TAILOR_ASSIGN_OR_RETURN(IngestOutcome o,
                          IngestWithDeletes(std::move(batch), snapshot, "replay", delete_ids));
  out.replayed = o.accepted;
  out.duplicates = o.duplicates;
  out.still_failing = o.rejected.size();
  out.sampled_out = o.sampled_out;
  out.consent_dropped = o.consent_dropped;
  return out;
}

}  // namespace tailor::ingest
