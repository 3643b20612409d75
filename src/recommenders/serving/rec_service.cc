#include "recommenders/serving/rec_service.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "condition/json_document.h"
#include "core/log.h"
#include "core/random.h"
#include "recommenders/evaluate.h"
#include "recommenders/model_blob.h"
#include "recommenders/registry.h"
#include "recommenders/serving/event_interactions.h"
#include "recommenders/serving/rerank.h"
#include "recommenders/split.h"
#include "storage/key_codec.h"

namespace tailor::recommenders {

struct LiveModel {
  std::shared_ptr<const ModelSpec> spec;
  uint64_t version = 0;
  std::shared_ptr<const Catalog> catalog;  // the content model reads it; must outlive `model`
  std::unique_ptr<const Interactions> data;  // null when restored from stored model data
  IdMap restored_items;                      // the item ids when `data` is null
  std::unique_ptr<Recommender> model;
  std::vector<float> popularity;        // distinct training users per item
  std::vector<uint32_t> by_popularity;  // item indexes, most popular first
  // Per cold_start_segments entry: items of its members, most popular among them first.
  std::vector<std::pair<std::string, std::vector<uint32_t>>> segment_popular;
  // Item id <-> model index, as in training.
  const IdMap& items() const { return data ? data->items() : restored_items; }
  size_t MemoryBytes() const {
    return model->MemoryBytes() + (data ? data->MemoryBytes() : 0) +
           (popularity.size() + by_popularity.size()) * sizeof(float) + SegmentBytes();
  }
  size_t SegmentBytes() const {
    size_t n = 0;
    for (const auto& [name, items] : segment_popular)
      n += name.size() + items.size() * sizeof(uint32_t);
    return n;
  }
};

namespace {

constexpr size_t kKeepTrained = 2;  // trained versions kept in memory per name

Json ParamsToJson(const ModelParams& p) {
  Json out = Json::object();
  for (const auto& [k, v] : p) out[k] = v;
  return out;
}

Result<std::optional<condition::Condition>> CompileFilter(const std::string& text) {
  if (text.empty()) return std::optional<condition::Condition>();
  auto c = condition::Condition::Parse(text);
  if (!c.ok()) {
    const std::string& p = c.status().path();
    return InvalidArgument(c.status().message(), p.empty() ? "filter" : "filter." + p);
  }
  return std::optional<condition::Condition>(std::move(c).value());
}

// Evaluates a filter over an item's catalog document (a stub {"id"} when absent).
bool Passes(const condition::Condition& filter, const Catalog& catalog, const std::string& id) {
  if (const Json* doc = catalog.Find(id)) return filter.Evaluate(condition::JsonDocument(*doc));
  Json stub = {{"id", id}};
  return filter.Evaluate(condition::JsonDocument(stub));
}

Json EffectiveParams(const Recommender& model) {
  auto j = ParseJson(model.ParamsJson());
  return j.ok() ? std::move(j).value() : Json::object();
}

// Items of the segment's members (membership index at training time), by the number of
// members who interacted with them; ties by global popularity.
Result<std::vector<uint32_t>> SegmentPopular(storage::KvStore& store, const Interactions& d,
                                             const std::vector<float>& popularity,
                                             const std::string& segment) {
  std::vector<float> count(d.num_items(), 0);
  const std::string prefix = storage::SegmentMemberPrefix(segment);
  auto it =
      store.NewIterator(storage::Keyspace::kSegmentMembers, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint32_t u = d.users().Find(it->key().substr(prefix.size()));
    if (u == kNoIndex) continue;
    for (uint32_t i : d.UserItems(u)) count[i] += 1;
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < count.size(); ++i) {
    if (count[i] > 0) out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
    return count[a] != count[b] ? count[a] > count[b] : popularity[a] > popularity[b];
  });
  return out;
}

// Item indexes by popularity, most popular first (ties: lower index first).
void RankByPopularity(LiveModel* live) {
  live->by_popularity.resize(live->popularity.size());
  for (uint32_t i = 0; i < live->popularity.size(); ++i) live->by_popularity[i] = i;
  std::stable_sort(
      live->by_popularity.begin(), live->by_popularity.end(),
      [&](uint32_t a, uint32_t b) { return live->popularity[a] > live->popularity[b]; });
}

// The stored form of a live version (ModelVersions data): a model_blob.h blob of kind
// "live_model" holding the item ids (model index order), the per-item popularity, the
// cold-start segment orders and the model's own Serialize() blob.
constexpr std::string_view kLiveKind = "live_model";

Result<std::string> EncodeLive(const LiveModel& live) {
  TAILOR_ASSIGN_OR_RETURN(std::string model, live.model->Serialize());
  const IdMap& ids = live.items();
  BlobWriter w(kLiveKind);
  w.Str(live.model->name());
  w.Put<uint64_t>(ids.size());
  for (uint32_t i = 0; i < ids.size(); ++i) w.Str(ids.Id(i));
  w.Array(live.popularity);
  w.Put<uint32_t>(static_cast<uint32_t>(live.segment_popular.size()));
  for (const auto& [segment, order] : live.segment_popular) {
    w.Str(segment);
    w.Array(order);
  }
  w.Bytes(model);
  return std::move(w).Finish();
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
      versions_(store) {
  config_.store(std::make_shared<const RecConfig>());
  live_.store(std::make_shared<const LiveSet>());
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
  config_.store(std::move(config));
  live_.store(std::move(next));
}

Result<std::shared_ptr<const LiveModel>> RecService::Fit(const ModelSpec& spec, uint64_t version,
                                                         Json* record) {
  const auto started = std::chrono::steady_clock::now();
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

  // Holdout metrics first (a model trained on the training part), then the served model
  // on all data. Too little data for a holdout is recorded, not fatal.
  Json metrics = Json::object();
  SeededRandom random(options_.seed);
  SplitSpec split_spec;
  split_spec.fraction = 1.0 - options_.holdout;
  auto split = SplitInteractions(raw, split_spec, random);
  Status eval_status = split.status();
  if (split.ok()) {
    auto train = Interactions::Build(split->train, io);
    auto test = Interactions::Build(split->test, io);
    eval_status = !train.ok() ? train.status() : test.status();
    if (train.ok() && test.ok()) {
      auto m = CreateModel(spec.model, spec.params);
      eval_status = m.status();
      if (m.ok()) eval_status = (*m)->Fit(*train, to, {});
      if (eval_status.ok()) {
        EvalOptions eo;
        eo.k = options_.eval_k;
        eo.threads = options_.train_threads;
        auto e = EvaluateModel(**m, *train, *test, eo);
        eval_status = e.status();
        if (e.ok()) {
          for (const auto& [n, v] : e->Named()) metrics[n] = v;
          metrics["users"] = e->users;
        }
      }
    }
  }
  if (!eval_status.ok()) metrics = Json{{"error", eval_status.message()}};

  TAILOR_ASSIGN_OR_RETURN(Interactions all, Interactions::Build(raw, io));
  live->data = std::make_unique<const Interactions>(std::move(all));
  TAILOR_ASSIGN_OR_RETURN(live->model, CreateModel(spec.model, spec.params));
  const auto fit_started = std::chrono::steady_clock::now();
  TAILOR_RETURN_IF_ERROR(live->model->Fit(*live->data, to, {}));
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
                 {"memory_bytes", live->MemoryBytes()}};
  return std::shared_ptr<const LiveModel>(std::move(live));
}

Result<std::shared_ptr<const LiveModel>> RecService::Restore(const ModelSpec& spec,
                                                             uint64_t version,
                                                             std::string_view stored) {
  BlobReader r(stored);
  TAILOR_RETURN_IF_ERROR(r.Header(kLiveKind));
  const Status bad = Corruption("stored model data truncated or malformed");
  auto live = std::make_shared<LiveModel>();
  live->spec = std::make_shared<const ModelSpec>(spec);
  live->version = version;
  live->catalog = catalog_.Current();
  std::string model_name;
  uint64_t n = 0;
  if (!r.Str(&model_name) || !r.Get(&n) || n >= UINT32_MAX || n > r.remaining() / 4) return bad;
  if (model_name != spec.model) {
    return Corruption("stored model data is of model '" + model_name + "', the version of '" +
                      spec.model + "'");
  }
  std::string id;
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.Str(&id) || live->restored_items.Intern(id) != i) return bad;
  }
  uint32_t segments = 0;
  if (!r.Array(&live->popularity, n) || !r.Get(&segments) || segments > r.remaining() / 12)
    return bad;
  for (uint32_t s = 0; s < segments; ++s) {
    std::string segment;
    std::vector<uint32_t> order;
    if (!r.Str(&segment) || !r.Array(&order)) return bad;
    for (uint32_t i : order) {
      if (i >= n) return bad;
    }
    live->segment_popular.emplace_back(std::move(segment), std::move(order));
  }
  std::string_view model_data;
  if (!r.Bytes(&model_data) || !r.AtEnd()) return bad;
  TAILOR_ASSIGN_OR_RETURN(live->model, CreateModel(spec.model, spec.params));
  TAILOR_RETURN_IF_ERROR(live->model->Deserialize(model_data));
  if (live->model->num_items() != n)
    return Corruption("stored model data: the model's item count differs from the id map");
  RankByPopularity(live.get());
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

