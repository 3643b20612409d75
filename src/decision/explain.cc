#include "decision/explain.h"

namespace tailor::decision {

namespace {

std::string Values(const Json& inputs, const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) {
    if (!out.empty()) out += ", ";
    auto it = inputs.find(p);
    out += p + " = " + (it == inputs.end() ? std::string("(not logged)") : it->dump());
  }
  return out;
}

std::string Served(const Json& r) {
  if (!r.value("served", true)) return "nothing (no rule, default or global default could answer)";
  std::string what;
  if (r.value("content", Json()).is_string()) {
    what = "content '" + r["content"].get<std::string>() + "'";
    if (r.value("variant", Json()).is_string()) what += " (variant " + r["variant"].get<std::string>() + ")";
  } else {
    what = "the value " + r.value("value", Json()).dump();
  }
  if (r.value("rule", Json()).is_string()) return what + " by rule '" + r["rule"].get<std::string>() + "'";
  return what + " as the default";
}

}  // namespace

Json Explain(const Json& record, const DecisionConfig* config) {
  Json out = Json::object();
  out["decision_id"] = record.value("decision_id", "");
  out["placement"] = record.value("placement", "");
  out["config_version"] = record.value("config_version", 0);
  const Json inputs = record.value("inputs", Json::object());
  const Placement* pl = config ? config->FindPlacement(record.value("placement", "")) : nullptr;
  std::vector<std::string> because;
  Json rules = Json::array();
  const Json trace = record.value("trace", Json::array());
  for (const Json& t : trace) {
    std::string name = t.value("rule", "");
    std::string result = t.value("result", "");
    const Rule* rule = nullptr;
    if (pl) {
      for (const Rule& r : pl->live.rules) {
        if (r.name == name) rule = &r;
      }
    }
    Json entry = {{"rule", name}, {"result", result}};
    std::string line = "rule '" + name + "' ";
    std::vector<std::string> paths = rule ? rule->when->Paths() : std::vector<std::string>{};
    if (rule) {
      Json reads = Json::object();
      for (const auto& p : paths) reads[p] = inputs.contains(p) ? inputs[p] : Json(nullptr);
      entry["reads"] = std::move(reads);
      entry["priority"] = rule->priority;
    }
    if (result == "matched") {
      line += "matched" + (paths.empty() ? std::string(" (no condition)") : " on " + Values(inputs, paths));
    } else if (result == "no_match") {
      line += "did not match" + (paths.empty() ? std::string() : " on " + Values(inputs, paths));
    } else if (result == "disabled") {
      line += "is switched off";
    } else if (result == "not_in_rollout") {
      line += "is in staged rollout and this user is not in it yet";
    } else if (result == "capped") {
      line += "matched but is capped: " + t.value("detail", "");
    } else {
      line += "matched but could not answer: " + t.value("detail", "");
    }
    if (t.contains("detail")) entry["detail"] = t["detail"];
    because.push_back(std::move(line));
    rules.push_back(std::move(entry));
  }
  if (!record.value("consented", true)) {
    because.insert(because.begin(), "the person has not consented to personalization, so rules were not tried");
  }
  if (record.value("reason", Json()).is_string()) because.push_back("default: " + record["reason"].get<std::string>());
  if (record.value("cached", false)) because.push_back("the answer came from the cache of an identical earlier decision");
  out["summary"] = "Served " + Served(record) + ".";
  out["because"] = because;
  out["rules"] = std::move(rules);
  out["context"] = record.value("context", Json::object());
  if (!config) out["note"] = "config version " + std::to_string(record.value("config_version", 0)) + " is no longer available; conditions are not shown";
  return out;
}

}  // namespace tailor::decision
