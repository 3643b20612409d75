#include "recommenders/serving/rec_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "condition/json_document.h"
#include "core/log.h"
#include "core/random.h"
#include "recommenders/evaluate.h"
#include "recommenders/registry.h"
#include "recommenders/serving/event_interactions.h"
#include "recommenders/serving/live_model.h"
#include "recommenders/serving/rerank.h"
#include "recommenders/split.h"

namespace tailor::recommenders {

namespace {

// The spec of recommender `name` in `config`, or kNotFound naming it.
Result<const ModelSpec*> FindSpec(const RecConfig& config, const std::string& name) {
  const ModelSpec* spec = config.Find(name);
  if (spec == nullptr) return NotFound("no recommender '" + name + "' in the active config", "name");
  return spec;
}

constexpr size_t kKeepTrained = 2;  // trained versions kept in memory per name

Json ParamsToJson(const ModelParams& p) {
  Json out = Json::object();
  for (const auto& [k, v] : p) out[k] = v;
  return out;
}

Json EffectiveParams(const Recommender& model) {
  auto j = ParseJson(model.ParamsJson());
  return j.ok() ? std::move(j).value() : Json::object();
}

std::string FormatMiB(size_t bytes) {
  const double mib = static_cast<double>(bytes) / (1 << 20);
  char buf[32];
  std::snprintf(buf, sizeof buf, mib < 10 ? "%.1f MiB" : "%.0f MiB", mib);
  return buf;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

RecService::RecService(storage::KvStore& store, profile::ProfileStore& profiles,
                       identity::IdentityIndex& identities, CatalogStore& catalog,
                       const Clock& clock, RecServiceOptions options)
    : store_(store),
      profiles_(profiles),
      identities_(identities),
      catalog_(catalog),
      clock_(clock),
      options_(options),
      versions_(store),
      comparer_(std::make_unique<ShadowComparer>(options.shadow_queue)) {
  config_.store(std::make_shared<const RecConfig>());
  live_.store(std::make_shared<const LiveSet>());
  shadow_.store(std::make_shared<const LiveSet>());
}

RecService::~RecService() = default;

void RecService::Configure(std::shared_ptr<const RecConfig> config) {
  // Not train_mu_: a config change must not wait for a training to finish.
  std::lock_guard<std::mutex> lock(live_mu_);
  auto live = live_.load();
  auto next = std::make_shared<LiveSet>();
  for (const auto& [name, m] : *live) {
    if (config->Find(name) != nullptr) next->emplace(name, m);
  }
  auto shadows = std::make_shared<LiveSet>();
  for (const auto& [name, m] : *shadow_.load()) {
    if (config->Find(name) != nullptr) shadows->emplace(name, m);
  }
  config_.store(std::move(config));
  live_.store(std::move(next));
  shadow_.store(std::move(shadows));
}

Result<std::shared_ptr<const LiveModel>> RecService::Fit(const ModelSpec& spec, uint64_t version,
                                                         Json* record,
                                                         const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  // Model progress mapped into [from, from + span) of the whole training.
  auto stage = [&](double from, double span) -> ProgressFn {
    if (!progress) return {};
    return [&progress, from, span](std::string_view name, double f) {
      progress(name, from + span * std::clamp(f, 0.0, 1.0));
    };
  };
  if (progress) progress("read events", 0.0);
  EventScanStats stats;
  TAILOR_ASSIGN_OR_RETURN(RawInteractions raw, ReadInteractions(store_, spec, &stats));
  if (raw.rows.empty()) {
    return InvalidArgument(
        "empty training set: no stored event of a type listed in `events` "
        "carries properties." +
            spec.item_property,
        "events");
  }
  const InteractionOptions io = InteractionOptionsFor(spec);
  auto live = std::make_shared<LiveModel>();
  live->spec = std::make_shared<const ModelSpec>(spec);
  live->version = version;
  live->catalog = catalog_.Current();
  TrainOptions to;
  to.threads = options_.train_threads;
  to.seed = options_.seed;
  to.catalog = &live->catalog->text;

  // The memory budget is checked before anything large is allocated: the data as read,
  // the model's estimate for this shape.
  TAILOR_ASSIGN_OR_RETURN(Interactions all, Interactions::Build(raw, io));
  TAILOR_ASSIGN_OR_RETURN(live->model, CreateModel(spec.model, spec.params));
  const size_t peak = EstimateTrainingBytes(*live->model, all, raw.rows.size(), to.threads);
  live->training_peak_bytes = peak;
  if (options_.train_memory_budget_bytes > 0 && peak > options_.train_memory_budget_bytes) {
    return Status(
        StatusCode::kResourceExhausted,
        "training '" + spec.name + "' (" + spec.model + ": " + std::to_string(all.num_users()) +
            " users, " + std::to_string(all.num_items()) + " items, " +
            std::to_string(all.nnz()) + " pairs) needs an estimated " + FormatMiB(peak) +
            ", over the training memory budget of " +
            FormatMiB(options_.train_memory_budget_bytes) +
            "; raise the model_train_memory_budget setting, or lower the model's size "
            "(factors, neighbors, fewer items)",
        "model_train_memory_budget");
  }

  // Holdout metrics first (a model trained on the training part), then the served model
  // on all data. Too little data for a holdout is recorded, not fatal.
  Json metrics = Json::object();
  Status eval_status;
  {
    SeededRandom random(options_.seed);
    SplitSpec split_spec;
    split_spec.fraction = 1.0 - options_.holdout;
    auto split = SplitInteractions(raw, split_spec, random);
    eval_status = split.status();
    if (split.ok()) {
      auto train = Interactions::Build(split->train, io);
      auto test = Interactions::Build(split->test, io);
      eval_status = !train.ok() ? train.status() : test.status();
      if (train.ok() && test.ok()) {
        auto m = CreateModel(spec.model, spec.params);
        eval_status = m.status();
        if (m.ok()) eval_status = (*m)->Fit(*train, to, stage(0.02, 0.38));
        if (eval_status.ok()) {
          EvalOptions eo;
          eo.k = options_.eval_k;
          eo.threads = options_.train_threads;
          auto e = EvaluateModel(**m, *train, *test, eo, stage(0.40, 0.10));
          eval_status = e.status();
          if (e.ok()) {
            for (const auto& [n, v] : e->Named()) metrics[n] = v;
            metrics["users"] = e->users;
          }
        }
      }
    }
  }
  if (!eval_status.ok()) metrics = Json{{"error", eval_status.message()}};
  raw = RawInteractions();  // no longer needed: the full fit runs on `all`

  live->data = std::make_unique<const Interactions>(std::move(all));
  const auto fit_started = std::chrono::steady_clock::now();
  TAILOR_RETURN_IF_ERROR(live->model->Fit(*live->data, to, stage(0.50, 0.45)));
  const double fit_seconds = Seconds(fit_started);
  const Interactions& d = *live->data;
  live->popularity.resize(d.num_items());
  for (uint32_t i = 0; i < d.num_items(); ++i)
    live->popularity[i] = static_cast<float>(d.ItemUsers(i).size());
  RankByPopularity(live.get());
  for (const std::string& segment : spec.cold_start_segments) {
    TAILOR_ASSIGN_OR_RETURN(auto order, SegmentPopular(store_, d, live->popularity, segment));
    live->segment_popular.emplace_back(segment, std::move(order));
  }
  *record = Json{{"name", spec.name},
                 {"version", version},
                 {"model", spec.model},
                 {"params", ParamsToJson(spec.params)},
                 {"effective_params", EffectiveParams(*live->model)},
                 {"events", spec.event_weights},
                 {"trained_at_ms", clock_.NowMs()},
                 {"data",
                  {{"events_read", stats.events},
                   {"interactions", stats.interactions},
                   {"profiles", stats.profiles},
                   {"users", d.num_users()},
                   {"items", d.num_items()},
                   {"pairs", d.nnz()},
                   {"newest_event_s", d.max_timestamp()}}},
                 {"metrics", std::move(metrics)},
                 {"holdout", options_.holdout},
                 {"seed", options_.seed},
                 {"train_seconds", fit_seconds},
                 {"total_seconds", Seconds(started)},
                 {"memory_bytes", live->MemoryBytes()},
                 {"model_bytes", live->model->MemoryBytes()},
                 {"training_peak_estimate_bytes", peak},
                 {"train_memory_budget_bytes", options_.train_memory_budget_bytes}};
  return std::shared_ptr<const LiveModel>(std::move(live));
}

Result<std::shared_ptr<const LiveModel>> RecService::Restore(const ModelSpec& spec,
                                                             uint64_t version,
                                                             std::string_view stored,
                                                             size_t training_peak_bytes) {
  auto live = std::make_shared<LiveModel>();
  live->training_peak_bytes = training_peak_bytes;
  live->spec = std::make_shared<const ModelSpec>(spec);
  live->version = version;
  live->catalog = catalog_.Current();
  TAILOR_RETURN_IF_ERROR(DecodeLive(stored, live.get()));
  return std::shared_ptr<const LiveModel>(std::move(live));
}

Status RecService::SwapLive(const std::string& name, std::shared_ptr<const LiveModel> model) {
  std::lock_guard<std::mutex> lock(live_mu_);
  auto next = std::make_shared<LiveSet>(*live_.load());
  (*next)[name] = std::move(model);
  live_.store(std::move(next));
  return Status::OK();
}

Result<std::shared_ptr<const LiveModel>> RecService::LiveFor(const std::string& name) const {
  auto live = live_.load();
  auto it = live->find(name);
  if (it == live->end()) {
    return Unavailable("recommender '" + name + "' has no live version; train and promote one");
  }
  return it->second;
}

Status RecService::CheckConfigured(const std::string& name) const {
  return FindSpec(*config_.load(), name).status();
}

Result<Json> RecService::Train(const std::string& name, bool promote,
                               const ProgressFn& progress) {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  std::unique_lock<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(uint64_t version, versions_.NextVersion(name));
  Json record;
  TAILOR_ASSIGN_OR_RETURN(auto model, Fit(*spec, version, &record, progress));
  if (progress) progress("store", 0.96);
  // The fitted data is stored with the record, so a restart or another process's
  // promotion serves this exact model; models that are not persistable are refit there.
  std::string data;
  if (auto encoded = EncodeLive(*model); encoded.ok()) {
    data = std::move(encoded).value();
  } else {
    LogInfo("model data not persisted",
            {{"name", name}, {"version", std::to_string(version)},
             {"reason", encoded.status().message()}});
  }
  record["model_data_bytes"] = data.size();
  TAILOR_RETURN_IF_ERROR(versions_.Put(name, record, data));
  PruneData(name);
  auto& kept = trained_[name];
  kept.push_back(model);
  if (kept.size() > kKeepTrained) kept.erase(kept.begin());
  {
    std::lock_guard<std::mutex> schedule_lock(schedule_mu_);
    last_trained_ms_[name] = clock_.NowMs();
  }
  LogInfo("model trained", {{"name", name}, {"version", std::to_string(version)}});
  lock.unlock();
  if (promote) {
    if (progress) progress("promote", 0.99);
    TAILOR_ASSIGN_OR_RETURN(Json live, Promote(name, version));
    record["live"] = true;
  }
  return record;
}

Result<std::shared_ptr<const LiveModel>> RecService::LoadVersion(const ModelSpec& spec,
                                                                 uint64_t version) {
  const std::string& name = spec.name;
  TAILOR_ASSIGN_OR_RETURN(Json record, versions_.Get(name, version));
  for (const auto& m : trained_[name]) {
    if (m->version == version) return m;
  }
  // Not in memory (another process trained it, or the server restarted): load the
  // stored model data, or refit with the version's recorded model and parameters when
  // there is none (not persistable, pruned, older versions) or it cannot be read.
  ModelSpec refit = spec;
  refit.model = record.value("model", spec.model);
  refit.params.clear();
  // A named copy: `value()` returns a temporary, which a range-for over its items()
  // would not keep alive.
  const Json params = record.value("params", Json::object());
  for (const auto& [k, v] : params.items()) refit.params[k] = v.get<std::string>();
  const std::string v = std::to_string(version);
  auto stored = versions_.GetData(name, version);
  Status why = stored.ok() ? NotFound("no stored model data") : stored.status();
  if (stored.ok() && *stored) {
    auto restored =
        Restore(refit, version, **stored, record.value("training_peak_estimate_bytes", size_t{0}));
    if (restored.ok()) {
      LogInfo("model loaded from stored data",
              {{"name", name}, {"version", v}, {"bytes", std::to_string((*stored)->size())}});
      return restored;
    }
    why = restored.status();
  }
  if (why.code() == StatusCode::kNotFound || why.code() == StatusCode::kFailedPrecondition) {
    LogInfo("model retrained at load", {{"name", name}, {"version", v}, {"reason", why.message()}});
  } else {
    LogWarn("model retrained at load: stored model data unusable",
            {{"name", name}, {"version", v}, {"error", why.ToString()}});
  }
  Json ignored;
  return Fit(refit, version, &ignored);
}

Result<Json> RecService::Promote(const std::string& name, uint64_t version) {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  std::lock_guard<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(auto model, LoadVersion(*spec, version));
  TAILOR_ASSIGN_OR_RETURN(LivePointer live, versions_.Live(name));
  if (live.version != version) {
    if (live.version != 0) live.previous.push_back(live.version);
    live.version = version;
    TAILOR_RETURN_IF_ERROR(versions_.SetLive(name, live));
  }
  TAILOR_RETURN_IF_ERROR(FinishLiveChange(name, version, model));
  LogInfo("model promoted", {{"name", name}, {"version", std::to_string(version)}});
  return Json{{"name", name}, {"live_version", version}, {"previous", live.previous}};
}

Status RecService::FinishLiveChange(const std::string& name, uint64_t version,
                                    std::shared_ptr<const LiveModel> model) {
  // A shadow version that becomes live stops shadowing.
  TAILOR_ASSIGN_OR_RETURN(uint64_t shadow, versions_.Shadow(name));
  if (shadow == version) {
    TAILOR_RETURN_IF_ERROR(versions_.SetShadow(name, 0));
    SwapShadow(name, nullptr);
  }
  PruneData(name);
  return SwapLive(name, std::move(model));
}

Result<Json> RecService::SetShadow(const std::string& name, uint64_t version) {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  std::lock_guard<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(LivePointer live, versions_.Live(name));
  if (version != 0 && version == live.version) {
    return InvalidArgument("version " + std::to_string(version) +
                               " is the live version; a shadow runs beside it",
                           "version");
  }
  std::shared_ptr<const LiveModel> model;
  if (version != 0) {
    TAILOR_ASSIGN_OR_RETURN(model, LoadVersion(*spec, version));
  }
  TAILOR_RETURN_IF_ERROR(versions_.SetShadow(name, version));
  SwapShadow(name, std::move(model));
  PruneData(name);
  LogInfo("model shadow set", {{"name", name}, {"version", std::to_string(version)}});
  return Json{{"name", name}, {"live_version", live.version},
              {"shadow_version", version == 0 ? Json(nullptr) : Json(version)}};
}

Result<Json> RecService::ShadowReport(const std::string& name) const {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  auto live = live_.load();
  auto shadows = shadow_.load();
  auto l = live->find(name);
  auto s = shadows->find(name);
  Json out = comparer_->Report(name);
  out["name"] = name;
  out["live_version"] = l == live->end() ? Json(nullptr) : Json(l->second->version);
  out["shadow_version"] = s == shadows->end() ? Json(nullptr) : Json(s->second->version);
  out["shadow_sample"] = spec->shadow_sample;
  return out;
}

void RecService::SwapShadow(const std::string& name, std::shared_ptr<const LiveModel> model) {
  std::lock_guard<std::mutex> lock(live_mu_);
  auto next = std::make_shared<LiveSet>(*shadow_.load());
  comparer_->Reset(name, model ? model->version : 0);
  if (model) {
    (*next)[name] = std::move(model);
  } else {
    next->erase(name);
  }
  shadow_.store(std::move(next));
}

void RecService::PruneData(const std::string& name) {
  if (options_.keep_versions == 0) return;
  auto prune = [&]() -> Result<std::vector<uint64_t>> {
    TAILOR_ASSIGN_OR_RETURN(LivePointer live, versions_.Live(name));
    std::set<uint64_t> keep = {live.version};
    if (!live.previous.empty()) keep.insert(live.previous.back());  // the rollback target
    TAILOR_ASSIGN_OR_RETURN(uint64_t shadow, versions_.Shadow(name));
    if (shadow != 0) keep.insert(shadow);
    TAILOR_ASSIGN_OR_RETURN(uint64_t next, versions_.NextVersion(name));
    for (uint64_t v = next - 1, n = 0; v > 0 && n < options_.keep_versions; --v, ++n) keep.insert(v);
    return versions_.PruneData(name, keep, clock_.NowMs());
  };
  auto pruned = prune();
  if (!pruned.ok()) {
    LogWarn("model data not pruned", {{"name", name}, {"error", pruned.status().ToString()}});
  } else if (!pruned->empty()) {
    std::string list;
    for (uint64_t v : *pruned) {
      if (!list.empty()) list += ',';
      list += std::to_string(v);
    }
    LogInfo("model data pruned", {{"name", name}, {"versions", list}});
  }
}

Result<Json> RecService::Rollback(const std::string& name) {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  // One hold of train_mu_ from reading the live pointer to serving the target: no training
  // can prune the target's data or see a live pointer without a version in between.
  std::lock_guard<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(LivePointer live, versions_.Live(name));
  if (live.previous.empty()) {
    return FailedPrecondition("recommender '" + name + "' has no earlier live version", "name");
  }
  uint64_t target = live.previous.back();
  // Loaded before anything changes: on failure the current version still serves.
  TAILOR_ASSIGN_OR_RETURN(auto model, LoadVersion(*spec, target));
  live.previous.pop_back();
  live.version = target;
  TAILOR_RETURN_IF_ERROR(versions_.SetLive(name, live));
  TAILOR_RETURN_IF_ERROR(FinishLiveChange(name, target, model));
  LogInfo("model rolled back", {{"name", name}, {"version", std::to_string(target)}});
  return Json{{"name", name}, {"live_version", target}, {"previous", live.previous}};
}

Status RecService::LoadLive() {
  auto config = config_.load();
  Status first;
  for (const auto& [name, spec] : config->models) {
    auto live = versions_.Live(name);
    if (!live.ok() || live->version == 0) {
      if (!live.ok() && first.ok()) first = live.status();
      continue;
    }
    auto promoted = Promote(name, live->version);
    if (!promoted.ok()) {
      LogWarn("live model not loaded", {{"name", name}, {"error", promoted.status().ToString()}});
      if (first.ok()) first = promoted.status();
    }
    auto shadow = versions_.Shadow(name);
    if (shadow.ok() && *shadow != 0) {
      auto set = SetShadow(name, *shadow);
      if (!set.ok()) {
        LogWarn("shadow model not loaded", {{"name", name}, {"error", set.status().ToString()}});
        if (first.ok()) first = set.status();
      }
    }
  }
  return first;
}

std::vector<std::string> RecService::DueForRetraining() {
  auto config = config_.load();
  const int64_t now = clock_.NowMs();
  std::vector<std::string> due;
  for (const auto& [name, spec] : config->models) {
    if (spec->retrain_every_ms <= 0) continue;
    std::lock_guard<std::mutex> lock(schedule_mu_);
    int64_t last = 0;
    if (auto it = last_trained_ms_.find(name); it != last_trained_ms_.end()) {
      last = it->second;
    } else if (auto l = versions_.Live(name); l.ok() && l->version != 0) {
      if (auto r = versions_.Get(name, l->version); r.ok())
        last = r->value("trained_at_ms", int64_t{0});
    }
    if (now - last < spec->retrain_every_ms) continue;
    // An attempt counts as a training: a failed one is retried one interval later, not
    // at every check.
    last_trained_ms_[name] = now;
    due.push_back(name);
  }
  return due;
}

Result<Json> RecService::Describe(const ModelSpec& spec) {
  const std::string& name = spec.name;
  auto live = live_.load();
  TAILOR_ASSIGN_OR_RETURN(LivePointer pointer, versions_.Live(name));
  TAILOR_ASSIGN_OR_RETURN(std::vector<Json> versions, versions_.List(name));
  Json m = {{"name", name},
            {"model", spec.model},
            {"config", spec.canonical},
            {"live_version", pointer.version},
            {"previous_versions", pointer.previous},
            {"versions", versions}};
  auto it = live->find(name);
  m["serving"] = it != live->end();
  m["memory_bytes"] = it != live->end() ? it->second->MemoryBytes() : 0;
  m["model_bytes"] = it != live->end() ? it->second->model->MemoryBytes() : 0;
  m["training_peak_estimate_bytes"] = it != live->end() ? it->second->training_peak_bytes : 0;
  m["train_memory_budget_bytes"] = options_.train_memory_budget_bytes;
  auto shadows = shadow_.load();
  auto s = shadows->find(name);
  m["shadow_version"] = s == shadows->end() ? Json(nullptr) : Json(s->second->version);
  return m;
}

Result<Json> RecService::List() {
  auto config = config_.load();
  Json out = Json::array();
  for (const auto& [name, spec] : config->models) {
    TAILOR_ASSIGN_OR_RETURN(Json m, Describe(*spec));
    out.push_back(std::move(m));
  }
  return Json{{"models", std::move(out)}};
}

Result<Json> RecService::Info(const std::string& name) {
  auto config = config_.load();
  TAILOR_ASSIGN_OR_RETURN(const ModelSpec* spec, FindSpec(*config, name));
  return Describe(*spec);
}

std::vector<ModelMemory> RecService::Memory() const {
  std::vector<ModelMemory> out;
  for (const auto& [name, m] : *live_.load()) {
    out.push_back({name, "live", m->version, m->MemoryBytes(), m->training_peak_bytes});
  }
  for (const auto& [name, m] : *shadow_.load()) {
    out.push_back({name, "shadow", m->version, m->MemoryBytes(), m->training_peak_bytes});
  }
  return out;
}

}  // namespace tailor::recommenders
