// The lifecycle of an experiment across configuration versions: every version in which
// its status changed (draft -> running -> stopped, added, removed), with who applied
// that version and when. Read from the stored versions, so it is as tamper-evident as
// they are (GET /v1/experiments/{key}/history).
//
// Thread safety: as ConfigStore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config_store.h"

namespace tailor::config {

struct ExperimentStatusChange {
  uint64_t version = 0;
  int64_t applied_at_ms = 0;
  std::string applied_by;
  std::string from;  // "absent", "draft", "running", "stopped"
  std::string to;
  std::string comment;  // the version's comment ("rollback to v3")
};

// Oldest first. Considers at most the newest `max_versions` versions.
Result<std::vector<ExperimentStatusChange>> ExperimentHistory(ConfigStore& store,
                                                              std::string_view key,
                                                              size_t max_versions = 1000);

}  // namespace tailor::config
