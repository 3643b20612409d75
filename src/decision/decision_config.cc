#include "decision/decision_config.h"

#include <algorithm>
#include <atomic>
#include <set>

#include "core/json_util.h"
#include "core/time_util.h"
#include "decision/profile_view.h"

namespace tailor::decision {

namespace {

std::string Join(std::string_view base, std::string_view member) {
  std::string p(base);
  AppendPathMember(&p, member);
  return p;
}

Status Unknown(std::string_view what, const std::string& key, std::string_view allowed,
               const std::string& path) {
  return InvalidArgument("unknown " + std::string(what) + " field '" + key + "'; use " +
                             std::string(allowed),
                         path);
}

Result<CapSpec> ParseCap(const Json& def, const std::string& path) {
  if (!def.is_object()) return InvalidArgument("a cap is {max: N, window: 1d}", path);
  CapSpec cap;
  bool has_window = false;
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(path, key);
    if (key == "max") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1'000'000) {
        return InvalidArgument("must be an integer from 1 to 1000000", p);
      }
      cap.max = v.get<int>();
    } else if (key == "window") {
      if (!v.is_string()) return InvalidArgument("must be a duration such as \"1d\"", p);
      auto ms = ParseDurationMs(v.get<std::string>());
      if (!ms.ok()) return ms.status().WithPathPrefix(p);
      if (*ms < 1000 || *ms > 366LL * 86'400'000) {
        return InvalidArgument("must be between 1s and 366d", p);
      }
      cap.window_ms = *ms;
      has_window = true;
    } else {
      return Unknown("cap", key, "max, window", p);
    }
  }
  if (cap.max == 0) return InvalidArgument("required: max", Join(path, "max"));
  if (!has_window) return InvalidArgument("required: window", Join(path, "window"));
  return cap;
}

Result<Variant> ParseVariant(const Json& def, const std::string& path) {
  Variant v;
  if (def.is_string()) {  // shorthand: the template text
    auto t = Template::Compile(def.get<std::string>());
    if (!t.ok()) return t.status().WithPathPrefix(path);
    v.body = *t;
    return v;
  }
  if (!def.is_object()) return InvalidArgument("a variant is {template: \"...\", value: ...}", path);
  for (const auto& [key, val] : def.items()) {
    std::string p = Join(path, key);
    if (key == "template") {
      if (!val.is_string()) return InvalidArgument("must be a string", p);
      auto t = Template::Compile(val.get<std::string>());
      if (!t.ok()) return t.status().WithPathPrefix(p);
      v.body = *t;
    } else if (key == "value") {
      v.value = val;
    } else {
      return Unknown("variant", key, "template, value", p);
    }
  }
  if (!v.body && v.value.is_null()) return InvalidArgument("a variant needs a template or a value", path);
  return v;
}

Result<int> ParsePriority(const Json& v, const std::string& path) {
  if (!v.is_number_integer() || v.get<int64_t>() < -1'000'000 || v.get<int64_t>() > 1'000'000) {
    return InvalidArgument("must be an integer from -1000000 to 1000000", path);
  }
  return v.get<int>();
}

Result<bool> ParseBool(const Json& v, const std::string& path) {
  if (!v.is_boolean()) return InvalidArgument("must be true or false", path);
  return v.get<bool>();
}

Result<Rule> ParseRule(const Json& def, const std::string& path, const DecisionConfig& config,
                       size_t index) {
  if (!def.is_object()) return InvalidArgument("a rule is {name, when, serve}", path);
  Rule r;
  r.name = "rule_" + std::to_string(index);
  bool has_serve = false;
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(path, key);
    if (key == "name") {
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 128) {
        return InvalidArgument("must be a non-empty string of at most 128 bytes", p);
      }
      r.name = v.get<std::string>();
    } else if (key == "when") {
      if (Status s = CompileWhen(v, {}, &r); !s.ok()) return s.WithPathPrefix(p);
    } else if (key == "serve") {
      TAILOR_ASSIGN_OR_RETURN(r.serve, ParseAction(v, p, config));
      has_serve = true;
    } else if (key == "priority") {
      TAILOR_ASSIGN_OR_RETURN(r.priority, ParsePriority(v, p));
    } else if (key == "enabled") {
      TAILOR_ASSIGN_OR_RETURN(r.enabled, ParseBool(v, p));
    } else if (key == "rollout") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100) {
        return InvalidArgument("must be a percentage from 0 to 100", p);
      }
      r.rollout = v.get<double>() / 100.0;
    } else if (key == "campaign") {
      if (!v.is_string() || config.FindCampaign(v.get<std::string>()) == nullptr) {
        return InvalidArgument("must name a campaign defined under campaigns", p);
      }
      r.campaign = v.get<std::string>();
    } else if (key == "cap") {
      TAILOR_ASSIGN_OR_RETURN(r.cap, ParseCap(v, p));
    } else {
      return Unknown("rule", key, "name, when, serve, priority, enabled, rollout, campaign, cap", p);
    }
  }
  if (!has_serve) return InvalidArgument("required: what the rule serves", Join(path, "serve"));
  if (!r.when) r.when = std::make_shared<const condition::Condition>();
  return r;
}

