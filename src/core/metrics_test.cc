#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace tailor {
namespace {

TEST(Metrics, CounterWithLabelsRenders) {
  Metrics m;
  CounterFamily& f = m.AddCounter("tailor_requests_total", "Requests served.", {"route", "code"});
  Counter& ok = f.WithLabels({"decide", "200"});
  ok.Inc();
  ok.Inc(2);
  f.WithLabels({"events", "400"}).Inc();
  EXPECT_EQ(&ok, &f.WithLabels({"decide", "200"}));
  EXPECT_EQ(ok.Value(), 3);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP tailor_requests_total Requests served.\n"
            "# TYPE tailor_requests_total counter\n"
            "tailor_requests_total{route=\"decide\",code=\"200\"} 3\n"
            "tailor_requests_total{route=\"events\",code=\"400\"} 1\n");
}

TEST(Metrics, GaugeWithoutLabels) {
  Metrics m;
  Gauge& g = m.AddGaugeNoLabels("tailor_in_flight", "In flight.");
  g.Inc();
  g.Inc();
  g.Dec();
  g.Set(g.Value() + 0.5);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP tailor_in_flight In flight.\n"
            "# TYPE tailor_in_flight gauge\n"
            "tailor_in_flight 1.5\n");
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics m;
  HistogramFamily& f = m.AddHistogram("lat_seconds", "Latency.", {"route"}, {0.5, 1});
  Histogram& h = f.WithLabels({"a"});
  h.Observe(0.25);
  h.Observe(0.5);  // le is inclusive
  h.Observe(0.75);
  h.Observe(7);
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"a\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{route=\"a\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"a\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{route=\"a\"} 8.5\n"
            "lat_seconds_count{route=\"a\"} 4\n");
}

TEST(Metrics, HistogramWithoutLabelsHasOnlyLe) {
  Metrics m;
  m.AddHistogram("h", "H.", {}, {1}).WithLabels(std::vector<std::string>{}).Observe(2);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("h_bucket{le=\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_sum 2\nh_count 1\n"), std::string::npos) << text;
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Metrics m;
  m.AddCounter("c", "line1\nback\\slash \"q\"", {"l"}).WithLabels({"a\"b\\c\nd"}).Inc();
  EXPECT_EQ(m.RenderPrometheus(),
            "# HELP c line1\\nback\\\\slash \"q\"\n"
            "# TYPE c counter\n"
            "c{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, RegisteringTwiceReturnsSameFamily) {
  Metrics m;
  CounterFamily& a = m.AddCounter("x_total", "X.", {"k"});
  CounterFamily& b = m.AddCounter("x_total", "X.", {"k"});
  EXPECT_EQ(&a, &b);
}

TEST(Metrics, FamiliesSortedThenCollectors) {
  Metrics m;
  m.AddCounterNoLabels("b_total", "B.").Inc();
  m.AddCounterNoLabels("a_total", "A.").Inc();
  m.AddCollector([](std::string* out) {
    AppendPrometheusGauge(out, "tailor_storage_bytes", "Bytes.", 1024, {{"cf", "profiles"}});
  });
  std::string text = m.RenderPrometheus();
  size_t a = text.find("a_total 1");
  size_t b = text.find("b_total 1");
  size_t s = text.find("# TYPE tailor_storage_bytes gauge\n"
                       "tailor_storage_bytes{cf=\"profiles\"} 1024\n");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(s, std::string::npos) << text;
  EXPECT_LT(a, b);
  EXPECT_LT(b, s);
}

TEST(Metrics, FormatValue) {
  EXPECT_EQ(FormatPrometheusValue(0), "0");
  EXPECT_EQ(FormatPrometheusValue(0.0001), "0.0001");
  EXPECT_EQ(FormatPrometheusValue(2.5), "2.5");
  EXPECT_EQ(FormatPrometheusValue(1e21), "1e+21");
  EXPECT_EQ(FormatPrometheusValue(1e-9), "1e-09");
  EXPECT_EQ(FormatPrometheusValue(123456789), "123456789");
  EXPECT_EQ(FormatPrometheusValue(-0.5), "-0.5");
  EXPECT_EQ(FormatPrometheusValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPrometheusValue(std::nan("")), "NaN");
}

TEST(Metrics, NameValidation) {
  EXPECT_TRUE(IsValidMetricName("tailor_http:requests_total"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("route"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__name"));
  EXPECT_FALSE(IsValidLabelName("le"));
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Metrics m;
  CounterFamily& f = m.AddCounter("n_total", "N.", {"t"});
  Histogram& h = m.AddHistogram("d", "D.", {}).WithLabels(std::vector<std::string>{});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& mine = f.WithLabels({std::to_string(t % 2)});
      for (int i = 0; i < kPerThread; ++i) {
        mine.Inc();
        h.Observe(0.001);
        if (i % 1000 == 0) (void)m.RenderPrometheus();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(f.WithLabels({"0"}).Value() + f.WithLabels({"1"}).Value(), kThreads * kPerThread);
  EXPECT_EQ(h.Snap().count, static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace tailor