Result<Json> RecService::Train(const std::string& name, bool promote) {
  auto config = config_.load();
  const ModelSpec* spec = config->Find(name);
  if (spec == nullptr)
    return NotFound("no recommender '" + name + "' in the active config", "name");
  std::unique_lock<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(uint64_t version, versions_.NextVersion(name));
  Json record;
  TAILOR_ASSIGN_OR_RETURN(auto model, Fit(*spec, version, &record));
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
  auto& kept = trained_[name];
  kept.push_back(model);
  if (kept.size() > kKeepTrained) kept.erase(kept.begin());
  last_trained_ms_[name] = clock_.NowMs();
  LogInfo("model trained", {{"name", name}, {"version", std::to_string(version)}});
  lock.unlock();
  if (promote) {
    TAILOR_ASSIGN_OR_RETURN(Json live, Promote(name, version));
    record["live"] = true;
  }
  return record;
}

Result<Json> RecService::Promote(const std::string& name, uint64_t version) {
  auto config = config_.load();
  const ModelSpec* spec = config->Find(name);
  if (spec == nullptr)
    return NotFound("no recommender '" + name + "' in the active config", "name");
  std::lock_guard<std::mutex> lock(train_mu_);
  TAILOR_ASSIGN_OR_RETURN(Json record, versions_.Get(name, version));
  std::shared_ptr<const LiveModel> model;
  for (const auto& m : trained_[name]) {
    if (m->version == version) model = m;
  }
  if (!model) {
    // Not in memory (another process trained it, or the server restarted): load the
    // stored model data, or refit with the version's recorded model and parameters when
    // there is none (not persistable, older versions) or it cannot be read.
    ModelSpec refit = *spec;
    refit.model = record.value("model", spec->model);
    refit.params.clear();
    for (const auto& [k, v] : record.value("params", Json::object()).items())
      refit.params[k] = v.get<std::string>();
    const std::string v = std::to_string(version);
    auto stored = versions_.GetData(name, version);
    Status why = stored.ok() ? NotFound("no stored model data") : stored.status();
    if (stored.ok() && *stored) {
      auto restored = Restore(refit, version, **stored);
      if (restored.ok()) {
        model = std::move(restored).value();
        LogInfo("model loaded from stored data",
                {{"name", name}, {"version", v}, {"bytes", std::to_string((*stored)->size())}});
      } else {
        why = restored.status();
      }
    }
    if (!model) {
      if (why.code() == StatusCode::kNotFound || why.code() == StatusCode::kFailedPrecondition) {
        LogInfo("model retrained at load", {{"name", name}, {"version", v}, {"reason", why.message()}});
      } else {
        LogWarn("model retrained at load: stored model data unusable",
                {{"name", name}, {"version", v}, {"error", why.ToString()}});
      }
      Json ignored;
      TAILOR_ASSIGN_OR_RETURN(model, Fit(refit, version, &ignored));
    }
  }
  TAILOR_ASSIGN_OR_RETURN(LivePointer live, versions_.Live(name));
  if (live.version != version) {
    if (live.version != 0) live.previous.push_back(live.version);
    live.version = version;
    TAILOR_RETURN_IF_ERROR(versions_.SetLive(name, live));
  }
  TAILOR_RETURN_IF_ERROR(SwapLive(name, model));
  LogInfo("model promoted", {{"name", name}, {"version", std::to_string(version)}});
  return Json{{"name", name}, {"live_version", version}, {"previous", live.previous}};
}