Result<RuleSet> ParseRuleSet(const Json& rules, const Json* def, const std::string& path,
                             const DecisionConfig& config) {
  RuleSet set;
  if (!rules.is_null()) {
    if (!rules.is_array()) return InvalidArgument("must be a list of rules", Join(path, "rules"));
    std::set<std::string> names;
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string p = Join(path, "rules");
      AppendPathIndex(&p, i);
      TAILOR_ASSIGN_OR_RETURN(auto r, ParseRule(rules[i], p, config, i));
      if (!names.insert(r.name).second) return InvalidArgument("duplicate rule name '" + r.name + "'", p);
      set.rules.push_back(std::move(r));
    }
  }
  // Conflict policy: the first matching rule in priority order wins; equal priorities
  // keep their order in the file.
  std::stable_sort(set.rules.begin(), set.rules.end(),
                   [](const Rule& a, const Rule& b) { return a.priority > b.priority; });
  if (def != nullptr) {
    TAILOR_ASSIGN_OR_RETURN(set.default_action, ParseAction(*def, Join(path, "default"), config));
  }
  return set;
}

void CollectPaths(const RuleSet& set, std::set<std::string>* out) {
  for (const Rule& r : set.rules) {
    for (auto& p : r.when->Paths()) out->insert(std::move(p));
  }
}

}  // namespace

Status CompileWhen(const Json& when, const condition::CompileOptions& options, Rule* rule) {
  auto compile = [&](const Json& c) -> Result<std::shared_ptr<const condition::Condition>> {
    TAILOR_ASSIGN_OR_RETURN(auto compiled, condition::Condition::Compile(c, options));
    return std::make_shared<const condition::Condition>(std::move(compiled));
  };
  TAILOR_ASSIGN_OR_RETURN(rule->when, compile(when));
  rule->when_view = rule->when_rest = nullptr;
  if (!when.is_object()) return Status::OK();
  // A condition's top-level entries must all hold (docs/conditions.md), each on its
  // own, so the entries that read no "context" path can be answered apart from the rest.
  // The parts are an optimization: a part that does not compile on its own (the whole
  // did) leaves the rule unsplit rather than the config refused.
  Json person = Json::object(), rest = Json::object();
  for (const auto& [key, entry] : when.items()) {
    auto one = compile(Json{{key, entry}});
    if (!one.ok()) return Status::OK();
    bool reads_context = false;
    for (const std::string& path : (*one)->Paths()) {
      reads_context = reads_context || path.compare(0, path.find('.'), "context") == 0;
    }
    (reads_context ? rest : person)[key] = entry;
  }
  if (person.empty()) return Status::OK();
  auto view_part = compile(person);
  if (!view_part.ok()) return Status::OK();
  if (!rest.empty()) {
    auto rest_part = compile(rest);
    if (!rest_part.ok()) return Status::OK();
    rule->when_rest = std::move(rest_part).value();
  }
  rule->when_view = std::move(view_part).value();
  return Status::OK();
}

void DecisionConfig::AssignRuleMemo() {
  static std::atomic<uint64_t> last_id{0};
  memo_id = last_id.fetch_add(1, std::memory_order_relaxed) + 1;
  size_t next = 0;
  for (auto& [name, pl] : placements) {
    for (RuleSet* set : {&pl.live, pl.shadow ? &*pl.shadow : nullptr}) {
      if (set == nullptr) continue;
      for (Rule& r : set->rules) {
        r.memo_slot = r.when_view && next < RuleMemo::kSlots ? static_cast<int>(next++) : -1;
      }
    }
  }
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kContent: return "content";
    case ActionKind::kFlag: return "flag";
    case ActionKind::kExperiment: return "experiment";
    case ActionKind::kBandit: return "bandit";
    case ActionKind::kRecommend: return "recommend";
  }
  return "content";
}

