// Writes a load generator's per-request timeline (tailor_loadgen and tailor_decide_load
// --timeline): one line per measured request, "start_ms latency_us connection", after a
// header with the measured window's start as Unix time, to line the file up with server
// logs (RocksDB's LOG, tailor's JSON lines). Stalls that hit every connection at once show
// as runs of large latencies at the same start times.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tailor::bench {

struct TimelineRequest {
  std::chrono::steady_clock::time_point start;
  uint32_t latency_us = 0;
};

// False (with a message on stderr) when `path` cannot be written.
bool WriteTimeline(const std::string& path, std::chrono::steady_clock::time_point measure_from,
                   const std::vector<std::vector<TimelineRequest>>& per_connection);

}  // namespace tailor::bench
