// Pipeline::Batch, the working state of one Pipeline call (ingest, dead-letter replay,
// refresh, trait merge, journal rebuild), and the key helpers it shares with pipeline.cc.
// Internal to the pipeline: include only from ingest/pipeline*.cc.
//
// Thread safety: a Batch belongs to one call; the caller holds the stripe locks of every
// identity and profile it touches (pipeline.cc), or runs at start-up.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/status.h"
#include "identity/identity_index.h"
#include "ingest/event.h"
#include "ingest/pipeline.h"
#include "profile/event_view.h"
#include "profile/profile.h"
#include "segments/segment_set.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

// The identity index key of (kind, id); also what the stripe locks hash.
std::string ExternalKey(identity::IdKind kind, std::string_view id);

// Working state of one call: profiles and identity links changed so far, events to
// append, and the ops that must precede them (merges).
class Pipeline::Batch {
  friend class Pipeline;

 public:
  Batch(Pipeline& p, const IngestSnapshot& snap, std::string_view source)
      : p_(p), snap_(snap), source_(source), now_(p.clock_.NowMs()) {}

  IngestOutcome outcome;

  void Reject(size_t index, const std::string& event_id, const Status& error,
              std::string_view raw_json);

  // Resolves identities to pids through the batch's own links first, then what was
  // read under the locks (Know), then the index.
  Result<std::optional<std::string>> Lookup(identity::IdKind kind, const std::string& id);

  void Know(identity::IdKind kind, std::string_view id, const std::optional<std::string>& pid);

  Result<profile::Profile*> LoadProfile(const std::string& pid);

  profile::Profile* NewProfile();

  void Link(identity::IdKind kind, const std::string& id, profile::Profile* p);

  // Folds profile `from` into `into`: events move, identities re-link, `from` is erased.
  Status Merge(const std::string& from_pid, profile::Profile* into);

  // Finds (or, when `create`, makes) the profile of `e`; identify events link ids and
  // merge an anonymous profile into the user's.
  Result<profile::Profile*> Resolve(const Event& e, bool create);

  // Before the batch's events are applied one by one: takes the profiles they will
  // resolve to out of the cache where that is certain already (an event naming a user id,
  // or only an anonymous id, that the locked lookups found; not `identify`, which may
  // link and merge), and prefetches the feature states they will update. Applying an
  // event then finds its profile loaded; a profile no event would load is never taken.
  // REQUIRES: the snapshot has features (the prefetch is Preload's purpose).
  void Preload(const std::vector<const Event*>& events);

  Status ApplyConsent(const Event& e, profile::Profile* p);

  void Sessionize(Event* e, profile::Profile* p);

  Status Apply(Event e, size_t index);

  // What a stored event changes on its profile after the consent gate: traits, session,
  // features, counts. Shared by ingest and journal replay, so both build the same profile.
  // Fails, changing nothing, when the event's traits cannot merge.
  Status Fold(Event* ev, profile::Profile* p);

  bool SeenInBatch(const std::string& event_id) const { return seen_ids_.count(event_id) > 0; }

  // A batch that ends without a successful Commit (an error midway, or a failed write)
  // gives back every profile it holds: dropped from the cache, since they may carry
  // half-applied events; those with changes the store lacks are rebuilt from the journal.
  ~Batch();

  Status Commit();
  // Calls the pipeline's accepted-event listener for every event a successful Commit
  // stored; the caller may release the stripe locks first (the listeners read nothing
  // those locks guard).
  void NotifyAccepted() const;

  int64_t now() const { return now_; }

  // Lets Commit leave profiles in the cache (write-behind); ingest batches only.
  void AllowDeferral() { defer_ = true; }
  // The second write of a split ingest call: not counted as another batch.
  void ContinueCall() { continues_call_ = true; }

  // Replays the journal changes of one profile (in sequence order) onto its stored form,
  // holding the result in this batch until FinishReplay. Returns whether it replayed
  // anything. REQUIRES: no concurrent writer of `pid`.
  Result<bool> ReplayProfile(
      const std::string& pid,
      const std::vector<std::pair<uint64_t, std::vector<std::string>>>& changes, bool held);

  // Puts the replayed profiles back into the cache as unstored since their first replayed
  // change — no write, so this works while the store refuses writes; FlushProfiles
  // writes them and the journal keeps their entries until then.
  void FinishReplay();

  // Dead letters removed atomically with this batch (replay).
  void DeleteDeadLetter(const std::string& id) { DeadLetterStore::StageDelete(id, &tail_); }

