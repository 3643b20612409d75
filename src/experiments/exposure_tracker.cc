#include "experiments/exposure_tracker.h"

#include <algorithm>
#include <cmath>

#include "condition/json_document.h"
#include "core/hash.h"
#include "experiments/exposure_codec.h"
#include "storage/key_codec.h"

namespace tailor::experiments {

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Σy, Σy², Σx, Σx², Σxy of one (variation, metric); n is the variation's unit count.
struct Sums {
  double sum = 0, sum_sq = 0, x_sum = 0, x_sum_sq = 0, xy_sum = 0;
};

const Json* Walk(const Json& root, std::string_view path) {
  const Json* cur = &root;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return cur;
}

}  // namespace

// The configuration attribution follows, compiled for the event path.
struct ExposureTracker::Compiled {
  struct Base {
    const MetricDef* def;
    uint16_t id;
  };
  struct Ratio {
    uint16_t id, num, den;
  };
  struct Exp {
    const ConfiguredExperiment* exp;
    std::vector<Base> base;  // non-ratio metrics, including the parts of ratios
    std::vector<Ratio> ratios;
  };
  std::shared_ptr<const ExperimentSet> set;
  std::vector<Exp> exps;
  StringMap<size_t> by_key;
  // Event type -> indexes into exps of running experiments with a metric on it.
  StringMap<std::vector<size_t>> by_event;
};

struct ExposureTracker::ExpState {
  std::vector<double> units;                             // per variation
  std::unordered_map<uint16_t, std::vector<Sums>> sums;  // metric id -> per variation
  StringMap<UnitState> members;
  bool aggregates_dirty = false;

  Sums& At(uint16_t id, int v) {
    auto& vec = sums[id];
    if (vec.size() <= static_cast<size_t>(v)) vec.resize(v + 1);
    return vec[v];
  }
};

struct ExposureTracker::Shard {
  mutable Mutex mu;
  StringMap<ExpState> exps GUARDED_BY(mu);
  std::unordered_set<std::string> dirty GUARDED_BY(mu);  // exp_units keys
};

namespace {

UnitMetric& MetricOf(UnitState& u, uint16_t id) {
  for (auto& m : u.metrics) {
    if (m.id == id) return m;
  }
  u.metrics.push_back(UnitMetric{id, 0, 0});
  return u.metrics.back();
}

double ValueOf(const UnitState& u, uint16_t id) {
  for (const auto& m : u.metrics) {
    if (m.id == id) return m.value;
  }
  return 0;
}

}  // namespace

ExposureTracker::ExposureTracker(storage::KvStore& store)
    : store_(store), shards_(std::make_unique<std::array<Shard, kShards>>()) {}

ExposureTracker::~ExposureTracker() = default;

ExposureTracker::Shard& ExposureTracker::ShardFor(std::string_view unit) const {
  return (*shards_)[Hash64(unit) % kShards];
}

uint16_t ExposureTracker::Intern(std::string_view metric) {
  MutexLock lock(ids_mu_);
  auto it = ids_.find(metric);
  if (it != ids_.end()) return it->second;
  uint16_t id = static_cast<uint16_t>(names_.size());
  names_.emplace_back(metric);
  ids_.emplace(std::string(metric), id);
  return id;
}

std::string ExposureTracker::MetricName(uint16_t id) const {
  MutexLock lock(ids_mu_);
  return id < names_.size() ? names_[id] : std::string();
}

void ExposureTracker::Configure(std::shared_ptr<const ExperimentSet> set) {
  auto c = std::make_shared<Compiled>();
  c->set = set;
  for (const auto& [key, ptr] : set->experiments) {
    const ConfiguredExperiment& e = *ptr;
    Compiled::Exp ce{&e, {}, {}};
    auto add_base = [&](const std::string& name) {
      const MetricDef* d = set->FindMetric(name);
      if (d == nullptr || d->is_ratio()) return;
      for (const auto& b : ce.base) {
        if (b.def == d) return;
      }
      ce.base.push_back({d, Intern(name)});
    };
    for (const auto& name : e.AllMetrics()) {
      const MetricDef* d = set->FindMetric(name);
      if (d == nullptr) continue;
      if (d->is_ratio()) {
        add_base(d->numerator);
        add_base(d->denominator);
        ce.ratios.push_back({Intern(name), Intern(d->numerator), Intern(d->denominator)});
      } else {
        add_base(name);
      }
    }
    c->by_key.emplace(key, c->exps.size());
    if (e.running()) {
      for (const auto& b : ce.base) {
        auto& list = c->by_event[b.def->event];
        if (list.empty() || list.back() != c->exps.size()) list.push_back(c->exps.size());
      }
    }
    c->exps.push_back(std::move(ce));
  }
  compiled_.store(std::move(c), std::memory_order_release);
}

