// DecisionEngine: answers "what should this person see here, now?" for a list of
// placements (docs/decisions.md).
//
//   resolve identity -> profile view (features as of now, segments) from the view cache
//   -> per placement, in placement priority order: kill switch, consent, answer cache,
//   rules in priority order (rollout, condition, caps) -> action -> render -> impressions
//   -> decision log.
//
// The engine reads an immutable configuration passed per call, so a config swap never
// blocks or tears a decision.
//
// Thread safety: Decide and the other methods are safe for concurrent use.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "condition/saved_groups.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "decision/action_provider.h"
#include "decision/answer.h"
#include "decision/caps.h"
#include "decision/decision_config.h"
#include "decision/decision_log.h"
#include "decision/profile_view.h"
#include "decision/request.h"
#include "identity/identity_index.h"
#include "profile/features.h"
#include "profile/profile_store.h"
#include "segments/segment_set.h"
#include "storage/kv_store.h"

namespace tailor::decision {

// The configuration a decision runs under (from the active runtime).
struct DecisionInputs {
  std::shared_ptr<const DecisionConfig> decision;  // never null
  const profile::FeatureSet* features = nullptr;
  const segments::SegmentSet* segments = nullptr;
  const condition::SavedGroups* saved_groups = nullptr;
  uint64_t config_version = 0;
  // Keeps alive what the pointers above point to (the runtime's config snapshot). Views
  // are refreshed in the background only for inputs that have it: the refresh runs after
  // the request has returned.
  std::shared_ptr<const void> owner;
};

struct Decision {
  std::string placement;
  std::string decision_id;
  // Never null. Shared with the decision's log record and the answer cache.
  std::shared_ptr<const Answer> answer;
  bool cached = false;
};

struct EngineCounters {
  std::atomic<uint64_t> decisions{0};
  std::atomic<uint64_t> fallbacks{0};
  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> view_builds{0};
  std::atomic<uint64_t> view_refreshes{0};  // of view_builds, those done in the background
  std::atomic<uint64_t> capped{0};
};

class DecisionEngine {
 public:
  // References must outlive the engine.
  DecisionEngine(storage::KvStore& store, profile::ProfileStore& profiles,
                 identity::IdentityIndex& identities, const Clock& clock, Random& random,
                 DecisionLogOptions log_options = {});
  ~DecisionEngine();

  // Registers the provider answering actions of `kind` (experiments, bandits,
  // recommenders). Call before serving.
  void Register(ActionKind kind, const ActionProvider* provider);

  // Decides every placement of `request`, answers in request order. kInvalidArgument
  // for an unknown placement; storage errors only when the profile cannot be read.
  Result<std::vector<Decision>> Decide(const DecideRequest& request, const DecisionInputs& in);

  // Records an impression reported by an `impression` event: its properties name the
  // decision_id, or the content / rule ("placement/rule") / campaign shown.
  // Only keys under an active cap of `config` are recorded.
  Status RecordImpression(const DecisionConfig& config, const std::string& pid,
                          const std::string& decision_id, const Json& properties, int64_t at_ms);

  // The profile view of the person with these ids at `now_ms` (identity lookup, then
  // the view cache); a cold-start view for unknown people. Storage errors only.
  Result<std::shared_ptr<const ProfileView>> ViewFor(const std::string& user_id,
                                                     const std::string& anonymous_id,
                                                     const DecisionInputs& in, int64_t now_ms);
  // The engine clock's now (epoch ms).
  int64_t Now() const { return clock_.NowMs(); }

  // Drops cached views and answers of `pid` (its profile changed).
  void Invalidate(const std::string& pid) { views_.Invalidate(pid); }

  // Re-runs logged decisions made in [since_ms, until_ms) under `target` (another
  // config version) from their logged inputs and context, and reports what would have
  // changed: counts per placement and rule transition, and examples. Caps are not
  // re-applied (the replay cannot know the impressions the new answers would cause).
  Result<Json> Replay(std::shared_ptr<const DecisionConfig> target, uint64_t target_version, int64_t since_ms,
                      int64_t until_ms, size_t limit);

  // How often and where the shadow rules of `placement` disagreed with the live ones
  // for decisions in [since_ms, until_ms).
  Result<Json> ShadowReport(const std::string& placement, int64_t since_ms, int64_t until_ms,
                            size_t limit);

  DecisionLog& log() { return log_; }
  const EngineCounters& counters() const { return counters_; }

  // Blocks until every queued background view refresh is done (tests, shutdown).
  void WaitForRefreshes();

 private:
  struct RequestState;
  // The view of `pid` (cached, else built, cached and logged as a snapshot).
  std::shared_ptr<const ProfileView> View(const std::string& pid, const DecisionInputs& in,
                                          int64_t now_ms, Status* error);
  // A new view of `pid` ("" for the cold-start view), neither cached nor logged.
  std::shared_ptr<const ProfileView> BuildView(const std::string& pid, const DecisionInputs& in,
                                               int64_t now_ms, Status* error);
  // Background refresh: a view found by external id past three quarters of its life is
  // rebuilt off the request path (one thread, a bounded queue), so the requests of a
  // steady visitor rarely pay for a rebuild. Without room in the queue or an `owner` in
  // `in`, nothing is queued and the request rebuilds at expiry as before.
  struct Refresh {
    char kind;
    std::string id;
    std::string pid;
    uint64_t identity_generation;
    DecisionInputs in;
  };
  void MaybeRefresh(char kind, const std::string& id, const ProfileView& view,
                    uint64_t identity_generation, const DecisionInputs& in);
  void RefreshLoop();
  Answer DecidePlacement(const Placement& pl, const RuleSet& rules, RequestState& rs,
                         bool shadow);
  bool Resolve(const Action& action, RequestState& rs, Answer* out, std::string* why);
  bool CapsAllow(const Rule& rule, RequestState& rs, std::string* why);
  void RecordServed(const Placement& pl, const Answer& a, RequestState& rs);

  storage::KvStore& store_;
  profile::ProfileStore& profiles_;
  identity::IdentityIndex& identities_;
  const Clock& clock_;
  Random& random_;
  ViewCache views_;
  std::atomic<std::shared_ptr<const ProfileView>> cold_view_;
  CapLedger caps_;
  DecisionLog log_;
  std::array<const ActionProvider*, 5> providers_{};
  EngineCounters counters_;

  static constexpr size_t kMaxQueuedRefreshes = 4096;
  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  std::deque<Refresh> refresh_queue_;  // guarded by refresh_mu_
  bool refresh_busy_ = false;          // guarded by refresh_mu_
  bool refresh_stop_ = false;          // guarded by refresh_mu_
  std::thread refresher_;              // last: started once everything else exists
};

}  // namespace tailor::decision