bool Content::ReadsTime() const {
  for (const auto& [channel, v] : variants) {
    if (v.body && v.body->reads_time()) return true;
  }
  return false;
}

const Variant* Content::VariantFor(std::string_view channel) const {
  auto it = variants.find(channel);
  if (it == variants.end()) it = variants.find("default");
  return it == variants.end() ? nullptr : &it->second;
}

const Content* DecisionConfig::FindContent(std::string_view name) const {
  auto it = content.find(name);
  return it == content.end() ? nullptr : &it->second;
}
const Campaign* DecisionConfig::FindCampaign(std::string_view name) const {
  auto it = campaigns.find(name);
  return it == campaigns.end() ? nullptr : &it->second;
}
const Placement* DecisionConfig::FindPlacement(std::string_view name) const {
  auto it = placements.find(name);
  return it == placements.end() ? nullptr : &it->second;
}

// {recommend: NAME[, k: N][, filter: CONDITION]}: the provider reads k and the filter
// from Action::value; the filter is compiled here once to reject it early.
static Result<Action> ParseRecommendAction(const Json& def, const std::string& path,
                                    const DecisionConfig& config) {
  Action a;
  a.kind = ActionKind::kRecommend;
  a.value = Json::object();
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(path, key);
    if (key == "recommend") {
      if (!v.is_string() || config.recommenders.count(v.get<std::string>()) == 0) {
        return InvalidArgument("must name a recommender defined under recommenders", p);
      }
      a.ref = v.get<std::string>();
    } else if (key == "k") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 100) {
        return InvalidArgument("must be an integer in [1, 100]", p);
      }
      a.value["k"] = v;
    } else if (key == "filter") {
      auto c = condition::Condition::Compile(v);
      if (!c.ok()) {
        const std::string& sub = c.status().path();
        return InvalidArgument(c.status().message(), sub.empty() ? p : Join(p, sub));
      }
      a.value["filter"] = v;
    } else {
      return InvalidArgument("unknown field of a recommend action; use recommend, k, filter", p);
    }
  }
  return a;
}

Result<Action> ParseAction(const Json& def, std::string_view path_view, const DecisionConfig& config) {
  std::string path(path_view);
  if (def.is_object() && def.contains("recommend")) return ParseRecommendAction(def, path, config);
  if (!def.is_object() || def.size() != 1) {
    return InvalidArgument(
        "an action is one of {content: NAME}, {flag: VALUE}, {experiment: KEY}, "
        "{bandit: NAME}, {recommend: MODEL}",
        path);
  }
  // Not `*def.items().begin()`: that proxy is a temporary, and bindings to it dangle.
  const auto only = def.begin();
  const std::string& key = only.key();
  const Json& v = only.value();
  std::string p = Join(path, key);
  Action a;
  if (key == "content") {
    if (!v.is_string() || config.FindContent(v.get<std::string>()) == nullptr) {
      return InvalidArgument("must name content defined under content", p);
    }
    a.kind = ActionKind::kContent;
    a.ref = v.get<std::string>();
  } else if (key == "flag") {
    a.kind = ActionKind::kFlag;
    a.value = v;
  } else if (key == "experiment") {
    if (!v.is_string() || config.experiments.count(v.get<std::string>()) == 0) {
      return InvalidArgument("must name an experiment defined under experiments.definitions", p);
    }
    a.kind = ActionKind::kExperiment;
    a.ref = v.get<std::string>();
  } else if (key == "bandit") {
    // The seam for experiments, bandits and recommenders: each registers an
    // ActionProvider when its module lands; until then such rules are rejected here so
    // a config never promises an answer the engine cannot give.
    return InvalidArgument("the '" + key +
                               "' action is not available in this version; serve content or a "
                               "flag value",
                           p);
  } else {
    return InvalidArgument("unknown action '" + key + "'; use content, flag, experiment, bandit or recommend", p);
  }
  return a;
}

