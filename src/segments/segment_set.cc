#include "segments/segment_set.h"

#include <algorithm>
#include <cassert>
#include <functional>

#include "condition/json_document.h"
#include "core/ids.h"
#include "core/union_find.h"

namespace tailor::segments {

namespace {

bool StartsWithPath(std::string_view path, std::string_view root) {
  return path == root || (path.size() > root.size() && path.substr(0, root.size()) == root &&
                          path[root.size()] == '.') ||
         (root.size() > path.size() && root.substr(0, path.size()) == path && root[path.size()] == '.');
}

}  // namespace

Json SegmentSpec::Canonical() const {
  return {{"condition", condition_json}, {"priority", priority}, {"group", group},
          {"parent", parent}, {"fallback", fallback ? Json(fallback_max_events) : Json(nullptr)}};
}

Result<SegmentSpec> ParseSegmentSpec(std::string_view name, const Json& def) {
  std::string base = "segments." + std::string(name);
  if (!def.is_object()) return InvalidArgument("a segment must be a mapping with a `condition`", base);
  SegmentSpec s;
  s.name = std::string(name);
  for (const auto& [key, v] : def.items()) {
    std::string path = base + "." + key;
    if (key == "condition") {
      auto c = condition::Condition::Compile(v);
      if (!c.ok()) return c.status().WithPathPrefix(path);
      s.condition = std::make_shared<const condition::Condition>(std::move(c).value());
      s.condition_json = v;
    } else if (key == "description") {
      if (!v.is_string()) return InvalidArgument("must be a string", path);
      s.description = v.get<std::string>();
    } else if (key == "priority") {
      if (!v.is_number_integer()) return InvalidArgument("must be an integer", path);
      s.priority = v.get<int>();
    } else if (key == "group") {
      if (!v.is_string() || v.get<std::string>().empty()) return InvalidArgument("must be a group name", path);
      s.group = v.get<std::string>();
    } else if (key == "parent") {
      if (!v.is_string() || v.get<std::string>().empty()) return InvalidArgument("must be a segment name", path);
      s.parent = v.get<std::string>();
    } else if (key == "fallback") {
      s.fallback = true;
      if (v.is_boolean()) {
        s.fallback = v.get<bool>();
      } else if (v.is_object()) {
        for (const auto& [fk, fv] : v.items()) {
          if (fk != "max_events" || !fv.is_number_integer() || fv.get<int64_t>() < 1) {
            return InvalidArgument("fallback takes {max_events: <positive integer>}", path + "." + fk);
          }
          s.fallback_max_events = fv.get<int64_t>();
        }
      } else {
        return InvalidArgument("must be true or {max_events: N}", path);
      }
    } else {
      return InvalidArgument("unknown segment field '" + key +
                                 "'; use condition, description, priority, group, parent, fallback",
                             path);
    }
  }
  if (!s.condition) return InvalidArgument("required: the segment's condition", base + ".condition");
  return s;
}

Result<std::shared_ptr<const SegmentSet>> SegmentSet::Build(std::vector<SegmentSpec> specs,
                                                            const profile::FeatureSet* features) {
  std::shared_ptr<SegmentSet> set(new SegmentSet());
  set->id_ = NextInstanceId();
  set->features_id_ = features != nullptr ? features->id() : 0;
  std::sort(specs.begin(), specs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < specs.size(); ++i) index[specs[i].name] = i;
  for (const auto& s : specs) {
    if (!s.parent.empty() && !index.count(s.parent)) {
      return InvalidArgument("parent segment '" + s.parent + "' is not defined",
                             "segments." + s.name + ".parent");
    }
  }
  // Windowed / decaying features change with time alone.
  std::set<std::string> timed_features;
  if (features != nullptr) {
    for (const auto& f : features->specs()) {
      if (profile::KindUsesWindow(f.kind) || f.kind == profile::FeatureKind::kRecency ||
          f.kind == profile::FeatureKind::kDecayedScore || f.kind == profile::FeatureKind::kDecayedTop) {
        if (f.window_ms > 0 || !profile::KindUsesWindow(f.kind) || f.kind == profile::FeatureKind::kRfm) {
          timed_features.insert(f.name);
        }
      }
    }
  }
  size_t n = specs.size();
  set->paths_.resize(n);
  set->reads_segments_.assign(n, false);
  set->context_free_.resize(n);
  set->context_free_.set();
  set->time_dependent_.assign(n, false);
  for (size_t i = 0; i < n; ++i) {
    set->paths_[i] = specs[i].condition->Paths();
    for (const auto& p : set->paths_[i]) {
      if (StartsWithPath(p, "segments")) set->reads_segments_[i] = true;
      if (StartsWithPath(p, "context")) set->context_free_.reset(i);
      if (StartsWithPath(p, "profile")) set->time_dependent_[i] = true;
      if (p.rfind("features.", 0) == 0) {
        std::string feature = p.substr(9, p.find('.', 9) == std::string::npos ? std::string::npos
                                                                             : p.find('.', 9) - 9);
        if (timed_features.count(feature)) set->time_dependent_[i] = true;
      }
    }
  }
  // Parents before children (segment-readers last), to check for cycles and to pass time
  // dependence down. Depth-first.
  std::vector<size_t> order;
  std::vector<int> state(n, 0);  // 0 new, 1 visiting, 2 done
  std::function<Status(size_t)> visit = [&](size_t i) -> Status {
    if (state[i] == 2) return Status::OK();
    if (state[i] == 1) {
      return InvalidArgument("segment parents form a cycle through '" + specs[i].name + "'",
                             "segments." + specs[i].name + ".parent");
    }
    state[i] = 1;
    if (!specs[i].parent.empty()) TAILOR_RETURN_IF_ERROR(visit(index[specs[i].parent]));
    state[i] = 2;
    order.push_back(i);
    return Status::OK();
  };
  for (size_t i = 0; i < n; ++i) {
    if (!set->reads_segments_[i]) TAILOR_RETURN_IF_ERROR(visit(i));
  }
  for (size_t i = 0; i < n; ++i) TAILOR_RETURN_IF_ERROR(visit(i));
  // A parent's time dependence is inherited.
  for (size_t i : order) {
    if (!specs[i].parent.empty() && set->time_dependent_[index[specs[i].parent]]) {
      set->time_dependent_[i] = true;
    }
  }
  set->specs_ = std::move(specs);
  set->parent_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    set->index_.emplace(set->specs_[i].name, i);
    if (!set->specs_[i].parent.empty()) set->parent_[i] = static_cast<int>(index[set->specs_[i].parent]);
  }
  // Clusters: segments joined by parent links and exclusive groups. A cluster's
  // membership depends on its members' conditions alone, so when an event changes
  // nothing any member reads, the whole cluster keeps its membership. A cold-start
  // segment (event_count changes with every event) or a `segments` reader puts its
  // cluster under `always` instead.
  UnionFind joined(n);
  std::map<std::string_view, size_t> group_anchor;  // group -> its first segment
  for (size_t i = 0; i < n; ++i) {
    const SegmentSpec& s = set->specs_[i];
    if (set->parent_[i] >= 0) joined.Join(i, static_cast<size_t>(set->parent_[i]));
    if (!s.group.empty()) joined.Join(i, group_anchor.emplace(s.group, i).first->second);
  }
  std::map<size_t, size_t> cluster_at;  // representative -> index in `clusters`
  std::vector<std::vector<size_t>> clusters;
  std::vector<bool> always;
  for (size_t i = 0; i < n; ++i) {
    auto [at, fresh] = cluster_at.emplace(joined.Find(i), clusters.size());
    if (fresh) {
      clusters.emplace_back();
      always.push_back(false);
    }
    clusters[at->second].push_back(i);
    const bool fallback = set->specs_[i].fallback;
    if (fallback || set->reads_segments_[i]) always[at->second] = true;
    set->any_fallback_ = set->any_fallback_ || fallback;
  }
  set->keepable_.resize(n);
  for (size_t c = 0; c < clusters.size(); ++c) {
    if (always[c]) continue;
    const size_t k = set->clusters_.size();
    set->clusters_.push_back(clusters[c]);
    for (size_t i : clusters[c]) {
      set->keepable_.set(i);
      if (clusters[c].size() > 1) set->clustered_.push_back(i);
      for (const auto& p : set->paths_[i]) {
        auto& readers = set->readers_[p];
        if (readers.empty() || readers.back() != k) readers.push_back(k);
      }
    }
  }
  set->thresholds_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    // Only when the compiled condition reads that one path too (specs are built from
    // their JSON, but a hand-built spec could disagree).
    auto t = ParseThreshold(set->specs_[i].condition_json, features);
    if (t && set->paths_[i] == std::vector<std::string>{"features." + t->feature}) {
      set->thresholds_[i] = std::move(t);
    }
  }
  std::map<std::string, int> group_ids;
  set->group_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const std::string& g = set->specs_[i].group;
    if (g.empty()) continue;
    set->group_[i] = group_ids.emplace(g, static_cast<int>(group_ids.size())).first->second;
  }
  set->groups_ = group_ids.size();
  set->any_context_reader_ = !set->context_free_.all();
  for (size_t i = 0; i < n; ++i) {
    set->any_reader_ = set->any_reader_ || set->reads_segments_[i];
    if (set->parent_[i] >= 0) set->with_parent_.push_back(i);
    if (set->group_[i] >= 0) set->grouped_.push_back(i);
  }
  return std::shared_ptr<const SegmentSet>(std::move(set));
}

