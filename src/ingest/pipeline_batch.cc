#include "ingest/pipeline_batch.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/hash.h"
#include "core/ids.h"
#include "core/json_doc.h"
#include "core/json_util.h"
#include "core/log.h"
#include "segments/profile_view.h"
#include "storage/key_codec.h"

namespace tailor::ingest {

using identity::IdKind;
using profile::Profile;

std::string ExternalKey(IdKind kind, std::string_view id) {
  return storage::IdentityKey(static_cast<char>(kind), id);
}

namespace {

// Session ids are deterministic (profile + session start), so re-ingesting the same
// history yields the same sessions.
std::string SessionId(const std::string& pid, int64_t start_ms) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t h = Hash64(pid, static_cast<uint64_t>(start_ms));
  std::string out = "s_";
  for (int i = 15; i >= 0; --i) out.push_back(kHex[(h >> (4 * i)) & 15]);
  return out;
}

// Folds `e` into the profile's features; returns the profile paths it may have changed
// (FeatureSet::ChangedPaths), null when no feature reads events of its type. Fields and
// `where` filters read the event's text through `view` (profile/event_view.h), not a JSON
// document.
const std::vector<std::string>* ApplyFeatures(const profile::FeatureSet& features, const Event& e,
                                              profile::Profile* p, profile::EventView* view) {
  if (IsInternalEventType(e.type)) return nullptr;
  profile::EventFacts facts{e.type,  e.timestamp_ms,    e.session_id,
                            nullptr, e.properties_json, e.context_json};
  return features.ApplyIfRelevant(facts, &p->features, view);
}

}  // namespace

void Pipeline::Batch::Reject(size_t index, const std::string& event_id, const Status& error,
                             std::string_view raw_json) {
  outcome.rejected.push_back(RejectedEvent{index, event_id, error});
  p_.dead_letters_.Stage(raw_json, error, index, event_id, source_, &tail_);
  ++dead_lettered_;
}

Result<std::optional<std::string>> Pipeline::Batch::Lookup(IdKind kind, const std::string& id) {
  if (id.empty()) return std::optional<std::string>();
  std::string key = ExternalKey(kind, id);
  auto it = links_.find(key);
  if (it != links_.end()) return std::optional<std::string>(it->second.pid);
  if (auto k = known_.find(key); k != known_.end()) return k->second;
  return p_.identities_.Lookup(kind, id);
}

void Pipeline::Batch::Know(IdKind kind, std::string_view id,
                           const std::optional<std::string>& pid) {
  known_.emplace(ExternalKey(kind, id), pid);
}

Result<Profile*> Pipeline::Batch::LoadProfile(const std::string& pid) {
  auto it = profiles_.find(pid);
  if (it != profiles_.end()) {
    if (!preloaded_.empty()) preloaded_.erase(pid);  // an event's turn came: it may change
    return &it->second;
  }
  if (p_.IsBroken(pid)) {
    // A failed batch could not rebuild it: retry now (we hold its stripe), else refuse
    // rather than build on a stored form that lacks acknowledged changes.
    std::set<std::string> one = {pid};
    auto rebuilt = p_.ReplayJournal(&one, snap_);
    if (!rebuilt.ok() || p_.IsBroken(pid)) {
      return Unavailable("profile " + pid + " is being rebuilt after a failed write; retry later");
    }
  }
  // Taken out of the cache (no copy); Commit puts it back, or drops it on failure.
  TAILOR_ASSIGN_OR_RETURN(auto loaded, p_.profiles_.Take(pid));
  if (!loaded) return Corruption("identity points at missing profile " + pid);
  return &profiles_.emplace(pid, std::move(*loaded)).first->second;
}

