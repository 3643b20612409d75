#include "ingest/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include "core/json_doc.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/failing_store.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

using testutil::FailingStore;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() { Configure({}); }

  void Configure(const IngestConfig& config) {
    auto snap = IngestSnapshot::Build(config, 1000);
    ASSERT_OK(snap);
    snapshot_ = *snap;
  }

  IngestOutcome Send(std::string body) {
    auto r = pipeline_.IngestBody(&body, *snapshot_, "test");
    EXPECT_OK(r);
    return r.ok() ? *r : IngestOutcome{};
  }

  std::string Ev(const std::string& id, const std::string& type, const std::string& ids, int64_t ts,
                 const std::string& extra = "") {
    return "{\"event_id\":\"" + id + "\",\"type\":\"" + type + "\"," + ids +
           ",\"timestamp\":" + std::to_string(ts) + extra + "}";
  }
  std::string Body(std::initializer_list<std::string> events) {
    std::string b = "{\"events\":[";
    bool first = true;
    for (const auto& e : events) {
      if (!first) b += ",";
      b += e;
      first = false;
    }
    return b + "]}";
  }

  // senders x batches x events request bodies; event(t, b, k) gives event k of sender t's
  // batch b, whose id must be unique.
  std::vector<std::vector<std::string>> Bodies(
      int senders, int batches, int events,
      const std::function<std::string(int, int, int)>& event) {
    std::vector<std::vector<std::string>> bodies(senders);
    for (int t = 0; t < senders; ++t) {
      for (int b = 0; b < batches; ++b) {
        std::string body = "{\"events\":[";
        for (int k = 0; k < events; ++k) body += (k ? "," : "") + event(t, b, k);
        bodies[t].push_back(body + "]}");
      }
    }
    return bodies;
  }
  static std::string EventId(int t, int b, int k) {
    return "t" + std::to_string(t) + "b" + std::to_string(b) + "k" + std::to_string(k);
  }
  int64_t EventTime(int t, int b, int k) const { return t0_ + t * 100'000 + b * 100 + k; }

  // Sends each sender's bodies in order on a thread of its own; returns the events accepted.
  uint64_t SendConcurrently(const std::vector<std::vector<std::string>>& bodies) {
    std::atomic<uint64_t> accepted{0};
    std::vector<std::thread> threads;
    for (const auto& own : bodies) {
      threads.emplace_back([&] {
        for (const std::string& body : own) accepted += Send(body).accepted;
      });
    }
    for (std::thread& th : threads) th.join();
    return accepted.load();
  }

  profile::Profile ProfileOf(identity::IdKind kind, const std::string& id) {
    auto pid = identities_.Lookup(kind, id);
    EXPECT_OK(pid);
    EXPECT_TRUE(pid->has_value()) << id;
    auto p = profiles_.Load(pid->value_or(""));
    EXPECT_OK(p);
    return p->value_or(profile::Profile{});
  }

  FakeClock clock_{1'800'000'000'000};
  SeededRandom random_{1};
  storage::MemoryStore memory_{clock_};
  FailingStore store_{memory_};
  profile::ProfileStore profiles_{store_};
  identity::IdentityIndex identities_{store_};
  Pipeline pipeline_{store_, profiles_, identities_, clock_, random_, PipelineOptions{}};
  std::shared_ptr<const IngestSnapshot> snapshot_;
  const int64_t t0_ = 1'800'000'000'000 - 3'600'000;
};

TEST_F(PipelineTest, StoresEventsAndBuildsProfile) {
  auto o = Send(Body({Ev("e1", "page_view", "\"user_id\":\"u1\"", t0_),
                      Ev("e2", "page_view", "\"user_id\":\"u1\"", t0_ + 1000),
                      Ev("e3", "page_view", "\"user_id\":\"u2\"", t0_)}));
  EXPECT_EQ(o.accepted, 3u);
  EXPECT_TRUE(o.rejected.empty());
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(p.event_count, 2u);
  EXPECT_EQ(p.session_count, 1u);
  EXPECT_EQ(p.first_seen_ms, t0_);
  EXPECT_EQ(p.last_seen_ms, t0_ + 1000);
  auto page = profiles_.Events(p.id, 10, std::nullopt);
  ASSERT_OK(page);
  ASSERT_EQ(page->stored.size(), 2u);
  auto newest = ParseJson(*StoredEventJson(page->stored[0]));
  EXPECT_EQ((*newest)["event_id"], "e2");
  EXPECT_EQ((*newest)["session_id"], p.session_id);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 3u);
}