const SegmentSpec* SegmentSet::Find(std::string_view name) const {
  for (const auto& s : specs_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool SegmentSet::AnyTimeDependent() const {
  return std::find(time_dependent_.begin(), time_dependent_.end(), true) != time_dependent_.end();
}

bool SegmentSet::DependsOnAny(const std::vector<std::string>& roots) const {
  for (const auto& paths : paths_) {
    for (const auto& p : paths) {
      for (const auto& r : roots) {
        if (StartsWithPath(p, r)) return true;
      }
    }
  }
  // A cold-start segment reads the event count, whatever its condition reads.
  if (!any_fallback_) return false;
  return std::any_of(roots.begin(), roots.end(),
                     [](const std::string& r) { return StartsWithPath("profile.event_count", r); });
}

std::vector<std::string> SegmentSet::Evaluate(Json* doc, const condition::SavedGroups* groups,
                                              bool has_context) const {
  size_t n = specs_.size();
  SegmentFlags before_eval(n);
  if (const Json* cur = profile::LookupPath(*doc, "segments"); cur && cur->is_array()) {
    for (const auto& name : *cur) {
      if (!name.is_string()) continue;
      if (auto it = index_.find(name.get_ref<const std::string&>()); it != index_.end()) {
        before_eval[it->second] = true;
      }
    }
  }
  int64_t events = 0;
  if (const Json* c = profile::LookupPath(*doc, "profile.event_count"); c && c->is_number()) {
    events = c->get<int64_t>();
  }
  condition::JsonDocument view(*doc);
  auto publish = [&](const SegmentFlags& in) {
    Json names = Json::array();
    for (size_t i = 0; i < n; ++i) {
      if (in[i]) names.push_back(specs_[i].name);
    }
    (*doc)["segments"] = std::move(names);
  };
  auto holds = [&](size_t i) { return specs_[i].condition->Evaluate(view, groups); };
  return Names(EvaluateOver(before_eval, events, has_context, publish, holds));
}

bool SegmentSet::Threshold::Matches(double x) const {
  for (const auto& [op, y] : ops) {
    bool holds = false;
    switch (op) {
      case Op::kEq: holds = x == y; break;
      case Op::kGt: holds = x > y; break;
      case Op::kGte: holds = x >= y; break;
      case Op::kLt: holds = x < y; break;
      case Op::kLte: holds = x <= y; break;
    }
    if (!holds) return false;  // (every comparison with NaN is false, as in JavaScript)
  }
  return true;
}

std::optional<SegmentSet::Threshold> SegmentSet::ParseThreshold(const Json& c,
                                                                const profile::FeatureSet* features) {
  constexpr std::string_view kPrefix = "features.";
  if (features == nullptr || !c.is_object() || c.size() != 1) return std::nullopt;
  const std::string& path = c.begin().key();
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::string name = path.substr(kPrefix.size());
  int index = features->IndexOf(name);
  if (index < 0 || name.find('.') != std::string::npos) return std::nullopt;
  Threshold t{name, static_cast<size_t>(index), {}};
  const Json& v = c.begin().value();
  if (v.is_number()) {  // a bare number: `value * 1 === n`, for a number value x == n
    t.ops.emplace_back(Threshold::Op::kEq, v.get<double>());
    return t;
  }
  // An operator object (every key an operator) of number comparisons only.
  if (!v.is_object() || v.empty()) return std::nullopt;
  for (const auto& [op, operand] : v.items()) {
    if (!operand.is_number()) return std::nullopt;
    Threshold::Op o;
    if (op == "$eq") {
      o = Threshold::Op::kEq;
    } else if (op == "$gt") {
      o = Threshold::Op::kGt;
    } else if (op == "$gte") {
      o = Threshold::Op::kGte;
    } else if (op == "$lt") {
      o = Threshold::Op::kLt;
    } else if (op == "$lte") {
      o = Threshold::Op::kLte;
    } else {
      return std::nullopt;
    }
    t.ops.emplace_back(o, operand.get<double>());
  }
  return t;
}

bool SegmentSet::ConditionHolds(size_t i, const ProfileView& view,
                                const condition::SavedGroups* groups) const {
  if (const auto& t = thresholds_[i]) {
    // The index was resolved against the FeatureSet given to Build: check the view reads
    // the same feature there before trusting it: the same set, or one with that feature
    // at that index.
    const profile::FeatureSet* features = view.features();
    double x = 0;
    if (features != nullptr &&
        (features->id() == features_id_ ||
         (t->index < features->specs().size() && features->specs()[t->index].name == t->feature)) &&
        view.FeatureNumber(t->index, &x)) {
      return t->Matches(x);
    }
  }
  return specs_[i].condition->Evaluate(view, groups);
}

void SegmentSet::Reach::Add(const Reach& other) {
  any = any || other.any;
  if (reevaluate.size() == other.reevaluate.size()) {
    reevaluate |= other.reevaluate;
    return;
  }
  for (size_t i = 0; i < reevaluate.size() && i < other.reevaluate.size(); ++i) {
    if (other.reevaluate[i]) reevaluate.set(i);
  }
}

SegmentSet::Reach SegmentSet::ReachOf(const std::vector<std::string>& changed) const {
  Reach reach;
  reach.any = DependsOnAny(changed);
  SegmentFlags keep = keepable_;  // then cleared for the readers of each changed path
  for (const std::string& c : changed) {
    // Paths at or below `c` ("features.rfm" reaches "features.rfm.code")...
    for (auto it = readers_.lower_bound(c);
         it != readers_.end() && it->first.compare(0, c.size(), c) == 0; ++it) {
      if (!StartsWithPath(it->first, c)) continue;  // "features.rfm2"
      for (size_t k : it->second) {
        for (size_t i : clusters_[k]) keep.reset(i);
      }
    }
    // ...and above it ("features" reads every feature).
    for (size_t dot = c.find('.'); dot != std::string::npos; dot = c.find('.', dot + 1)) {
      auto it = readers_.find(std::string_view(c).substr(0, dot));
      if (it == readers_.end()) continue;
      for (size_t k : it->second) {
        for (size_t i : clusters_[k]) keep.reset(i);
      }
    }
  }
  reach.reevaluate = ~keep;
  return reach;
}

std::vector<std::string> SegmentSet::Evaluate(ProfileView* view, const condition::SavedGroups* groups,
                                              bool has_context,
                                              const std::vector<std::string>* changed) const {
  if (changed != nullptr) return Reevaluate(view, groups, has_context, ReachOf(*changed));
  return Reevaluate(view, groups, has_context, Reach{true, ~SegmentFlags(specs_.size())});
}

std::vector<std::string> SegmentSet::Reevaluate(ProfileView* view,
                                                const condition::SavedGroups* groups,
                                                bool has_context, const Reach& reach) const {
  return Names(ReevaluateFlags(view, groups, has_context, &reach));
}

namespace {

// The working flags of ReevaluateFlags and EvaluateOver, kept per thread between calls so
// that an evaluation allocates only the flags it returns: ingest evaluates every profile a
// batch touches, and seven short-lived bitsets were seven allocations each time.
// (Evaluation never re-enters itself: conditions only read the view.)
struct FlagScratch {
  SegmentFlags before_eval, evaluated, raw, before, next;
  std::vector<int> best;
  std::vector<const std::string*> names;
};

FlagScratch& Scratch() {
  thread_local FlagScratch scratch;
  return scratch;
}

}  // namespace

SegmentFlags SegmentSet::StoredFlags(
    const boost::container::flat_map<std::string, int64_t, std::less<>>& stored) const {
  // Stored membership and specs_ are both in name order: one merged walk.
  SegmentFlags flags(specs_.size());
  size_t i = 0;
  for (auto it = stored.begin(); it != stored.end() && i < specs_.size();) {
    int c = it->first.compare(specs_[i].name);
    if (c == 0) {
      flags.set(i++);
      ++it;
    } else if (c < 0) {
      ++it;
    } else {
      ++i;
    }
  }
  return flags;
}

SegmentFlags SegmentSet::ReevaluateFlags(ProfileView* view, const condition::SavedGroups* groups,
                                         bool has_context, const Reach* reach,
                                         SegmentFlags* stored_flags) const {
  size_t n = specs_.size();
  const profile::Profile& p = view->profile();
  FlagScratch& scratch = Scratch();
  SegmentFlags& before_eval = scratch.before_eval;
  if (p.segment_flags_of == id_ && p.segment_flags.size() == n) {
    before_eval = p.segment_flags;
    // Whoever changes `segments` outside ingest's evaluation must clear segment_flags_of.
    assert(before_eval == StoredFlags(p.segments));
  } else {
    before_eval = StoredFlags(p.segments);
  }
  // As profile.event_count reads in the JSON document (an unsigned number read as int64).
  int64_t events = static_cast<int64_t>(p.event_count);
  std::vector<const std::string*>& names = scratch.names;
  auto publish = [&](const SegmentFlags& in) {
    names.clear();
    for (size_t k = in.find_first(); k != SegmentFlags::npos; k = in.find_next(k)) {
      names.push_back(&specs_[k].name);
    }
    view->SetSegments(names);
  };
  auto holds = [&](size_t i) { return ConditionHolds(i, *view, groups); };
  if (stored_flags != nullptr) *stored_flags = before_eval;
  return EvaluateOver(before_eval, events, has_context, publish, holds,
                      reach != nullptr && reach->reevaluate.size() == n ? &reach->reevaluate : nullptr);
}

template <typename Publish, typename Holds>
SegmentFlags SegmentSet::EvaluateOver(const SegmentFlags& before_eval, int64_t events,
                                      bool has_context, Publish&& publish, Holds&& holds,
                                      const SegmentFlags* reevaluate) const {
  const size_t n = specs_.size();
  FlagScratch& scratch = Scratch();
  // The segments whose own condition is evaluated (the others keep their membership on
  // entry): those `reevaluate` names, less those reading a context there is none of.
  SegmentFlags& evaluated = scratch.evaluated;
  if (reevaluate != nullptr) {
    evaluated = *reevaluate;
  } else {
    evaluated.resize(n);
    evaluated.set();
  }
  if (!has_context) evaluated &= context_free_;
  SegmentFlags in = before_eval;
  SegmentFlags& raw = scratch.raw;
  SegmentFlags& before = scratch.before;
  SegmentFlags& next = scratch.next;
  std::vector<int>& best = scratch.best;  // per exclusive group: its best candidate so far
  best.assign(groups_, -1);
  for (size_t pass = 0; pass <= (any_reader_ ? n : 0); ++pass) {
    // Only conditions read the `segments` array until the end.
    if (any_reader_) publish(in);
    before = in;
    // Raw matches: each segment's own condition (and cold-start rule).
    raw = before_eval;
    for (size_t i = evaluated.find_first(); i != SegmentFlags::npos; i = evaluated.find_next(i)) {
      const SegmentSpec& s = specs_[i];
      raw[i] = (!s.fallback || events < s.fallback_max_events) && holds(i);
    }
    // Parents and exclusive groups, to a fixed point: a candidate is a raw match whose
    // parent is in; each group keeps its best candidate (priority, then name).
    in = raw;
    for (size_t round = 0; round <= n; ++round) {
      next = raw;
      for (size_t i : with_parent_) {
        if (!in[static_cast<size_t>(parent_[i])]) next.reset(i);
      }
      if (groups_ > 0) {
        std::fill(best.begin(), best.end(), -1);
        for (size_t i : grouped_) {
          if (!next[i]) continue;
          int& b = best[static_cast<size_t>(group_[i])];
          if (b < 0) {
            b = static_cast<int>(i);
            continue;
          }
          size_t j = static_cast<size_t>(b);
          bool better = specs_[i].priority > specs_[j].priority;
          next.reset(better ? j : i);
          if (better) b = static_cast<int>(i);
        }
      }
      // A kept cluster keeps its membership as stored, even where the stored membership
      // is no fixed point of the rules (interlocking groups and parents can have none:
      // each round would flip it, and every event would exit and re-enter).
      // (A segment alone in its cluster already has next == raw == stored.)
      if (reevaluate != nullptr) {
        for (size_t i : clustered_) {
          if (!(*reevaluate)[i]) next[i] = before_eval[i];
        }
      }
      if (next == in) break;
      in = next;  // (a copy into in's own words: a swap would give the scratch's away)
    }
    if (!any_reader_ || in == before) break;
  }
  publish(in);
  return in;
}

std::vector<std::string> SegmentSet::Names(const SegmentFlags& in) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < in.size() && i < specs_.size(); ++i) {
    if (in[i]) out.push_back(specs_[i].name);
  }
  return out;
}

}  // namespace tailor::segments
