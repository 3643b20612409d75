// RecConfig: the `recommenders:` and `items:` configuration sections, parsed once per
// config version into an immutable object (reference: docs/recommendations.md "Serving").
//
//   recommenders:
//     for_you:
//       model: als
//       params: {factors: 64}
//       events: {view: 1, add_to_cart: 3, purchase: 5}
//       decay_half_life: 30d
//       retrain_every: 1h
//       shadow_sample: 0.2
//       serving:
//         boosts: [{when: {attributes.provider: acme}, multiplier: 1.5}]
//         mmr_lambda: 0.7        # or category_cap: 3
//         popularity_exponent: 0.3
//         provider_cap: 0.5
//   items:
//     sku1: {title: "Red shoe", categories: [shoes], tags: [red], attributes: {price: 30}}
//
// Thread safety: immutable once parsed; shared by all threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "condition/condition.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "recommenders/recommender.h"

namespace tailor::recommenders {

// A condition over an item document with a score multiplier (> 1 boosts, < 1 buries).
struct Boost {
  std::shared_ptr<const condition::Condition> when;
  double multiplier = 1.0;
};

// Re-ranking applied to a model's candidates before the top k is cut.
struct ServingOptions {
  std::vector<Boost> boosts;
  // MMR trade-off in (0, 1]: 1 = pure relevance; below 1 penalizes similarity (shared
  // categories) to items already picked. 1 = off.
  double mmr_lambda = 1.0;
  // At most this many items of one category in a list; 0 = no cap.
  int category_cap = 0;
  // Inverse-propensity re-weighting: score / popularity^exponent; 0 = off.
  double popularity_exponent = 0.0;
  // At most this share of a list from one `attributes.provider`; 1 = no cap.
  double provider_cap = 1.0;
  // Candidates taken from the model before re-ranking, as a multiple of k (>= 1).
  int candidate_factor = 5;
  Json canonical = Json::object();
};

// One named model of the `recommenders` section.
struct ModelSpec {
  std::string name;    // the section key ("for_you")
  std::string model;   // registry name ("als")
  ModelParams params;  // passed to CreateModel
  std::map<std::string, double, std::less<>> event_weights = {
      {"view", 1.0}, {"add_to_cart", 3.0}, {"purchase", 5.0}};
  // The event property naming the item ("item_id").
  std::string item_property = "item_id";
  // Weight decay half-life in seconds; 0 = off.
  double decay_half_life_seconds = 0;
  // Scheduled retraining interval in ms; 0 = only on demand.
  int64_t retrain_every_ms = 0;
  // Events of a user read when serving (history and exclusion), newest first.
  int history_events = 200;
  // Cold start: a user without history who is in one of these segments (first match in
  // this order) gets the items most popular among that segment's members at training
  // time, then global popularity. Empty: global popularity only.
  std::vector<std::string> cold_start_segments;
  // Share of requests in [0, 1] that also run the shadow version (when one is set), off
  // the response path; 0 = none.
  double shadow_sample = 1.0;
  ServingOptions serving;
  Json canonical = Json::object();
};

struct RecConfig {
  std::map<std::string, std::shared_ptr<const ModelSpec>, std::less<>> models;
  // Catalog entries from config: id -> item document {title, categories, tags, attributes}.
  std::map<std::string, Json, std::less<>> items;

  const ModelSpec* Find(std::string_view name) const {
    auto it = models.find(name);
    return it == models.end() ? nullptr : it->second.get();
  }
};

// Parses one `recommenders` entry. Errors are kInvalidArgument with the path inside the
// entry ("params.factor", "serving.boosts[0].when.$gtt"). The model name and parameters
// are checked against the registry.
Result<ModelSpec> ParseModelSpec(std::string_view name, const Json& def);

// Checks and normalizes one catalog entry ({title, categories, tags, attributes});
// the result carries "id". kInvalidArgument naming the member on bad input.
Result<Json> ParseItemDoc(std::string_view id, const Json& def);

}  // namespace tailor::recommenders
