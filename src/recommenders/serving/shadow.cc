#include "recommenders/serving/shadow.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

namespace tailor::recommenders {

ListComparison CompareLists(const std::vector<std::string>& live,
                            const std::vector<std::string>& shadow) {
  ListComparison c;
  const size_t longest = std::max(live.size(), shadow.size());
  if (longest == 0) {
    c.overlap = 1;
    return c;
  }
  std::unordered_map<std::string_view, size_t> shadow_rank;
  for (size_t i = 0; i < shadow.size(); ++i) shadow_rank.emplace(shadow[i], i);
  // Shared items in live order with their shadow positions; ranks are re-numbered
  // 0..n-1 within the shared items on both sides.
  std::vector<size_t> positions;
  for (const auto& id : live) {
    auto it = shadow_rank.find(id);
    if (it != shadow_rank.end()) positions.push_back(it->second);
  }
  const size_t n = positions.size();
  c.overlap = static_cast<double>(n) / static_cast<double>(longest);
  if (n < 2) return c;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return positions[a] < positions[b]; });
  std::vector<size_t> shadow_rank_of(n);
  for (size_t r = 0; r < n; ++r) shadow_rank_of[order[r]] = r;
  double d2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(i) - static_cast<double>(shadow_rank_of[i]);
    d2 += d * d;
  }
  const double nn = static_cast<double>(n);
  c.rank_correlation = 1.0 - 6.0 * d2 / (nn * (nn * nn - 1.0));
  c.has_correlation = true;
  return c;
}

ShadowComparer::ShadowComparer(size_t queue_capacity)
    : capacity_(queue_capacity), worker_([this] { Loop(); }) {}

ShadowComparer::~ShadowComparer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  worker_.join();
}

bool ShadowComparer::Submit(const std::string& name, uint64_t shadow_version,
                            std::vector<std::string> live_ids, double live_micros,
                            ShadowFn shadow) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Stats& s = stats_[name];
    if (s.shadow_version != shadow_version) s = FreshStats(shadow_version);
    ++s.sampled;
    if (queue_.size() >= capacity_) {
      ++s.dropped;
      return false;
    }
    queue_.push_back({name, shadow_version, std::move(live_ids), live_micros, std::move(shadow)});
  }
  cv_.notify_one();
  return true;
}

void ShadowComparer::Reset(const std::string& name, uint64_t shadow_version) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_[name] = FreshStats(shadow_version);
}

void ShadowComparer::Loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_ = true;
    }
    const auto started = std::chrono::steady_clock::now();
    auto shadow = job.shadow();
    const double micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count();
    Record(job, shadow, micros);
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_ = false;
    }
    idle_cv_.notify_all();
  }
}

void ShadowComparer::Record(const Job& job, const Result<std::vector<std::string>>& shadow,
                            double micros) {
  ListComparison c;
  if (shadow.ok()) c = CompareLists(job.live_ids, *shadow);
  std::lock_guard<std::mutex> lock(mu_);
  Stats& s = stats_[job.name];
  if (s.shadow_version != job.shadow_version) return;  // the shadow changed meanwhile
  if (!shadow.ok()) {
    ++s.errors;
    s.last_error = shadow.status().ToString();
    return;
  }
  ++s.compared;
  s.overlap_sum += c.overlap;
  if (c.has_correlation) {
    s.correlation_sum += c.rank_correlation;
    ++s.correlation_n;
  }
  if (s.live_micros.size() < kLatencyWindow) {
    s.live_micros.push_back(job.live_micros);
    s.shadow_micros.push_back(micros);
  } else {
    s.live_micros[s.next] = job.live_micros;
    s.shadow_micros[s.next] = micros;
    s.next = (s.next + 1) % kLatencyWindow;
  }
}

namespace {

Json Percentiles(std::vector<double> v) {
  if (v.empty()) return Json{{"p50", nullptr}, {"p99", nullptr}, {"n", 0}};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  return Json{{"p50", at(0.50)}, {"p99", at(0.99)}, {"n", v.size()}};
}

}  // namespace

Json ShadowComparer::Report(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stats_.find(name);
  const Stats empty;
  const Stats& s = it == stats_.end() ? empty : it->second;
  const double compared = static_cast<double>(s.compared);
  return Json{{"sampled", s.sampled},
              {"compared", s.compared},
              {"dropped", s.dropped},
              {"errors", s.errors},
              {"last_error", s.last_error.empty() ? Json(nullptr) : Json(s.last_error)},
              {"overlap_at_k", s.compared ? Json(s.overlap_sum / compared) : Json(nullptr)},
              {"rank_correlation",
               s.correlation_n ? Json(s.correlation_sum / static_cast<double>(s.correlation_n))
                               : Json(nullptr)},
              {"rank_correlation_lists", s.correlation_n},
              {"live_latency_us", Percentiles(s.live_micros)},
              {"shadow_latency_us", Percentiles(s.shadow_micros)}};
}

void ShadowComparer::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !running_; });
}

}  // namespace tailor::recommenders