Result<Json> RecService::Rollback(const std::string& name) {
  uint64_t target = 0;
  LivePointer original;
  {
    std::lock_guard<std::mutex> lock(train_mu_);
    TAILOR_ASSIGN_OR_RETURN(original, versions_.Live(name));
    if (original.previous.empty()) {
      return FailedPrecondition("recommender '" + name + "' has no earlier live version", "name");
    }
    LivePointer popped = original;
    target = popped.previous.back();
    popped.previous.pop_back();
    // Promote below would push the current version; store the popped stack without it.
    popped.version = 0;
    TAILOR_RETURN_IF_ERROR(versions_.SetLive(name, popped));
  }
  auto promoted = Promote(name, target);
  if (!promoted.ok()) {
    std::lock_guard<std::mutex> lock(train_mu_);
    versions_.SetLive(name, original).IgnoreError();  // the old version still serves
  }
  return promoted;
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
  }
  return first;
}

void RecService::RetrainDue() {
  auto config = config_.load();
  const int64_t now = clock_.NowMs();
  for (const auto& [name, spec] : config->models) {
    if (spec->retrain_every_ms <= 0) continue;
    int64_t last = 0;
    {
      std::lock_guard<std::mutex> lock(train_mu_);
      auto it = last_trained_ms_.find(name);
      if (it != last_trained_ms_.end()) {
        last = it->second;
      } else if (auto l = versions_.Live(name); l.ok() && l->version != 0) {
        if (auto r = versions_.Get(name, l->version); r.ok())
          last = r->value("trained_at_ms", int64_t{0});
      }
    }
    if (now - last < spec->retrain_every_ms) continue;
    auto r = Train(name, /*promote=*/true);
    if (!r.ok()) {
      LogWarn("scheduled retraining failed", {{"name", name}, {"error", r.status().ToString()}});
      std::lock_guard<std::mutex> lock(train_mu_);
      last_trained_ms_[name] = now;  // retry after the next interval, not in a loop
    }
  }
}

