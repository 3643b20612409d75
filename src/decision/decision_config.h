// The decision configuration: content, campaigns, placements with their rules, and the
// `decisions` settings. Parsed once per config version into an immutable object the
// engine reads without locks (reference: docs/decisions.md).
//
//   content:
//     vip_hero: {variants: {web: {template: "Welcome back, {{traits.first_name}}"}}}
//   placements:
//     home_hero:
//       rules:
//         - {name: vip, when: {"segments": {"$elemMatch": {"$eq": "vip"}}}, serve: {content: vip_hero}}
//       default: {content: generic_hero}
//
// Thread safety: a built DecisionConfig is immutable and shared by all threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "condition/condition.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "decision/template.h"

namespace tailor::decision {

// "at most `max` impressions per user per `window_ms`"; inactive when max == 0.
struct CapSpec {
  int max = 0;
  int64_t window_ms = 0;
  // The impression key the cap counts ("content:NAME", "rule:PLACEMENT/RULE",
  // "campaign:NAME"), built once at parse time.
  std::string key;
  bool active() const { return max > 0; }
};

struct Variant {
  std::shared_ptr<const Template> body;  // null when the variant has no template
  Json value;                            // optional structured payload (null when absent)
};

struct Content {
  std::string name;
  // By channel ("web", "app", "email", "push"); "default" serves any other channel.
  std::map<std::string, Variant, std::less<>> variants;
  CapSpec cap;
  Json canonical;

  // Some variant's template reads the time of day.
  bool ReadsTime() const;
  // The variant for `channel` (exact, then "default"); nullptr when there is none.
  const Variant* VariantFor(std::string_view channel) const;
};

// A campaign groups rules across placements and channels under one shared cap
// ("at most one promotion per user per day across email and push").
struct Campaign {
  std::string name;
  CapSpec cap;
  Json canonical;
};

enum class ActionKind : uint8_t { kContent, kFlag, kExperiment, kBandit, kRecommend };
std::string_view ActionKindName(ActionKind kind);

// What a rule (or a default) serves. Content and flag are built in; the others are
// resolved by an ActionProvider registered for their kind (action_provider.h).
struct Action {
  ActionKind kind = ActionKind::kContent;
  std::string ref;   // content name, experiment key, model name ...
  Json value;        // flag value; provider parameters
};

struct Rule {
  std::string name;
  int priority = 0;
  bool enabled = true;       // kill switch
  double rollout = 1.0;      // fraction of users (deterministic by profile) in [0, 1]
  std::string rollout_salt;  // "PLACEMENT/RULE": hashed with the user for the rollout
  std::shared_ptr<const condition::Condition> when;  // never null ({} matches all)
  // `when` in two parts that hold together exactly when it does (SplitWhen): its
  // top-level entries that read only the person (no "context" path), and the others
  // (null: none). The person's part answers the same for every decision on one view, so
  // its answer is kept in the view (RuleMemo) and evaluated once per view instead of once
  // per decision. Null `when_view` (no such entry): `when` is evaluated as it is.
  std::shared_ptr<const condition::Condition> when_view;
  std::shared_ptr<const condition::Condition> when_rest;
  // This rule's slot in a view's RuleMemo (DecisionConfig::AssignRuleMemo); -1: none.
  int memo_slot = -1;
  Action serve;
  std::string campaign;      // "" when none
  CapSpec cap;
};

struct RuleSet {
  std::vector<Rule> rules;  // in evaluation order: priority descending, then file order
  std::optional<Action> default_action;
};

struct Placement {
  std::string name;
  bool enabled = true;  // kill switch: when false the placement serves its default
  int priority = 0;     // resolution order among the placements of one request
  bool record_impressions = true;
  // Answers may be cached: no rule, content or campaign on the way is capped (a capped
  // answer depends on impressions, which change with every decision) and no rule serves
  // a recommendation (which depends on the newest events and the live model).
  bool cacheable = true;
  // Some rule reads context.time: cached answers are keyed by the minute as well.
  bool reads_time = false;
  // Deciding needs context.time: a rule or a template that may be served reads it (or
  // an action provider picks the content). Otherwise the engine skips computing it.
  bool needs_time = false;
  RuleSet live;
  // Evaluated beside the live rules, logged, never served.
  std::optional<RuleSet> shadow;
  // Attribute paths the rules (live and shadow) read: logged with every decision so
  // it can be explained and replayed.
  std::vector<std::string> input_paths;
  Json canonical;
};

struct DecisionSettings {
  std::optional<Action> global_default;
  // Consent purpose needed for personalized answers; "" = none needed.
  std::string consent_purpose = "personalization";
  // Whether a profile that never decided on consent_purpose counts as granted.
  bool consent_by_default = false;
  // How long features and segments computed for a decision may be reused (as-of-now
  // staleness bound); profile changes invalidate earlier.
  int64_t view_ttl_ms = 60'000;
  // Rendered answers are cached per user, placement and context for this long.
  int64_t cache_ttl_ms = 30'000;
  // Per-request time budget; placements not reached in time get their default.
  int64_t time_budget_ms = 50;
  Json canonical = Json::object();
};

class DecisionConfig {
 public:
  DecisionSettings settings;
  std::map<std::string, Content, std::less<>> content;
  std::map<std::string, Campaign, std::less<>> campaigns;
  std::map<std::string, Placement, std::less<>> placements;
  // Keys of the experiments defined under `experiments` (rules may serve them).
  std::set<std::string, std::less<>> experiments;
  // Names of the recommenders defined under `recommenders` (rules may serve them).
  std::set<std::string, std::less<>> recommenders;

  // Names this config's RuleMemo slots (0: none assigned), unique in the process.
  uint64_t memo_id = 0;

  const Content* FindContent(std::string_view name) const;
  const Campaign* FindCampaign(std::string_view name) const;
  const Placement* FindPlacement(std::string_view name) const;

  // Gives every rule with a person's part (Rule::when_view), live and shadow, a slot of
  // RuleMemo while slots last, under a new memo_id. Call once the placements are final;
  // a config whose rules change afterwards must call it again.
  void AssignRuleMemo();
};

// Sets rule->when, when_view and when_rest from the condition `when` (see Rule).
// Errors are the condition compiler's, with paths inside `when`.
Status CompileWhen(const Json& when, const condition::CompileOptions& options, Rule* rule);

// Parsers for one entry each. Errors are kInvalidArgument with the JSON path of the
// problem ("placements.home_hero.rules[0].when.$gtt"). Placement parsing checks that
// named content and campaigns exist in `config` (so parse content and campaigns first).
Result<Content> ParseContent(std::string_view name, const Json& def);
Result<Campaign> ParseCampaign(std::string_view name, const Json& def);
Result<Placement> ParsePlacement(std::string_view name, const Json& def,
                                 const DecisionConfig& config);
Result<DecisionSettings> ParseDecisionSettings(const Json& def, const DecisionConfig& config);

// Parses an action object ({content: x} | {flag: v} | {experiment: k} | ...).
Result<Action> ParseAction(const Json& def, std::string_view path, const DecisionConfig& config);
Json ActionToJson(const Action& a);

}  // namespace tailor::decision