TEST_F(PipelineTest, CountsWaitsForAnotherBatchesLocks) {
  // The second batch carries the same person while the first is writing (inside its
  // locks): it waits until the first commits, and the wait is counted.
  std::thread second;
  store_.before_next_write = [&] {
    second = std::thread([&] { Send(Body({Ev("e2", "click", "\"user_id\":\"u1\"", t0_ + 1)})); });
    // Long enough for the second batch to reach the locks (microseconds of work).
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  auto o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  second.join();
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(pipeline_.counters().lock_waits.load(), 1u);
  EXPECT_GE(pipeline_.counters().lock_wait_us.load(), 1000u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 2u)
      << "the second batch folded into the first batch's profile";
}

TEST_F(PipelineTest, ReResolvesAnIdentityMergedWhileWaitingForTheLocks) {
  Send(Body({Ev("e1", "page_view", "\"anonymous_id\":\"a1\"", t0_),
             Ev("e2", "page_view", "\"user_id\":\"u1\"", t0_)}));
  // While the identify below merges a1's profile into u1's (inside its write), another
  // batch for a1 resolves a1 to the profile being merged away, then waits for the locks.
  // It must resolve again once it has them and land in u1's profile.
  std::thread other;
  IngestOutcome other_outcome;
  store_.before_next_write = [&] {
    other = std::thread([&] {
      other_outcome = Send(Body({Ev("e4", "click", "\"anonymous_id\":\"a1\"", t0_ + 2000)}));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };
  auto o = Send(Body({Ev("e3", "identify", "\"user_id\":\"u1\",\"anonymous_id\":\"a1\"", t0_ + 1000)}));
  other.join();
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(other_outcome.accepted, 1u);
  EXPECT_TRUE(other_outcome.rejected.empty());
  auto user = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(ProfileOf(identity::IdKind::kAnonymous, "a1").id, user.id);
  EXPECT_EQ(user.event_count, 4u) << "both page views, the identify and the click";
  EXPECT_EQ(pipeline_.counters().merges.load(), 1u);
}

// Polls `done` for up to 10 s; false when it never held.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST_F(PipelineTest, StoresTheEventsOfFreePeopleWhileAnotherBatchHoldsOne) {
  // While the first batch writes u1's event (inside its locks), a second batch carries
  // u2, u1, u3, u1: u2's and u3's events are stored at once; u1's wait for the first
  // batch, then follow in request order.
  std::thread second;
  IngestOutcome second_outcome;
  bool stored_while_held = false;
  store_.before_next_write = [&] {
    second = std::thread([&] {
      second_outcome = Send(Body({Ev("e2", "click", "\"user_id\":\"u2\"", t0_ + 2),
                                  Ev("e3", "click", "\"user_id\":\"u1\"", t0_ + 3),
                                  Ev("e4", "click", "\"user_id\":\"u3\"", t0_ + 4),
                                  Ev("e5", "page_view", "\"user_id\":\"u1\"", t0_ + 5)}));
    });
    stored_while_held = Eventually([&] { return pipeline_.counters().batches_split.load() == 1; });
  };
  auto o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  second.join();
  EXPECT_TRUE(stored_while_held) << "u2 and u3 waited for u1's locks";
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(second_outcome.accepted, 4u);
  EXPECT_EQ(pipeline_.counters().batches.load(), 2u) << "a split call counts as one batch";
  // Its second part waits for u1 unless the first batch has finished by then.
  EXPECT_LE(pipeline_.counters().lock_waits.load(), 1u);
  auto u1 = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(u1.event_count, 3u);
  EXPECT_EQ(u1.last_seen_ms, t0_ + 5);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u2").event_count, 1u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u3").event_count, 1u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 5u);
}