Result<Json> RecService::List() {
  auto config = config_.load();
  auto live = live_.load();
  Json out = Json::array();
  for (const auto& [name, spec] : config->models) {
    TAILOR_ASSIGN_OR_RETURN(LivePointer pointer, versions_.Live(name));
    TAILOR_ASSIGN_OR_RETURN(std::vector<Json> versions, versions_.List(name));
    Json m = {{"name", name},
              {"model", spec->model},
              {"config", spec->canonical},
              {"live_version", pointer.version},
              {"previous_versions", pointer.previous},
              {"versions", versions}};
    auto it = live->find(name);
    m["serving"] = it != live->end();
    m["memory_bytes"] = it != live->end() ? it->second->MemoryBytes() : 0;
    out.push_back(std::move(m));
  }
  return Json{{"models", std::move(out)}};
}

Result<RecList> RecService::Recommend(const RecRequest& req) const {
  auto config = config_.load();
  const ModelSpec* spec = config->Find(req.model);
  if (spec == nullptr)
    return NotFound("no recommender '" + req.model + "' in the active config", "model");
  TAILOR_ASSIGN_OR_RETURN(auto live, LiveFor(req.model));
  TAILOR_ASSIGN_OR_RETURN(auto filter, CompileFilter(req.filter));
  const IdMap& ids = live->items();
  const auto catalog = catalog_.Current();

  // The user's newest interactions, mapped to the model's items: the fold-in history.
  std::optional<std::string> pid;
  if (!req.user_id.empty()) {
    TAILOR_ASSIGN_OR_RETURN(pid, identities_.Lookup(identity::IdKind::kUser, req.user_id));
  }
  if (!pid && !req.anonymous_id.empty()) {
    TAILOR_ASSIGN_OR_RETURN(pid,
                            identities_.Lookup(identity::IdKind::kAnonymous, req.anonymous_id));
  }
  std::vector<uint32_t> items, seen;
  std::vector<float> weights;
  if (pid) {
    // The current spec: serving changes in config apply at once, without retraining.
    TAILOR_ASSIGN_OR_RETURN(History h, ReadHistory(profiles_, *pid, *spec));
    for (size_t i = 0; i < h.items.size(); ++i) {
      uint32_t idx = ids.Find(h.items[i]);
      if (idx == kNoIndex) continue;
      seen.push_back(idx);
      if (h.weights[i] > 0) items.push_back(idx), weights.push_back(h.weights[i]);
    }
  }
  std::sort(seen.begin(), seen.end());
  auto allowed = [&](uint32_t i) {
    if (req.exclude_seen && std::binary_search(seen.begin(), seen.end(), i)) return false;
    return !filter || Passes(*filter, *catalog, ids.Id(i));
  };
  const size_t want = req.k * static_cast<size_t>(spec->serving.candidate_factor);
  RecList out;
  out.model = req.model;
  out.version = live->version;
  std::vector<Candidate> cands;
  if (items.empty()) {
    out.source = "cold_start";
    const std::vector<uint32_t>* segment_order = nullptr;
    if (pid && !live->segment_popular.empty()) {
      TAILOR_ASSIGN_OR_RETURN(auto profile, profiles_.Load(*pid));
      for (const auto& [segment, order] : live->segment_popular) {
        if (profile && profile->segments.count(segment)) {
          segment_order = &order;
          out.source = "cold_start:" + segment;
          break;
        }
      }
    }
    // The segment's favourites first (scored above any global rank), then global order.
    std::vector<bool> added(segment_order ? ids.size() : 0, false);
    if (segment_order) {
      const float top = live->popularity[live->by_popularity[0]];
      for (size_t r = 0; r < segment_order->size() && cands.size() < want; ++r) {
        uint32_t i = (*segment_order)[r];
        if (!allowed(i)) continue;
        added[i] = true;
        cands.push_back(
            {i, top + static_cast<float>(segment_order->size() - r), nullptr, live->popularity[i]});
      }
    }
    for (uint32_t i : live->by_popularity) {
      if (cands.size() == want) break;
      if (segment_order && added[i]) continue;
      if (allowed(i)) cands.push_back({i, live->popularity[i], nullptr, live->popularity[i]});
    }
  } else {
    out.source = "model";
    UserQuery q;
    q.user = kNoIndex;  // always fold in: the history is newer than the training data
    q.items = items;
    q.weights = weights;
    RecommendOptions ro;
    ro.k = want;
    ro.exclude_seen = req.exclude_seen;
    ro.filter = allowed;
    TAILOR_ASSIGN_OR_RETURN(auto scored, live->model->Recommend(q, ro));
    for (const auto& s : scored)
      cands.push_back({s.item, s.score, nullptr, live->popularity[s.item]});
  }
  for (Candidate& c : cands) c.doc = catalog->Find(ids.Id(c.item));
  for (const Candidate& c : Rerank(std::move(cands), spec->serving, req.k)) {
    out.items.push_back({ids.Id(c.item), c.score});
  }
  return out;
}

