#include "app/app.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <mutex>
#include <cstdlib>
#include <shared_mutex>
#include <unordered_map>

#include "config/config_store.h"
#include "config/runtime.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/thread_priority.h"
#include "core/random.h"
#include "decision/experiment_action.h"
#include "decision/recommend_action.h"
#include "experiments/experiment_service.h"
#include "governance/api_keys.h"
#include "governance/rate_limiter.h"
#include "identity/identity_index.h"
#include "ingest/jobs.h"
#include "ingest/pipeline.h"
#include "ingest/schema_registry.h"
#include "profile/profile_store.h"
#include "recommenders/serving/catalog_store.h"
#include "recommenders/serving/train_job.h"
#include "recommenders/serving/rec_service.h"
#include "server/authenticator.h"
#include "server/http_server.h"
#include "server/local_dispatch.h"
#include "server/router.h"
#include "server/routes.h"
#include "server/services.h"
#include "storage/rocks_store.h"

namespace tailor::app {

namespace {

// Heterogeneous lookup of std::string keys by std::string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps API keys (governance) to principals with scope bits (server).
//
// Verified keys are cached by their exact secret, so a request with a known key costs a
// hash-map lookup instead of a SHA-256 and a record copy (every /v1/decide carries one).
// Entries are valid only for the key store generation they were verified under: a key
// created or deleted empties the cache for the next request. Failed authentications
// are not cached. The cache lives in process memory only, like the request that
// carried the secret.
class KeyAuthenticator final : public server::Authenticator {
 public:
  explicit KeyAuthenticator(governance::ApiKeyStore& keys) : keys_(keys) {}
  Result<server::Principal> Authenticate(std::string_view token) override {
    const uint64_t generation = keys_.generation();
    {
      std::shared_lock lock(mu_);
      if (generation_ == generation) {
        if (auto it = verified_.find(token); it != verified_.end()) return it->second;
      }
    }
    TAILOR_ASSIGN_OR_RETURN(governance::ApiKeyRecord r, keys_.Authenticate(token));
    server::Principal p;
    p.key_id = r.id;
    for (const auto& s : r.scopes) {
      if (auto scope = server::ParseScope(s)) p.scopes |= *scope;
    }
    std::unique_lock lock(mu_);
    if (generation_ != generation) {
      verified_.clear();
      generation_ = generation;
    }
    if (verified_.size() >= kMaxCached) verified_.clear();  // bounded; refilled on demand
    verified_.emplace(std::string(token), p);
    return p;
  }

 private:
  static constexpr size_t kMaxCached = 1024;
  governance::ApiKeyStore& keys_;
  std::shared_mutex mu_;
  uint64_t generation_ = 0;  // guarded by mu_: the key store generation verified_ is for
  std::unordered_map<std::string, server::Principal, StringHash, std::equal_to<>>
      verified_;  // guarded by mu_
};

// Views built on requests: all builds less the background ones (read first, so the
// difference never goes below zero).
uint64_t RequestViewBuilds(const decision::EngineCounters& d) {
  const uint64_t background = d.view_refreshes.load();
  const uint64_t all = d.view_builds.load();
  return all > background ? all - background : 0;
}

void AppendCounter(std::string* out, const char* name, const char* help, const char* label,
                   std::initializer_list<std::pair<const char*, uint64_t>> values) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
  for (const auto& [v, n] : values) {
    *out += std::string(name) + "{" + label + "=\"" + v + "\"} " + std::to_string(n) + "\n";
  }
}

// An `item` event upserts the catalog entry named by properties.item_id with the other
// properties (title, categories, tags, attributes); a bad one is logged and skipped.
void UpsertItemFromEvent(recommenders::CatalogStore& catalog, const ingest::Event& e) {
  auto props = ParseJson(e.properties_json.empty() ? "{}" : e.properties_json);
  if (!props.ok() || !props->is_object()) return;
  Json doc = *props;
  auto id = doc.find("item_id");
  if (id == doc.end() || !id->is_string()) {
    LogWarn("item event without properties.item_id", {{"event_id", e.event_id}});
    return;
  }
  doc["id"] = *id;
  doc.erase("item_id");
  std::vector<Json> items = {std::move(doc)};
  if (auto r = catalog.Upsert(items); !r.ok()) {
    LogWarn("item event not applied", {{"event_id", e.event_id}, {"error", r.status().ToString()}});
  }
}

}  // namespace

