// Durability of acknowledged events: a sustained import from two client threads, the
// server killed (SIGKILL) or stopped (SIGTERM) mid-stream, then restarted on the same data
// directory. Every acknowledged event must be stored exactly once, every batch must be
// all-or-nothing, and re-sending acknowledged batches must report only duplicates. Profiles
// are write-behind by default (profile_flush_interval 1 s), so a kill leaves profiles whose
// stored form lags: each profile's event_count must still match its stored events after
// the restart rebuilt them from the journal.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

constexpr int kThreads = 2;
constexpr int kUsers = 50;
constexpr int kBatchSize = 100;

std::string UserName(int u) { return "dur-user-" + std::to_string(u); }

// Posts batches of kBatchSize distinct events from kThreads threads until stopped or the
// server goes away, remembering every batch the server acknowledged in full.
class Load {
 public:
  explicit Load(std::string url) : url_(std::move(url)) {}
  ~Load() { Join(); }

  void Start() {
    for (int t = 0; t < kThreads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  // Tells the threads that the server is being stopped: failures are expected from now on.
  void ServerStopping() { stopping_ = true; }
  void Join() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  size_t acked() const { return acked_.load(); }
  size_t in_flight_failures() const { return transport_failures_.load(); }
  // Acknowledged batches: (batch prefix, body). Call after Join().
  const std::vector<std::pair<std::string, std::string>>& acked_batches() const { return batches_; }
  // Whether a thread saw something wrong (problems() has the details after Join()).
  bool failed() const { return failed_.load(); }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Run(int t) {
    ApiClient api(url_);
    for (int b = 0; !stop_; ++b) {
      std::string prefix = "d" + std::to_string(t) + "-" + std::to_string(b) + "-";
      std::vector<Json> events;
      events.reserve(kBatchSize);
      for (int i = 0; i < kBatchSize; ++i) {
        // Consecutive batches of a thread rotate over every user.
        events.push_back(MakeEvent(prefix + std::to_string(i), "page_view",
                                   UserName((b * kBatchSize + i + t * 7) % kUsers), "",
                                   {{"properties", {{"page", "/p/" + std::to_string(i)}}}}));
      }
      std::string body = BatchBody(events);
      Reply r = api.Post("/v1/events", body);
      if (r.status == -1) {  // the server is gone (killed, or closed while draining)
        ++transport_failures_;
        if (!stopping_) Problem("transport failure before the server was stopped: " + r.body);
        return;
      }
      bool full_ack = r.status == 200 && r.json["accepted"] == kBatchSize &&
                      r.json["duplicates"] == 0 && r.json["rejected"].empty();
      std::lock_guard<std::mutex> lock(mu_);
      if (full_ack) {
        batches_.emplace_back(prefix, std::move(body));
        ++acked_;
      } else if (!stopping_) {
        problems_.push_back("unexpected reply to batch " + prefix + ": " + r.Describe());
        failed_ = true;
        return;
      }
    }
  }

  void Problem(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    problems_.push_back(std::move(what));
    failed_ = true;
  }

  std::string url_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> acked_{0};
  std::atomic<size_t> transport_failures_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> batches_;  // GUARDED_BY(mu_)
  std::vector<std::string> problems_;                        // GUARDED_BY(mu_)
};

class IntegrationDurability : public ::testing::Test {
 protected:
  std::string DataDir() const { return (dir_.path() / "data").string(); }

  void StartServer() {
    auto s = TailorServer::Start(DataDir());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }

  // Runs the load for `duration` (and at least until 10 batches were acknowledged, so the
  // test always checks something), then calls `stop` with the load still running.
  void RunLoadThen(std::chrono::milliseconds duration, const std::function<void()>& stop) {
    load_ = std::make_unique<Load>(server_->url());
    load_->Start();
    auto start = std::chrono::steady_clock::now();
    auto deadline = start + duration + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline &&
           (std::chrono::steady_clock::now() - start < duration || load_->acked() < 10) &&
           !load_->failed()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the counters
    }
    load_->ServerStopping();
    stop();
    load_->Join();
    for (const auto& p : load_->problems()) ADD_FAILURE() << p;
    ASSERT_GE(load_->acked(), 10u) << "the load generator made too little progress";
    std::cerr << "[          ] acknowledged " << load_->acked() << " batches of " << kBatchSize
              << "; " << load_->in_flight_failures() << " requests failed in flight\n";
  }

  // Restarts the server on the same data directory and checks every acknowledged event.
  void VerifyAfterRestart() {
    StartServer();
    ApiClient api(server_->url());
    std::map<std::string, int> stored;  // event id -> copies
    size_t total = 0;
    for (int u = 0; u < kUsers; ++u) {
      std::vector<std::string> ids;
      Reply failure;
      Reply profile = api.Get("/v1/profiles/" + UserName(u));
      if (profile.status == 404) continue;  // no batch touching this user committed
      ASSERT_EQ(profile.status, 200) << profile.Describe();
      ASSERT_TRUE(CollectEventIds(api, UserName(u), &ids, &failure)) << failure.Describe();
      EXPECT_EQ(profile.json["event_count"], ids.size())
          << "profile counter and event log disagree for " << UserName(u);
      for (const auto& id : ids) ++stored[id];
      total += ids.size();
    }
    size_t missing = 0;
    for (const auto& [prefix, body] : load_->acked_batches()) {
      for (int i = 0; i < kBatchSize; ++i) {
        auto it = stored.find(prefix + std::to_string(i));
        if (it == stored.end()) {
          if (++missing <= 10) ADD_FAILURE() << "acknowledged event lost: " << prefix << i;
        }
      }
    }
    EXPECT_EQ(missing, 0u) << "acknowledged events lost after restart";
    // Nothing is stored twice, and every batch is all-or-nothing.
    std::map<std::string, int> per_batch;
    for (const auto& [id, copies] : stored) {
      EXPECT_EQ(copies, 1) << "event stored " << copies << " times: " << id;
      per_batch[id.substr(0, id.rfind('-') + 1)] += copies;
    }
    for (const auto& [prefix, n] : per_batch) {
      EXPECT_EQ(n, kBatchSize) << "batch " << prefix << " is partially stored";
    }
    EXPECT_GE(total, load_->acked() * kBatchSize);

    // Re-sending what was acknowledged is recognized as duplicates, all of it.
    size_t not_duplicate = 0;
    for (const auto& [prefix, body] : load_->acked_batches()) {
      Reply r = api.Post("/v1/events", body);
      if (r.status != 200 || r.json["duplicates"] != kBatchSize || r.json["accepted"] != 0) {
        if (++not_duplicate <= 5) ADD_FAILURE() << "re-sent batch " << prefix << ": " << r.Describe();
      }
    }
    EXPECT_EQ(not_duplicate, 0u);
  }

  testutil::TempDir dir_;
  std::unique_ptr<TailorServer> server_;
  std::unique_ptr<Load> load_;
};

TEST_F(IntegrationDurability, AcknowledgedEventsSurviveSigkill) {
  StartServer();
  int status = 0;
  RunLoadThen(std::chrono::seconds(3), [&] { status = server_->Kill(); });
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "server ended by " << DescribeWaitStatus(status) << " before it was killed; stderr:\n"
      << server_->process().Stderr();
  VerifyAfterRestart();
}

TEST_F(IntegrationDurability, SigtermDrainsAndExitsZero) {
  StartServer();
  std::optional<int> status;
  RunLoadThen(std::chrono::milliseconds(1500), [&] { status = server_->Stop(); });
  ASSERT_TRUE(status.has_value()) << "server did not exit within 20 s of SIGTERM";
  EXPECT_EQ(DescribeWaitStatus(*status), "exit 0") << server_->process().Stderr();
  VerifyAfterRestart();
}

TEST_F(IntegrationDurability, SigtermWithIdleKeepAliveConnectionExitsPromptly) {
  StartServer();
  ApiClient api(server_->url());
  ASSERT_EQ(api.Get("/healthz").status, 200);  // leaves an idle kept-alive connection
  auto start = std::chrono::steady_clock::now();
  // The drain timeout is 10 s; an idle connection must not hold the shutdown that long.
  std::optional<int> status = server_->Stop(std::chrono::seconds(5));
  ASSERT_TRUE(status.has_value()) << "an idle connection held the drain";
  EXPECT_EQ(DescribeWaitStatus(*status), "exit 0") << server_->process().Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace tailor::integration
