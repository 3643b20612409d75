#include "core/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/log.h"

namespace tailor {

namespace metrics_internal {

void LabelCountMismatch(size_t expected, size_t got) {
  LogError("metrics: WithLabels called with the wrong number of label values",
           {{"expected", std::to_string(expected)}, {"got", std::to_string(got)}});
  std::abort();
}

}  // namespace metrics_internal

namespace {

[[noreturn]] void Fatal(std::string_view msg, std::string_view name) {
  LogError(msg, {{"metric", std::string(name)}});
  std::abort();
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string* out, std::string_view s, bool quote) {
  for (char c : s) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '"':
        if (quote) {
          out->append("\\\"");
        } else {
          out->push_back(c);
        }
        break;
      default: out->push_back(c);
    }
  }
}

void AppendHeader(std::string* out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out->append("# HELP ").append(name).push_back(' ');
  AppendEscaped(out, help, /*quote=*/false);
  out->append("\n# TYPE ").append(name).push_back(' ');
  out->append(type).push_back('\n');
}

// Appends `{a="x",b="y"}` (nothing when there are no labels). `extra` is an additional
// pre-formatted pair such as le="0.5".
void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return;
  out->push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(names[i]).append("=\"");
    AppendEscaped(out, values[i], /*quote=*/true);
    out->push_back('"');
  }
  if (!extra.empty()) {
    if (!names.empty()) out->push_back(',');
    out->append(extra);
  }
  out->push_back('}');
}

void AppendSample(std::string* out, std::string_view name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, double v,
                  std::string_view extra = {}) {
  out->append(name);
  AppendLabels(out, names, values, extra);
  out->push_back(' ');
  out->append(FormatPrometheusValue(v));
  out->push_back('\n');
}

bool IsNameChar(char c, bool first, bool allow_colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (allow_colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsValidName(name, true); }

bool IsValidLabelName(std::string_view name) {
  // Names starting with "__" are reserved for Prometheus itself.
  return IsValidName(name, false) && name.substr(0, 2) != "__" && name != "le";
}

std::string FormatPrometheusValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits; plain decimal notation for the usual magnitudes (bucket
  // bounds such as 0.0001 read better than 1e-04), scientific beyond them.
  char buf[64];
  const double mag = std::fabs(v);
  const bool plain = v == 0 || (mag >= 1e-6 && mag < 1e15);
  auto [end, ec] = plain ? std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void AppendPrometheusGauge(std::string* out, std::string_view name, std::string_view help,
                           double value,
                           const std::vector<std::pair<std::string, std::string>>& labels) {
  AppendHeader(out, name, help, "gauge");
  std::vector<std::string> names, values;
  for (const auto& [n, v] : labels) {
    names.push_back(n);
    values.push_back(v);
  }
  AppendSample(out, name, names, values, value);
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // Buckets are few (~16); a linear scan beats binary search at this size and keeps NaN
  // (which compares false everywhere) in the +Inf bucket.
  size_t i = 0;
  while (i < bounds_.size() && !(v <= bounds_[i])) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.count += s.counts[i];
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

Metrics::Family& Metrics::Register(Type type, std::string name, std::string help,
                                   std::vector<std::string> label_names,
                                   std::vector<double> buckets) {
  if (!IsValidMetricName(name)) Fatal("metrics: invalid metric name", name);
  for (const auto& l : label_names) {
    if (!IsValidLabelName(l)) Fatal("metrics: invalid label name", name + " " + l);
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
      Fatal("metrics: histogram buckets must be finite and strictly increasing", name);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    const Family& f = it->second;
    if (f.type != type || f.label_names != label_names || f.buckets != buckets) {
      Fatal("metrics: metric registered twice with a different type, labels or buckets", name);
    }
    return it->second;
  }
  Family f;
  f.type = type;
  f.help = std::move(help);
  f.label_names = label_names;
  f.buckets = buckets;
  switch (type) {
    case Type::kCounter:
      f.counter = std::make_unique<CounterFamily>(
          std::move(label_names), [] { return std::make_unique<Counter>(); });
      break;
    case Type::kGauge:
      f.gauge = std::make_unique<GaugeFamily>(std::move(label_names),
                                              [] { return std::make_unique<Gauge>(); });
      break;
    case Type::kHistogram:
      f.histogram = std::make_unique<HistogramFamily>(
          std::move(label_names), [b = std::move(buckets)] {
            return std::make_unique<Histogram>(b);
          });
      break;
  }
  return families_.emplace(std::move(name), std::move(f)).first->second;
}

CounterFamily& Metrics::AddCounter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  return *Register(Type::kCounter, std::move(name), std::move(help), std::move(label_names), {})
              .counter;
}

GaugeFamily& Metrics::AddGauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  return *Register(Type::kGauge, std::move(name), std::move(help), std::move(label_names), {})
              .gauge;
}

HistogramFamily& Metrics::AddHistogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  return *Register(Type::kHistogram, std::move(name), std::move(help), std::move(label_names),
                   std::move(buckets))
              .histogram;
}

void Metrics::AddCollector(MetricsCollector collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& entry : families_) {
    // Plain references, not structured bindings: clang 14 cannot capture bindings in lambdas.
    const std::string& name = entry.first;
    const auto& f = entry.second;
    switch (f.type) {
      case Type::kCounter:
        AppendHeader(&out, name, f.help, "counter");
        f.counter->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
          AppendSample(&out, name, f.label_names, values, c.Value());
        });
        break;
      case Type::kGauge:
        AppendHeader(&out, name, f.help, "gauge");
        f.gauge->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
          AppendSample(&out, name, f.label_names, values, g.Value());
        });
        break;
      case Type::kHistogram: {
        AppendHeader(&out, name, f.help, "histogram");
        const std::string bucket_name = name + "_bucket";
        const std::string sum_name = name + "_sum";
        const std::string count_name = name + "_count";
        f.histogram->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
          Histogram::Snapshot s = h.Snap();
          uint64_t cumulative = 0;
          for (size_t i = 0; i <= s.bounds.size(); ++i) {
            cumulative += s.counts[i];
            std::string le = "le=\"";
            le += i < s.bounds.size() ? FormatPrometheusValue(s.bounds[i]) : "+Inf";
            le += '"';
            AppendSample(&out, bucket_name, f.label_names, values,
                         static_cast<double>(cumulative), le);
          }
          AppendSample(&out, sum_name, f.label_names, values, s.sum);
          AppendSample(&out, count_name, f.label_names, values, static_cast<double>(s.count));
        });
        break;
      }
    }
  }
  for (const auto& collect : collectors_) collect(&out);
  return out;
}

}  // namespace tailor
