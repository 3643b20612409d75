#include "common/timeline.h"

#include <cstdio>

namespace tailor::bench {

bool WriteTimeline(const std::string& path, std::chrono::steady_clock::time_point measure_from,
                   const std::vector<std::vector<TimelineRequest>>& per_connection) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
    return false;
  }
  using Ms = std::chrono::duration<double, std::milli>;
  double unix_now = Ms(std::chrono::system_clock::now().time_since_epoch()).count();
  double since_start = Ms(std::chrono::steady_clock::now() - measure_from).count();
  std::fprintf(f, "# measured window starts at %.3f ms Unix time\n", unix_now - since_start);
  for (size_t c = 0; c < per_connection.size(); ++c) {
    for (const TimelineRequest& r : per_connection[c]) {
      std::fprintf(f, "%.3f %u %zu\n", Ms(r.start - measure_from).count(), r.latency_us, c);
    }
  }
  return std::fclose(f) == 0;
}

}  // namespace tailor::bench
