// Services: what the HTTP handlers may call. Built by app/ (the composition root);
// handlers hold a reference and call one service method per request (STYLE.md rule 7).
#pragma once

#include <functional>
#include <memory>

#include "config/config_store.h"
#include "config/runtime.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "decision/engine.h"
#include "experiments/experiment_service.h"
#include "governance/api_keys.h"
#include "governance/rate_limiter.h"
#include "identity/identity_index.h"
#include "ingest/jobs.h"
#include "ingest/pipeline.h"
#include "profile/profile_store.h"
#include "recommenders/serving/catalog_store.h"
#include "recommenders/serving/rec_service.h"
#include "storage/kv_store.h"

namespace tailor::server {

struct Services {
  const Clock* clock = nullptr;
  storage::KvStore* store = nullptr;
  ingest::Pipeline* pipeline = nullptr;
  profile::ProfileStore* profiles = nullptr;
  identity::IdentityIndex* identities = nullptr;
  governance::ApiKeyStore* keys = nullptr;
  governance::RateLimiter* rate_limiter = nullptr;
  config::ConfigStore* configs = nullptr;
  Metrics* metrics = nullptr;
  ingest::JobRunner* jobs = nullptr;
  decision::DecisionEngine* decisions = nullptr;
  experiments::ExperimentService* experiments = nullptr;
  recommenders::CatalogStore* catalog = nullptr;
  recommenders::RecService* recs = nullptr;
  // The active runtime (never null once the server runs).
  std::function<std::shared_ptr<const config::Runtime>()> runtime;
  // Makes `snapshot` the active configuration (compiles it, swaps atomically).
  std::function<Status(std::shared_ptr<const config::ConfigSnapshot>)> activate;
  // False while starting up or draining.
  std::function<bool()> ready;
};

}  // namespace tailor::server
