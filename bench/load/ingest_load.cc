// tailor_loadgen: a closed-loop load generator for a running `tailor serve`.
//
// --mode ingest: N connections (one thread each, HTTP/1.1 keep-alive) POST /v1/events
// back to back for --duration seconds after --warmup seconds. Bodies are built before
// the timed phase (BatchTemplate); each send only re-stamps the event ids, so the
// generator's own CPU use stays small (it shares the machine with the server).
// Reports events/s, batches/s, batch-ack latency p50/p90/p99/max, non-200 responses and
// the server's accepted/duplicate totals, which must add up to the events sent.
//
// --mode healthz: the same loop on GET /healthz, the trivial-route baseline that ingest
// figures are stated against (DESIGN.md §7).
//
// Exit status: 0 on success, 1 when any request failed or the totals do not match,
// 2 for bad flags.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/http_client.h"
#include "common/event_gen.h"
#include "common/timeline.h"
#include "core/clock.h"

namespace tailor::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct LoadOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string key;
  std::string mode = "ingest";
  int connections = 4;
  double duration_s = 10;
  double warmup_s = 2;
  int batch_size = 100;
  int users = 10'000;
  int templates = 32;
  uint64_t seed = 1;
  std::string timestamps = "now";  // now: stamped at send time; fixed: as built
  std::string event_ids = "ordered";  // ordered or random (EventGenOptions::random_ids)
  std::string timeline;            // when set: every measured request (common/timeline.h)
};

// What one connection saw. Only requests that *started* inside the measured window are
// counted in the throughput and latency figures; all are checked.
struct ConnectionResult {
  std::vector<uint32_t> latencies_us;  // measured window only
  std::vector<TimelineRequest> timeline;  // the same requests, when --timeline is set
  uint64_t batches = 0;                // measured window, status 200
  uint64_t events = 0;                 // measured window, status 200
  uint64_t sent_events_all = 0;        // every 200 response, warm-up included
  uint64_t accepted_all = 0;
  uint64_t duplicates_all = 0;
  uint64_t rejected_all = 0;
  uint64_t non_200 = 0;
  uint64_t transport_errors = 0;
  std::string first_error;
};

// Reads the unsigned integer after `"name":` in a small JSON response.
uint64_t JsonCount(std::string_view body, std::string_view name) {
  std::string needle = "\"" + std::string(name) + "\":";
  size_t pos = body.find(needle);
  if (pos == std::string_view::npos) return 0;
  uint64_t n = 0;
  for (size_t i = pos + needle.size(); i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) {
    n = n * 10 + static_cast<uint64_t>(body[i] - '0');
  }
  return n;
}

uint64_t CountOccurrences(std::string_view body, std::string_view needle) {
  uint64_t n = 0;
  for (size_t pos = body.find(needle); pos != std::string_view::npos;
       pos = body.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

void RunConnection(const LoadOptions& o, std::vector<BatchTemplate>* templates,
                   SteadyClock::time_point measure_from, SteadyClock::time_point stop_at,
                   ConnectionResult* out) {
  auto client = cli::HttpClient::Create(o.url, o.key);
  if (!client.ok()) {
    out->transport_errors = 1;
    out->first_error = client.status().message();
    return;
  }
  const bool ingest = o.mode == "ingest";
  const bool stamp_now = o.timestamps == "now";
  const SystemClock clock;
  const std::string empty;
  out->latencies_us.reserve(1 << 16);
  for (uint64_t n = 0;; ++n) {
    const auto start = SteadyClock::now();
    if (start >= stop_at) break;
    const std::string* body = &empty;
    size_t events = 0;
    if (ingest) {
      BatchTemplate& t = (*templates)[n % templates->size()];
      body = &t.Stamp(n, stamp_now ? clock.NowMs() : 0);
      events = t.events();
    }
    auto r = ingest ? (*client)->Send(server::Method::kPost, "/v1/events", *body)
                    : (*client)->Send(server::Method::kGet, "/healthz", *body);
    const auto end = SteadyClock::now();
    if (!r.ok()) {
      if (out->first_error.empty()) out->first_error = r.status().message();
      ++out->transport_errors;
      continue;
    }
    if (r->status != 200) {
      if (out->first_error.empty()) {
        out->first_error = "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 300);
      }
      ++out->non_200;
      continue;
    }
    if (ingest) {
      out->sent_events_all += events;
      out->accepted_all += JsonCount(r->body, "accepted");
      out->duplicates_all += JsonCount(r->body, "duplicates");
      uint64_t rejected = CountOccurrences(r->body, "\"index\":");
      if (rejected > 0 && out->first_error.empty()) {
        out->first_error = "events rejected: " + r->body.substr(0, 300);
      }
      out->rejected_all += rejected;
    }
    if (start >= measure_from) {
      out->latencies_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(end - start).count()));
      if (!o.timeline.empty()) out->timeline.push_back({start, out->latencies_us.back()});
      ++out->batches;
      out->events += events;
    }
  }
}

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
}