TEST_F(PipelineTest, KeepsEventsSharingAnIdentityWithAWaitingEventTogether) {
  // The identify links a2 to u1, whose lock the first batch holds, so it waits; the click
  // of a2 after it must wait too (its own locks are free), or it would make a2 a profile
  // of its own that the identify then merges, out of request order.
  std::thread second;
  IngestOutcome second_outcome;
  bool split = false;
  store_.before_next_write = [&] {
    second = std::thread([&] {
      second_outcome =
          Send(Body({Ev("e2", "click", "\"user_id\":\"u2\"", t0_ + 2),
                     Ev("e3", "identify", "\"user_id\":\"u1\",\"anonymous_id\":\"a2\"", t0_ + 3),
                     Ev("e4", "click", "\"anonymous_id\":\"a2\"", t0_ + 4)}));
    });
    split = Eventually([&] { return pipeline_.counters().batches_split.load() == 1; });
  };
  Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  second.join();
  EXPECT_TRUE(split);
  EXPECT_EQ(second_outcome.accepted, 3u);
  EXPECT_EQ(pipeline_.counters().merges.load(), 0u) << "a2's click went before its identify";
  auto u1 = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(ProfileOf(identity::IdKind::kAnonymous, "a2").id, u1.id);
  EXPECT_EQ(u1.event_count, 3u);
}

TEST_F(PipelineTest, ARetryStoresWhatTheSecondWriteOfASplitBatchLost) {
  // The second write of a split call fails: the call fails, its first part stays stored,
  // and the client's retry stores the rest (the first part counts as duplicates).
  std::thread second;
  Result<IngestOutcome> failed = IngestOutcome{};
  std::string body = Body({Ev("e2", "click", "\"user_id\":\"u2\"", t0_ + 2),
                           Ev("e3", "click", "\"user_id\":\"u1\"", t0_ + 3),
                           Ev("e9", "segment_entered", "\"user_id\":\"u2\"", t0_ + 4)});
  store_.before_next_write = [&] {
    // Runs inside the second call's first write (after its failure check): every
    // later write of the second call fails; the first batch's write is already past it.
    store_.before_next_write = [&] { store_.fail = true; };
    second = std::thread([&] {
      std::string copy = body;
      failed = pipeline_.IngestBody(&copy, *snapshot_, "test");
    });
    Eventually([&] { return pipeline_.counters().batches_split.load() == 1; });
  };
  Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  second.join();
  EXPECT_FALSE(failed.ok());
  store_.fail = false;
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u2").event_count, 1u) << "the first part stayed";
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDeadLetters), 0u)
      << "the rejected event is dead-lettered with the last write, which failed";
  auto retry = Send(body);
  EXPECT_EQ(retry.accepted, 1u);
  EXPECT_EQ(retry.duplicates, 1u);
  ASSERT_EQ(retry.rejected.size(), 1u);
  EXPECT_EQ(retry.rejected[0].index, 2u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 2u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 3u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDeadLetters), 1u) << "dead-lettered once";
}

TEST_F(PipelineTest, TakesEveryLockTheBlockingWayWhenAnIdentityMovesWhileResolving) {
  // The first identity lookup reads the store; meanwhile an identity moves (a Forget
  // changes the generation), so what the first pass read may be stale: the batch takes
  // every lock the blocking way, resolves again and still stores everything.
  store_.after_next_get = [&] { identities_.Forget(identity::IdKind::kUser, "someone-else"); };
  auto o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_),
                      Ev("e2", "click", "\"user_id\":\"u2\"", t0_)}));
  EXPECT_EQ(o.accepted, 2u);
  EXPECT_EQ(pipeline_.counters().lock_free_fallbacks.load(), 1u);
  EXPECT_EQ(pipeline_.counters().batches_split.load(), 0u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 1u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u2").event_count, 1u);
  o = Send(Body({Ev("e3", "click", "\"user_id\":\"u1\"", t0_ + 1)}));
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(pipeline_.counters().lock_free_fallbacks.load(), 1u) << "nothing moved this time";
}

TEST_F(PipelineTest, ConcurrentBatchesOverSharedPeopleLoseAndRepeatNothing) {
  // Four senders, each 40 batches of 25 events over the same 30 people: most batches share
  // people with one in flight, so they split (LockFree) or wait. Every event must be
  // stored once, on its person, and a resent batch must be all duplicates.
  constexpr int kThreads = 4, kBatches = 40, kEvents = 25, kPeople = 30;
  std::map<std::string, uint64_t> sent;  // user -> events
  std::mt19937 rng(7);
  auto bodies = Bodies(kThreads, kBatches, kEvents, [&](int t, int b, int k) {
    std::string user = "u" + std::to_string(rng() % kPeople);
    ++sent[user];
    return Ev(EventId(t, b, k), "click", "\"user_id\":\"" + user + "\"", EventTime(t, b, k));
  });
  EXPECT_EQ(SendConcurrently(bodies), uint64_t{kThreads} * kBatches * kEvents);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), uint64_t{kThreads} * kBatches * kEvents);
  for (const auto& [user, n] : sent) {
    EXPECT_EQ(ProfileOf(identity::IdKind::kUser, user).event_count, n) << user;
  }
  auto again = Send(bodies[0][0]);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, uint64_t{kEvents});
  std::printf("split %llu of %d batches, %llu waited for locks\n",
              static_cast<unsigned long long>(pipeline_.counters().batches_split.load()),
              kThreads * kBatches,
              static_cast<unsigned long long>(pipeline_.counters().lock_waits.load()));
}

