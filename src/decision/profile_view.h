// ProfileView: what a decision reads about one person — traits, features as of a
// moment, segments evaluated at that moment, consents and profile counters — built once
// and shared by the decisions that follow until the profile changes or the view is
// older than `decisions.view_ttl` (the as-of-now staleness bound).
//
// ViewCache holds one view per profile plus that profile's cached answers; the ingest
// path invalidates a profile's entry whenever it changes (ProfileStore listener).
//
// DecisionDocument is the condition Document a rule sees: the view's members (read from
// its flattened copy) plus "context" (the request context), without copying either.
//
// Thread safety: views are immutable; ViewCache and AnswerCache are safe for concurrent
// use.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "condition/document.h"
#include "core/hash.h"
#include "core/json_doc.h"
#include "core/mutex.h"
#include "decision/answer.h"
#include "decision/flat_json.h"

namespace tailor::decision {

// The segments a view's person is in, summarized for the rules that test membership
// ("segments": {"$elemMatch": {"$eq": name}}), which hold far less often than not: where
// the root's "segments" array sits in the flat copy, and a 256-bit Bloom filter of its
// names (two bits each). A "no" from these 40 bytes, loaded with the view, spares the
// flat copy's cache lines (a decision's view is usually cold); a "maybe" is checked
// against the array. With 30 segments a "maybe" for a segment the person is not in
// comes about once in 50 tests.
class SegmentFilter {
 public:
  static constexpr FlatJson::Index kNone = ~FlatJson::Index{0};

  // From `flat`'s root member "segments" when it is an array (its strings); kNone and
  // an empty filter otherwise.
  static SegmentFilter Of(const FlatJson& flat);

  FlatJson::Index node() const { return node_; }
  // False only when no string element of the array is `name`.
  bool MayContain(std::string_view name) const {
    const uint64_t h = Hash64(name);
    return Has(h & 255) && Has((h >> 8) & 255);
  }

 private:
  bool Has(uint64_t bit) const { return (bits_[bit >> 6] >> (bit & 63)) & 1; }
  void Set(uint64_t bit) { bits_[bit >> 6] |= uint64_t{1} << (bit & 63); }
  // The two bits MayContain tests.
  void Add(std::string_view name) {
    const uint64_t h = Hash64(name);
    Set(h & 255);
    Set((h >> 8) & 255);
  }

  FlatJson::Index node_ = kNone;
  std::array<uint64_t, 4> bits_{};
};

// What the rules' conditions on the person alone (Rule::when_view) answered for one
// view: a view's traits, features and segments never change, so each such condition is
// evaluated once per view and then read from here, one cache line beside the view's
// others. Filled by the decisions themselves (two bits per rule slot: known, holds);
// slots belong to one config (`owner`, RuleMemoOwner), the first to write claims the
// memo and others leave it alone. Answers are deterministic, so two threads that
// evaluate a slot at once store the same bits; a store that loses another's bits
// only sends that slot back to unknown.
class RuleMemo {
 public:
  static constexpr size_t kSlots = 7 * 32;

  static constexpr int kUnknown = -1;  // not evaluated yet
  static constexpr int kOthers = -2;   // the memo belongs to another config

  // 1 when slot `slot`'s condition holds, 0 when not, else kUnknown or kOthers.
  int Get(uint64_t owner, size_t slot) const {
    const uint64_t current = owner_.load(std::memory_order_acquire);
    if (current != owner) return current == 0 ? kUnknown : kOthers;
    const uint64_t bits = words_[slot / 32].load(std::memory_order_relaxed) >> (slot % 32 * 2);
    return (bits & 2) != 0 ? static_cast<int>(bits & 1) : kUnknown;
  }
  void Set(uint64_t owner, size_t slot, bool holds) const {
    uint64_t current = owner_.load(std::memory_order_acquire);
    if (current == 0) {
      // Claim it; when another thread claimed it first, `current` becomes that owner.
      if (owner_.compare_exchange_strong(current, owner, std::memory_order_acq_rel)) current = owner;
    }
    if (current != owner) return;  // claimed by another config
    // A plain store, not a locked fetch_or: two threads storing into one word at once can
    // only lose each other's bits (back to unknown, evaluated again), never set wrong ones.
    std::atomic<uint64_t>& word = words_[slot / 32];
    word.store(word.load(std::memory_order_relaxed) |
                   (uint64_t{2u | (holds ? 1u : 0u)} << (slot % 32 * 2)),
               std::memory_order_relaxed);
  }

