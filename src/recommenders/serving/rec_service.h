// RecService: trains, registers and serves the models named in the `recommenders`
// config section (reference: docs/recommendations.md "Serving").
//
// Serving reads one atomic snapshot of the live models (name -> fitted model + its
// training data and item popularity); Promote/Rollback/training build a new snapshot
// and swap it, so a swap never pauses or tears a request. A request reads the user's
// newest events (fold-in: new interactions count before any retraining), excludes what
// they have seen, asks the model for k x candidate_factor candidates through the
// request's filter (the shared condition language over the item's catalog document),
// and re-ranks them (rerank.h). Users without history get the model's popularity order
// (cold start).
//
// Persistence: version records (params, data snapshot, metrics) are stored, and with them
// the fitted model data of persistable models (popularity, itemknn, als, ease), the item
// id map and the cold-start orders. At startup (or when promoting a version trained by
// another process) that data is loaded; models without it are refit from the stored
// events with the recorded parameters and seed (see docs/recommendations.md).
//
// Thread safety: all methods are safe for concurrent use. Training of one service is
// serialized (one model trains at a time); serving and Configure never wait for it.
// Serving options (boosts, diversity, caps) and history settings come from the current
// config, so changing them needs no retraining.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "condition/condition.h"
#include "core/clock.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "identity/identity_index.h"
#include "profile/profile_store.h"
#include "recommenders/serving/catalog_store.h"
#include "recommenders/serving/event_interactions.h"
#include "recommenders/serving/model_versions.h"
#include "recommenders/serving/rec_config.h"
#include "recommenders/serving/shadow.h"
#include "storage/kv_store.h"

namespace tailor::recommenders {

struct LiveModel;  // rec_service.cc

struct RecRequest {
  std::string model;    // config name
  std::string user_id;  // one of user_id / anonymous_id may be empty (both: cold start)
  std::string anonymous_id;
  size_t k = 10;
  // A condition over the item document (JSON text); "" = none. Compiled once per request.
  std::string filter;
  bool exclude_seen = true;
};

struct RecItem {
  std::string id;
  float score = 0;
};

struct RecList {
  std::string model;     // config name
  uint64_t version = 0;  // live version that answered
  std::string source;    // "model", "cold_start" (popularity)
  std::vector<RecItem> items;
};

struct RecServiceOptions {
  int train_threads = 1;  // threads for Fit
  uint64_t seed = 42;     // training and holdout split seed
  double holdout = 0.25;  // share of each user's items held out for the metrics
  size_t eval_k = 10;
  // Largest estimated peak of one training (EstimateTrainingBytes); a training above it
  // fails with kResourceExhausted before fitting. 0 = no limit.
  size_t train_memory_budget_bytes = 0;
  // Versions whose stored model data is kept besides the live, shadow and rollback
  // (previously live) ones: the newest N. Older versions' data is deleted after each
  // training and promotion (their records stay, marked "pruned"; promoting one refits
  // it). 0 = keep every version's data.
  size_t keep_versions = 5;
  // Shadow comparisons waiting for the comparer's thread; more are dropped (counted).
  size_t shadow_queue = 256;
};

// Memory of one model version held for serving (the /metrics gauges).
struct ModelMemory {
  std::string name;  // config name
  std::string role;  // "live" or "shadow"
  uint64_t version = 0;
  size_t bytes = 0;                // held while serving (LiveModel::MemoryBytes)
  size_t training_peak_bytes = 0;  // the estimate recorded at training; 0 = unknown
};

class RecService {
 public:
  // Every reference must outlive the service.
  RecService(storage::KvStore& store, profile::ProfileStore& profiles,
             identity::IdentityIndex& identities, CatalogStore& catalog, const Clock& clock,
             RecServiceOptions options = {});
  ~RecService();

  // Installs the models of a config version (on every activation). Live models whose
  // spec disappeared stop serving.
  void Configure(std::shared_ptr<const RecConfig> config);

  // Loads every configured model's live version: its stored model data, or a refit from
  // the stored events when there is none (startup).
  // Returns the first error after trying all; models that fail do not serve.
  Status LoadLive();

  // kNotFound naming "name" when `name` is not a recommender of the active config.
  Status CheckConfigured(const std::string& name) const;

  // Trains `name` on the stored events, evaluates on a per-user holdout, refits on all
  // data and stores a new version (promoted at once when `promote`), reporting progress
  // (stage, fraction of the whole) when given. Runs on the caller's thread: the server
  // calls it from a background job. Returns the version record. kNotFound for a name not
  // in the config, kInvalidArgument for an empty training set, kResourceExhausted
  // (path "model_train_memory_budget") when the estimated peak is over the budget, the
  // model's error otherwise.
  Result<Json> Train(const std::string& name, bool promote, const ProgressFn& progress = {});
  // Makes `version` live (loading or refitting it when it is not in memory). kNotFound
  // when absent.
  Result<Json> Promote(const std::string& name, uint64_t version);
  // Runs `version` in shadow beside the live version (loading or refitting it like
  // Promote): a sampled share of requests (the spec's shadow_sample) also computes the
  // shadow's list off the response path; it is compared with the live list and never
  // served. 0 removes the shadow. Promoting the shadow version ends the shadow.
  // kNotFound for an unknown name or version, kInvalidArgument naming "version" for the
  // live version.
  Result<Json> SetShadow(const std::string& name, uint64_t version);
  // The comparison of the shadow with the live version since the shadow was set:
  // sampled, compared, dropped, errors, overlap_at_k, rank_correlation, live and shadow
  // latency p50/p99 (µs). kNotFound naming "name".
  Result<Json> ShadowReport(const std::string& name) const;
  // Waits until every queued shadow comparison has run.
  void DrainShadow() { comparer_->Drain(); }