Json ActionToJson(const Action& a) {
  Json out = Json::object();
  switch (a.kind) {
    case ActionKind::kFlag: out["flag"] = a.value; break;
    case ActionKind::kRecommend:
      out = a.value.is_object() ? a.value : Json::object();
      out["recommend"] = a.ref;
      break;
    default: out[std::string(ActionKindName(a.kind))] = a.ref; break;
  }
  return out;
}

Result<Content> ParseContent(std::string_view name, const Json& def) {
  std::string base = Join("content", name);
  if (!def.is_object()) return InvalidArgument("content is {variants: {CHANNEL: {template: ...}}}", base);
  Content c;
  c.name = std::string(name);
  c.canonical = def;
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(base, key);
    if (key == "variants") {
      if (!v.is_object() || v.empty()) {
        return InvalidArgument("must map channels (web, app, email, push, default) to variants", p);
      }
      for (const auto& [channel, vd] : v.items()) {
        TAILOR_ASSIGN_OR_RETURN(auto variant, ParseVariant(vd, Join(p, channel)));
        c.variants.emplace(channel, std::move(variant));
      }
    } else if (key == "cap") {
      TAILOR_ASSIGN_OR_RETURN(c.cap, ParseCap(v, p));
      c.cap.key = "content:" + c.name;
    } else if (key == "description") {
      if (!v.is_string()) return InvalidArgument("must be a string", p);
    } else {
      return Unknown("content", key, "variants, cap, description", p);
    }
  }
  if (c.variants.empty()) return InvalidArgument("required: at least one variant", Join(base, "variants"));
  return c;
}

Result<Campaign> ParseCampaign(std::string_view name, const Json& def) {
  std::string base = Join("campaigns", name);
  if (!def.is_object()) return InvalidArgument("a campaign is {cap: {max: N, window: 1d}}", base);
  Campaign c;
  c.name = std::string(name);
  c.canonical = def;
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(base, key);
    if (key == "cap") {
      TAILOR_ASSIGN_OR_RETURN(c.cap, ParseCap(v, p));
      c.cap.key = "campaign:" + c.name;
    } else if (key == "description") {
      if (!v.is_string()) return InvalidArgument("must be a string", p);
    } else {
      return Unknown("campaign", key, "cap, description", p);
    }
  }
  return c;
}

