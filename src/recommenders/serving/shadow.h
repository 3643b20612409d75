// ShadowComparer: runs the shadow version of a recommender beside the live one, off the
// response path, and accumulates how the two differ.
//
// The service answers a request from the live version, then (for a sampled share of
// requests) Submit()s a closure that computes the shadow version's list for the same
// request. A worker thread runs the closures in order; a full queue drops the
// comparison (counted), so a slow shadow never slows serving. Per recommender the
// comparer keeps: requests sampled, compared, dropped and failed; the mean overlap@k
// (|live ∩ shadow| / max list length) and the mean Spearman rank correlation over the
// items both lists share (lists sharing at least two items); the live and shadow
// latencies of the last kLatencyWindow comparisons (p50, p99).
//
// Thread safety: all methods are safe for concurrent use. The destructor stops the
// worker after the closure it is running; queued ones are dropped.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"

namespace tailor::recommenders {

// How two lists of one request compare.
struct ListComparison {
  double overlap = 0;            // |A ∩ B| / max(|A|, |B|); 1 when both are empty
  double rank_correlation = 0;   // Spearman's rho over the shared items
  bool has_correlation = false;  // false when fewer than two items are shared
};

// Compares a live and a shadow list (ids, best first).
ListComparison CompareLists(const std::vector<std::string>& live,
                            const std::vector<std::string>& shadow);

class ShadowComparer {
 public:
  // Computes the shadow list (ids, best first) of one request.
  using ShadowFn = std::function<Result<std::vector<std::string>>()>;
  static constexpr size_t kLatencyWindow = 1024;

  explicit ShadowComparer(size_t queue_capacity = 256);
  ~ShadowComparer();
  ShadowComparer(const ShadowComparer&) = delete;
  ShadowComparer& operator=(const ShadowComparer&) = delete;

  // Queues the comparison of `live_ids` (answered in `live_micros`) with what `shadow`
  // computes, for `name` whose shadow is `shadow_version`. Returns false when the queue
  // is full (the comparison is dropped and counted).
  bool Submit(const std::string& name, uint64_t shadow_version, std::vector<std::string> live_ids,
              double live_micros, ShadowFn shadow);

  // Starts the statistics of `name` afresh for `shadow_version` (0 = no shadow).
  void Reset(const std::string& name, uint64_t shadow_version);

  // The statistics of `name` (see the class comment); all zero when nothing was
  // compared.
  Json Report(const std::string& name) const;

  // Waits until every queued comparison has run (tests, shutdown).
  void Drain();

 private:
  struct Stats {
    uint64_t shadow_version = 0;
    uint64_t sampled = 0, compared = 0, dropped = 0, errors = 0;
    double overlap_sum = 0, correlation_sum = 0;
    uint64_t correlation_n = 0;
    std::vector<double> live_micros, shadow_micros;  // rings of kLatencyWindow
    size_t next = 0;
    std::string last_error;
  };
  struct Job {
    std::string name;
    uint64_t shadow_version = 0;
    std::vector<std::string> live_ids;
    double live_micros = 0;
    ShadowFn shadow;
  };
  static Stats FreshStats(uint64_t shadow_version) {
    Stats s;
    s.shadow_version = shadow_version;
    return s;
  }
  void Loop();
  void Record(const Job& job, const Result<std::vector<std::string>>& shadow, double micros);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> queue_;                            // GUARDED_BY(mu_)
  bool running_ = false;                             // GUARDED_BY(mu_): a job is executing
  bool stopping_ = false;                            // GUARDED_BY(mu_)
  std::map<std::string, Stats, std::less<>> stats_;  // GUARDED_BY(mu_)
  std::thread worker_;
};

}  // namespace tailor::recommenders