 private:
  mutable std::atomic<uint64_t> owner_{0};
  mutable std::array<std::atomic<uint64_t>, kSlots / 32> words_{};
};

struct ProfileView {
  // The members a decision reads come first, in the order it reads them: with make_shared
  // the shared_ptr's counts sit just before `retired`, so a lookup by external id checks
  // one cache line, and the next line holds the rest of `pid` and `flat`'s heads
  // (PrefetchLines loads both at once instead of one after the other).
  // Set (once) when the view cache replaces or drops this view: entries that reach it
  // by external id must not serve it any more.
  mutable std::atomic<bool> retired{false};
  // [0, 200), from the pid's hash: see FreshAt.
  uint16_t spread_permille = 0;
  // Set once a background rebuild of this view has been queued (DecisionEngine).
  mutable std::atomic<bool> refresh_queued{false};
  uint64_t config_version = 0;
  int64_t built_at_ms = 0;
  // SegmentFilter::Of(flat), set with it (a default one answers "maybe").
  SegmentFilter segments;
  RuleMemo rules;
  std::string pid;  // "" for a visitor Tailor has never seen (cold start)
  // `doc` flattened (FlatJson(doc)), what rules read; whoever sets `doc` sets this.
  FlatJson flat;
  // Snapshot id (ULID): the decision log stores `doc` once under this id and decision
  // records refer to it, so a record stays small however much the rules read.
  std::string id;
  uint64_t profile_version = 0;
  // {"traits", "features", "segments", "consent", "profile"} (segments/profile_document.h)
  Json doc;

  // Starts loading this object's cache lines (a view found in the cache is usually cold:
  // thousands of people between two decisions of one).
  void PrefetchLines() const {
    const char* p = reinterpret_cast<const char*>(this);
    for (size_t off = 0; off < sizeof(ProfileView); off += 64) __builtin_prefetch(p + off);
  }
  // Once the object is loaded: its heap parts a decision reads (the rules' flat copy,
  // and the ids the log and caps use when they do not fit in the strings).
  void PrefetchData() const {
    flat.Prefetch();
    __builtin_prefetch(pid.data());
    __builtin_prefetch(id.data());
  }

  // Built at most `max_age_ms` before `now_ms`, less this view's spread (up to a fifth
  // of it): views of people first seen together (a warm-up, a campaign's burst) expire
  // over the last fifth of the TTL instead of at one instant, so their rebuilds do not
  // queue behind each other.
  bool FreshAt(int64_t now_ms, int64_t max_age_ms) const {
    return now_ms >= built_at_ms && now_ms - built_at_ms <= Life(max_age_ms);
  }
  // Past three quarters of its life: time to rebuild it in the background.
  bool DueForRefreshAt(int64_t now_ms, int64_t max_age_ms) const {
    return now_ms - built_at_ms > Life(max_age_ms) / 4 * 3;
  }
  int64_t Life(int64_t max_age_ms) const {
    return max_age_ms - max_age_ms / 1000 * spread_permille;
  }
};

// One answer kept for reuse: what a placement served for a user in a context.
struct CachedAnswer {
  int64_t expires_at_ms = 0;
  std::shared_ptr<const Answer> answer;  // never null
};

class ViewCache {
 public:
  explicit ViewCache(size_t max_profiles = 1 << 18);
  ~ViewCache();

  // The view of `pid` when cached, built for `config_version`, and not older than
  // `max_age_ms` at `now_ms`; otherwise nullptr.
  std::shared_ptr<const ProfileView> Get(const std::string& pid, uint64_t config_version,
                                         int64_t now_ms, int64_t max_age_ms) const;
  // Stores `view` (replacing the profile's entry and its answers).
  void Put(std::shared_ptr<const ProfileView> view);
  // For builders off the request path: a stamp of the invalidations of `pid`'s shard,
  // taken before the profile is read, and a Put that stores `view` only when no
  // Invalidate of that shard came since (else the view may predate a change) and the
  // cached view, if any, is of the same config version. False when not stored.
  uint64_t InvalidationStamp(const std::string& pid) const;
  bool PutUnlessInvalidated(std::shared_ptr<const ProfileView> view, uint64_t stamp);

  // A cached answer of `pid` under `key`, valid at `now_ms` and for the cached view
  // `view` (answers die with their view).
  std::optional<CachedAnswer> GetAnswer(const std::string& pid, const ProfileView* view,
                                        uint64_t key, int64_t now_ms) const;
  void PutAnswer(const std::string& pid, const ProfileView* view, uint64_t key,
                 CachedAnswer answer);

  // Drops everything cached for `pid` (its profile changed).
  void Invalidate(const std::string& pid);