// Identifies the segment definitions (a change re-evaluates every profile).
std::string SegmentsDigest(const config::ConfigSnapshot& c) {
  std::string out;
  for (const auto& s : c.segments->specs()) out += s.name + s.Canonical().dump() + ";";
  return out;
}

struct App::Impl {
  Settings settings;
  SystemClock clock;
  SystemRandom random;
  Metrics metrics;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<profile::ProfileStore> profiles;
  std::unique_ptr<identity::IdentityIndex> identities;
  std::unique_ptr<ingest::Pipeline> pipeline;
  std::unique_ptr<ingest::JobRunner> jobs;  // after pipeline: stopped before it goes
  std::unique_ptr<decision::DecisionEngine> decisions;
  std::unique_ptr<experiments::ExperimentService> experiments;
  std::unique_ptr<decision::ExperimentAction> experiment_action;
  std::unique_ptr<recommenders::CatalogStore> catalog;
  std::unique_ptr<recommenders::RecService> recs;
  std::unique_ptr<decision::RecommendAction> recommend_action;
  std::unique_ptr<governance::ApiKeyStore> keys;
  std::unique_ptr<governance::RateLimiter> rate_limiter;
  std::unique_ptr<config::ConfigStore> configs;
  std::unique_ptr<KeyAuthenticator> authenticator;
  config::RuntimeHolder runtime;
  server::Services services;
  std::unique_ptr<server::Router> router;
  std::optional<std::string> bootstrap_key;
  std::atomic<bool> ready{false};

  std::mutex activate_mu;
  // Jobs (refresh, backfill) rewrite profiles: none may start before Pipeline::Recover has
  // rebuilt the profiles a crash left behind their journal.
  std::atomic<bool> jobs_allowed{false};

  // Compiles and swaps in `snapshot`. Concurrent applies may finish out of order; the
  // newest version always wins.
  Status Activate(std::shared_ptr<const config::ConfigSnapshot> snapshot) {
    TAILOR_ASSIGN_OR_RETURN(auto rt, config::Runtime::Build(std::move(snapshot),
                                                            settings.max_batch_events));
    uint64_t version = rt->config->version;
    std::lock_guard<std::mutex> lock(activate_mu);
    if (auto current = runtime.Load(); current && current->config->version > version) {
      return Status::OK();
    }
    auto ingest = rt->ingest;
    auto previous = runtime.Load();
    bool segments_changed = previous && SegmentsDigest(*previous->config) != SegmentsDigest(*rt->config);
    if (experiments) experiments->Configure(rt->config->experiments);
    if (catalog) catalog->SetConfigItems(rt->config->recommenders->items);
    if (recs) recs->Configure(rt->config->recommenders);
    runtime.Store(std::move(rt));
    if (jobs_allowed && segments_changed) {
      auto id = jobs->Start(ingest, version, false, "segment definitions changed (config version " +
                                                       std::to_string(version) + ")");
      if (id.ok()) LogInfo("segment refresh queued", {{"job", *id}});
    }
    if (jobs_allowed) QueueBackfillIfNeeded(ingest, version);
    LogInfo("config active", {{"version", std::to_string(version)}});
    return Status::OK();
  }

  // A feature whose definition changed is recomputed from stored events (a job).
  void QueueBackfillIfNeeded(const std::shared_ptr<const ingest::IngestSnapshot>& ingest,
                             uint64_t version) {
    auto needs = jobs->NeedsBackfill(*ingest);
    if (needs.ok() && *needs) {
      auto id = jobs->Start(ingest, version, true, "feature definitions changed (config version " +
                                                       std::to_string(version) + ")");
      if (id.ok()) LogInfo("feature backfill queued", {{"job", *id}});
    }
  }

