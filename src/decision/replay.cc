// DecisionEngine::Replay and ShadowReport: analyses over the decision log.
#include <map>

#include "core/time_util.h"
#include "decision/engine.h"
#include "decision/request_state.h"

namespace tailor::decision {

namespace {

std::string Label(const Json& r) {
  std::string rule =
      r.value("rule", Json()).is_string() ? r["rule"].get<std::string>() : "(default)";
  std::string content = r.value("content", Json()).is_string() ? r["content"].get<std::string>()
                                                               : r.value("value", Json()).dump();
  return rule + " -> " + content;
}

std::string Label(const Answer& a) {
  return (a.rule.empty() ? std::string("(default)") : a.rule) + " -> " +
         (a.content.empty() ? a.value.dump() : a.content);
}

}  // namespace

Result<Json> DecisionEngine::Replay(std::shared_ptr<const DecisionConfig> target,
                                    uint64_t target_version, int64_t since_ms, int64_t until_ms,
                                    size_t limit) {
  DecisionInputs in{target, nullptr, nullptr, nullptr, target_version, nullptr};
  size_t total = 0, changed = 0, without_snapshot = 0, removed = 0;
  std::map<std::string, Json> per_placement;
  Json examples = Json::array();
  Status scan = log_.Scan(since_ms, until_ms, /*snapshots=*/true, [&](const Json& record) {
    if (total >= limit) return false;
    ++total;
    std::string name = record.value("placement", "");
    Json& stats = per_placement[name];
    if (stats.is_null())
      stats = {{"decisions", 0}, {"changed", 0}, {"transitions", Json::object()}};
    stats["decisions"] = stats["decisions"].get<int64_t>() + 1;
    const Placement* pl = target->FindPlacement(name);
    if (pl == nullptr) {
      ++removed;
      stats["removed"] = true;
      return true;
    }
    DecideRequest request;
    auto view = std::make_shared<ProfileView>();
    // The profile document the original decision read, whole: the new rules may read
    // paths the old ones did not.
    const Json& snapshot = record["snapshot"];
    if (snapshot.is_object()) {
      view->doc = snapshot;
    } else {
      ++without_snapshot;
      view->doc = Json::object();
    }
    view->flat = FlatJson(view->doc);
    view->segments = SegmentFilter::Of(view->flat);
    Json context = record.value("context", Json::object());
    if (!context.is_object()) context = Json::object();
    // The original may not have needed the time of day; the target config may.
    if (!context.contains("time")) CompleteContext(&context, record.value("at_ms", int64_t{0}));
    const FlatJson flat_context(context);
    RequestState rs{request, in, *target, view, &flat_context, {}, {}, 0, 0, 0, true, {}};
    rs.unit_id = record.value("user_id", record.value("anonymous_id", ""));
    rs.channel = context.value("channel", "web");
    rs.now_ms = record.value("at_ms", int64_t{0});
    rs.consented = record.value("consented", true);
    Answer after = DecidePlacement(*pl, pl->live, rs, /*shadow=*/true);
    std::string before_label = Label(record), after_label = Label(after);
    if (before_label != after_label) {
      ++changed;
      stats["changed"] = stats["changed"].get<int64_t>() + 1;
      std::string t = before_label + "  =>  " + after_label;
      stats["transitions"][t] = stats["transitions"].value(t, 0) + 1;
      if (examples.size() < 20) {
        examples.push_back({{"decision_id", record.value("decision_id", "")},
                            {"placement", name},
                            {"before", before_label},
                            {"after", after_label}});
      }
    }
    return true;
  });
  TAILOR_RETURN_IF_ERROR(scan);
  Json placements = Json::object();
  for (auto& [name, stats] : per_placement) placements[name] = std::move(stats);
  return Json{{"target_config_version", target_version},
              {"since", FormatIso8601(since_ms)},
              {"until", FormatIso8601(until_ms)},
              {"decisions", total},
              {"changed", changed},
              {"unchanged", total - changed - removed},
              {"placement_removed", removed},
              {"decisions_without_snapshot", without_snapshot},
              {"truncated", total >= limit},
              {"placements", std::move(placements)},
              {"examples", std::move(examples)},
              {"note",
               "caps are not re-applied; decisions whose profile snapshot expired "
               "replay against an empty profile (decisions_without_snapshot)"}};
}

Result<Json> DecisionEngine::ShadowReport(const std::string& placement, int64_t since_ms,
                                          int64_t until_ms, size_t limit) {
  size_t total = 0, with_shadow = 0, differ = 0;
  Json transitions = Json::object();
  Json examples = Json::array();
  Status scan = log_.Scan(since_ms, until_ms, /*snapshots=*/false, [&](const Json& record) {
    if (record.value("placement", "") != placement) return true;
    if (++total > limit) return false;
    auto it = record.find("shadow");
    if (it == record.end()) return true;
    ++with_shadow;
    if (!it->value("differs", false)) return true;
    ++differ;
    std::string t = Label(record) + "  =>  " + Label(*it);
    transitions[t] = transitions.value(t, 0) + 1;
    if (examples.size() < 20) {
      examples.push_back({{"decision_id", record.value("decision_id", "")},
                          {"live", Label(record)},
                          {"shadow", Label(*it)}});
    }
    return true;
  });
  TAILOR_RETURN_IF_ERROR(scan);
  return Json{{"placement", placement},
              {"since", FormatIso8601(since_ms)},
              {"until", FormatIso8601(until_ms)},
              {"decisions", std::min(total, limit)},
              {"with_shadow", with_shadow},
              {"differ", differ},
              {"differ_rate", with_shadow ? static_cast<double>(differ) / with_shadow : 0.0},
              {"transitions", std::move(transitions)},
              {"examples", std::move(examples)}};
}

}  // namespace tailor::decision
