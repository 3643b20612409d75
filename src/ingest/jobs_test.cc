#include "ingest/jobs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

std::shared_ptr<const IngestSnapshot> Snapshot(const char* window) {
  auto spec = profile::ParseFeatureSpec(
      "purchases", Json{{"type", "count"}, {"events", {"purchase"}}, {"window", window}}, nullptr);
  auto features = profile::FeatureSet::Build({*spec});
  auto seg = segments::ParseSegmentSpec(
      "buyers", Json::parse(R"({"condition":{"features.purchases":{"$gte":1}}})"));
  auto segs = segments::SegmentSet::Build({*seg}, features->get());
  auto base = IngestSnapshot::Build(IngestConfig{}, 1000);
  auto snap = std::make_shared<IngestSnapshot>(**base);
  snap->features = *features;
  snap->segments = *segs;
  return snap;
}

class JobsTest : public ::testing::Test {
 protected:
  void Send(int users, const IngestSnapshot& snap) {
    std::string body = "{\"events\":[";
    for (int u = 0; u < users; ++u) {
      body += std::string(u ? "," : "") + "{\"event_id\":\"e" + std::to_string(u) +
              "\",\"type\":\"purchase\",\"user_id\":\"u" + std::to_string(u) +
              "\",\"timestamp\":" + std::to_string(clock_.NowMs() - 1000) + "}";
    }
    body += "]}";
    auto r = pipeline_.IngestBody(&body, snap, "test");
    ASSERT_OK(r);
    ASSERT_EQ(r->accepted, static_cast<size_t>(users));
  }

  FakeClock clock_{1'800'000'000'000};
  SeededRandom random_{9};
  storage::MemoryStore store_{clock_};
  profile::ProfileStore profiles_{store_};
  identity::IdentityIndex identities_{store_};
  Pipeline pipeline_{store_, profiles_, identities_, clock_, random_, PipelineOptions{}};
  JobRunner jobs_{store_, pipeline_, clock_, random_};
};

TEST_F(JobsTest, BackfillRebuildsChangedFeaturesAndRecordsSizes) {
  auto v1 = Snapshot("30d");
  Send(150, *v1);  // more than one chunk of 64 profiles
  auto v2 = Snapshot("7d");
  EXPECT_TRUE(*jobs_.NeedsBackfill(*v2));
  auto id = jobs_.Start(v2, 2, /*recompute_features=*/true, "test");
  ASSERT_OK(id);
  std::optional<JobRecord> job;
  for (int i = 0; i < 500; ++i) {
    job = *jobs_.Get(*id);
    if (job && (job->state == "done" || job->state == "failed")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(job.has_value());
  ASSERT_EQ(job->state, "done") << job->error;
  EXPECT_EQ(job->done, 150u);
  EXPECT_FALSE(*jobs_.NeedsBackfill(*v2));
  auto pid = identities_.Lookup(identity::IdKind::kUser, "u7");
  auto p = profiles_.Load(**pid);
  EXPECT_TRUE(v2->features->Stale((*p)->features).empty());
  EXPECT_EQ(v2->features->Read((*p)->features, clock_.NowMs())["purchases"], 1);
  auto history = jobs_.SizeHistory("buyers", 10);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].second, 150u);
  EXPECT_EQ((*history)[0].first, clock_.NowMs());
}

TEST_F(JobsTest, RefreshExpiresWindowsAndHistoryGrows) {
  auto snap = Snapshot("1d");
  Send(10, *snap);
  ASSERT_OK(jobs_.RecordSegmentSizes(*snap));
  clock_.AdvanceMs(2 * 86'400'000LL);
  uint64_t seen = 0;
  ASSERT_OK(jobs_.RunNow(*snap, false, [&](uint64_t done, uint64_t) { seen = done; }));
  EXPECT_EQ(seen, 10u);
  ASSERT_OK(jobs_.RecordSegmentSizes(*snap));
  auto history = jobs_.SizeHistory("buyers", 10);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].second, 0u) << "newest first: everyone left after the window passed";
  EXPECT_EQ((*history)[1].second, 10u);
}

TEST(JobRunner, MarksJobsOfAStoppedProcessAsInterrupted) {
  FakeClock clock;
  SeededRandom random(1);
  storage::MemoryStore store(clock);
  profile::ProfileStore profiles(store);
  identity::IdentityIndex identities(store);
  Pipeline pipeline(store, profiles, identities, clock, random, PipelineOptions{});
  JobRecord stuck;
  stuck.id = "01STUCKJOB0000000000000000";
  stuck.kind = "feature_backfill";
  stuck.state = "running";
  stuck.created_at_ms = clock.NowMs();
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kJobs, stuck.id, stuck.ToJson());
  ASSERT_OK(store.Write(b));
  JobRunner jobs(store, pipeline, clock, random);
  auto r = jobs.Get(stuck.id);
  ASSERT_OK(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->state, "failed");
  EXPECT_NE((*r)->error.find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace tailor::ingest

namespace tailor::ingest {
namespace {

std::optional<JobRecord> WaitFinished(JobRunner& jobs, const std::string& id) {
  for (int i = 0; i < 1000; ++i) {
    auto job = jobs.Get(id);
    if (job.ok() && *job && ((*job)->state == "done" || (*job)->state == "failed")) return *job;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::nullopt;
}

TEST_F(JobsTest, TaskRunsInBackgroundWithProgressAndResult) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  auto id = jobs_.StartTask("model_train", "m", "test", [&](const TaskProgressFn& progress) {
    progress("fit", 0.5);
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    return Result<std::string>(std::string(R"({"version":3})"));
  });
  ASSERT_OK(id);
  // While it runs, the same task is not started twice; another subject is queued.
  auto again = jobs_.StartTask("model_train", "m", "test", [](const TaskProgressFn&) {
    return Result<std::string>(std::string("{}"));
  });
  ASSERT_OK(again);
  EXPECT_EQ(*again, *id);
  auto other = jobs_.StartTask("model_train", "n", "test", [](const TaskProgressFn&) {
    return Result<std::string>(InvalidArgument("empty training set", "events"));
  });
  ASSERT_OK(other);
  EXPECT_NE(*other, *id);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  auto done = WaitFinished(jobs_, *id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->done, done->total);
  auto j = Json::parse(done->ToJson());
  EXPECT_EQ(j["result"]["version"], 3);
  EXPECT_EQ(j["subject"], "m");
  EXPECT_EQ(j["progress"], 1.0);
  auto failed = WaitFinished(jobs_, *other);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->state, "failed");
  EXPECT_NE(failed->error.find("empty training set"), std::string::npos) << failed->error;
  // The record round-trips through its JSON form.
  auto back = JobRecord::FromJson(done->ToJson());
  ASSERT_OK(back);
  EXPECT_EQ(back->subject, "m");
  EXPECT_EQ(Json::parse(back->result)["version"], 3);
}

}  // namespace
}  // namespace tailor::ingest