bool ExposureTracker::RecordExposure(const ConfiguredExperiment& e, std::string_view unit,
                                     std::string_view pid, int variation, int64_t at_ms,
                                     const Json* features) {
  auto c = compiled_.load(std::memory_order_acquire);
  const Compiled::Exp* ce = nullptr;
  if (c) {
    auto it = c->by_key.find(e.key());
    if (it != c->by_key.end()) ce = &c->exps[it->second];
  }
  Shard& shard = ShardFor(unit);
  {
    MutexLock lock(shard.mu);
    auto sit = shard.exps.find(e.key());
    if (sit == shard.exps.end()) sit = shard.exps.emplace(e.key(), ExpState{}).first;
    ExpState& st = sit->second;
    if (st.members.find(unit) != st.members.end()) return false;
    UnitState u;
    u.variation = static_cast<uint16_t>(variation);
    u.first_exposure_ms = at_ms;
    u.pid = std::string(pid);
    if (st.units.size() <= static_cast<size_t>(variation)) st.units.resize(variation + 1);
    st.units[variation] += 1;
    if (ce && features) {
      for (const auto& b : ce->base) {
        if (b.def->cuped_feature.empty()) continue;
        auto f = features->find(b.def->cuped_feature);
        double x = f != features->end() && f->is_number() ? f->get<double>() : 0;
        if (!std::isfinite(x)) x = 0;
        u.metrics.push_back(UnitMetric{b.id, 0, x});
        Sums& s = st.At(b.id, variation);
        s.x_sum += x;
        s.x_sum_sq += x * x;
      }
    }
    st.members.emplace(std::string(unit), std::move(u));
    st.aggregates_dirty = true;
    shard.dirty.insert(ExpUnitKey(e.key(), unit));
  }
  if (!pid.empty() && (e.unit.source == UnitSource::kTrait ||
                       (e.fallback_unit && e.fallback_unit->source == UnitSource::kTrait))) {
    MutexLock lock(pid_mu_);
    std::string k = ExpUnitKey(e.key(), pid);
    by_pid_[k] = std::string(unit);
    pid_dirty_.push_back(std::move(k));
  }
  return true;
}

std::optional<std::string> ExposureTracker::UnitOf(const Compiled& c, size_t exp_index,
                                                   const ingest::Event& event) const {
  const ConfiguredExperiment& e = *c.exps[exp_index].exp;
  std::optional<std::string> found;
  auto try_source = [&](const UnitAttribute& u) -> bool {
    std::string_view id;
    std::string from_pid;
    switch (u.source) {
      case UnitSource::kUserId:
        id = event.user_id;
        break;
      case UnitSource::kAnonymousId:
        id = event.anonymous_id;
        break;
      case UnitSource::kTrait: {
        if (event.profile_id.empty()) return false;
        MutexLock lock(pid_mu_);
        auto it = by_pid_.find(ExpUnitKey(e.key(), event.profile_id));
        if (it == by_pid_.end()) return false;
        from_pid = it->second;
        id = from_pid;
        break;
      }
    }
    if (id.empty()) return false;
    Shard& shard = ShardFor(id);
    MutexLock lock(shard.mu);
    auto sit = shard.exps.find(e.key());
    if (sit == shard.exps.end() || sit->second.members.find(id) == sit->second.members.end()) {
      return false;
    }
    found = std::string(id);
    return true;
  };
  if (try_source(e.unit)) return found;
  if (e.fallback_unit) try_source(*e.fallback_unit);
  return found;
}