int Run(const LoadOptions& o) {
  const bool ingest = o.mode == "ingest";
  // Build every body before the clock starts.
  EventGenOptions g;
  g.batch_size = o.batch_size;
  g.users = o.users;
  g.now_ms = SystemClock().NowMs();
  g.random_ids = o.event_ids == "random";
  std::mt19937_64 rng(o.seed);
  // Distinct per invocation (time-based) so re-runs against one store are not duplicates.
  char run_id[16];
  std::snprintf(run_id, sizeof(run_id), "%08llx",
                static_cast<unsigned long long>((g.now_ms ^ rng()) & 0xffffffffULL));
  g.run_id = run_id;
  std::vector<std::vector<BatchTemplate>> templates(o.connections);
  size_t body_bytes = 0;
  if (ingest) {
    for (int c = 0; c < o.connections; ++c) {
      for (int i = 0; i < o.templates; ++i) {
        templates[c].emplace_back(g, c, rng);
        body_bytes += templates[c].back().body().size();
      }
    }
  }

  std::vector<ConnectionResult> results(o.connections);
  const auto t0 = SteadyClock::now();
  const auto seconds_to_duration = [](double s) {
    return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
  };
  const SteadyClock::time_point measure_from = t0 + seconds_to_duration(o.warmup_s);
  const SteadyClock::time_point stop_at = measure_from + seconds_to_duration(o.duration_s);
  {
    std::vector<std::jthread> threads;
    for (int c = 0; c < o.connections; ++c) {
      threads.emplace_back([&, c] {
        RunConnection(o, &templates[c], measure_from, stop_at, &results[c]);
      });
    }
  }
  // A request that started just before stop_at ends a little after it: measure over the
  // span the counted requests actually took.
  const double seconds = o.duration_s;

  ConnectionResult total;
  std::vector<uint32_t> lat;
  for (auto& r : results) {
    lat.insert(lat.end(), r.latencies_us.begin(), r.latencies_us.end());
    total.batches += r.batches;
    total.events += r.events;
    total.sent_events_all += r.sent_events_all;
    total.accepted_all += r.accepted_all;
    total.duplicates_all += r.duplicates_all;
    total.rejected_all += r.rejected_all;
    total.non_200 += r.non_200;
    total.transport_errors += r.transport_errors;
    if (total.first_error.empty()) total.first_error = r.first_error;
  }
  if (!o.timeline.empty()) {
    std::vector<std::vector<TimelineRequest>> timeline;
    for (const auto& r : results) timeline.push_back(r.timeline);
    if (!WriteTimeline(o.timeline, measure_from, timeline)) return 2;
  }
  std::sort(lat.begin(), lat.end());

  std::printf("mode=%s connections=%d duration=%.1fs warmup=%.1fs", o.mode.c_str(),
              o.connections, o.duration_s, o.warmup_s);
  if (ingest) std::printf(" timestamps=%s event_ids=%s", o.timestamps.c_str(), o.event_ids.c_str());
  if (ingest) {
    std::printf(" batch_size=%d users=%d avg_event_bytes=%.0f", o.batch_size, o.users,
                static_cast<double>(body_bytes) /
                    static_cast<double>(o.connections * o.templates * o.batch_size));
  }
  std::printf("\n");
  if (ingest) std::printf("events_per_s=%.0f ", static_cast<double>(total.events) / seconds);
  std::printf("requests_per_s=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
              static_cast<double>(total.batches) / seconds, Percentile(lat, 0.50),
              Percentile(lat, 0.90), Percentile(lat, 0.99), Percentile(lat, 1.0));
  std::printf("non_200=%llu transport_errors=%llu",
              static_cast<unsigned long long>(total.non_200),
              static_cast<unsigned long long>(total.transport_errors));
  if (ingest) {
    std::printf(" sent_events=%llu accepted=%llu duplicates=%llu rejected=%llu",
                static_cast<unsigned long long>(total.sent_events_all),
                static_cast<unsigned long long>(total.accepted_all),
                static_cast<unsigned long long>(total.duplicates_all),
                static_cast<unsigned long long>(total.rejected_all));
  }
  std::printf("\n");

  bool ok = total.non_200 == 0 && total.transport_errors == 0 && total.batches > 0;
  if (ingest) {
    ok = ok && total.rejected_all == 0 &&
         total.accepted_all + total.duplicates_all == total.sent_events_all;
  }
  if (!ok) {
    std::fprintf(stderr,
                 "FAILED: every request must succeed and accepted + duplicates must equal the "
                 "events sent. First error: %s\n",
                 total.first_error.empty() ? "(none; no requests completed?)"
                                           : total.first_error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tailor::bench

int main(int argc, char** argv) {
  tailor::bench::LoadOptions o;
  bool print_config = false;
  CLI::App app{
      "Closed-loop load generator for a running `tailor serve`: POST /v1/events batches (or GET "
      "/healthz) on N keep-alive connections, then print throughput, batch-ack latency "
      "percentiles and the server's accepted/duplicate totals. See docs/performance.md."};
  app.add_option("--url", o.url, "Server URL, http://HOST:PORT")->capture_default_str();
  app.add_option("--key", o.key, "API key with the events:write scope (env TAILOR_API_KEY)")
      ->envname("TAILOR_API_KEY");
  app.add_option("--mode", o.mode, "ingest: POST /v1/events; healthz: GET /healthz (baseline)")
      ->check(CLI::IsMember({"ingest", "healthz"}))
      ->capture_default_str();
  app.add_option("--connections", o.connections, "Concurrent keep-alive connections (threads)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--duration", o.duration_s, "Measured seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", o.warmup_s, "Seconds of load before measuring (not counted)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "Events per POST")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--users", o.users, "User population the events are spread over (uniform)")
      ->check(CLI::Range(1, 1'000'000'000))
      ->capture_default_str();
  app.add_option("--templates", o.templates,
                 "Pre-built bodies per connection (cycled; event ids re-stamped per send)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed for users and the run id")->capture_default_str();
  app.add_option("--timeline", o.timeline,
                 "Also write every measured request to this file: start (ms into the measured "
                 "window), latency (us), connection");
  app.add_option("--timestamps", o.timestamps,
                 "now: each event's timestamp is the send time minus its user's fixed "
                 "offset of up to 1 s, so a user's events arrive in time order as from one "
                 "device; fixed: the build time's, for the whole run (figures before "
                 "2026-12-06 evening)")
      ->check(CLI::IsMember({"now", "fixed"}))
      ->capture_default_str();
  app.add_option("--event-ids", o.event_ids,
                 "ordered: ids increase from batch to batch (time-ordered ids, ULID or "
                 "UUIDv7 style); random: every event's id falls at a random place in id "
                 "order, as UUIDv4 message ids (the usual SDK default) do")
      ->check(CLI::IsMember({"ordered", "random"}))
      ->capture_default_str();
  app.add_flag("--print-config", print_config,
               "Print a config file (JSON) with the schemas the generated events satisfy, "
               "for `tailor config apply`, and exit");
  CLI11_PARSE(app, argc, argv);
  if (print_config) {
    std::cout << tailor::bench::BenchConfigFile();
    return 0;
  }
  if (o.mode == "ingest" && o.key.empty()) {
    std::cerr << "error: --key (or TAILOR_API_KEY) is required for --mode ingest\n";
    return 2;
  }
  return tailor::bench::Run(o);
}
