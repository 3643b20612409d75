#include "recommenders/serving/shadow.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace tailor::recommenders {
namespace {

using Ids = std::vector<std::string>;

TEST(CompareLists, OverlapAndSpearman) {
  auto same = CompareLists({"a", "b", "c"}, {"a", "b", "c"});
  EXPECT_DOUBLE_EQ(same.overlap, 1.0);
  EXPECT_TRUE(same.has_correlation);
  EXPECT_DOUBLE_EQ(same.rank_correlation, 1.0);
  auto reversed = CompareLists({"a", "b", "c"}, {"c", "b", "a"});
  EXPECT_DOUBLE_EQ(reversed.overlap, 1.0);
  EXPECT_DOUBLE_EQ(reversed.rank_correlation, -1.0);
  // Two of four shared, in the same order: overlap 0.5, rho 1 over the shared items.
  auto half = CompareLists({"a", "x", "b", "y"}, {"a", "b", "p", "q"});
  EXPECT_DOUBLE_EQ(half.overlap, 0.5);
  EXPECT_DOUBLE_EQ(half.rank_correlation, 1.0);
  // Three shared: ranks (0,1,2) vs (1,0,2): rho = 1 - 6*2/(3*8) = 0.5.
  auto swap = CompareLists({"a", "b", "c"}, {"b", "a", "c", "d"});
  EXPECT_DOUBLE_EQ(swap.overlap, 0.75);
  EXPECT_DOUBLE_EQ(swap.rank_correlation, 0.5);
  auto one = CompareLists({"a", "b"}, {"a", "z"});
  EXPECT_FALSE(one.has_correlation);
  EXPECT_DOUBLE_EQ(one.overlap, 0.5);
  EXPECT_DOUBLE_EQ(CompareLists({}, {}).overlap, 1.0);
  EXPECT_DOUBLE_EQ(CompareLists({"a"}, {}).overlap, 0.0);
}

TEST(ShadowComparer, AccumulatesReportsAndCountsErrors) {
  ShadowComparer c;
  c.Reset("m", 2);
  ASSERT_TRUE(c.Submit("m", 2, {"a", "b", "c"}, 100, [] {
    return Result<Ids>(Ids{"a", "b", "c"});
  }));
  ASSERT_TRUE(c.Submit("m", 2, {"a", "b", "c"}, 300, [] {
    return Result<Ids>(Ids{"c", "b", "a"});
  }));
  ASSERT_TRUE(c.Submit("m", 2, {"a"}, 200, [] { return Result<Ids>(NotFound("gone")); }));
  c.Drain();
  Json r = c.Report("m");
  EXPECT_EQ(r["sampled"], 3);
  EXPECT_EQ(r["compared"], 2);
  EXPECT_EQ(r["errors"], 1);
  EXPECT_EQ(r["dropped"], 0);
  EXPECT_DOUBLE_EQ(r["overlap_at_k"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r["rank_correlation"].get<double>(), 0.0);  // mean of 1 and -1
  EXPECT_EQ(r["live_latency_us"]["n"], 2);
  EXPECT_EQ(r["live_latency_us"]["p50"], 300.0);
  EXPECT_GE(r["shadow_latency_us"]["p99"].get<double>(), 0.0);
  EXPECT_NE(r["last_error"].get<std::string>().find("gone"), std::string::npos);
  // A new shadow version starts afresh; an unknown name reports zeros.
  c.Reset("m", 3);
  EXPECT_EQ(c.Report("m")["compared"], 0);
  EXPECT_TRUE(c.Report("m")["overlap_at_k"].is_null());
  EXPECT_EQ(c.Report("other")["sampled"], 0);
}

TEST(ShadowComparer, FullQueueDropsInsteadOfWaiting) {
  ShadowComparer c(/*queue_capacity=*/1);
  std::mutex mu;
  std::condition_variable cv;
  bool started = false, release = false;
  auto blocker = [&]() -> Result<Ids> {
    std::unique_lock<std::mutex> lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Ids{"a"};
  };
  ASSERT_TRUE(c.Submit("m", 1, {"a"}, 1, blocker));
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started; });  // the worker holds the first job
  }
  EXPECT_TRUE(c.Submit("m", 1, {"a"}, 1, [] { return Result<Ids>(Ids{"a"}); }));   // queued
  EXPECT_FALSE(c.Submit("m", 1, {"a"}, 1, [] { return Result<Ids>(Ids{"a"}); }));  // full
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  c.Drain();
  Json r = c.Report("m");
  EXPECT_EQ(r["sampled"], 3);
  EXPECT_EQ(r["dropped"], 1);
  EXPECT_EQ(r["compared"], 2);
}

}  // namespace
}  // namespace tailor::recommenders