  void RegisterCollectors() {
    metrics.AddCollector([this](std::string* out) {
      const auto& c = pipeline->counters();
      AppendCounter(out, "tailor_events_total", "Events by ingest outcome.", "outcome",
                    {{"accepted", c.accepted.load()},
                     {"duplicate", c.duplicates.load()},
                     {"rejected", c.rejected.load()},
                     {"dead_lettered", c.dead_lettered.load()},
                     {"sampled_out", c.sampled_out.load()},
                     {"consent_dropped", c.consent_dropped.load()}});
      *out += "# HELP tailor_ingest_batches_total Event batches committed.\n"
              "# TYPE tailor_ingest_batches_total counter\ntailor_ingest_batches_total " +
              std::to_string(c.batches.load()) + "\n";
      *out += "# HELP tailor_profile_merges_total Anonymous profiles merged into user profiles.\n"
              "# TYPE tailor_profile_merges_total counter\ntailor_profile_merges_total " +
              std::to_string(c.merges.load()) + "\n";
      *out += "# HELP tailor_ingest_lock_waits_total Times an ingest call (or a profile "
              "refresh or trait update) waited for another's per-profile locks (the same "
              "person, identity or event id in flight).\n"
              "# TYPE tailor_ingest_lock_waits_total counter\ntailor_ingest_lock_waits_total " +
              std::to_string(c.lock_waits.load()) + "\n";
      *out += "# HELP tailor_ingest_lock_wait_seconds_total Time ingest calls spent waiting for "
              "those locks.\n"
              "# TYPE tailor_ingest_lock_wait_seconds_total counter\n"
              "tailor_ingest_lock_wait_seconds_total " +
              FormatPrometheusValue(static_cast<double>(c.lock_wait_us.load()) / 1e6) + "\n";
      *out += "# HELP tailor_ingest_batches_split_total Ingest calls that stored their events "
              "in two writes: the events of people another call was working on went second, "
              "once its locks came free.\n"
              "# TYPE tailor_ingest_batches_split_total counter\ntailor_ingest_batches_split_total " +
              std::to_string(c.batches_split.load()) + "\n";
      *out += "# HELP tailor_ingest_lock_fallbacks_total Ingest calls that took every lock the "
              "blocking way because an identity moved while they resolved.\n"
              "# TYPE tailor_ingest_lock_fallbacks_total counter\ntailor_ingest_lock_fallbacks_total " +
              std::to_string(c.lock_free_fallbacks.load()) + "\n";
      *out += "# HELP tailor_ingest_write_errors_total Batches whose write failed (not acknowledged).\n"
              "# TYPE tailor_ingest_write_errors_total counter\ntailor_ingest_write_errors_total " +
              std::to_string(c.write_errors.load()) + "\n";
      AppendCounter(out, "tailor_profile_writes_total",
                    "Profile writes left to the write-behind flush, written by it, and rebuilt "
                    "from the journal at start-up or after a failed write.",
                    "kind", {{"deferred", c.profiles_deferred.load()},
                             {"flushed", c.profiles_flushed.load()},
                             {"recovered", c.profiles_recovered.load()}});
      AppendCounter(out, "tailor_dedup_entries_total",
                    "Dedup entries of accepted events left to the write-behind flush (journaled "
                    "and remembered in memory), and written by it.",
                    "kind", {{"deferred", c.dedup_deferred.load()}, {"flushed", c.dedup_flushed.load()}});
      *out += "# HELP tailor_profiles_unstored Cached profiles with changes not yet written.\n"
              "# TYPE tailor_profiles_unstored gauge\ntailor_profiles_unstored " +
              std::to_string(profiles->UnstoredCount()) + "\n";
      AppendCounter(out, "tailor_segment_transitions_total", "Segment entries and exits recorded.",
                    "direction", {{"entered", c.segment_entries.load()}, {"exited", c.segment_exits.load()}});
      const auto& d = decisions->counters();
      AppendCounter(out, "tailor_decisions_total", "Placement decisions answered, by how.", "kind",
                    {{"all", d.decisions.load()},
                     {"fallback", d.fallbacks.load()},
                     {"cached", d.cache_hits.load()},
                     {"capped_rule", d.capped.load()}});
      AppendCounter(out, "tailor_decision_log_total", "Decision records written or dropped (writer behind).",
                    "outcome", {{"written", decisions->log().written()}, {"dropped", decisions->log().dropped()}});
      AppendCounter(out, "tailor_decision_view_builds_total",
                    "Profile views built for decisions: on a request (cache misses) or in the background (refreshes).",
                    "where", {{"request", RequestViewBuilds(d)}, {"background", d.view_refreshes.load()}});
      auto rt = runtime.Load();
      const auto& features = *rt->config->features;
      if (!features.empty()) {
        *out += "# HELP tailor_feature_bad_field_total Matching events whose feature field was missing or mistyped.\n"
                "# TYPE tailor_feature_bad_field_total counter\n";
        for (size_t i = 0; i < features.specs().size(); ++i) {
          *out += "tailor_feature_bad_field_total{feature=\"" + features.specs()[i].name + "\"} " +
                  std::to_string(features.bad_field_events(i)) + "\n";
        }
      }
      *out += "# HELP tailor_config_version Active configuration version.\n"
              "# TYPE tailor_config_version gauge\ntailor_config_version " +
              std::to_string(runtime.Load()->config->version) + "\n";
    });
    metrics.AddCollector([this](std::string* out) {
      // Memory of the model versions held for serving and their recorded training peak.
      const auto models = recs->Memory();
      *out += "# HELP tailor_model_memory_bytes Bytes a served model version holds.\n"
              "# TYPE tailor_model_memory_bytes gauge\n";
      for (const auto& m : models) {
        *out += "tailor_model_memory_bytes{name=\"" + m.name + "\",role=\"" + m.role +
                "\",version=\"" + std::to_string(m.version) + "\"} " + std::to_string(m.bytes) + "\n";
      }
      *out += "# HELP tailor_model_training_peak_bytes Estimated memory peak of training a served "
              "model version.\n# TYPE tailor_model_training_peak_bytes gauge\n";
      for (const auto& m : models) {
        *out += "tailor_model_training_peak_bytes{name=\"" + m.name + "\",role=\"" + m.role +
                "\",version=\"" + std::to_string(m.version) + "\"} " +
                std::to_string(m.training_peak_bytes) + "\n";
      }
      *out += "# HELP tailor_model_train_memory_budget_bytes The model_train_memory_budget "
              "setting (0 = no limit).\n# TYPE tailor_model_train_memory_budget_bytes gauge\n"
              "tailor_model_train_memory_budget_bytes " +
              std::to_string(settings.model_train_memory_budget) + "\n";
    });
    metrics.AddCollector([this](std::string* out) {
      *out += "# HELP tailor_storage Storage engine statistics (RocksDB properties).\n"
              "# TYPE tailor_storage gauge\n";
      for (const auto& [name, v] : store->Stats()) {
        size_t brace = name.find('{');
        std::string base = brace == std::string::npos ? name : name.substr(0, brace);
        std::string labels = brace == std::string::npos ? "" : name.substr(brace + 1, name.size() - brace - 2);
        *out += "tailor_storage{stat=\"" + base + "\"" + (labels.empty() ? "" : "," + labels) +
                "} " + std::to_string(v) + "\n";
      }
    });
  }
};