void ExposureTracker::OnEvent(const ingest::Event& event) {
  auto c = compiled_.load(std::memory_order_acquire);
  if (!c) return;
  auto list = c->by_event.find(event.type);
  if (list == c->by_event.end()) return;
  // The event document for `where` and sum properties, parsed once and only when needed.
  std::optional<Json> doc;
  auto document = [&]() -> const Json& {
    if (!doc) {
      doc = Json::object();
      auto props = ParseJson(event.properties_json.empty() ? "{}" : event.properties_json);
      auto ctx = ParseJson(event.context_json.empty() ? "{}" : event.context_json);
      (*doc)["properties"] = props.ok() ? std::move(props).value() : Json::object();
      (*doc)["context"] = ctx.ok() ? std::move(ctx).value() : Json::object();
    }
    return *doc;
  };
  for (size_t idx : list->second) {
    const Compiled::Exp& ce = c->exps[idx];
    std::optional<std::string> unit = UnitOf(*c, idx, event);
    if (!unit) continue;
    Shard& shard = ShardFor(*unit);
    MutexLock lock(shard.mu);
    ExpState& st = shard.exps.find(ce.exp->key())->second;
    auto uit = st.members.find(*unit);
    if (uit == st.members.end()) continue;
    UnitState& u = uit->second;
    const int v = u.variation;
    bool changed = false;
    for (const auto& b : ce.base) {
      const MetricDef& m = *b.def;
      if (m.event != event.type || event.timestamp_ms < u.first_exposure_ms) continue;
      if (m.window_ms > 0 && event.timestamp_ms >= u.first_exposure_ms + m.window_ms) continue;
      if (m.where && !m.where->Evaluate(condition::JsonDocument(document()))) continue;
      double d = 1;
      if (m.kind == MetricKind::kConversion) {
        if (ValueOf(u, b.id) > 0) continue;
      } else if (m.kind == MetricKind::kSum) {
        const Json* p = Walk(document()["properties"], m.property);
        if (p == nullptr || !p->is_number()) continue;
        d = p->get<double>();
        if (!std::isfinite(d) || d == 0) continue;
      }
      UnitMetric& um = MetricOf(u, b.id);
      const double old_value = um.value, new_value = old_value + d;
      Sums& s = st.At(b.id, v);
      s.sum += d;
      s.sum_sq += new_value * new_value - old_value * old_value;
      s.xy_sum += um.covariate * d;
      um.value = new_value;
      for (const auto& r : ce.ratios) {
        if (r.num != b.id && r.den != b.id) continue;
        const double num = ValueOf(u, r.num), den = ValueOf(u, r.den);
        const double old_num = r.num == b.id ? num - d : num;
        const double old_den = r.den == b.id ? den - d : den;
        Sums& rs = st.At(r.id, v);
        rs.sum += num - old_num;
        rs.sum_sq += num * num - old_num * old_num;
        rs.x_sum += den - old_den;
        rs.x_sum_sq += den * den - old_den * old_den;
        rs.xy_sum += num * den - old_num * old_den;
      }
      changed = true;
    }
    if (changed) {
      st.aggregates_dirty = true;
      shard.dirty.insert(ExpUnitKey(ce.exp->key(), *unit));
    }
  }
}

ExperimentAggregates ExposureTracker::Aggregates(std::string_view experiment) const {
  return Merge(experiment, /*lock=*/true);
}

// `lock` false: the caller holds every shard lock (Flush).
ExperimentAggregates ExposureTracker::Merge(std::string_view experiment, bool lock) const {
  ExperimentAggregates out;
  std::unordered_map<uint16_t, std::vector<Sums>> sums;
  for (const Shard& shard : *shards_) {
    if (lock) shard.mu.Lock();
    struct Unlock {
      const Shard& s;
      bool on;
      ~Unlock() NO_THREAD_SAFETY_ANALYSIS {
        if (on) s.mu.Unlock();
      }
    } unlock{shard, lock};
    auto it = shard.exps.find(experiment);
    if (it == shard.exps.end()) continue;
    const ExpState& st = it->second;
    if (out.units.size() < st.units.size()) out.units.resize(st.units.size());
    for (size_t v = 0; v < st.units.size(); ++v) out.units[v] += st.units[v];
    for (const auto& [id, per_v] : st.sums) {
      auto& acc = sums[id];
      if (acc.size() < per_v.size()) acc.resize(per_v.size());
      for (size_t v = 0; v < per_v.size(); ++v) {
        acc[v].sum += per_v[v].sum;
        acc[v].sum_sq += per_v[v].sum_sq;
        acc[v].x_sum += per_v[v].x_sum;
        acc[v].x_sum_sq += per_v[v].x_sum_sq;
        acc[v].xy_sum += per_v[v].xy_sum;
      }
    }
  }
  for (auto& [id, per_v] : sums) {
    auto& stats_out = out.metrics[MetricName(id)];
    stats_out.resize(std::max(per_v.size(), out.units.size()));
    for (size_t v = 0; v < stats_out.size(); ++v) {
      stats::MetricStats& s = stats_out[v];
      s.n = v < out.units.size() ? out.units[v] : 0;
      if (v < per_v.size()) {
        s.sum = per_v[v].sum, s.sum_sq = per_v[v].sum_sq, s.x_sum = per_v[v].x_sum;
        s.x_sum_sq = per_v[v].x_sum_sq, s.xy_sum = per_v[v].xy_sum;
      }
    }
  }
  return out;
}