void Pipeline::Batch::Preload(const std::vector<const Event*>& events) {
  const profile::FeatureSet& features = *snap_.features;
  std::vector<std::pair<const Event*, const Profile*>> loaded;
  loaded.reserve(events.size());
  for (const Event* e : events) {
    if (e->type == "identify") continue;
    // Resolve's choice: the user id's profile when it has one, else the anonymous id's.
    // An unknown user id may be linked by an earlier event of the batch, so it is left.
    const bool by_user = !e->user_id.empty();
    auto k = known_.find(ExternalKey(by_user ? IdKind::kUser : IdKind::kAnonymous,
                                     by_user ? e->user_id : e->anonymous_id));
    if (k == known_.end() || !k->second) continue;
    const std::string& pid = *k->second;
    const Profile* p = nullptr;
    if (auto held = profiles_.find(pid); held != profiles_.end()) {
      p = &held->second;
    } else {
      if (p_.IsBroken(pid)) continue;  // its rebuild is left to its event's turn
      auto taken = LoadProfile(pid);
      if (!taken.ok()) continue;  // applying the event meets the same error
      preloaded_.insert(pid);
      p = *taken;
    }
    features.Prefetch(e->type, p->features, /*contents=*/false);
    loaded.emplace_back(e, p);
  }
  for (const auto& [e, p] : loaded) features.Prefetch(e->type, p->features, /*contents=*/true);
}

Profile* Pipeline::Batch::NewProfile() {
  std::string pid = NewUlid(p_.clock_, p_.random_);
  Profile& p = profiles_[pid];
  must_store_.insert(pid);  // identity links will point at it
  p.id = pid;
  p.created_at_ms = now_;
  p.updated_at_ms = now_;
  return &p;
}

void Pipeline::Batch::Link(IdKind kind, const std::string& id, Profile* p) {
  links_[ExternalKey(kind, id)] = LinkEntry{kind, id, p->id};
  auto& list = kind == IdKind::kUser ? p->user_ids : p->anonymous_ids;
  if (std::find(list.begin(), list.end(), id) == list.end()) {
    list.push_back(id);
    must_store_.insert(p->id);  // identities are not replayed from the journal
  }
}