App::App(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

App::~App() {
  // Jobs first: a running task (model training) uses the services below.
  if (impl_) impl_->jobs.reset();
  if (impl_ && impl_->pipeline) {
    if (auto st = impl_->pipeline->FlushProfiles(); !st.ok()) {
      LogWarn("profiles not flushed; the next start rebuilds them", {{"error", st.status().ToString()}});
    }
  }
  if (impl_ && impl_->experiments) impl_->experiments->Flush().IgnoreError();
  if (impl_ && impl_->store) impl_->store->Flush().IgnoreError();
}

Result<std::unique_ptr<App>> App::Open(const Settings& settings) {
  TAILOR_RETURN_IF_ERROR(settings.Validate());
  SetLogLevel(settings.log_level);
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.settings = settings;
  storage::StoreOptions so;
  so.SetTtl(storage::Keyspace::kDedup, settings.dedup_retention_ms);
  so.SetTtl(storage::Keyspace::kDeadLetters, settings.dead_letter_retention_ms);
  so.SetTtl(storage::Keyspace::kDecisions, settings.decision_log_retention_ms);
  so.SetTtl(storage::Keyspace::kDecisionOutcomes, settings.decision_log_retention_ms);
  so.block_cache_bytes = settings.block_cache_bytes;
  TAILOR_ASSIGN_OR_RETURN(m.store, storage::OpenRocksStore(settings.data_dir, so, m.clock));
  m.profiles = std::make_unique<profile::ProfileStore>(*m.store);
  m.identities = std::make_unique<identity::IdentityIndex>(*m.store);
  ingest::PipelineOptions pipeline_options;
  pipeline_options.sync_writes = settings.sync_writes;
  pipeline_options.write_behind = settings.profile_flush_interval_ms > 0;
  if (settings.dedup_write_behind) {
    pipeline_options.max_recent_ids = size_t{1} << 20;
    if (!pipeline_options.write_behind) {
      LogWarn("dedup_write_behind is ignored: it needs profile_flush_interval > 0", {});
    }
  }
  m.pipeline = std::make_unique<ingest::Pipeline>(*m.store, *m.profiles, *m.identities, m.clock,
                                                  m.random, pipeline_options);
  m.jobs = std::make_unique<ingest::JobRunner>(*m.store, *m.pipeline, m.clock, m.random);
  decision::DecisionLogOptions log_options;
  log_options.persist_interval_ms = settings.decision_log_persist_interval_ms;
  m.decisions = std::make_unique<decision::DecisionEngine>(*m.store, *m.profiles, *m.identities,
                                                           m.clock, m.random, log_options);
  // A profile change drops its cached decision view; impression events feed caps.
  m.profiles->SetChangeListener([d = m.decisions.get()](const std::string& pid) { d->Invalidate(pid); });
  m.experiments = std::make_unique<experiments::ExperimentService>(*m.store);
  TAILOR_RETURN_IF_ERROR(m.experiments->Load());
  m.experiment_action = std::make_unique<decision::ExperimentAction>(*m.experiments);
  m.decisions->Register(decision::ActionKind::kExperiment, m.experiment_action.get());
  m.catalog = std::make_unique<recommenders::CatalogStore>(*m.store);
  TAILOR_RETURN_IF_ERROR(m.catalog->Load());
  recommenders::RecServiceOptions ro;
  ro.train_threads = settings.model_train_threads;
  ro.train_memory_budget_bytes = settings.model_train_memory_budget;
  ro.keep_versions = static_cast<size_t>(settings.model_keep_versions);
  m.recs = std::make_unique<recommenders::RecService>(*m.store, *m.profiles, *m.identities,
                                                      *m.catalog, m.clock, ro);
  m.recommend_action = std::make_unique<decision::RecommendAction>(*m.recs);
  m.decisions->Register(decision::ActionKind::kRecommend, m.recommend_action.get());
  // Every stored event: experiment metric attribution, then impressions for caps.
  Impl* self = &m;
  m.pipeline->SetAcceptedListener([self](const ingest::Event& e) {
    self->experiments->OnEvent(e);
    if (e.type == "item") UpsertItemFromEvent(*self->catalog, e);
    if (e.type != "impression") return;
    auto props = ParseJson(e.properties_json.empty() ? "{}" : e.properties_json);
    self->decisions
        ->RecordImpression(*self->runtime.Load()->config->decision, e.profile_id, e.decision_id,
                           props.ok() ? *props : Json::object(), e.timestamp_ms)
        .IgnoreError();
  });
  TAILOR_ASSIGN_OR_RETURN(m.keys, governance::ApiKeyStore::Open(*m.store, m.clock, m.random));
  const char* env_key = std::getenv("TAILOR_ADMIN_KEY");
  TAILOR_ASSIGN_OR_RETURN(m.bootstrap_key, m.keys->Bootstrap(env_key ? env_key : ""));
  m.rate_limiter = std::make_unique<governance::RateLimiter>(m.clock);
  config::LoadOptions lo;
  lo.validate_schema = ingest::ValidateSchemaText;
  m.configs = std::make_unique<config::ConfigStore>(*m.store, lo);
  TAILOR_ASSIGN_OR_RETURN(auto current, m.configs->Current());
  TAILOR_RETURN_IF_ERROR(m.Activate(current));
  // Profiles whose stored form lags their journal (a crash with write-behind) are rebuilt
  // before anything reads them.
  TAILOR_ASSIGN_OR_RETURN(size_t rebuilt, m.pipeline->Recover(*m.runtime.Load()->ingest));
  if (rebuilt > 0) LogInfo("profiles rebuilt from the journal", {{"profiles", std::to_string(rebuilt)}});
  m.jobs_allowed = true;
  {
    auto rt = m.runtime.Load();
    m.QueueBackfillIfNeeded(rt->ingest, rt->config->version);
  }
  // Live model versions load their stored model data (refit from stored events when none).
  if (Status st = m.recs->LoadLive(); !st.ok()) {
    LogWarn("some live recommenders are not serving", {{"error", st.ToString()}});
  }
  m.authenticator = std::make_unique<KeyAuthenticator>(*m.keys);

  server::Services& s = m.services;
  s.clock = &m.clock;
  s.store = m.store.get();
  s.pipeline = m.pipeline.get();
  s.profiles = m.profiles.get();
  s.identities = m.identities.get();
  s.keys = m.keys.get();
  s.rate_limiter = m.rate_limiter.get();
  s.configs = m.configs.get();
  s.metrics = &m.metrics;
  s.jobs = m.jobs.get();
  s.decisions = m.decisions.get();
  s.experiments = m.experiments.get();
  s.catalog = m.catalog.get();
  s.recs = m.recs.get();
  Impl* raw = &m;
  s.runtime = [raw] { return raw->runtime.Load(); };
  s.activate = [raw](std::shared_ptr<const config::ConfigSnapshot> snap) {
    return raw->Activate(std::move(snap));
  };
  s.ready = [raw] { return raw->ready.load(); };
  TAILOR_ASSIGN_OR_RETURN(auto router, server::Router::Create(server::BuildRoutes(s)));
  m.router = std::make_unique<server::Router>(std::move(router));
  m.RegisterCollectors();
  return std::unique_ptr<App>(new App(std::move(impl)));
}

const std::optional<std::string>& App::bootstrap_key() const { return impl_->bootstrap_key; }

Result<std::string> App::ApplyConfigDir(const std::string& dir, const std::string& by) {
  TAILOR_ASSIGN_OR_RETURN(config::ConfigFiles files, config::LoadDirectory(dir));
  std::vector<config::ConfigError> errors;
  auto applied = impl_->configs->Apply(files, by, impl_->clock.NowMs(), &errors);
  if (!applied.ok()) return applied.status();
  if (applied->changed) TAILOR_RETURN_IF_ERROR(impl_->Activate(applied->snapshot));
  return "config version " + std::to_string(applied->snapshot->version) +
         (applied->changed ? " (applied)" : " (unchanged)");
}

Status App::Serve(const std::function<void(uint16_t)>& on_listening) {
  Impl& m = *impl_;
  server::HttpServerOptions ho;
  ho.listen = m.settings.listen;
  ho.threads = m.settings.http_threads;
  ho.max_body_bytes = m.settings.max_body_bytes;
  ho.request_timeout_ms = m.settings.request_timeout_ms;
  ho.drain_timeout_ms = m.settings.drain_timeout_ms;
  TAILOR_RETURN_IF_ERROR(ho.Validate());
  server::HttpServer http(ho, server::BuildRoutes(m.services), *m.authenticator, m.metrics, m.clock);
  http.OnShutdownBegin([&m] { m.ready = false; });  // /readyz is 503 while draining
  TAILOR_RETURN_IF_ERROR(http.Start());
  http.ShutdownOnSignals();
  m.ready = true;
  on_listening(http.port());
  std::mutex refresh_mu;
  std::condition_variable refresh_cv;
  bool stopping = false;
  std::thread refresher([&] {
    // Time-based segments change with time alone; re-evaluate them on an interval.
    int64_t interval = m.settings.segment_refresh_interval_ms;
    if (interval <= 0) return;
    std::unique_lock<std::mutex> lock(refresh_mu);
    while (!refresh_cv.wait_for(lock, std::chrono::milliseconds(interval), [&] { return stopping; })) {
      auto rt = m.runtime.Load();
      if (!rt->config->segments->AnyTimeDependent()) {
        // Nothing changes with time alone: just extend the size history.
        Status st = m.jobs->RecordSegmentSizes(*rt->ingest);
        if (!st.ok()) LogWarn("segment sizes not recorded", {{"error", st.ToString()}});
        continue;
      }
      auto id = m.jobs->Start(rt->ingest, rt->config->version, false, "periodic segment refresh");
      if (!id.ok()) LogWarn("segment refresh not started", {{"error", id.status().ToString()}});
    }
  });
  std::thread experiment_flusher([&] {
    // Experiment exposures and aggregates are write-behind (exposure_tracker.h): this
    // bounds what a crash can lose.
    int64_t interval = m.settings.experiment_flush_interval_ms;
    std::unique_lock<std::mutex> lock(refresh_mu);
    while (!refresh_cv.wait_for(lock, std::chrono::milliseconds(interval), [&] { return stopping; })) {
      Status st = m.experiments->Flush();
      if (!st.ok()) LogWarn("experiment aggregates not flushed", {{"error", st.ToString()}});
    }
  });
  std::thread profile_flusher([&] {
    // Profiles changed by ingest are write-behind (ingest/profile_journal.h).
    int64_t interval = m.settings.profile_flush_interval_ms;
    if (interval <= 0) return;
    LowerCurrentThreadPriority();  // its bursts must not slow the request threads
    std::unique_lock<std::mutex> lock(refresh_mu);
    while (!refresh_cv.wait_for(lock, std::chrono::milliseconds(interval), [&] { return stopping; })) {
      lock.unlock();
      auto st = m.pipeline->FlushProfiles();
      if (!st.ok()) LogWarn("profiles not flushed", {{"error", st.status().ToString()}});
      lock.lock();
    }
  });
  std::thread retrainer([&] {
    // Scheduled retraining (`retrain_every`), checked every model_retrain_check: a
    // training job per due model (GET /v1/jobs shows them; never two of one model).
    std::unique_lock<std::mutex> lock(refresh_mu);
    while (!refresh_cv.wait_for(lock, std::chrono::milliseconds(m.settings.model_retrain_check_ms),
                                [&] { return stopping; })) {
      lock.unlock();
      for (const std::string& name : m.recs->DueForRetraining()) {
        auto id = recommenders::StartTrainJob(*m.jobs, *m.recs, name, /*promote=*/true,
                                              "scheduled retraining (retrain_every)");
        if (!id.ok()) {
          LogWarn("scheduled retraining not started", {{"name", name}, {"error", id.status().ToString()}});
        }
      }
      lock.lock();
    }
  });
  http.Wait();
  {
    std::lock_guard<std::mutex> lock(refresh_mu);
    stopping = true;
  }
  refresh_cv.notify_all();
  refresher.join();
  experiment_flusher.join();
  profile_flusher.join();
  retrainer.join();
  if (auto st = m.pipeline->FlushProfiles(); !st.ok()) {
    LogWarn("profiles not flushed; the next start rebuilds them", {{"error", st.status().ToString()}});
  }
  if (Status st = m.experiments->Flush(); !st.ok()) {
    LogWarn("experiment aggregates not flushed", {{"error", st.ToString()}});
  }
  m.ready = false;
  LogInfo("server drained; flushing store");
  return m.store->Flush();
}

server::HttpResponse App::Call(server::Method method, std::string target, std::string body) {
  server::HttpRequest req;
  req.method = method;
  req.target = std::move(target);
  req.body = std::move(body);
  req.principal.key_id = "cli";
  req.principal.scopes = server::kScopeAdmin;
  return server::DispatchLocal(*impl_->router, std::move(req));
}

bool App::Empty() {
  auto it = impl_->store->NewIterator(storage::Keyspace::kProfiles, "", "");
  it->SeekToFirst();
  return !it->Valid();
}

Status App::Flush() {
  TAILOR_RETURN_IF_ERROR(impl_->pipeline->FlushProfiles().status());
  TAILOR_RETURN_IF_ERROR(impl_->experiments->Flush());
  return impl_->store->Flush();
}

}  // namespace tailor::app