  // Makes the previously live version live again. kFailedPrecondition when there is none.
  Result<Json> Rollback(const std::string& name);
  // Every configured model with its live version, versions and memory (GET /v1/models).
  Result<Json> List();
  // One model as in List() (GET /v1/models/{name}). kNotFound naming "name".
  Result<Json> Info(const std::string& name);
  // The versions held in memory for serving.
  std::vector<ModelMemory> Memory() const;

  // Names of the recommenders whose retrain_every has elapsed since their last training
  // (or the live version's trained_at_ms), each marked attempted now, so a failed
  // training is retried one interval later. The server's scheduler starts a training
  // job (promote) for each.
  std::vector<std::string> DueForRetraining();

  // kNotFound naming "model" for an unknown model, kUnavailable when it has no live
  // version, kInvalidArgument naming "filter" for a bad filter.
  Result<RecList> Recommend(const RecRequest& request) const;
  // Items similar to `item` by the model. kNotFound naming "id" for an item the model
  // does not know.
  Result<RecList> Similar(const std::string& model, const std::string& item, size_t k,
                          const std::string& filter) const;

 private:
  using LiveSet = std::map<std::string, std::shared_ptr<const LiveModel>, std::less<>>;
  Result<std::shared_ptr<const LiveModel>> Fit(const ModelSpec& spec, uint64_t version,
                                               Json* record, const ProgressFn& progress = {});
  // A live version from its stored model data (EncodeLive in rec_service.cc).
  Result<std::shared_ptr<const LiveModel>> Restore(const ModelSpec& spec, uint64_t version,
                                                   std::string_view stored,
                                                   size_t training_peak_bytes);
  Result<Json> Describe(const ModelSpec& spec);
  // A version ready to serve: trained in this process, stored model data, or a refit.
  // REQUIRES: train_mu_ held.
  Result<std::shared_ptr<const LiveModel>> LoadVersion(const ModelSpec& spec, uint64_t version);
  // The list `live` gives for `req` (history `h` of profile `pid`; `filter` may be null).
  Result<RecList> Serve(const LiveModel& live, const ModelSpec& spec, const RecRequest& req,
                        const std::optional<std::string>& pid, const History& h,
                        const condition::Condition* filter, const Catalog& catalog) const;
  void SwapShadow(const std::string& name, std::shared_ptr<const LiveModel> model);
  // Deletes the model data of versions outside the kept set (keep_versions). Failures
  // are logged, not returned: the data is only disk space. REQUIRES: train_mu_ held.
  void PruneData(const std::string& name);

  Status SwapLive(const std::string& name, std::shared_ptr<const LiveModel> model);
  // After the live pointer moved to `version` (promote, rollback): ends a shadow of that
  // version, prunes old model data and serves `model`. REQUIRES: train_mu_ held.
  Status FinishLiveChange(const std::string& name, uint64_t version,
                          std::shared_ptr<const LiveModel> model);
  Result<std::shared_ptr<const LiveModel>> LiveFor(const std::string& name) const;

  storage::KvStore& store_;
  profile::ProfileStore& profiles_;
  identity::IdentityIndex& identities_;
  CatalogStore& catalog_;
  const Clock& clock_;
  RecServiceOptions options_;
  ModelVersions versions_;
  std::atomic<std::shared_ptr<const RecConfig>> config_;
  std::atomic<std::shared_ptr<const LiveSet>> live_;
  std::atomic<std::shared_ptr<const LiveSet>> shadow_;  // shadow versions, by name
  mutable std::atomic<uint64_t> shadow_counter_{0};     // sampling of shadow requests
  std::mutex live_mu_;   // serializes writers of live_ (readers only load it)
  std::mutex train_mu_;  // serializes training, promotion and the set of trained models
  // Versions trained in this process, by name: the newest few, for promotion without refit.
  std::map<std::string, std::vector<std::shared_ptr<const LiveModel>>>
      trained_;             // guarded by train_mu_
  std::mutex schedule_mu_;  // guards last_trained_ms_ (never held while training)
  std::map<std::string, int64_t> last_trained_ms_;  // guarded by schedule_mu_
  // Last member: destroyed first, so its thread stops before what its closures use.
  std::unique_ptr<ShadowComparer> comparer_;
};

}  // namespace tailor::recommenders