TEST_F(PipelineTest, ConcurrentIdentifiesMergeEveryPersonOnce) {
  // Four senders over 10 people, each known by a user id and an anonymous id: clicks by
  // user id, page views by anonymous id and identifies linking the two, in random order,
  // so anonymous profiles are created and merged while other batches resolve them. In the
  // end each person is one profile holding every one of their events.
  constexpr int kThreads = 4, kBatches = 30, kEvents = 20, kPeople = 10;
  std::vector<uint64_t> sent(kPeople, 0);
  std::vector<bool> identified(kPeople, false);
  std::mt19937 rng(11);
  auto bodies = Bodies(kThreads, kBatches, kEvents, [&](int t, int b, int k) {
    int i = static_cast<int>(rng() % kPeople);
    std::string u = "\"user_id\":\"u" + std::to_string(i) + "\"";
    std::string a = "\"anonymous_id\":\"a" + std::to_string(i) + "\"";
    ++sent[i];
    int kind = static_cast<int>(rng() % 5);
    if (kind < 2) return Ev(EventId(t, b, k), "click", u, EventTime(t, b, k));
    if (kind < 4) return Ev(EventId(t, b, k), "page_view", a, EventTime(t, b, k));
    identified[i] = true;
    return Ev(EventId(t, b, k), "identify", u + "," + a, EventTime(t, b, k));
  });
  EXPECT_EQ(SendConcurrently(bodies), uint64_t{kThreads} * kBatches * kEvents);
  for (int i = 0; i < kPeople; ++i) {
    SCOPED_TRACE("person " + std::to_string(i));
    ASSERT_TRUE(identified[i]);
    auto user = ProfileOf(identity::IdKind::kUser, "u" + std::to_string(i));
    EXPECT_EQ(ProfileOf(identity::IdKind::kAnonymous, "a" + std::to_string(i)).id, user.id);
    EXPECT_EQ(user.event_count, sent[i]);
  }
  EXPECT_LE(pipeline_.counters().merges.load(), uint64_t{kPeople}) << "a person merged twice";
  std::printf("%llu merges, split %llu of %d batches, %llu fell back to blocking\n",
              static_cast<unsigned long long>(pipeline_.counters().merges.load()),
              static_cast<unsigned long long>(pipeline_.counters().batches_split.load()),
              kThreads * kBatches,
              static_cast<unsigned long long>(pipeline_.counters().lock_free_fallbacks.load()));
}

TEST_F(PipelineTest, DeduplicatesWithinAndAcrossBatches) {
  auto o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_),
                      Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  EXPECT_EQ(o.accepted, 1u);
  EXPECT_EQ(o.duplicates, 1u);
  o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  EXPECT_EQ(o.accepted, 0u);
  EXPECT_EQ(o.duplicates, 1u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 1u);
  IngestConfig short_window;
  short_window.dedup_window_ms = 1000;
  Configure(short_window);
  clock_.AdvanceMs(2000);
  o = Send(Body({Ev("e1", "click", "\"user_id\":\"u1\"", t0_)}));
  EXPECT_EQ(o.accepted, 1u) << "outside the dedup window the id is new again";
}

