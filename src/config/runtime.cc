#include "config/runtime.h"

namespace tailor::config {

Result<std::shared_ptr<const Runtime>> Runtime::Build(std::shared_ptr<const ConfigSnapshot> config,
                                                      size_t max_batch_events) {
  auto r = std::make_shared<Runtime>();
  TAILOR_ASSIGN_OR_RETURN(auto ingest, ingest::IngestSnapshot::Build(config->ingest, max_batch_events));
  auto snap = std::make_shared<ingest::IngestSnapshot>(*ingest);
  snap->features = config->features;
  snap->segments = config->segments;
  snap->saved_groups = config->saved_groups;
  r->ingest = std::move(snap);
  r->config = std::move(config);
  return std::shared_ptr<const Runtime>(std::move(r));
}

}  // namespace tailor::config