std::optional<UnitState> ExposureTracker::Unit(std::string_view experiment,
                                               std::string_view unit) const {
  const Shard& shard = ShardFor(unit);
  MutexLock lock(shard.mu);
  auto it = shard.exps.find(experiment);
  if (it == shard.exps.end()) return std::nullopt;
  auto u = it->second.members.find(unit);
  if (u == it->second.members.end()) return std::nullopt;
  return u->second;
}

Status ExposureTracker::Flush() {
  storage::WriteBatch batch;
  std::vector<std::string> experiments;
  {
    // All shard locks, in order: the units and aggregates written are one consistent cut.
    std::vector<std::unique_ptr<MutexLock>> locks;
    for (Shard& shard : *shards_) locks.push_back(std::make_unique<MutexLock>(shard.mu));
    for (Shard& shard : *shards_) {
      for (const std::string& key : shard.dirty) {
        auto parts = SplitExpUnitKey(key);
        const ExpState& st = shard.exps.find(parts->first)->second;
        const UnitState& u = st.members.find(parts->second)->second;
        UnitRecord r{u.variation, u.first_exposure_ms, u.pid, {}};
        for (const auto& m : u.metrics) r.metrics.push_back({MetricName(m.id), m.value, m.covariate});
        batch.Put(storage::Keyspace::kExpUnits, key, EncodeUnitRecord(r));
      }
      shard.dirty.clear();
      for (auto& [key, st] : shard.exps) {
        if (!st.aggregates_dirty) continue;
        st.aggregates_dirty = false;
        if (std::find(experiments.begin(), experiments.end(), key) == experiments.end()) {
          experiments.push_back(key);
        }
      }
    }
    for (const auto& key : experiments) {
      batch.Put(storage::Keyspace::kExpAggregates, key,
                EncodeAggregates(Merge(key, /*lock=*/false)));
    }
    locks.clear();
  }
  {
    MutexLock lock(pid_mu_);
    for (const auto& k : pid_dirty_) {
      auto parts = SplitExpUnitKey(k);
      batch.Put(storage::Keyspace::kExpProfiles, ExpProfileKey(parts->second, parts->first),
                by_pid_[k]);
    }
    pid_dirty_.clear();
  }
  if (batch.empty()) return Status::OK();
  return store_.Write(batch);
}

Status ExposureTracker::Load() {
  {
    auto it = store_.NewIterator(storage::Keyspace::kExpAggregates, "", "");
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      TAILOR_ASSIGN_OR_RETURN(ExperimentAggregates a, DecodeAggregates(it->value()));
      Shard& shard = (*shards_)[0];  // sums of deltas: any shard may hold the base
      MutexLock lock(shard.mu);
      ExpState& st = shard.exps[std::string(it->key())];
      st.units = a.units;
      for (const auto& [name, per_v] : a.metrics) {
        uint16_t id = Intern(name);
        for (size_t v = 0; v < per_v.size(); ++v) {
          Sums& s = st.At(id, static_cast<int>(v));
          s = Sums{per_v[v].sum, per_v[v].sum_sq, per_v[v].x_sum, per_v[v].x_sum_sq,
                   per_v[v].xy_sum};
        }
      }
    }
    TAILOR_RETURN_IF_ERROR(it->status());
  }
  {
    auto it = store_.NewIterator(storage::Keyspace::kExpUnits, "", "");
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto parts = SplitExpUnitKey(it->key());
      if (!parts) return Corruption("malformed exp_units key");
      TAILOR_ASSIGN_OR_RETURN(UnitRecord r, DecodeUnitRecord(it->value()));
      UnitState u{r.variation, r.first_exposure_ms, std::move(r.pid), {}};
      for (const auto& m : r.metrics) u.metrics.push_back({Intern(m.name), m.value, m.covariate});
      Shard& shard = ShardFor(parts->second);
      MutexLock lock(shard.mu);
      shard.exps[std::string(parts->first)].members.emplace(std::string(parts->second),
                                                             std::move(u));
    }
    TAILOR_RETURN_IF_ERROR(it->status());
  }
  auto it = store_.NewIterator(storage::Keyspace::kExpProfiles, "", "");
  MutexLock lock(pid_mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    size_t close = k.find('}');
    if (k.empty() || k[0] != '{' || close == std::string_view::npos) continue;
    by_pid_[ExpUnitKey(k.substr(close + 1), k.substr(1, close - 1))] = std::string(it->value());
  }
  return it->status();
}

}  // namespace tailor::experiments