 private:
  // What changed on one profile in this batch, for segment re-evaluation: document roots
  // (bits below) and the changed-feature lists (FeatureSet::ChangedPaths) of its events.
  enum DirtyRoot : uint8_t {
    kDirtyTraits = 1,
    kDirtyConsent = 2,
    kDirtyFeatures = 4,
    kDirtyProfile = 8,
    kDirtyContext = 16,
  };
  static constexpr std::array<std::pair<DirtyRoot, const char*>, 5> kDirtyRoots = {
      {{kDirtyTraits, "traits"},
       {kDirtyConsent, "consent"},
       {kDirtyFeatures, "features"},
       {kDirtyProfile, "profile"},
       {kDirtyContext, "context"}}};
  struct Dirty {
    uint8_t roots = 0;
    std::vector<const std::vector<std::string>*> features;  // distinct lists
    void AddFeatures(const std::vector<std::string>* paths) {
      if (std::find(features.begin(), features.end(), paths) == features.end()) {
        features.push_back(paths);
      }
    }
  };
  void MarkDirty(const std::string& pid, DirtyRoot root) { dirty_[pid].roots |= root; }

  // Which segments the changes in `dirty` reach (SegmentSet::ReachOf of every changed
  // path), from reaches resolved once per batch for each root and changed-feature list.
  const segments::SegmentSet::Reach& ReachOf(const Dirty& dirty);

  void Abandon();

  // Re-evaluates the segments of `p` when something they read changed; records entries
  // and exits (membership index, segment_entered / segment_exited events).
  // Returns true when membership changed.
  bool EvaluateSegments(profile::Profile* p, storage::WriteBatch* wb);

  // An internal event in the profile's history; later issues use it as a trigger.
  void StageSegmentEvent(const profile::Profile& p, const char* type, const std::string& segment);

  // Re-evaluates one stored profile: optionally rebuilds its features from its stored
  // history, then re-evaluates its segments (time-based expiry). REQUIRES: pid locked.
  Status RefreshProfile(const std::string& pid, bool recompute_features);

  // Merges `traits_json` into a stored profile's traits. REQUIRES: pid locked.
  Status PatchTraits(const std::string& pid, const std::string& traits_json);

  // Rebuilds into->features from every event of `into` and `from` (stored) plus this
  // batch's pending events, in time order (after a merge).
  Status RecomputeFeatures(const std::string& from_pid, profile::Profile* into);

  struct LinkEntry {
    identity::IdKind kind;
    std::string id;
    std::string pid;
  };
  struct ConsentLite {
    std::vector<std::pair<std::string, bool>> purposes;
    std::string source;
  };
  static ConsentLite ParseJsonLite(const std::string& json);

  Pipeline& p_;
  const IngestSnapshot& snap_;
  std::string_view source_;
  int64_t now_;
  size_t dead_lettered_ = 0;
  std::unordered_map<std::string, profile::Profile> profiles_;
  // Taken by Preload and not yet asked for by an event: unchanged, so a batch that fails
  // before reaching their events puts them back as they were (Abandon).
  std::unordered_set<std::string> preloaded_;
  std::map<std::string, LinkEntry> links_;
  std::unordered_map<std::string, std::optional<std::string>> known_;
  std::set<std::string> refresh_only_;  // profiles only re-evaluated (write if changed)
  std::set<std::string> erased_;
  std::unordered_set<std::string> seen_ids_;
  std::vector<Event> pending_;
  std::unordered_map<std::string, Dirty> dirty_;  // pid -> what changed
  profile::EventView event_view_;                 // reused by every event's feature update
  // Resolved reaches (ReachOf): per DirtyRoot (kDirtyRoots order) and changed-feature list.
  std::array<std::optional<segments::SegmentSet::Reach>, kDirtyRoots.size()> root_reach_;
  std::unordered_map<const std::vector<std::string>*, segments::SegmentSet::Reach> paths_reach_;
  segments::SegmentSet::Reach reach_;                                // ReachOf's result
  segments::SegmentFlags stored_flags_;  // EvaluateSegments' stored membership, reused
  std::unordered_map<std::string, std::string> contexts_;            // pid -> latest event context
  std::vector<std::pair<std::string, std::string>> erased_members_;  // (segment, pid)
  std::vector<Event> internal_events_;
  std::vector<std::string> internal_pids_;
  size_t entries_ = 0;
  size_t exits_ = 0;
  std::set<std::string> must_store_;               // changed profiles the journal cannot replay
  std::set<std::string> full_eval_;                // profiles whose every segment is re-evaluated
  std::map<std::string, uint64_t> replayed_from_;  // pid -> first journal seq replayed
  bool defer_ = false;
  bool committed_ = false;
  bool continues_call_ = false;  // ContinueCall
  bool replaying_ = false;    // a journal rebuild (ReplayProfile), not an ingest batch
  uint64_t seq_ = 0;          // journal sequence number, when deferring
  storage::WriteBatch head_;  // merge moves, then the batch
  storage::WriteBatch tail_;  // dead letters
};

}  // namespace tailor::ingest