Status Pipeline::Batch::Merge(const std::string& from_pid, Profile* into) {
  TAILOR_ASSIGN_OR_RETURN(Profile * from, LoadProfile(from_pid));
  profile::MergeProfileInto(*from, into);
  for (const auto& id : from->user_ids)
    links_[ExternalKey(IdKind::kUser, id)] = LinkEntry{IdKind::kUser, id, into->id};
  for (const auto& id : from->anonymous_ids)
    links_[ExternalKey(IdKind::kAnonymous, id)] = LinkEntry{IdKind::kAnonymous, id, into->id};
  TAILOR_RETURN_IF_ERROR(p_.profiles_.StageMoveEvents(from_pid, into->id, &head_));
  for (Event& e : pending_) {
    if (e.profile_id == from_pid) e.profile_id = into->id;
  }
  for (const auto& [segment, at] : from->segments) {
    erased_members_.emplace_back(segment, from_pid);
  }
  erased_.insert(from_pid);
  profiles_.erase(from_pid);
  if (snap_.features && !snap_.features->empty()) {
    TAILOR_RETURN_IF_ERROR(RecomputeFeatures(from_pid, into));
  }
  MarkDirty(into->id, kDirtyFeatures);
  full_eval_.insert(into->id);
  must_store_.insert(into->id);  // its events moved: the journal cannot replay them
  p_.counters_.merges.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Result<Profile*> Pipeline::Batch::Resolve(const Event& e, bool create) {
  TAILOR_ASSIGN_OR_RETURN(auto pu, Lookup(IdKind::kUser, e.user_id));
  TAILOR_ASSIGN_OR_RETURN(auto pa, Lookup(IdKind::kAnonymous, e.anonymous_id));
  bool links = e.type == "identify" && !e.user_id.empty() && !e.anonymous_id.empty();
  if (links) {
    if (pu && pa && *pu != *pa) {
      TAILOR_ASSIGN_OR_RETURN(Profile * into, LoadProfile(*pu));
      TAILOR_RETURN_IF_ERROR(Merge(*pa, into));
      Link(IdKind::kAnonymous, e.anonymous_id, into);
      return into;
    }
    if (pu || pa) {
      TAILOR_ASSIGN_OR_RETURN(Profile * p, LoadProfile(pu ? *pu : *pa));
      Link(IdKind::kUser, e.user_id, p);
      Link(IdKind::kAnonymous, e.anonymous_id, p);
      return p;
    }
    if (!create) return static_cast<Profile*>(nullptr);
    Profile* p = NewProfile();
    Link(IdKind::kUser, e.user_id, p);
    Link(IdKind::kAnonymous, e.anonymous_id, p);
    return p;
  }
  if (pu) return LoadProfile(*pu);
  if (pa) return LoadProfile(*pa);
  if (!create) return static_cast<Profile*>(nullptr);
  Profile* p = NewProfile();
  if (!e.user_id.empty()) {
    Link(IdKind::kUser, e.user_id, p);
  } else {
    Link(IdKind::kAnonymous, e.anonymous_id, p);
  }
  return p;
}

Status Pipeline::Batch::ApplyConsent(const Event& e, Profile* p) {
  // DecodeBatch has validated the shape: {"purposes":{name:bool}, "source"?: string}.
  auto j = ParseJsonLite(e.consent_json);
  for (const auto& [purpose, granted] : j.purposes) {
    auto it = p->consents.find(purpose);
    if (it != p->consents.end() && it->second.at_ms > e.timestamp_ms) continue;  // older
    p->consents[purpose] = profile::ConsentState{granted, e.timestamp_ms, j.source};
  }
  return Status::OK();
}

void Pipeline::Batch::Sessionize(Event* e, Profile* p) {
  int64_t gap = snap_.config.session_gap_ms;
  int64_t ts = e->timestamp_ms;
  if (p->session_id.empty() || ts > p->session_last_ms + gap) {
    p->session_id = SessionId(p->id, ts);
    p->session_start_ms = ts;
    p->session_last_ms = ts;
    ++p->session_count;
  } else if (ts >= p->session_start_ms - gap) {
    p->session_last_ms = std::max(p->session_last_ms, ts);
    p->session_start_ms = std::min(p->session_start_ms, ts);
  } else {
    // A backfilled event far older than the current session: it belongs to a past
    // session we no longer track; bucket it by gap-aligned time so it is stable.
    e->session_id = SessionId(p->id, ts - ts % std::max<int64_t>(gap, 1));
    return;
  }
  e->session_id = p->session_id;
}

Status Pipeline::Batch::Apply(Event e, size_t index) {
  bool is_consent = e.type == "consent";
  const std::string& purpose = snap_.config.storage_purpose;
  TAILOR_ASSIGN_OR_RETURN(Profile * p, Resolve(e, purpose.empty() || is_consent));
  if (p != nullptr && is_consent) {
    TAILOR_RETURN_IF_ERROR(ApplyConsent(e, p));
    MarkDirty(p->id, kDirtyConsent);
  }
  if (!purpose.empty() && (p == nullptr || !p->HasConsent(purpose))) {
    ++outcome.consent_dropped;
    if (p != nullptr) {
      p->updated_at_ms = now_;                    // the consent record itself is kept...
      if (is_consent) must_store_.insert(p->id);  // ...though its event is not
    }
    return Status::OK();
  }
  if (Status st = Fold(&e, p); !st.ok()) {
    Reject(index, e.event_id, st.WithPathPrefix("events[" + std::to_string(index) + "]"),
           EncodeWireEventJson(e));
    return Status::OK();
  }
  e.profile_id = p->id;
  seen_ids_.insert(e.event_id);
  pending_.push_back(std::move(e));
  ++outcome.accepted;
  return Status::OK();
}

Status Pipeline::Batch::Fold(Event* ev, Profile* p) {
  Event& e = *ev;
  if (e.type == "identify" && !e.traits_json.empty()) {
    TAILOR_RETURN_IF_ERROR(profile::MergeTraits(&p->traits_json, e.traits_json));
    MarkDirty(p->id, kDirtyTraits);
  }
  Sessionize(&e, p);
  Dirty& dirty = dirty_[p->id];
  if (snap_.features) {
    // Per feature, so only the segments reading one of them are re-evaluated.
    if (const auto* changed = ApplyFeatures(*snap_.features, e, p, &event_view_)) {
      dirty.AddFeatures(changed);
    }
  }
  dirty.roots |= kDirtyProfile;
  if (!e.context_json.empty()) {
    // Kept only for segments that read it (ProfileView parses it on first read).
    if (snap_.segments && snap_.segments->ReadsContext()) contexts_[p->id] = e.context_json;
    dirty.roots |= kDirtyContext;
  }
  if (p->event_count == 0) {
    p->first_seen_ms = p->last_seen_ms = e.timestamp_ms;
  } else {
    p->first_seen_ms = std::min(p->first_seen_ms, e.timestamp_ms);
    p->last_seen_ms = std::max(p->last_seen_ms, e.timestamp_ms);
  }
  ++p->event_count;
  p->updated_at_ms = now_;
  return Status::OK();
}

Pipeline::Batch::~Batch() {
  if (committed_) return;
  if (replaying_) {
    // A rebuild that failed: its caller keeps the journal (keep_journal_).
    for (const auto& [pid, p] : profiles_) p_.profiles_.Forget(pid);
    return;
  }
  Abandon();
}

Status Pipeline::Batch::Commit() {
  storage::WriteBatch& wb = head_;  // merges first, then everything else
  for (const std::string& pid : erased_) profile::ProfileStore::StageErase(pid, &wb);
  // Dedup write-behind (the setting on): the dedup entries go into the journal and
  // RecentIds, for the flush to write in id order (recent_ids.h), unless too many wait
  // already; then written here, they supersede what RecentIds holds of them.
  const bool remembering = defer_ && !replaying_ && p_.options_.max_recent_ids > 0;
  const bool dedup_behind = remembering && !pending_.empty() &&
                            p_.recent_ids_.size() < p_.options_.max_recent_ids;
  std::vector<DedupRecord> dedup;
  if (remembering) dedup.reserve(pending_.size());
  for (const Event& e : pending_) {
    wb.Put(storage::Keyspace::kEvents, storage::EventKey(e.profile_id, e.timestamp_ms, e.event_id),
           EncodeStoredEvent(e));
    if (remembering) dedup.push_back({e.event_id, e.profile_id});
    if (!dedup_behind) wb.Put(storage::Keyspace::kDedup, e.event_id, DedupValue(e.profile_id, now_));
    // Outcomes (clicks, conversions, impressions) join to the decision they answer.
    if (!e.decision_id.empty()) {
      wb.Put(storage::Keyspace::kDecisionOutcomes,
             storage::DecisionOutcomeKey(e.decision_id, e.event_id), EncodeEventJson(e));
    }
  }
  for (const auto& [segment, pid] : erased_members_) {
    wb.Delete(storage::Keyspace::kSegmentMembers, storage::SegmentMemberKey(segment, pid));
  }
  std::set<std::string> unchanged;
  for (auto& [pid, p] : profiles_) {
    bool changed = EvaluateSegments(&p, &wb);
    if (!changed && refresh_only_.count(pid)) unchanged.insert(pid);
  }
  // Write-behind: profiles whose change the journal can replay stay in the cache.
  if (defer_ && (!profiles_.empty() || dedup_behind)) seq_ = p_.journal_.Begin();
  std::vector<ProfileJournal::Change> deferred;
  std::unordered_map<std::string, size_t> deferred_index;
  for (auto& [pid, p] : profiles_) {
    if (unchanged.count(pid)) continue;  // a refresh that changed nothing writes nothing
    ++p.version;
    if (seq_ != 0) p.applied_seq = seq_;
    if (seq_ != 0 && !must_store_.count(pid)) {
      deferred_index.emplace(pid, deferred.size());
      deferred.push_back(ProfileJournal::Change{pid, {}});
      continue;
    }
    profile::ProfileStore::Stage(p, &wb);
  }
  if (seq_ != 0) {
    for (const Event& e : pending_) {
      auto it = deferred_index.find(e.profile_id);
      if (it == deferred_index.end()) continue;
      deferred[it->second].event_suffixes.push_back(
          storage::EventKeySuffix(e.timestamp_ms, e.event_id));
    }
    // Always an entry, even empty: its key records that `seq_` was used (a stored
    // applied_seq may carry it), so numbering never repeats after a crash.
    static const std::vector<DedupRecord> kNone;
    ProfileJournal::Stage(seq_, deferred, now_, dedup_behind ? dedup : kNone, &wb);
  }
  for (size_t i = 0; i < internal_events_.size(); ++i) {
    const Event& e = internal_events_[i];
    wb.Put(storage::Keyspace::kEvents,
           storage::EventKey(internal_pids_[i], e.timestamp_ms, e.event_id), EncodeStoredEvent(e));
  }
  for (const auto& [key, link] : links_) {
    identity::IdentityIndex::Stage(link.kind, link.id, link.pid, &wb);
  }
  for (const auto& op : tail_.ops()) {
    if (op.type == storage::WriteBatch::OpType::kPut) {
      wb.Put(op.keyspace, op.key, op.value);
    } else if (op.type == storage::WriteBatch::OpType::kDelete) {
      wb.Delete(op.keyspace, op.key);
    }
  }
  // A flush that copied one of the profiles written or erased here before this batch
  // took it must land first, or its older copy would overwrite this write.
  for (const auto& [pid, p] : profiles_) {
    if (!unchanged.count(pid) && !deferred_index.count(pid)) p_.profiles_.WaitForFlush(pid);
  }
  for (const auto& pid : erased_) p_.profiles_.WaitForFlush(pid);
  if (!wb.empty()) {
    Status st = p_.store_.Write(wb, storage::WriteOptions{p_.options_.sync_writes});
    if (!st.ok()) {
      p_.counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
      return st;  // ~Batch gives the profiles back (Abandon)
    }
  }
  committed_ = true;
  for (const auto& pid : erased_) p_.profiles_.Forget(pid);
  // Every profile goes back into the cache (unchanged ones exactly as taken).
  for (auto& [pid, p] : profiles_) {
    if (unchanged.count(pid)) {
      p_.profiles_.Return(std::move(p));
    } else if (deferred_index.count(pid)) {
      p_.profiles_.RememberUnstored(std::move(p), seq_);
    } else {
      p_.profiles_.Remember(std::move(p));
    }
  }
  if (dedup_behind) {
    // Before End(seq_) and before the stripes are released: a flush that reads the
    // journal floor after this batch ends, and a batch that takes these ids' stripes
    // next, both find them (recent_ids.h).
    p_.recent_ids_.Add(dedup, now_);
    p_.counters_.dedup_deferred.fetch_add(dedup.size(), std::memory_order_relaxed);
  } else if (remembering) {
    p_.recent_ids_.Supersede(dedup, now_);  // written directly: older records must not win
  }
  if (seq_ != 0) p_.journal_.End(seq_);
  p_.counters_.profiles_deferred.fetch_add(deferred.size(), std::memory_order_relaxed);
  for (const auto& [key, link] : links_) p_.identities_.Remember(link.kind, link.id, link.pid);
  auto& c = p_.counters_;
  if (!continues_call_) c.batches.fetch_add(1, std::memory_order_relaxed);
  c.accepted.fetch_add(outcome.accepted, std::memory_order_relaxed);
  c.duplicates.fetch_add(outcome.duplicates, std::memory_order_relaxed);
  c.rejected.fetch_add(outcome.rejected.size(), std::memory_order_relaxed);
  c.dead_lettered.fetch_add(dead_lettered_, std::memory_order_relaxed);
  c.sampled_out.fetch_add(outcome.sampled_out, std::memory_order_relaxed);
  c.consent_dropped.fetch_add(outcome.consent_dropped, std::memory_order_relaxed);
  c.segment_entries.fetch_add(entries_, std::memory_order_relaxed);
  c.segment_exits.fetch_add(exits_, std::memory_order_relaxed);
  return Status::OK();
}

void Pipeline::Batch::NotifyAccepted() const {
  if (!committed_ || !p_.accepted_listener_) return;
  for (const Event& e : pending_) p_.accepted_listener_(e);
}

Result<bool> Pipeline::Batch::ReplayProfile(
    const std::string& pid,
    const std::vector<std::pair<uint64_t, std::vector<std::string>>>& changes, bool held) {
  replaying_ = true;
  // `held`: the caller holds the cache entry (Abandon); read the stored form directly.
  auto loaded = held ? p_.profiles_.LoadStored(pid) : p_.profiles_.Take(pid);
  if (!loaded.ok()) {
    if (held) p_.profiles_.Forget(pid);
    return loaded.status();
  }
  if (!*loaded) {  // erased or merged away since: nothing to rebuild
    if (held) p_.profiles_.Forget(pid);
    return false;
  }
  Profile& p = profiles_.emplace(pid, std::move(**loaded)).first->second;
  std::string prefix = storage::ProfilePrefix(pid);
  bool any = false;
  for (const auto& [seq, suffixes] : changes) {
    if (seq <= p.applied_seq) continue;  // already in the stored form
    if (!any) replayed_from_[pid] = seq;
    for (const std::string& suffix : suffixes) {
      TAILOR_ASSIGN_OR_RETURN(auto raw, p_.store_.Get(storage::Keyspace::kEvents, prefix + suffix));
      if (!raw) continue;  // moved by a merge the stored profile already reflects
      TAILOR_ASSIGN_OR_RETURN(Event e, DecodeStoredEvent(*raw));
      if (e.type == "consent") TAILOR_RETURN_IF_ERROR(ApplyConsent(e, &p));
      TAILOR_RETURN_IF_ERROR(Fold(&e, &p));
    }
    p.applied_seq = seq;
    any = true;
  }
  // Membership as of the last committed batch is the membership index, written
  // atomically with every entry and exit (so replay never enters a segment twice).
  // Time-based changes are left to the next refresh, which sees the request contexts
  // replay lacks.
  if (any && snap_.segments) {
    p.segment_flags_of = 0;  // membership changes outside EvaluateSegments (even if a read fails)
    for (const auto& spec : snap_.segments->specs()) {
      TAILOR_ASSIGN_OR_RETURN(auto entered,
                              p_.store_.Get(storage::Keyspace::kSegmentMembers,
                                            storage::SegmentMemberKey(spec.name, pid)));
      if (entered) {
        p.segments[spec.name] = std::strtoll(entered->c_str(), nullptr, 10);
      } else {
        p.segments.erase(spec.name);
      }
    }
  }
  dirty_.erase(pid);
  return any;
}

void Pipeline::Batch::FinishReplay() {
  committed_ = true;
  for (auto& [pid, p] : profiles_) {
    auto from = replayed_from_.find(pid);
    if (from == replayed_from_.end()) {
      p_.profiles_.Return(std::move(p));
    } else {
      ++p.version;
      p_.profiles_.RememberUnstored(std::move(p), from->second);
    }
  }
}

const segments::SegmentSet::Reach& Pipeline::Batch::ReachOf(const Dirty& dirty) {
  const segments::SegmentSet& set = *snap_.segments;
  reach_.any = false;
  reach_.reevaluate.resize(set.specs().size());
  reach_.reevaluate.reset();
  for (size_t k = 0; k < kDirtyRoots.size(); ++k) {
    if (!(dirty.roots & kDirtyRoots[k].first)) continue;
    if (!root_reach_[k]) root_reach_[k] = set.ReachOf({kDirtyRoots[k].second});
    reach_.Add(*root_reach_[k]);
  }
  for (const std::vector<std::string>* paths : dirty.features) {
    auto it = paths_reach_.find(paths);
    if (it == paths_reach_.end()) it = paths_reach_.emplace(paths, set.ReachOf(*paths)).first;
    reach_.Add(it->second);
  }
  return reach_;
}

void Pipeline::Batch::Abandon() {
  if (seq_ != 0) p_.journal_.End(seq_);
  // Profiles the store has in full are dropped (the store is the truth). The others stay
  // held — readers keep waiting, and their unstored mark keeps the journal — while they
  // are rebuilt from the stored form and the journal.
  std::set<std::string> lagging;
  auto give_back = [&](const std::string& pid) {
    if (p_.profiles_.Unstored(pid)) {
      lagging.insert(pid);
    } else {
      p_.profiles_.Forget(pid);
    }
  };
  for (auto& [pid, p] : profiles_) {
    // Taken ahead of its events (Preload), which the batch never reached: unchanged.
    if (preloaded_.count(pid) != 0) {
      p_.profiles_.Return(std::move(p));
    } else {
      give_back(pid);
    }
  }
  for (const auto& pid : erased_) give_back(pid);
  for (const auto& [key, link] : links_) p_.identities_.Forget(link.kind, link.id);
  if (lagging.empty()) return;
  auto rebuilt = p_.ReplayJournal(&lagging, snap_, /*held=*/true);
  if (!rebuilt.ok()) {
    LogError(
        "profiles not rebuilt after a failed batch; they will be at the next start",
        {{"error", rebuilt.status().ToString()}, {"profiles", std::to_string(lagging.size())}});
  }
}

bool Pipeline::Batch::EvaluateSegments(Profile* p, storage::WriteBatch* wb) {
  const auto& set = snap_.segments;
  if (!set || (set->empty() && p->segments.empty())) return false;
  auto dirty = dirty_.find(p->id);
  if (dirty == dirty_.end()) return false;
  const segments::SegmentSet::Reach& reach = ReachOf(dirty->second);
  if (!reach.any && p->segments.empty()) return false;
  const std::string* context = nullptr;
  if (auto c = contexts_.find(p->id); c != contexts_.end()) context = &c->second;
  // A view over the profile, not a JSON document: only what the conditions read is
  // computed (segments/profile_view.h).
  segments::SegmentFlags in;
  segments::SegmentFlags& stored = stored_flags_;
  {
    segments::ProfileView view(*p, snap_.features.get(), now_, context);
    // An event re-evaluates the segments reading what it changed; a merge or a refresh
    // re-evaluates all of them.
    bool full = full_eval_.count(p->id) > 0;
    in = set->ReevaluateFlags(&view, snap_.saved_groups.get(), context != nullptr,
                              full ? nullptr : &reach, &stored);
  }
  // Exits (stored, now out or no longer defined) and entries, in name order. While every
  // stored name is a segment's, the flags tell both; else one merged walk of the stored
  // membership and the specs, both sorted by name, finds the names no segment has.
  const auto& specs = set->specs();
  std::vector<std::string> left;
  std::vector<size_t> entered;
  const bool all_known = stored.count() == p->segments.size();
  if (all_known && in != stored) {
    const segments::SegmentFlags exits = stored - in;
    const segments::SegmentFlags entries = in - stored;
    for (size_t i = exits.find_first(); i != exits.npos; i = exits.find_next(i)) {
      left.push_back(specs[i].name);
    }
    for (size_t i = entries.find_first(); i != entries.npos; i = entries.find_next(i)) {
      entered.push_back(i);
    }
  }
  auto it = p->segments.begin();
  for (size_t i = 0; !all_known && (i < specs.size() || it != p->segments.end());) {
    int c = it == p->segments.end() ? 1 : i == specs.size() ? -1 : it->first.compare(specs[i].name);
    if (c < 0) {
      left.push_back(it->first);
      ++it;
    } else if (c > 0) {
      if (in[i]) entered.push_back(i);
      ++i;
    } else {
      if (!in[i]) left.push_back(it->first);
      ++it;
      ++i;
    }
  }
  for (const auto& name : left) {
    p->segments.erase(name);
    wb->Delete(storage::Keyspace::kSegmentMembers, storage::SegmentMemberKey(name, p->id));
    StageSegmentEvent(*p, "segment_exited", name);
    ++exits_;
  }
  for (size_t i : entered) {
    const std::string& name = specs[i].name;
    p->segments.emplace(name, now_);
    wb->Put(storage::Keyspace::kSegmentMembers, storage::SegmentMemberKey(name, p->id),
            std::to_string(now_));
    StageSegmentEvent(*p, "segment_entered", name);
    ++entries_;
  }
  // The stored membership is now `in` exactly: the next evaluation reads it from here.
  p->segment_flags = std::move(in);
  p->segment_flags_of = set->id();
  return !entered.empty() || !left.empty();
}

void Pipeline::Batch::StageSegmentEvent(const Profile& p, const char* type,
                                        const std::string& segment) {
  Event e;
  e.event_id = std::string(type) + "-" + NewUlid(p_.clock_, p_.random_);
  e.type = type;
  if (!p.user_ids.empty()) e.user_id = p.user_ids.front();
  if (!p.anonymous_ids.empty()) e.anonymous_id = p.anonymous_ids.front();
  e.timestamp_ms = now_;
  e.received_at_ms = now_;
  e.properties_json = "{\"segment\":" + JsonQuote(segment) + "}";
  internal_events_.push_back(std::move(e));
  internal_pids_.push_back(p.id);
}

Status Pipeline::Batch::RefreshProfile(const std::string& pid, bool recompute_features) {
  auto loaded = p_.profiles_.Take(pid);
  if (!loaded.ok()) return loaded.status();
  if (!*loaded) return Status::OK();  // erased or merged meanwhile
  Profile& p = profiles_.emplace(pid, std::move(**loaded)).first->second;
  if (recompute_features && snap_.features) {
    TAILOR_RETURN_IF_ERROR(RecomputeFeatures(pid, &p));
  } else {
    refresh_only_.insert(pid);
  }
  MarkDirty(pid, kDirtyFeatures);
  MarkDirty(pid, kDirtyProfile);
  full_eval_.insert(pid);
  return Status::OK();
}

Status Pipeline::Batch::PatchTraits(const std::string& pid, const std::string& traits_json) {
  TAILOR_ASSIGN_OR_RETURN(auto loaded, p_.profiles_.Take(pid));
  if (!loaded) return Status::OK();
  auto [it, fresh] = profiles_.emplace(pid, std::move(*loaded));
  TAILOR_RETURN_IF_ERROR(profile::MergeTraits(&it->second.traits_json, traits_json));
  it->second.updated_at_ms = now_;
  MarkDirty(pid, kDirtyTraits);
  return Status::OK();
}

Status Pipeline::Batch::RecomputeFeatures(const std::string& from_pid, Profile* into) {
  std::vector<Event> events;
  std::vector<std::string> pids = {into->id};
  if (from_pid != into->id) pids.push_back(from_pid);
  for (const std::string& pid : pids) {
    std::string prefix = storage::ProfilePrefix(pid);
    auto it = p_.store_.NewIterator(storage::Keyspace::kEvents, prefix, storage::PrefixEnd(prefix));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto ev = DecodeStoredEvent(it->value());
      if (ev.ok()) events.push_back(std::move(ev).value());
    }
    TAILOR_RETURN_IF_ERROR(it->status());
  }
  for (const Event& e : pending_) {
    if (e.profile_id == into->id) events.push_back(e);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.timestamp_ms < b.timestamp_ms; });
  into->features.clear();
  for (const Event& e : events) ApplyFeatures(*snap_.features, e, into, &event_view_);
  return Status::OK();
}

Pipeline::Batch::ConsentLite Pipeline::Batch::ParseJsonLite(const std::string& json) {
  ConsentLite out;
  auto j = ParseJson(json);
  if (!j.ok() || !j->is_object()) return out;
  if (auto it = j->find("source"); it != j->end() && it->is_string()) {
    out.source = it->get<std::string>();
  }
  if (auto it = j->find("purposes"); it != j->end() && it->is_object()) {
    for (const auto& [name, v] : it->items()) {
      if (v.is_boolean()) out.purposes.emplace_back(name, v.get<bool>());
    }
  }
  return out;
}

}  // namespace tailor::ingest
