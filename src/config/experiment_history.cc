#include "config/experiment_history.h"

#include <algorithm>

namespace tailor::config {

Result<std::vector<ExperimentStatusChange>> ExperimentHistory(ConfigStore& store,
                                                              std::string_view key,
                                                              size_t max_versions) {
  TAILOR_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, store.History(max_versions));
  std::sort(versions.begin(), versions.end(),
            [](const VersionInfo& a, const VersionInfo& b) { return a.version < b.version; });
  std::vector<ExperimentStatusChange> out;
  std::string previous = "absent";
  for (const VersionInfo& v : versions) {
    TAILOR_ASSIGN_OR_RETURN(auto snapshot, store.Get(v.version));
    const auto* e = snapshot->experiments->Find(key);
    std::string status =
        e ? std::string(experiments::ExperimentStatusName(e->experiment.status)) : "absent";
    if (status != previous) {
      out.push_back({v.version, v.applied_at_ms, v.applied_by, previous, status, v.comment});
      previous = status;
    }
  }
  return out;
}

}  // namespace tailor::config
