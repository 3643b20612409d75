#include "decision/profile_view.h"

#include <functional>

#include "core/string_table.h"

namespace tailor::decision {

struct ViewCache::ExternalShard {
  struct Entry {
    std::shared_ptr<const ProfileView> view;
    uint64_t identity_generation = 0;
  };
  // std::unordered_map's node walk here was ≈ 9 % of a decision (docs/performance.md,
  // session 6).
  using Map = StringMap<Entry>;
  mutable Mutex mu;
  Map users GUARDED_BY(mu);
  Map anonymous GUARDED_BY(mu);
  Map& For(char kind) REQUIRES(mu) { return kind == 'u' ? users : anonymous; }
};

ViewCache::ViewCache(size_t max_profiles)
    : per_shard_cap_(std::max<size_t>(1, max_profiles / kShards)),
      external_(new ExternalShard[kShards]) {}

ViewCache::~ViewCache() = default;

ViewCache::Shard& ViewCache::ShardFor(const std::string& pid) const {
  return shards_[std::hash<std::string>{}(pid) % kShards];
}

std::shared_ptr<const ProfileView> ViewCache::Get(const std::string& pid, uint64_t config_version,
                                                  int64_t now_ms, int64_t max_age_ms) const {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  auto it = shard.map.find(pid);
  if (it == shard.map.end() || !it->second.view) return nullptr;
  const ProfileView& v = *it->second.view;
  if (v.config_version != config_version || !v.FreshAt(now_ms, max_age_ms)) {
    return nullptr;
  }
  return it->second.view;
}

void ViewCache::Put(std::shared_ptr<const ProfileView> view) {
  Shard& shard = ShardFor(view->pid);
  MutexLock lock(shard.mu);
  PutLocked(shard, std::move(view));
}

void ViewCache::PutLocked(Shard& shard, std::shared_ptr<const ProfileView> view) {
  auto it = shard.map.find(view->pid);
  if (it == shard.map.end()) {
    // Bounded: evict an arbitrary entry of this shard (views are rebuilt on demand).
    if (shard.map.size() >= per_shard_cap_) {
      if (shard.map.begin()->second.view) {
        shard.map.begin()->second.view->retired.store(true, std::memory_order_release);
      }
      shard.map.erase(shard.map.begin());
    }
    it = shard.map.emplace(view->pid, Entry{}).first;
  }
  it->second.answers.clear();
  if (it->second.view) it->second.view->retired.store(true, std::memory_order_release);
  it->second.view = std::move(view);
}

std::optional<CachedAnswer> ViewCache::GetAnswer(const std::string& pid, const ProfileView* view,
                                                 uint64_t key, int64_t now_ms) const {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  auto it = shard.map.find(pid);
  if (it == shard.map.end() || it->second.view.get() != view) return std::nullopt;
  auto a = it->second.answers.find(key);
  if (a == it->second.answers.end() || a->second.expires_at_ms <= now_ms) return std::nullopt;
  return a->second;
}

void ViewCache::PutAnswer(const std::string& pid, const ProfileView* view, uint64_t key,
                          CachedAnswer answer) {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  auto it = shard.map.find(pid);
  if (it == shard.map.end() || it->second.view.get() != view) return;
  // Bounded per profile: contexts vary (pages, locales); start over when full.
  if (it->second.answers.size() >= 64) it->second.answers.clear();
  it->second.answers[key] = std::move(answer);
}

uint64_t ViewCache::InvalidationStamp(const std::string& pid) const {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  return shard.invalidations;
}

bool ViewCache::PutUnlessInvalidated(std::shared_ptr<const ProfileView> view, uint64_t stamp) {
  Shard& shard = ShardFor(view->pid);
  MutexLock lock(shard.mu);
  if (shard.invalidations != stamp) return false;
  auto it = shard.map.find(view->pid);
  if (it != shard.map.end() && it->second.view &&
      it->second.view->config_version != view->config_version) {
    return false;
  }
  PutLocked(shard, std::move(view));
  return true;
}

void ViewCache::Invalidate(const std::string& pid) {
  Shard& shard = ShardFor(pid);
  MutexLock lock(shard.mu);
  ++shard.invalidations;
  auto it = shard.map.find(pid);
  if (it == shard.map.end()) return;
  if (it->second.view) it->second.view->retired.store(true, std::memory_order_release);
  shard.map.erase(it);
}

std::shared_ptr<const ProfileView> ViewCache::GetExternal(char kind, std::string_view id,
                                                          uint64_t identity_generation,
                                                          uint64_t config_version, int64_t now_ms,
                                                          int64_t max_age_ms) const {
  const size_t hash = StringHash{}(id);
  ExternalShard& shard = external_[ShardOf(hash, kShards)];
  MutexLock lock(shard.mu);
  auto& map = shard.For(kind);
  auto it = map.find(id, hash);
  if (it == map.end() || it->second.identity_generation != identity_generation) {
    return nullptr;
  }
  const ProfileView& v = *it->second.view;
  v.PrefetchLines();
  if (v.retired.load(std::memory_order_acquire) || v.config_version != config_version ||
      !v.FreshAt(now_ms, max_age_ms)) {
    return nullptr;
  }
  return it->second.view;
}

void ViewCache::PutExternal(char kind, std::string_view id, uint64_t identity_generation,
                            std::shared_ptr<const ProfileView> view) {
  const size_t hash = StringHash{}(id);
  ExternalShard& shard = external_[ShardOf(hash, kShards)];
  MutexLock lock(shard.mu);
  auto& map = shard.For(kind);
  if (auto it = map.find(id, hash); it != map.end()) {
    it.value() = ExternalShard::Entry{std::move(view), identity_generation};
    return;
  }
  // Bounded: evict an arbitrary entry of this shard (it is found again on demand), from
  // this kind's table unless it has none.
  if (shard.users.size() + shard.anonymous.size() >= per_shard_cap_) {
    auto& from = !map.empty() ? map : shard.For(kind == 'u' ? 'a' : 'u');
    from.erase(from.begin());
  }
  map.emplace(std::string(id), ExternalShard::Entry{std::move(view), identity_generation});
}

SegmentFilter SegmentFilter::Of(const FlatJson& flat) {
  SegmentFilter f;
  FlatJson::Index array;
  if (flat.Kind(FlatJson::kRoot) != condition::ValueKind::kObject ||
      !flat.Find(FlatJson::kRoot, "segments", &array) ||
      flat.Kind(array) != condition::ValueKind::kArray) {
    return f;
  }
  f.node_ = array;
  for (size_t n = 0; n < flat.Size(array); ++n) {
    const FlatJson::Index e = flat.ArrayAt(array, n);
    if (flat.Kind(e) != condition::ValueKind::kString) continue;
    f.Add(flat.GetString(e));
  }
  return f;
}

condition::ValueKind DecisionDocument::Kind(condition::Node n) const {
  return IsRoot(n) ? condition::ValueKind::kObject : Of(n).Kind(Slot(n));
}

bool DecisionDocument::GetBool(condition::Node n) const {
  return !IsRoot(n) && Of(n).GetBool(Slot(n));
}

double DecisionDocument::GetNumber(condition::Node n) const {
  return IsRoot(n) ? 0 : Of(n).GetNumber(Slot(n));
}

std::string_view DecisionDocument::GetString(condition::Node n) const {
  return IsRoot(n) ? std::string_view() : Of(n).GetString(Slot(n));
}

size_t DecisionDocument::Size(condition::Node n) const {
  if (!IsRoot(n)) return Of(n).Size(Slot(n));
  FlatJson::Index ignored;
  return view_->Size(FlatJson::kRoot) + (view_->Find(FlatJson::kRoot, "context", &ignored) ? 0 : 1);
}

bool DecisionDocument::ArrayHasString(condition::Node array, std::string_view s) const {
  if (IsRoot(array)) return false;
  if (segments_ != nullptr && array.b == kViewTag && Slot(array) == segments_->node() &&
      !segments_->MayContain(s)) {
    return false;
  }
  return Of(array).ArrayHasString(Slot(array), s);
}

condition::Node DecisionDocument::ArrayAt(condition::Node n, size_t i) const {
  return Same(n, Of(n).ArrayAt(Slot(n), i));
}

bool DecisionDocument::Find(condition::Node object, std::string_view key,
                            condition::Node* out) const {
  if (IsRoot(object)) {
    if (key == "context") {
      *out = {FlatJson::kRoot, kContextTag};
      return true;
    }
    if (key == "segments" && KnowsSegments()) {
      *out = ViewNode(segments_->node());
      return true;
    }
    object = ViewNode(FlatJson::kRoot);
  }
  FlatJson::Index i;
  if (!Of(object).Find(Slot(object), key, &i)) return false;
  *out = Same(object, i);
  return true;
}

bool DecisionDocument::LookupFromRoot(uint32_t path_id,
                                      std::span<const condition::PathSegment> path,
                                      condition::Node* out) const {
  if (path_id == 0) return Lookup(kRoot, path, out);
  Memo& m = memo_[path_id % memo_.size()];
  if (m.id != path_id) {
    m.found = Lookup(kRoot, path, &m.node);
    m.id = path_id;
  }
  *out = m.node;
  return m.found;
}

bool DecisionDocument::Lookup(condition::Node start, std::span<const condition::PathSegment> path,
                              condition::Node* out) const {
  // Whole paths resolve inside one FlatJson, without a virtual call per step.
  if (IsRoot(start)) {
    if (path.empty()) {
      *out = start;
      return true;
    }
    if (path[0].key == "context") {
      start = {FlatJson::kRoot, kContextTag};
      path = path.subspan(1);
    } else if (path[0].key == "segments" && KnowsSegments()) {
      start = ViewNode(segments_->node());
      path = path.subspan(1);
    } else {
      start = ViewNode(FlatJson::kRoot);
    }
  }
  FlatJson::Index i;
  if (!Of(start).Lookup(Slot(start), path, &i)) return false;
  *out = Same(start, i);
  return true;
}

bool RuleHolds(const Rule& rule, const DecisionDocument& doc, const ProfileView& view,
               uint64_t memo_owner, const condition::SavedGroups* groups) {
  // Without a slot the whole condition in one walk (two would cost more).
  if (rule.when_view == nullptr || rule.memo_slot < 0 || memo_owner == 0) {
    return rule.when->Evaluate(doc, groups);
  }
  const size_t slot = static_cast<size_t>(rule.memo_slot);
  int person = view.rules.Get(memo_owner, slot);
  if (person == RuleMemo::kOthers) return rule.when->Evaluate(doc, groups);
  if (person == RuleMemo::kUnknown) {
    person = rule.when_view->Evaluate(doc, groups) ? 1 : 0;
    view.rules.Set(memo_owner, slot, person == 1);
  }
  return person == 1 && (rule.when_rest == nullptr || rule.when_rest->Evaluate(doc, groups));
}

}  // namespace tailor::decision