  // The view an external identity (`kind` 'u' or 'a', and the id) resolved to when it
  // was stored with PutExternal, if that view is still the cached one of its profile,
  // the identity index is still at `identity_generation`, and the view passes the
  // checks of Get. Skips the identity lookup for people seen recently.
  std::shared_ptr<const ProfileView> GetExternal(char kind, std::string_view id,
                                                 uint64_t identity_generation,
                                                 uint64_t config_version, int64_t now_ms,
                                                 int64_t max_age_ms) const;
  // Remembers that (`kind`, `id`) resolved to `view` at `identity_generation` (read
  // before resolving).
  void PutExternal(char kind, std::string_view id, uint64_t identity_generation,
                   std::shared_ptr<const ProfileView> view);

 private:
  static constexpr size_t kShards = 64;
  struct Entry {
    std::shared_ptr<const ProfileView> view;
    std::unordered_map<uint64_t, CachedAnswer> answers;
  };
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<std::string, Entry> map GUARDED_BY(mu);
    uint64_t invalidations GUARDED_BY(mu) = 0;
  };
  Shard& ShardFor(const std::string& pid) const;
  void PutLocked(Shard& shard, std::shared_ptr<const ProfileView> view) REQUIRES(shard.mu);
  // Identities to views, per kind, in open-addressing tables (core/string_table.h): a
  // decision's first lookup, so one cache miss instead of a node walk.
  struct ExternalShard;

  size_t per_shard_cap_;
  mutable std::array<Shard, kShards> shards_;
  std::unique_ptr<ExternalShard[]> external_;
};

class DecisionDocument final : public condition::Document {
 public:
  // All must outlive this object. `context` must be an object; it replaces any
  // "context" member of `view`. `segments`, when given, is SegmentFilter::Of(view).
  DecisionDocument(const FlatJson& view, const FlatJson& context,
                   const SegmentFilter* segments = nullptr)
      : view_(&view), context_(&context), segments_(segments) {}

  condition::Node Root() const override { return kRoot; }
  condition::ValueKind Kind(condition::Node n) const override;
  bool GetBool(condition::Node n) const override;
  double GetNumber(condition::Node n) const override;
  std::string_view GetString(condition::Node n) const override;
  size_t Size(condition::Node n) const override;
  condition::Node ArrayAt(condition::Node n, size_t i) const override;
  bool Find(condition::Node object, std::string_view key, condition::Node* out) const override;
  bool Lookup(condition::Node start, std::span<const condition::PathSegment> path,
              condition::Node* out) const override;
  bool LookupFromRoot(uint32_t path_id, std::span<const condition::PathSegment> path,
                      condition::Node* out) const override;
  bool ArrayHasString(condition::Node array, std::string_view s) const override;

 private:
  // LookupFromRoot's answers by path id, direct-mapped: the rules of a placement mostly
  // read the same few paths ("segments", "context.channel"). Hidden mutable state: a
  // DecisionDocument serves one request on one thread.
  struct Memo {
    uint32_t id = 0;
    bool found = false;
    condition::Node node;
  };
  mutable std::array<Memo, 16> memo_{};
  // Nodes: the root {0, kRootTag}; a view slot {index, kViewTag}; a context slot
  // {index, kContextTag}.
  static constexpr uintptr_t kRootTag = 1, kViewTag = 2, kContextTag = 3;
  static constexpr condition::Node kRoot{0, kRootTag};
  static bool IsRoot(condition::Node n) { return n.b == kRootTag; }
  static FlatJson::Index Slot(condition::Node n) { return static_cast<FlatJson::Index>(n.a); }
  static condition::Node ViewNode(FlatJson::Index i) { return {i, kViewTag}; }
  // The FlatJson a non-root node lives in, and a node of it.
  // The view's "segments" array is known without reading the flat copy.
  bool KnowsSegments() const {
    return segments_ != nullptr && segments_->node() != SegmentFilter::kNone;
  }
  const FlatJson& Of(condition::Node n) const { return n.b == kViewTag ? *view_ : *context_; }
  static condition::Node Same(condition::Node n, FlatJson::Index i) { return {i, n.b}; }
  const FlatJson* view_;
  const FlatJson* context_;
  const SegmentFilter* segments_;  // may be null
};

// Who owns RuleMemo slots: `config` (its memo_id) running as version `config_version`
// (distinct for ids and versions below 2^32). 0 when the config has no slots.
inline uint64_t RuleMemoOwner(const DecisionConfig& config, uint64_t config_version) {
  return config.memo_id == 0 ? 0 : (config.memo_id << 32) ^ config_version;
}

// Whether `rule`'s condition holds over `doc`, a DecisionDocument over `view`: the
// person's part (Rule::when_view) read from `view.rules` when known under `memo_owner`
// (RuleMemoOwner of the config the rule belongs to), else evaluated and kept there.
bool RuleHolds(const Rule& rule, const DecisionDocument& doc, const ProfileView& view,
               uint64_t memo_owner, const condition::SavedGroups* groups);

}  // namespace tailor::decision
