#include "profile/features.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cmath>
#include <limits>
#include <set>

#include "condition/json_document.h"
#include "core/hash.h"
#include "core/ids.h"

namespace tailor::profile {

namespace {

// Marks a state rebuilt from recent events only, after its definition changed.
const std::string kPartialSuffix = "~partial";

int64_t BucketWidth(int64_t window_ms) {
  return window_ms > 0 ? std::max<int64_t>(window_ms / kBucketsPerWindow, 1000)
                       : std::numeric_limits<int64_t>::max();
}

int64_t BucketStart(int64_t ts, int64_t width) {
  if (width == std::numeric_limits<int64_t>::max()) return 0;
  int64_t r = ts % width;
  if (r < 0) r += width;
  return ts - r;
}

// True when a bucket starting at `start` overlaps the window ending at `now`.
bool InWindow(int64_t start, int64_t width, int64_t window_ms, int64_t now) {
  if (window_ms <= 0) return true;
  return start > now - window_ms - width;
}

double Decay(double value, int64_t from_ms, int64_t to_ms, int64_t half_life_ms) {
  if (to_ms <= from_ms) return value;
  return value * std::exp2(-static_cast<double>(to_ms - from_ms) / static_cast<double>(half_life_ms));
}

void AddToBuckets(FeatureState* st, int64_t ts, double v, int64_t window_ms) {
  int64_t width = BucketWidth(window_ms);
  int64_t start = BucketStart(ts, width);
  auto it = std::lower_bound(st->buckets.begin(), st->buckets.end(), start,
                             [](const Bucket& b, int64_t s) { return b.start_ms < s; });
  if (it == st->buckets.end() || it->start_ms != start) {
    it = st->buckets.insert(it, Bucket{start, 0, 0, v, v});
  }
  it->count += 1;
  it->sum += v;
  it->min = std::min(it->min, v);
  it->max = std::max(it->max, v);
  // Bound memory: keep only buckets that can still be in the window of the newest event.
  int64_t newest = st->buckets.back().start_ms;
  if (window_ms > 0) {
    auto keep = std::find_if(st->buckets.begin(), st->buckets.end(), [&](const Bucket& b) {
      return b.start_ms > newest - window_ms - width;
    });
    st->buckets.erase(st->buckets.begin(), keep);
  }
  if (st->buckets.size() > static_cast<size_t>(kBucketsPerWindow + 2)) {
    st->buckets.erase(st->buckets.begin(),
                      st->buckets.end() - static_cast<long>(kBucketsPerWindow + 2));
  }
}

struct Agg {
  double count = 0, sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
};

Agg Aggregate(const FeatureState* st, int64_t window_ms, int64_t now) {
  Agg a;
  if (st == nullptr) return a;
  int64_t width = BucketWidth(window_ms);
  for (const Bucket& b : st->buckets) {
    if (!InWindow(b.start_ms, width, window_ms, now)) continue;
    a.count += b.count;
    a.sum += b.sum;
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
  }
  return a;
}

// Remembers `value` with time `ts`, keeping at most `cap` entries (oldest evicted).
void Track(std::vector<std::pair<std::string, int64_t>>* items, std::string value, int64_t ts,
           int cap) {
  for (auto& [v, t] : *items) {
    if (v == value) {
      t = std::max(t, ts);
      return;
    }
  }
  items->emplace_back(std::move(value), ts);
  if (items->size() > static_cast<size_t>(cap)) {
    auto oldest = std::min_element(items->begin(), items->end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    items->erase(oldest);
  }
}

std::string ValueKey(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

int ScoreAscending(double x, const std::vector<double>& cuts) {
  int s = 1;
  for (double c : cuts) s += x >= c;
  return s;
}

}  // namespace

const Json* LookupPath(const Json& doc, std::string_view path) {
  const Json* cur = &doc;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t dot = path.find('.', pos);
    std::string_view part = path.substr(pos, dot == std::string_view::npos ? path.npos : dot - pos);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return cur;
}

// One event's value of a feature's field, from the JSON document (`json`) or an EventView
// (`view`, `node`), with the same answers either way.
struct FeatureSet::FieldRef {
  const Json* json = nullptr;
  const EventView* view = nullptr;
  condition::Node node;

  bool present() const { return view ? EventView::Present(node) : json != nullptr; }
  condition::ValueKind kind() const {
    using condition::ValueKind;
    if (view) return view->Kind(node);
    if (json->is_number()) return ValueKind::kNumber;
    if (json->is_string()) return ValueKind::kString;
    if (json->is_boolean()) return ValueKind::kBool;
    if (json->is_null()) return ValueKind::kNull;
    return json->is_array() ? ValueKind::kArray : ValueKind::kObject;  // (binary: never parsed)
  }
  double number() const { return view ? view->GetNumber(node) : json->get<double>(); }
  Json ToJson() const { return view ? view->ToJson(node) : *json; }
  // *out = ToJson(), reusing the string *out already holds when both are strings: `last`
  // is reassigned on nearly every event, mostly with text of the same size.
  void AssignTo(Json* out) const {
    if (view != nullptr && out->is_string() && view->Kind(node) == condition::ValueKind::kString) {
      out->get_ref<std::string&>().assign(view->GetString(node));
    } else {
      *out = ToJson();
    }
  }
  // The value as a distinct/top key: a string as itself, anything else as its JSON text.
  std::string Key() const {
    if (view) {
      if (view->Kind(node) == condition::ValueKind::kString) return std::string(view->GetString(node));
      return view->ToJson(node).dump();
    }
    return ValueKey(*json);
  }
};

Result<std::shared_ptr<const FeatureSet>> FeatureSet::Build(std::vector<FeatureSpec> specs) {
  std::shared_ptr<FeatureSet> set(new FeatureSet());
  set->id_ = NextInstanceId();
  std::set<std::string> names;
  for (const auto& s : specs) {
    TAILOR_RETURN_IF_ERROR(s.Validate());
    if (!names.insert(s.name).second) {
      return InvalidArgument("feature defined twice", "features." + s.name);
    }
    set->digests_.push_back(Sha256Hex(s.Canonical().dump()).substr(0, 16));
    set->partial_digests_.push_back(set->digests_.back() + kPartialSuffix);
    set->bad_field_.push_back(std::make_unique<std::atomic<uint64_t>>(0));
  }
  set->specs_ = std::move(specs);
  for (size_t i = 0; i < set->specs_.size(); ++i) {
    const FeatureSpec& s = set->specs_[i];
    set->index_.emplace(s.name, i);
    // Split as LookupPath splits.
    std::vector<std::string> steps;
    for (size_t pos = 0; !s.field.empty();) {
      size_t dot = s.field.find('.', pos);
      steps.emplace_back(s.field.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    set->field_steps_.push_back(std::move(steps));
    // Conservative: a `where` naming "context" anywhere may read it.
    if (s.field.rfind("context", 0) == 0 || (s.where && s.where_json.empty()) ||
        s.where_json.find("context") != std::string::npos) {
      set->reads_context_ = true;
    }
  }
  std::map<std::string, size_t> in_name_order(set->index_.begin(), set->index_.end());
  for (const auto& [name, i] : in_name_order) set->by_name_.push_back(i);
  set->name_rank_.resize(set->specs_.size());
  for (size_t r = 0; r < set->by_name_.size(); ++r) set->name_rank_[set->by_name_[r]] = r;
  // Changed paths: the features naming the type (in definition order), then those of
  // every type.
  for (const auto& s : set->specs_) {
    std::string path = "features." + s.name;
    if (s.events.empty()) set->any_type_plan_.paths.push_back(path);
    for (const auto& type : s.events) set->plans_[type].paths.push_back(path);
  }
  auto fill = [&](const std::string* type, TypePlan* plan) {
    for (size_t i : set->by_name_) {
      const FeatureSpec& s = set->specs_[i];
      if (type != nullptr && !s.events.empty() &&
          std::find(s.events.begin(), s.events.end(), *type) == s.events.end()) {
        continue;
      }
      if (type == nullptr && !s.events.empty()) continue;
      plan->specs.push_back(i);
      if (!s.field.empty() || s.where) plan->needs_doc = true;
    }
  };
  for (auto& [type, plan] : set->plans_) {
    plan.paths.insert(plan.paths.end(), set->any_type_plan_.paths.begin(),
                      set->any_type_plan_.paths.end());
    fill(&type, &plan);
  }
  fill(nullptr, &set->any_type_plan_);
  return std::shared_ptr<const FeatureSet>(std::move(set));
}

const FeatureSet::TypePlan& FeatureSet::PlanFor(std::string_view type) const {
  auto it = plans_.find(type);
  return it == plans_.end() ? any_type_plan_ : it->second;
}

const std::vector<std::string>& FeatureSet::ChangedPaths(std::string_view type) const {
  return PlanFor(type).paths;
}

bool FeatureSet::NeedsDocument(std::string_view type) const { return PlanFor(type).needs_doc; }

void FeatureSet::Apply(const EventFacts& event, FeatureStates* states) const {
  Apply(event, states, nullptr);
}

void FeatureSet::Apply(const EventFacts& event, FeatureStates* states, EventView* view) const {
  ApplyPlan(PlanFor(event.type), event, states, view);
}

const std::vector<std::string>* FeatureSet::ApplyIfRelevant(const EventFacts& event,
                                                            FeatureStates* states,
                                                            EventView* view) const {
  const TypePlan& plan = PlanFor(event.type);
  if (plan.specs.empty()) return nullptr;
  ApplyPlan(plan, event, states, view);
  return &plan.paths;
}

namespace {

// The null value FirstLast and RfmValue answer for an unset or stale state.
const Json& NullJson() {
  static const Json kNull;
  return kNull;
}

// Every cache line of n objects of type T from `first` (at most kMaxLines of them).
template <typename T>
void PrefetchLines(const T* first, size_t n) {
  constexpr uintptr_t kLine = 64, kMaxLines = 8;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(first);
  const uintptr_t end = begin + std::min<uintptr_t>(n * sizeof(T), kMaxLines * kLine);
  for (uintptr_t line = begin & ~(kLine - 1); line < end; line += kLine) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

}  // namespace

void FeatureSet::Prefetch(std::string_view type, const FeatureStates& states, bool contents) const {
  const TypePlan& plan = PlanFor(type);
  for (size_t i : plan.specs) {
    const size_t r = name_rank_[i];
    if (r >= states.size()) continue;
    const auto& entry = *states.nth(r);
    if (!contents) {
      PrefetchLines(&entry, 1);  // the name, the digest and the vectors' pointers
      continue;
    }
    // A name longer than the string's inline buffer lives apart; Apply compares it.
    PrefetchLines(entry.first.data(), 1);
    const FeatureState& st = entry.second;
    if (!st.buckets.empty()) PrefetchLines(&st.buckets.back(), 1);
    if (!st.sessions.empty()) PrefetchLines(&st.sessions.back(), 1);
    PrefetchLines(st.top.data(), st.top.size());
    PrefetchLines(st.items.data(), st.items.size());
  }
}

void FeatureSet::ApplyPlan(const TypePlan& plan, const EventFacts& event, FeatureStates* states,
                           EventView* view) const {
  const Json* doc = event.doc;
  Json built;
  if (doc == nullptr && plan.needs_doc && view != nullptr) {
    bool viewed = view->Reset(event.type, event.timestamp_ms, event.session_id,
                              event.properties_json, event.context_json, reads_context_);
    if (!viewed) {
      view = nullptr;
      built = EventDocumentJson(event.type, event.timestamp_ms, event.session_id,
                                event.properties_json, event.context_json, reads_context_);
      doc = &built;
    }
  } else {
    view = nullptr;
  }
  auto it = states->begin();  // walks `states` in name order, as plan.specs is
  for (size_t i : plan.specs) {
    const FeatureSpec& s = specs_[i];
    if (s.where) {
      bool matches = view != nullptr ? s.where->Matches(*view)
                                     : doc != nullptr && s.where->Matches(condition::JsonDocument(*doc));
      if (!matches) continue;
    }
    FieldRef field;
    if (!s.field.empty()) {
      if (view != nullptr) {
        field.view = view;
        field.node = view->Field(field_steps_[i]);
      } else {
        field.json = doc ? LookupPath(*doc, s.field) : nullptr;
      }
    }
    // At its rank in name order once the profile holds every feature's state (AtRank);
    // else the walk goes on. The walk alone read the name of every state between two
    // updated ones, a cache miss each on a cold profile and most of this function's time
    // (docs/performance.md, session 13).
    bool found = AtRank(i, *states);
    if (found) {
      it = states->nth(name_rank_[i]);
    } else {
      while (it != states->end() && it->first < s.name) ++it;
      found = it != states->end() && it->first == s.name;
    }
    if (!found) {
      it = states->emplace_hint(it, s.name, FeatureState{});
      it->second.spec_digest = digests_[i];
    } else if (it->second.spec_digest != digests_[i] &&
               it->second.spec_digest != partial_digests_[i]) {
      // The definition changed: start over, but mark the state partial (not served)
      // until the backfill rebuilds it from the whole history.
      it->second = FeatureState{};
      it->second.spec_digest = partial_digests_[i];
    }
    ApplyOne(i, event, field, &it->second);
  }
}

void FeatureSet::ApplyOne(size_t i, const EventFacts& e, const FieldRef& f, FeatureState* st) const {
  using condition::ValueKind;
  const FeatureSpec& s = specs_[i];
  const FieldRef* field = nullptr;
  if (!s.field.empty()) {
    bool numeric = s.kind == FeatureKind::kSum || s.kind == FeatureKind::kAvg ||
                   s.kind == FeatureKind::kMin || s.kind == FeatureKind::kMax ||
                   s.kind == FeatureKind::kRfm;
    ValueKind kind = f.present() ? f.kind() : ValueKind::kNull;
    bool usable = kind != ValueKind::kNull &&
                  (numeric ? kind == ValueKind::kNumber
                           : kind != ValueKind::kArray && kind != ValueKind::kObject);
    field = &f;
    if (!usable) {
      ++st->bad_field;
      bad_field_[i]->fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  double weight = 1;
  if (!s.weights.empty()) {
    if (auto w = s.weights.find(std::string(e.type)); w != s.weights.end()) weight = w->second;
  }
  int64_t ts = e.timestamp_ms;
  switch (s.kind) {
    case FeatureKind::kCount:
      AddToBuckets(st, ts, 1, s.window_ms);
      break;
    case FeatureKind::kSum: case FeatureKind::kAvg: case FeatureKind::kMin: case FeatureKind::kMax:
    case FeatureKind::kRfm:
      AddToBuckets(st, ts, field->number(), s.window_ms);
      break;
    case FeatureKind::kFirst: case FeatureKind::kLast: case FeatureKind::kRecency:
      break;  // handled by the seen/first/last bookkeeping below
    case FeatureKind::kDistinctCount: case FeatureKind::kNegative:
      Track(&st->items, field->Key(), ts, s.max_tracked);
      break;
    case FeatureKind::kDecayedScore:
      if (ts >= st->ref_ms) {
        st->score = Decay(st->score, st->ref_ms, ts, s.half_life_ms) + weight;
        st->ref_ms = ts;
      } else {
        st->score += Decay(weight, ts, st->ref_ms, s.half_life_ms);
      }
      break;
    case FeatureKind::kDecayedTop: {
      std::string key = field->Key();
      if (ts > st->ref_ms) {
        // One exp2 for the whole list: Decay(sc, ...) is sc times this factor.
        const double factor = Decay(1.0, st->ref_ms, ts, s.half_life_ms);
        for (auto& [v, sc] : st->top) sc *= factor;
        st->ref_ms = ts;
      }
      double add = Decay(weight, ts, st->ref_ms, s.half_life_ms);
      auto it = std::find_if(st->top.begin(), st->top.end(), [&](const auto& p) { return p.first == key; });
      if (it != st->top.end()) {
        it->second += add;
      } else {
        st->top.emplace_back(std::move(key), add);
        if (st->top.size() > static_cast<size_t>(s.max_tracked)) {
          auto weakest = std::min_element(st->top.begin(), st->top.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
          st->top.erase(weakest);
        }
      }
      break;
    }
    case FeatureKind::kSessions: case FeatureKind::kPagesPerSession: case FeatureKind::kAvgDwell: {
      // From the newest: an event almost always belongs to the latest session, and each
      // id compared is a separately allocated string, a cache miss on a cold profile.
      // (Ids are unique in the list, so the match is the same from either end.)
      const std::string_view id = e.session_id;
      auto newest = std::find_if(st->sessions.rbegin(), st->sessions.rend(),
                                 [&](const SessionStat& x) { return x.id == id; });
      if (newest == st->sessions.rend()) {
        st->sessions.push_back(SessionStat{std::string(id), ts, ts, 1});
        std::sort(st->sessions.begin(), st->sessions.end(),
                  [](const SessionStat& a, const SessionStat& b) { return a.start_ms < b.start_ms; });
        if (st->sessions.size() > static_cast<size_t>(s.max_tracked)) st->sessions.erase(st->sessions.begin());
      } else {
        newest->start_ms = std::min(newest->start_ms, ts);
        newest->last_ms = std::max(newest->last_ms, ts);
        ++newest->events;
      }
      break;
    }
  }
  if (!st->seen || ts < st->first_ms) {
    st->first_ms = ts;
    st->first = field ? field->ToJson() : Json(nullptr);
  }
  if (!st->seen || ts >= st->last_ms) {
    st->last_ms = ts;
    if (field != nullptr) {
      field->AssignTo(&st->last);
    } else {
      st->last = nullptr;
    }
  }
  st->seen = true;
}

// The number-or-null kinds; ReadOne wraps the same answer in a Json.
FeatureSet::Scalar FeatureSet::ScalarOne(size_t i, const FeatureState* st, int64_t now) const {
  using K = Scalar::Kind;
  const FeatureSpec& s = specs_[i];
  if (st != nullptr && st->spec_digest != digests_[i]) st = nullptr;  // stale: backfill pending
  auto integer = [](int64_t v) { return Scalar{K::kInt, v, 0}; };
  auto real = [](double v) { return Scalar{K::kDouble, 0, v}; };
  const Scalar null{K::kNull, 0, 0};
  switch (s.kind) {
    case FeatureKind::kCount:
      return integer(static_cast<int64_t>(Aggregate(st, s.window_ms, now).count));
    case FeatureKind::kSum:
      return real(Aggregate(st, s.window_ms, now).sum);
    case FeatureKind::kAvg: {
      Agg a = Aggregate(st, s.window_ms, now);
      return a.count > 0 ? real(a.sum / a.count) : null;
    }
    case FeatureKind::kMin: {
      Agg a = Aggregate(st, s.window_ms, now);
      return a.count > 0 ? real(a.min) : null;
    }
    case FeatureKind::kMax: {
      Agg a = Aggregate(st, s.window_ms, now);
      return a.count > 0 ? real(a.max) : null;
    }
    case FeatureKind::kRecency:
      return st && st->seen ? integer(std::max<int64_t>(0, now - st->last_ms)) : null;
    case FeatureKind::kDistinctCount: {
      int64_t n = 0;
      if (st) {
        for (const auto& [v, t] : st->items) n += s.window_ms <= 0 || t > now - s.window_ms;
      }
      return integer(n);
    }
    case FeatureKind::kDecayedScore:
      return real(st ? Decay(st->score, st->ref_ms, now, s.half_life_ms) : 0.0);
    case FeatureKind::kSessions: case FeatureKind::kPagesPerSession: case FeatureKind::kAvgDwell: {
      double sessions = 0, events = 0, dwell = 0;
      if (st) {
        for (const auto& x : st->sessions) {
          if (s.window_ms > 0 && x.last_ms <= now - s.window_ms) continue;
          sessions += 1;
          events += x.events;
          dwell += static_cast<double>(x.last_ms - x.start_ms);
        }
      }
      if (s.kind == FeatureKind::kSessions) return integer(static_cast<int64_t>(sessions));
      if (sessions == 0) return null;
      return real(s.kind == FeatureKind::kPagesPerSession ? events / sessions : dwell / sessions);
    }
    case FeatureKind::kFirst: case FeatureKind::kLast: case FeatureKind::kNegative:
    case FeatureKind::kDecayedTop: case FeatureKind::kRfm:
      break;
  }
  return Scalar{K::kOther, 0, 0};
}

Json FeatureSet::ReadOne(size_t i, const FeatureState* st, int64_t now) const {
  Scalar scalar = ScalarOne(i, st, now);
  switch (scalar.kind) {
    case Scalar::Kind::kNull:
      return nullptr;
    case Scalar::Kind::kInt:
      return scalar.i;
    case Scalar::Kind::kDouble:
      return scalar.d;
    case Scalar::Kind::kOther:
      break;
  }
  const FeatureSpec& s = specs_[i];
  if (st != nullptr && st->spec_digest != digests_[i]) st = nullptr;  // stale: backfill pending
  switch (s.kind) {
    case FeatureKind::kFirst:
      return st && st->seen ? st->first : Json(nullptr);
    case FeatureKind::kLast:
      return st && st->seen ? st->last : Json(nullptr);
    case FeatureKind::kNegative: {
      Json out = Json::array();
      if (!st) return out;
      auto items = st->items;
      std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [v, t] : items) {
        if (s.window_ms <= 0 || t > now - s.window_ms) out.push_back(v);
      }
      return out;
    }
    case FeatureKind::kDecayedTop: {
      Json out = Json::array();
      if (!st) return out;
      auto top = st->top;
      std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
        return a.second > b.second || (a.second == b.second && a.first < b.first);
      });
      for (size_t k = 0; k < top.size() && k < static_cast<size_t>(s.top); ++k) out.push_back(top[k].first);
      return out;
    }
    case FeatureKind::kRfm:
      return RfmOne(i, st, now);
    default:
      break;  // answered by ScalarOne
  }
  return nullptr;
}

Json FeatureSet::Read(const FeatureStates& states, int64_t now_ms) const {
  Json out = Json::object();
  for (size_t i = 0; i < specs_.size(); ++i) {
    auto it = states.find(specs_[i].name);
    out[specs_[i].name] = ReadOne(i, it == states.end() ? nullptr : &it->second, now_ms);
  }
  return out;
}

int FeatureSet::IndexOf(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : static_cast<int>(it->second);
}

bool FeatureSet::AtRank(size_t i, const FeatureStates& states) const {
  const size_t r = name_rank_[i];
  return r < states.size() && states.nth(r)->first == specs_[i].name;
}

const FeatureState* FeatureSet::StateOf(size_t i, const FeatureStates& states) const {
  if (AtRank(i, states)) return &states.nth(name_rank_[i])->second;
  auto it = states.find(specs_[i].name);
  return it == states.end() ? nullptr : &it->second;
}

Json FeatureSet::ReadValue(size_t i, const FeatureStates& states, int64_t now_ms) const {
  return ReadOne(i, StateOf(i, states), now_ms);
}

FeatureSet::Scalar FeatureSet::ReadScalar(size_t i, const FeatureStates& states,
                                          int64_t now_ms) const {
  return ScalarOne(i, StateOf(i, states), now_ms);
}

const Json& FeatureSet::RfmOne(size_t i, const FeatureState* st, int64_t now) const {
  // Scores run 1..5 (FeatureSpec::Validate, which Build runs, requires four cuts per
  // score), so every value is one of 125.
  static const std::vector<Json> kValues = [] {
    std::vector<Json> v;
    v.reserve(125);
    for (int r = 1; r <= 5; ++r) {
      for (int f = 1; f <= 5; ++f) {
        for (int m = 1; m <= 5; ++m) {
          Json out(Json::value_t::object);
          out["recency"] = r;
          out["frequency"] = f;
          out["monetary"] = m;
          out["code"] = std::to_string(r) + std::to_string(f) + std::to_string(m);
          v.push_back(std::move(out));
        }
      }
    }
    return v;
  }();
  const FeatureSpec& s = specs_[i];
  if (st == nullptr || st->spec_digest != digests_[i] || !st->seen) return NullJson();
  Agg a = Aggregate(st, s.window_ms, now);
  double days = static_cast<double>(now - st->last_ms) / 86'400'000.0;
  int r = 5;
  for (double c : s.rfm_recency_days) r -= days > c;
  int f = ScoreAscending(a.count, s.rfm_frequency);
  int m = ScoreAscending(a.sum, s.rfm_monetary);
  assert(r >= 1 && r <= 5 && f >= 1 && f <= 5 && m >= 1 && m <= 5);
  return kValues[static_cast<size_t>((r - 1) * 25 + (f - 1) * 5 + (m - 1))];
}

const Json& FeatureSet::RfmValue(size_t i, const FeatureStates& states, int64_t now_ms) const {
  return RfmOne(i, StateOf(i, states), now_ms);
}

const Json& FeatureSet::FirstLast(size_t i, const FeatureStates& states) const {
  const FeatureState* st = StateOf(i, states);
  if (st == nullptr || st->spec_digest != digests_[i] || !st->seen) return NullJson();
  return specs_[i].kind == FeatureKind::kFirst ? st->first : st->last;
}

std::vector<std::string> FeatureSet::Stale(const FeatureStates& states) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < specs_.size(); ++i) {
    auto it = states.find(specs_[i].name);
    if (it != states.end() && it->second.spec_digest != digests_[i]) out.push_back(specs_[i].name);
  }
  return out;
}

}  // namespace tailor::profile