TEST_F(PipelineTest, RejectsToDeadLettersAndReplaysAfterSchemaFix) {
  IngestConfig config;
  config.schemas["purchase"] =
      R"({"type":"object","required":["revenue"],"properties":{"revenue":{"type":"number"}}})";
  Configure(config);
  auto o = Send(
      Body({Ev("ok", "purchase", "\"user_id\":\"u1\"", t0_, ",\"properties\":{\"revenue\":5}"),
            Ev("bad", "purchase", "\"user_id\":\"u1\"", t0_, ",\"properties\":{\"revenue\":\"5\"}"),
            "{\"event_id\":\"x\"}"}));
  EXPECT_EQ(o.accepted, 1u);
  ASSERT_EQ(o.rejected.size(), 2u);
  EXPECT_EQ(o.rejected[0].index, 1u);
  EXPECT_EQ(o.rejected[0].error.path(), "events[1].properties.revenue");
  EXPECT_EQ(o.rejected[1].index, 2u);
  auto letters = pipeline_.dead_letters().List(10);
  ASSERT_OK(letters);
  ASSERT_EQ(letters->size(), 2u);

  IngestConfig fixed;
  fixed.schemas["purchase"] = R"({"type":"object"})";
  Configure(fixed);
  auto replay = pipeline_.ReplayDeadLetters({}, 100, *snapshot_);
  ASSERT_OK(replay);
  EXPECT_EQ(replay->replayed, 1u);
  EXPECT_EQ(replay->still_failing, 1u);
  letters = pipeline_.dead_letters().List(10);
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].event_id, "x");
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 2u);
}

TEST_F(PipelineTest, IdentifyMergesAnonymousHistoryIntoUser) {
  Send(Body({Ev("a1", "page_view", "\"anonymous_id\":\"anon\"", t0_),
             Ev("u1", "page_view", "\"user_id\":\"alice\"", t0_ + 10),
             Ev("a2", "identify", "\"anonymous_id\":\"anon\"", t0_ + 20,
                ",\"traits\":{\"theme\":\"dark\"}")}));
  auto anon_before = ProfileOf(identity::IdKind::kAnonymous, "anon");
  EXPECT_EQ(anon_before.event_count, 2u);
  auto o = Send(Body({Ev("i1", "identify", "\"user_id\":\"alice\",\"anonymous_id\":\"anon\"",
                         t0_ + 30, ",\"traits\":{\"plan\":\"pro\"}")}));
  EXPECT_EQ(o.accepted, 1u);
  auto by_user = ProfileOf(identity::IdKind::kUser, "alice");
  auto by_anon = ProfileOf(identity::IdKind::kAnonymous, "anon");
  EXPECT_EQ(by_user.id, by_anon.id);
  EXPECT_EQ(by_user.event_count, 4u);
  EXPECT_EQ(*ParseJson(by_user.traits_json), *ParseJson(R"({"theme":"dark","plan":"pro"})"));
  EXPECT_EQ(by_user.merged_from, std::vector<std::string>{anon_before.id});
  auto page = profiles_.Events(by_user.id, 10, std::nullopt);
  ASSERT_OK(page);
  EXPECT_EQ(page->stored.size(), 4u);
  EXPECT_FALSE(profiles_.Load(anon_before.id)->has_value());
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfiles), 1u);
}

TEST_F(PipelineTest, PreloadsOnlyTheProfilesItsEventsChange) {
  // A batch takes its profiles out of the cache before applying its events (Preload).
  // A profile taken is written back with a new version, so one no event changes must
  // not be taken: a duplicate's, or the anonymous id's of an event whose user id an
  // earlier event of the same batch links. (Preload runs when there are features.)
  auto views = profile::ParseFeatureSpec("views", Json{{"type", "count"}}, nullptr);
  ASSERT_OK(views);
  auto features = profile::FeatureSet::Build({*views});
  ASSERT_OK(features);
  auto snap = std::make_shared<IngestSnapshot>(*snapshot_);
  snap->features = *features;
  snapshot_ = snap;
  Send(Body({Ev("b1", "page_view", "\"user_id\":\"bob\"", t0_),
             Ev("x1", "page_view", "\"anonymous_id\":\"x\"", t0_)}));
  const auto bob = ProfileOf(identity::IdKind::kUser, "bob");
  const auto x = ProfileOf(identity::IdKind::kAnonymous, "x");
  auto o = Send(Body({Ev("b1", "page_view", "\"user_id\":\"bob\"", t0_),
                      Ev("c1", "identify", "\"user_id\":\"carol\",\"anonymous_id\":\"y\"", t0_ + 10),
                      Ev("c2", "page_view", "\"user_id\":\"carol\",\"anonymous_id\":\"x\"", t0_ + 20)}));
  EXPECT_EQ(o.duplicates, 1u);
  EXPECT_EQ(o.accepted, 2u);
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "bob").version, bob.version);
  EXPECT_EQ(ProfileOf(identity::IdKind::kAnonymous, "x").version, x.version);
  EXPECT_EQ(ProfileOf(identity::IdKind::kAnonymous, "x").event_count, 1u);
  const auto carol = ProfileOf(identity::IdKind::kUser, "carol");
  EXPECT_EQ(carol.event_count, 2u);
  EXPECT_NE(carol.id, x.id);
}

