// ConfigSnapshot: one immutable, validated configuration version. The server holds a
// std::shared_ptr<const ConfigSnapshot> and swaps it atomically on apply / rollback, so
// a change never blocks or tears a request. Later issues add sections here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "governance/rate_limit_config.h"
#include "ingest/ingest_config.h"
#include "condition/saved_groups.h"
#include "core/json_doc.h"
#include "decision/decision_config.h"
#include "experiments/experiment_set.h"
#include "profile/features.h"
#include "recommenders/serving/rec_config.h"
#include "segments/segment_set.h"

namespace tailor::config {

struct ConfigSnapshot {
  uint64_t version = 0;  // 0 = built-in defaults (nothing applied yet)
  std::string digest;    // SHA-256 of the canonical JSON form
  int64_t applied_at_ms = 0;
  std::string applied_by;  // API key id or "cli"
  std::map<std::string, std::string> files;  // file name -> YAML text, as applied

  ingest::IngestConfig ingest;
  governance::RateLimitConfig rate_limits;

  // Computed features (`features` section); never null.
  std::shared_ptr<const profile::FeatureSet> features;
  // Segments (`segments` section); never null.
  std::shared_ptr<const segments::SegmentSet> segments;
  // Named id lists for $inGroup / $notInGroup (`saved_groups` section); never null.
  std::shared_ptr<const condition::SavedGroups> saved_groups;
  Json saved_groups_json = Json::object();
  // Content, campaigns, placements and decision settings; never null.
  std::shared_ptr<const decision::DecisionConfig> decision =
      std::make_shared<const decision::DecisionConfig>();
  // Metrics, experiments and the global holdout (`metrics`, `experiments`); never null.
  std::shared_ptr<const experiments::ExperimentSet> experiments =
      std::make_shared<const experiments::ExperimentSet>();
  // Catalog items and named recommenders (`items`, `recommenders`); never null.
  std::shared_ptr<const recommenders::RecConfig> recommenders =
      std::make_shared<const recommenders::RecConfig>();
};

}  // namespace tailor::config
