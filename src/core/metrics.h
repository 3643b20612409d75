// Metrics: a Prometheus registry of counters, gauges and histograms with label sets,
// rendered in the text exposition format 0.0.4 (served by GET /metrics).
//
// Hand-written on purpose: Debian 12 ships no prometheus-cpp package, and the subset
// Tailor needs (three metric types, labels, one text renderer) is small.
//
// Usage:
//   CounterFamily& requests = metrics.AddCounter("tailor_http_requests_total", "Requests.",
//                                                {"route", "code"});
//   Counter& ok = requests.WithLabels({"decide", "200"});  // keep the reference
//   ok.Inc();                                              // lock-free
//
// Thread safety: everything is safe for concurrent use. Bumping a child (Counter::Inc,
// Gauge::Set, Histogram::Observe) is a relaxed atomic operation, no lock. WithLabels takes
// a shared lock (exclusive only the first time a label set is seen); children are never
// removed, so references stay valid for the lifetime of the Metrics object. Registration
// and rendering take the registry mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tailor {

// A monotonically increasing value (Prometheus counter).
class Counter {
 public:
  // REQUIRES: v >= 0.
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (Prometheus gauge).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A distribution of observations in fixed buckets (Prometheus histogram).
class Histogram {
 public:
  // `bounds` are the finite, strictly increasing upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  // Records one observation. Lock-free: one bucket increment plus a sum update.
  void Observe(double v);

  // A consistent-enough copy for rendering and tests. counts[i] is the number of
  // observations in bucket i (non-cumulative); counts.back() is the +Inf bucket.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> counts;
    double sum = 0;
    uint64_t count = 0;  // sum of counts
  };
  Snapshot Snap() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 entries
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds suited to request latencies from 100 µs to 10 s.
std::vector<double> LatencyBucketsSeconds();

// One metric name with a fixed list of label names; owns one child per label set.
template <typename T>
class MetricFamily {
 public:
  MetricFamily(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  // Returns the child for `values` (one per label name, in order), creating it on first
  // use. The reference is valid for the lifetime of the registry.
  // REQUIRES: values.size() == label_names().size().
  T& WithLabels(const std::vector<std::string>& values);
  T& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::vector<std::string>(values.begin(), values.end()));
  }

  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls fn(label_values, child) for every child in label-value order (shared lock held).
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const;

 private:
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // GUARDED_BY(mu_)
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

// Appends text at render time, after the registered families. Used for values that live
// elsewhere (storage statistics): the collector appends complete exposition lines, for
// example with AppendPrometheusGauge. It runs under the registry mutex, so it must not
// call back into the Metrics object.
using MetricsCollector = std::function<void(std::string* out)>;

// Appends "# HELP", "# TYPE <name> gauge" and one sample line `name{labels} value`.
// `labels` are (name, value) pairs; values are escaped.
void AppendPrometheusGauge(std::string* out, std::string_view name, std::string_view help,
                           double value,
                           const std::vector<std::pair<std::string, std::string>>& labels = {});

// Formats a sample value: shortest round-trip decimal, "+Inf", "-Inf" or "NaN".
std::string FormatPrometheusValue(double v);

// True when `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no ':').
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a family and returns it; registering the same name again with the same type
  // and label names returns the existing family (so components may register idempotently).
  // REQUIRES: valid metric and label names; the name is not registered with another type,
  // other label names or other buckets (programmer errors: the process aborts).
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  // REQUIRES: `buckets` strictly increasing and finite.
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> buckets = LatencyBucketsSeconds());

  // Shorthands for metrics without labels.
  Counter& AddCounterNoLabels(std::string name, std::string help) {
    return AddCounter(std::move(name), std::move(help)).WithLabels(std::vector<std::string>{});
  }
  Gauge& AddGaugeNoLabels(std::string name, std::string help) {
    return AddGauge(std::move(name), std::move(help)).WithLabels(std::vector<std::string>{});
  }

  // Adds a collector run on every RenderPrometheus call, in registration order.
  void AddCollector(MetricsCollector collector);

  // Renders every family (sorted by name; children sorted by label values) followed by
  // the collectors' output, in text exposition format 0.0.4
  // (Content-Type: text/plain; version=0.0.4).
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> buckets;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  Family& Register(Type type, std::string name, std::string help,
                   std::vector<std::string> label_names, std::vector<double> buckets);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // GUARDED_BY(mu_)
  std::vector<MetricsCollector> collectors_;             // GUARDED_BY(mu_)
};

// ---- template implementation ----

namespace metrics_internal {
// Reports a WithLabels call with the wrong number of values and aborts (programmer error).
[[noreturn]] void LabelCountMismatch(size_t expected, size_t got);
}  // namespace metrics_internal

template <typename T>
T& MetricFamily<T>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    metrics_internal::LabelCountMismatch(label_names_.size(), values.size());
  }
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto& slot = children_[values];
  if (!slot) slot = make_();
  return *slot;
}

template <typename T>
void MetricFamily<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [values, child] : children_) fn(values, *child);
}

}  // namespace tailor