TEST_F(PipelineTest, ConsentGateDropsUntilGranted) {
  IngestConfig config;
  config.storage_purpose = "analytics";
  Configure(config);
  auto o = Send(Body({Ev("e1", "page_view", "\"user_id\":\"u1\"", t0_)}));
  EXPECT_EQ(o.accepted, 0u);
  EXPECT_EQ(o.consent_dropped, 1u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 0u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfiles), 0u);
  o = Send(Body({Ev("c1", "consent", "\"user_id\":\"u1\"", t0_ + 1,
                    ",\"consent\":{\"purposes\":{\"analytics\":true},\"source\":\"banner\"}"),
                 Ev("e2", "page_view", "\"user_id\":\"u1\"", t0_ + 2)}));
  EXPECT_EQ(o.accepted, 2u);
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_TRUE(p.HasConsent("analytics"));
  EXPECT_EQ(p.consents["analytics"].source, "banner");
  o = Send(Body({Ev("c2", "consent", "\"user_id\":\"u1\"", t0_ + 3,
                    ",\"consent\":{\"purposes\":{\"analytics\":false}}"),
                 Ev("e3", "page_view", "\"user_id\":\"u1\"", t0_ + 4)}));
  EXPECT_EQ(o.accepted, 0u);
  EXPECT_EQ(o.consent_dropped, 2u);
  EXPECT_FALSE(ProfileOf(identity::IdKind::kUser, "u1").HasConsent("analytics"));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 2u);
}

TEST_F(PipelineTest, SessionsSplitOnInactivityGap) {
  int64_t gap = 30 * 60'000;
  Send(Body({Ev("e1", "page_view", "\"user_id\":\"u1\"", t0_ - 3 * gap),
             Ev("e2", "page_view", "\"user_id\":\"u1\"", t0_ - 3 * gap + gap / 2),
             Ev("e3", "page_view", "\"user_id\":\"u1\"", t0_)}));
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(p.session_count, 2u);
  auto page = profiles_.Events(p.id, 10, std::nullopt);
  auto e3 = *ParseJson(*StoredEventJson(page->stored[0]));
  auto e2 = *ParseJson(*StoredEventJson(page->stored[1]));
  auto e1 = *ParseJson(*StoredEventJson(page->stored[2]));
  EXPECT_EQ(e1["session_id"], e2["session_id"]);
  EXPECT_NE(e2["session_id"], e3["session_id"]);
}

TEST_F(PipelineTest, SamplingKeepsAllOrNoneOfAUser) {
  IngestConfig config;
  config.sampling["page_view"] = 0.5;
  Configure(config);
  size_t kept_users = 0;
  for (int u = 0; u < 200; ++u) {
    std::string uid = "\"user_id\":\"user" + std::to_string(u) + "\"";
    auto o = Send(Body({Ev("a" + std::to_string(u), "page_view", uid, t0_),
                        Ev("b" + std::to_string(u), "page_view", uid, t0_ + 1),
                        Ev("c" + std::to_string(u), "purchase", uid, t0_ + 2)}));
    EXPECT_TRUE(o.sampled_out == 0 || o.sampled_out == 2);
    EXPECT_EQ(o.accepted + o.sampled_out, 3u);
    kept_users += o.sampled_out == 0;
  }
  EXPECT_GT(kept_users, 70u);
  EXPECT_LT(kept_users, 130u);
}

TEST_F(PipelineTest, FailedWriteAcknowledgesNothing) {
  store_.fail = true;
  std::string body = Body({Ev("e1", "page_view", "\"user_id\":\"u1\"", t0_)});
  auto r = pipeline_.IngestBody(&body, *snapshot_, "test");
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  store_.fail = false;
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), 0u);
  auto o = Send(body);
  EXPECT_EQ(o.accepted, 1u) << "the failed event is not a duplicate on retry";
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").event_count, 1u);
}

TEST_F(PipelineTest, MalformedBodyIsAWholeBatchError) {
  std::string body = "{\"events\": [";
  auto r = pipeline_.IngestBody(&body, *snapshot_, "test");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDeadLetters), 0u);
}

}  // namespace
}  // namespace tailor::ingest