Result<Placement> ParsePlacement(std::string_view name, const Json& def, const DecisionConfig& config) {
  std::string base = Join("placements", name);
  if (!def.is_object()) return InvalidArgument("a placement is {rules: [...], default: {content: NAME}}", base);
  Placement pl;
  pl.name = std::string(name);
  pl.canonical = def;
  Json rules;
  const Json* default_action = nullptr;
  for (const auto& [key, v] : def.items()) {
    std::string p = Join(base, key);
    if (key == "rules") {
      rules = v;
    } else if (key == "default") {
      default_action = &v;
    } else if (key == "enabled") {
      TAILOR_ASSIGN_OR_RETURN(pl.enabled, ParseBool(v, p));
    } else if (key == "priority") {
      TAILOR_ASSIGN_OR_RETURN(pl.priority, ParsePriority(v, p));
    } else if (key == "record_impressions") {
      TAILOR_ASSIGN_OR_RETURN(pl.record_impressions, ParseBool(v, p));
    } else if (key == "description") {
      if (!v.is_string()) return InvalidArgument("must be a string", p);
    } else if (key == "shadow") {
      if (!v.is_object()) return InvalidArgument("shadow is {rules: [...], default: ...}", p);
      for (const auto& [sk, sv] : v.items()) {
        if (sk != "rules" && sk != "default") return Unknown("shadow", sk, "rules, default", Join(p, sk));
      }
      auto sit = v.find("default");
      TAILOR_ASSIGN_OR_RETURN(pl.shadow, ParseRuleSet(v.value("rules", Json()),
                                                      sit == v.end() ? nullptr : &*sit, p, config));
    } else {
      return Unknown("placement", key, "rules, default, enabled, priority, record_impressions, shadow, description", p);
    }
  }
  TAILOR_ASSIGN_OR_RETURN(pl.live, ParseRuleSet(rules, default_action, base, config));
  for (RuleSet* set : {&pl.live, pl.shadow ? &*pl.shadow : nullptr}) {
    if (set == nullptr) continue;
    for (Rule& r : set->rules) {
      r.rollout_salt = pl.name + "/" + r.name;
      r.cap.key = "rule:" + r.rollout_salt;
    }
  }
  std::set<std::string> paths;
  CollectPaths(pl.live, &paths);
  if (pl.shadow) CollectPaths(*pl.shadow, &paths);
  pl.input_paths.assign(paths.begin(), paths.end());
  for (const std::string& p : pl.input_paths) {
    if (p == "context" || p.rfind("context.time", 0) == 0) pl.reads_time = true;
  }
  auto needs_time = [&](const Action& a) {
    if (a.kind != ActionKind::kContent && a.kind != ActionKind::kFlag) return true;  // provider picks
    const Content* c = a.kind == ActionKind::kContent ? config.FindContent(a.ref) : nullptr;
    return c != nullptr && c->ReadsTime();
  };
  pl.needs_time = pl.reads_time;
  for (const RuleSet* set : {&pl.live, pl.shadow ? &*pl.shadow : nullptr}) {
    if (set == nullptr) continue;
    for (const Rule& r : set->rules) pl.needs_time = pl.needs_time || needs_time(r.serve);
    if (set->default_action) pl.needs_time = pl.needs_time || needs_time(*set->default_action);
  }
  if (config.settings.global_default) pl.needs_time = pl.needs_time || needs_time(*config.settings.global_default);
  auto capped = [&](const Action& a) {
    const Content* c = a.kind == ActionKind::kContent ? config.FindContent(a.ref) : nullptr;
    return c != nullptr && c->cap.active();
  };
  for (const Rule& r : pl.live.rules) {
    const Campaign* c = r.campaign.empty() ? nullptr : config.FindCampaign(r.campaign);
    if (r.cap.active() || (c && c->cap.active()) || capped(r.serve)) pl.cacheable = false;
    // A recommendation list changes with the person's newest events and with every model
    // promotion, neither of which invalidates cached answers.
    if (r.serve.kind == ActionKind::kRecommend) pl.cacheable = false;
  }
  return pl;
}

Result<DecisionSettings> ParseDecisionSettings(const Json& def, const DecisionConfig& config) {
  DecisionSettings s;
  if (def.is_null()) return s;
  if (!def.is_object()) return InvalidArgument("must be a mapping", "decisions");
  s.canonical = def;
  auto duration = [](const Json& v, const std::string& p, int64_t min, int64_t max) -> Result<int64_t> {
    if (!v.is_string()) return InvalidArgument("must be a duration such as \"30s\"", p);
    auto ms = ParseDurationMs(v.get<std::string>());
    if (!ms.ok()) return ms.status().WithPathPrefix(p);
    if (*ms < min || *ms > max) {
      return InvalidArgument("must be between " + FormatDurationMs(min) + " and " + FormatDurationMs(max), p);
    }
    return *ms;
  };
  for (const auto& [key, v] : def.items()) {
    std::string p = Join("decisions", key);
    if (key == "global_default") {
      TAILOR_ASSIGN_OR_RETURN(s.global_default, ParseAction(v, p, config));
    } else if (key == "consent_purpose") {
      if (v.is_null()) {
        s.consent_purpose.clear();
      } else if (v.is_string()) {
        s.consent_purpose = v.get<std::string>();
      } else {
        return InvalidArgument("must be a consent purpose, or null for none", p);
      }
    } else if (key == "consent_by_default") {
      TAILOR_ASSIGN_OR_RETURN(s.consent_by_default, ParseBool(v, p));
    } else if (key == "view_ttl") {
      TAILOR_ASSIGN_OR_RETURN(s.view_ttl_ms, duration(v, p, 0, 3'600'000));
    } else if (key == "cache_ttl") {
      TAILOR_ASSIGN_OR_RETURN(s.cache_ttl_ms, duration(v, p, 0, 86'400'000));
    } else if (key == "time_budget") {
      TAILOR_ASSIGN_OR_RETURN(s.time_budget_ms, duration(v, p, 1, 60'000));
    } else {
      return Unknown("decisions", key,
                     "global_default, consent_purpose, consent_by_default, view_ttl, cache_ttl, "
                     "time_budget",
                     p);
    }
  }
  return s;
}

}  // namespace tailor::decision