Result<RecList> RecService::Similar(const std::string& model, const std::string& item, size_t k,
                                    const std::string& filter_text) const {
  auto config = config_.load();
  const ModelSpec* spec = config->Find(model);
  if (spec == nullptr)
    return NotFound("no recommender '" + model + "' in the active config", "model");
  TAILOR_ASSIGN_OR_RETURN(auto live, LiveFor(model));
  TAILOR_ASSIGN_OR_RETURN(auto filter, CompileFilter(filter_text));
  const IdMap& ids = live->items();
  uint32_t idx = ids.Find(item);
  if (idx == kNoIndex)
    return NotFound("item '" + item + "' is unknown to model '" + model + "'", "id");
  const auto catalog = catalog_.Current();
  const size_t want = k * static_cast<size_t>(spec->serving.candidate_factor);
  TAILOR_ASSIGN_OR_RETURN(auto scored, live->model->SimilarItems(idx, filter ? want : k));
  RecList out;
  out.model = model;
  out.version = live->version;
  out.source = "similar";
  for (const auto& s : scored) {
    if (out.items.size() == k) break;
    const std::string& id = ids.Id(s.item);
    if (filter && !Passes(*filter, *catalog, id)) continue;
    out.items.push_back({id, s.score});
  }
  return out;
}

}  // namespace tailor::recommenders
