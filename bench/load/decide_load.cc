// tailor_decide_load: load generator for POST /v1/decide against a running `tailor serve`,
// and for the trivial route (GET /healthz) it is compared with in the same run.
//
// Closed loop (--rate 0): N connections send back to back; reports throughput
// (requests/s) at saturation.
// Open loop (--rate R): the N connections share a fixed schedule of R requests/s; each
// request's latency is measured from the time it was *scheduled*, not sent, so a slow
// answer that delays the next send counts against that request too (no coordinated
// omission, as in wrk2). Reports the achieved rate and p50/p99/p99.9/max.
//
// Output: one line of key=value pairs. Exit 1 when any request failed, 2 for bad flags.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/http_client.h"
#include "common/timeline.h"

namespace tailor::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string url = "http://127.0.0.1:8080";
  std::string key;
  std::string mode = "decide";
  int connections = 8;
  double duration_s = 10;
  double warmup_s = 2;
  double rate = 0;  // 0 = closed loop
  int users = 10'000;
  int placements = 10;
  uint64_t seed = 1;
  std::string timeline;  // when set: every measured request (common/timeline.h)
};

struct Result {
  std::vector<uint32_t> latencies_us;
  std::vector<TimelineRequest> timeline;  // the same requests, when --timeline is set
  uint64_t errors = 0;
  std::string first_error;
};

std::vector<std::string> Bodies(const Options& o, int stream) {
  std::mt19937_64 rng(o.seed * 1000 + stream);
  static const char* kDevices[] = {"mobile", "desktop", "tablet"};
  std::vector<std::string> out;
  for (int i = 0; i < 4096; ++i) {
    out.push_back("{\"user_id\":\"user-" + std::to_string(rng() % o.users) + "\",\"placements\":[\"p" +
                  std::to_string(rng() % o.placements) + "\"],\"context\":{\"device\":\"" +
                  kDevices[rng() % 3] + "\",\"geo\":{\"country\":\"NO\"},\"page\":\"/\"}}");
  }
  return out;
}

void Run(const Options& o, int stream, SteadyClock::time_point begin, SteadyClock::time_point measure_from,
         SteadyClock::time_point stop_at, Result* out) {
  auto client = cli::HttpClient::Create(o.url, o.key);
  if (!client.ok()) {
    out->errors = 1;
    out->first_error = client.status().message();
    return;
  }
  const bool decide = o.mode == "decide";
  const auto bodies = decide ? Bodies(o, stream) : std::vector<std::string>{""};
  // Open loop: this connection owns every connections-th slot of the global schedule.
  const double interval_us = o.rate > 0 ? 1e6 * o.connections / o.rate : 0;
  const auto offset = std::chrono::microseconds(static_cast<int64_t>(o.rate > 0 ? 1e6 * stream / o.rate : 0));
  out->latencies_us.reserve(1 << 18);
  for (uint64_t n = 0;; ++n) {
    auto scheduled = SteadyClock::now();
    if (o.rate > 0) {
      scheduled = begin + offset + std::chrono::microseconds(static_cast<int64_t>(n * interval_us));
      if (scheduled >= stop_at) break;
      std::this_thread::sleep_until(scheduled);
    } else if (scheduled >= stop_at) {
      break;
    }
    auto r = decide ? (*client)->Send(server::Method::kPost, "/v1/decide", bodies[n % bodies.size()])
                    : (*client)->Send(server::Method::kGet, "/healthz", "");
    const auto end = SteadyClock::now();
    if (!r.ok() || r->status != 200) {
      if (out->first_error.empty()) {
        out->first_error = r.ok() ? "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 300)
                                  : r.status().message();
      }
      ++out->errors;
      continue;
    }
    if (scheduled >= measure_from) {
      out->latencies_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(end - scheduled).count()));
      if (!o.timeline.empty()) out->timeline.push_back({scheduled, out->latencies_us.back()});
    }
  }
}

}  // namespace
}  // namespace tailor::bench

int main(int argc, char** argv) {
  using namespace tailor::bench;
  Options o;
  CLI::App app{"tailor_decide_load: load for POST /v1/decide or GET /healthz (see bench/load/run_decide_load.sh)"};
  app.add_option("--url", o.url, "Server URL");
  app.add_option("--key", o.key, "API key with the decide scope");
  app.add_option("--mode", o.mode, "decide or healthz")->check(CLI::IsMember({"decide", "healthz"}));
  app.add_option("--connections", o.connections, "Keep-alive connections (one thread each)")->check(CLI::Range(1, 512));
  app.add_option("--duration", o.duration_s, "Measured seconds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup_s, "Seconds before measuring")->check(CLI::NonNegativeNumber);
  app.add_option("--rate", o.rate, "Open loop: total requests/s on a fixed schedule (0: closed loop)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--users", o.users, "Users user-0..N-1 the requests name")->check(CLI::PositiveNumber);
  app.add_option("--placements", o.placements, "Placements p0..N-1 the requests name")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "Random seed");
  app.add_option("--timeline", o.timeline,
                 "Also write every measured request to this file: start (ms into the measured "
                 "window; the scheduled time in an open loop), latency (us), connection");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto begin = SteadyClock::now();
  auto measure_from = begin + std::chrono::microseconds(static_cast<int64_t>(o.warmup_s * 1e6));
  auto stop_at = measure_from + std::chrono::microseconds(static_cast<int64_t>(o.duration_s * 1e6));
  std::vector<Result> results(o.connections);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back(Run, std::cref(o), c, begin, measure_from, stop_at, &results[c]);
  }
  for (auto& t : threads) t.join();
  std::vector<uint32_t> all;
  uint64_t errors = 0;
  std::string first_error;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
    errors += r.errors;
    if (first_error.empty()) first_error = r.first_error;
  }
  if (!o.timeline.empty()) {
    std::vector<std::vector<TimelineRequest>> timeline;
    for (const auto& r : results) timeline.push_back(r.timeline);
    if (!WriteTimeline(o.timeline, measure_from, timeline)) return 2;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double q) { return all.empty() ? 0u : all[std::min(all.size() - 1, static_cast<size_t>(q * all.size()))]; };
  std::printf("mode=%s rate_target=%.0f connections=%d requests=%zu rps=%.0f p50_us=%u p99_us=%u p999_us=%u max_us=%u errors=%llu\n",
              o.mode.c_str(), o.rate, o.connections, all.size(), all.size() / o.duration_s, pct(0.5), pct(0.99),
              pct(0.999), all.empty() ? 0u : all.back(), static_cast<unsigned long long>(errors));
  if (errors) std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  return errors ? 1 : 0;
}
