// Write-behind of profiles (PipelineOptions::write_behind, profile_journal.h): deferred
// profiles are served from the cache, written by FlushProfiles, and rebuilt exactly from
// the journal after a crash or a failed write.
#include <gtest/gtest.h>

#include <thread>

#include "core/json_doc.h"
#include "ingest/pipeline.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/failing_store.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

using testutil::FailingStore;

// One process's view of the data directory: caches, identity index and pipeline. A
// "crash" is dropping it without FlushProfiles and building a new one on the same store.
struct Process {
  Process(storage::KvStore& store, Clock& clock, Random& random, size_t max_recent_ids)
      : profiles(store), identities(store),
        pipeline(store, profiles, identities, clock, random,
                 PipelineOptions{.sync_writes = false, .write_behind = true, .max_recent_ids = max_recent_ids}) {}
  profile::ProfileStore profiles;
  identity::IdentityIndex identities;
  Pipeline pipeline;
};

class WriteBehindTest : public ::testing::Test {
 protected:
  WriteBehindTest() {
    std::vector<profile::FeatureSpec> fs;
    Json defs = Json::parse(R"({
      "purchases": {"type": "count", "events": ["purchase"]},
      "revenue": {"type": "sum", "events": ["purchase"], "field": "properties.revenue"},
      "last_category": {"type": "last", "events": ["page_view"], "field": "properties.category"}})");
    for (auto it = defs.begin(); it != defs.end(); ++it) {
      auto spec = profile::ParseFeatureSpec(it.key(), it.value(), nullptr);
      EXPECT_OK(spec);
      fs.push_back(*spec);
    }
    auto features = profile::FeatureSet::Build(fs);
    EXPECT_OK(features);
    std::vector<segments::SegmentSpec> ss;
    auto big = segments::ParseSegmentSpec(
        "big_spender", Json::parse(R"({"condition": {"features.revenue": {"$gte": 100}}})"));
    EXPECT_OK(big);
    ss.push_back(*big);
    auto segs = segments::SegmentSet::Build(ss, features->get());
    EXPECT_OK(segs);
    auto base = IngestSnapshot::Build(IngestConfig{}, 1000);
    EXPECT_OK(base);
    auto snap = std::make_shared<IngestSnapshot>(**base);
    snap->features = *features;
    snap->segments = *segs;
    snapshot_ = snap;
    Restart();
  }

  // Drops the process state without flushing (a crash) and recovers.
  void Restart() {
    process_.reset();
    process_ = std::make_unique<Process>(store_, clock_, random_, max_recent_ids_);
    auto r = process_->pipeline.Recover(*snapshot_);
    ASSERT_OK(r);
    recovered_ = *r;
  }

  // The stored dedup value of `event_id`, "" when absent.
  std::string StoredDedup(const std::string& event_id) {
    auto v = memory_.Get(storage::Keyspace::kDedup, event_id);
    EXPECT_OK(v);
    return v->value_or("");
  }
  size_t Duplicates(const std::string& events) {
    auto r = Send(events);
    EXPECT_OK(r);
    return r.ok() ? r->duplicates : 0;
  }

  Result<IngestOutcome> Send(const std::string& events) {
    std::string body = "{\"events\":[" + events + "]}";
    return process_->pipeline.IngestBody(&body, *snapshot_, "test");
  }
  void SendOk(const std::string& events) {
    auto r = Send(events);
    ASSERT_OK(r);
    for (const auto& rej : r->rejected) ADD_FAILURE() << rej.error.ToString();
  }

  std::string Ev(const std::string& id, const std::string& type, const std::string& user,
                 int64_t ts, const std::string& extra = "") {
    return "{\"event_id\":\"" + id + "\",\"type\":\"" + type + "\",\"user_id\":\"" + user +
           "\",\"timestamp\":" + std::to_string(ts) + extra + "}";
  }

  std::string Pid(const std::string& user) {
    auto pid = process_->identities.Lookup(identity::IdKind::kUser, user);
    EXPECT_OK(pid);
    return pid->value_or("");
  }
  // `user`'s profile with every store read failing: what the cache alone holds.
  profile::Profile CachedOnly(const std::string& user) {
    store_.fail_reads = true;
    profile::Profile p = Cached(user);
    store_.fail_reads = false;
    return p;
  }
  profile::Profile Cached(const std::string& user) {
    auto p = process_->profiles.Load(Pid(user));
    EXPECT_OK(p);
    return p->value_or(profile::Profile{});
  }
  profile::Profile Stored(const std::string& user) {
    auto raw = store_.Get(storage::Keyspace::kProfiles, storage::ProfilePrefix(Pid(user)));
    EXPECT_OK(raw);
    auto p = profile::DecodeProfile(raw->value_or("{}"));
    return p.ok() ? *p : profile::Profile{};
  }
  // The stored form without the bookkeeping that legitimately differs after a rebuild.
  static std::string Canonical(profile::Profile p) {
    p.version = 0;
    p.applied_seq = 0;
    p.updated_at_ms = 0;
    return profile::EncodeProfile(p);
  }

  FakeClock clock_{1'800'000'000'000};
  SeededRandom random_{7};
  storage::MemoryStore memory_{clock_};
  FailingStore store_{memory_};
  std::shared_ptr<const IngestSnapshot> snapshot_;
  std::unique_ptr<Process> process_;
  size_t recovered_ = 0;
  size_t max_recent_ids_ = PipelineOptions{}.max_recent_ids;  // dedup write-behind off
  const int64_t t0_ = 1'800'000'000'000 - 36'000'000;
};

TEST_F(WriteBehindTest, DeferredProfilesAreServedFromCacheUntilFlushed) {
  SendOk(Ev("e1", "page_view", "u1", t0_, R"(,"properties":{"category":"shoes"})"));
  // A new profile is written at once (identity links point at it).
  EXPECT_EQ(Stored("u1").event_count, 1u);
  SendOk(Ev("e2", "purchase", "u1", t0_ + 1000, R"(,"properties":{"revenue":20})"));
  EXPECT_EQ(Cached("u1").event_count, 2u);
  EXPECT_EQ(Stored("u1").event_count, 1u) << "the second change is left to the flush";
  // Two entries: the first batch's is empty (it only records that its number was used).
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfileJournal), 2u);
  EXPECT_EQ(process_->profiles.UnstoredCount(), 1u);

  auto flushed = process_->pipeline.FlushProfiles();
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 1u);
  EXPECT_EQ(Canonical(Stored("u1")), Canonical(Cached("u1")));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfileJournal), 0u) << "truncated";
  EXPECT_EQ(process_->profiles.UnstoredCount(), 0u);
  EXPECT_EQ(process_->pipeline.counters().profiles_deferred.load(), 1u);
}

TEST_F(WriteBehindTest, CrashRecoveryRebuildsExactlyTheAcknowledgedProfiles) {
  SendOk(Ev("a1", "identify", "u1", t0_, R"(,"traits":{"plan":"pro"})") + "," +
         Ev("b1", "page_view", "u2", t0_));
  // Many small batches over two sessions (the 30-minute gap), traits, consent, features.
  for (int i = 0; i < 20; ++i) {
    int64_t ts = t0_ + i * 60'000 + (i >= 10 ? 3'600'000 : 0);
    std::string n = std::to_string(i);
    SendOk(Ev("p" + n, "purchase", "u1", ts, R"(,"properties":{"revenue":3})") + "," +
           Ev("v" + n, "page_view", "u2", ts, ",\"properties\":{\"category\":\"c" + n + "\"}"));
  }
  SendOk(Ev("a2", "identify", "u1", t0_ + 7'000'000, R"(,"traits":{"city":"Oslo"})") + "," +
         Ev("c1", "consent", "u2", t0_ + 7'000'000, R"(,"consent":{"purposes":{"marketing":true},"source":"banner"})"));
  std::string u1 = Canonical(Cached("u1"));
  std::string u2 = Canonical(Cached("u2"));
  ASSERT_NE(Canonical(Stored("u1")), u1) << "the test needs unstored changes";
  EXPECT_EQ(Cached("u1").event_count, 22u);
  EXPECT_EQ(Cached("u1").session_count, 3u);  // the last identify came after a gap

  Restart();  // no flush: the cache is lost
  EXPECT_EQ(recovered_, 2u);
  EXPECT_EQ(Canonical(Stored("u1")), u1) << "rebuilt and written by Recover";
  EXPECT_EQ(Canonical(Stored("u2")), u2);
  EXPECT_EQ(Canonical(Cached("u1")), u1);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfileJournal), 0u);

  // Numbering continues after the restart, so new batches replay after a second crash.
  SendOk(Ev("p99", "purchase", "u1", t0_ + 8'000'000, R"(,"properties":{"revenue":3})"));
  u1 = Canonical(Cached("u1"));
  Restart();
  EXPECT_EQ(recovered_, 1u);
  EXPECT_EQ(Canonical(Cached("u1")), u1);
  EXPECT_EQ(Cached("u1").event_count, 23u);
}

// A batch whose profiles are all written at once (a new profile) still uses a journal
// number, recorded by its (empty) entry: after a crash numbering continues above it, so
// a later deferred change of that profile is not mistaken for one already stored.
TEST_F(WriteBehindTest, SequenceNumbersNeverRepeatAcrossCrashes) {
  SendOk(Ev("e1", "page_view", "u9", t0_));  // new profile: stored with its batch
  Restart();
  SendOk(Ev("e2", "page_view", "u9", t0_ + 1));  // deferred
  Restart();
  EXPECT_EQ(Cached("u9").event_count, 2u);
  EXPECT_EQ(Stored("u9").event_count, 2u);
}

TEST_F(WriteBehindTest, ReplayTakesMembershipFromTheIndexAndNeverEntersTwice) {
  SendOk(Ev("p1", "purchase", "u1", t0_, R"(,"properties":{"revenue":60})"));
  SendOk(Ev("p2", "purchase", "u1", t0_ + 1, R"(,"properties":{"revenue":60})"));
  // Entering big_spender wrote the membership index and a segment_entered event; the
  // profile itself stayed unstored.
  EXPECT_EQ(Cached("u1").segments.count("big_spender"), 1u);
  EXPECT_EQ(Stored("u1").segments.count("big_spender"), 0u);
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kSegmentMembers), 1u);
  std::string before = Canonical(Cached("u1"));
  size_t events_before = memory_.CountKeys(storage::Keyspace::kEvents);
  Restart();
  EXPECT_EQ(Canonical(Cached("u1")), before) << "membership and entry time from the index";
  // A later event re-evaluates big_spender: still in, so no second segment_entered.
  SendOk(Ev("p3", "purchase", "u1", t0_ + 2, R"(,"properties":{"revenue":60})"));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kEvents), events_before + 1);
  EXPECT_EQ(Cached("u1").event_count, 3u);
}

TEST_F(WriteBehindTest, FailedWriteRebuildsTheDeferredState) {
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "page_view", "u1", t0_ + 1));  // deferred: only in the cache
  store_.fail = true;
  auto failed = Send(Ev("e3", "page_view", "u1", t0_ + 2));
  EXPECT_FALSE(failed.ok());
  store_.fail = false;
  // e3 was not acknowledged; e2 was and must not be lost with the half-applied profile.
  // It was rebuilt in place: the cache answers without the store.
  EXPECT_EQ(CachedOnly("u1").event_count, 2u);
  SendOk(Ev("e3", "page_view", "u1", t0_ + 2));
  EXPECT_EQ(Cached("u1").event_count, 3u);
  Restart();
  EXPECT_EQ(Cached("u1").event_count, 3u);
}

TEST_F(WriteBehindTest, AProfileThatCouldNotBeRebuiltIsRetriedBeforeItIsWrittenAgain) {
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "page_view", "u1", t0_ + 1));  // deferred: only in the cache
  std::string pid = Pid("u1");
  store_.fail = true;
  store_.fail_reads = true;  // the rebuild after the failed write fails too
  EXPECT_FALSE(Send(Ev("e3", "page_view", "u1", t0_ + 2)).ok());
  store_.fail = false;
  // Reads still fail: a batch for u1 must not build on the stored form (which lacks e2).
  auto refused = Send(Ev("e3", "page_view", "u1", t0_ + 2));
  EXPECT_FALSE(refused.ok());
  store_.fail_reads = false;
  SendOk(Ev("e3", "page_view", "u1", t0_ + 2));  // rebuilt first, then applied
  EXPECT_EQ(Cached("u1").event_count, 3u);
  Restart();
  EXPECT_EQ(Cached("u1").event_count, 3u);
}

TEST_F(WriteBehindTest, AFailedBatchPutsBackAsTheyWereTheProfilesItTookAheadOfTheirEvents) {
  SendOk(Ev("a1", "page_view", "u2", t0_));
  SendOk(Ev("a2", "page_view", "u2", t0_ + 1));  // deferred: only in the cache
  // An identity whose profile is missing: applying its event fails the whole batch.
  storage::WriteBatch b;
  identity::IdentityIndex::Stage(identity::IdKind::kUser, "ghost", "01JDNOPROFILEHERE000000000", &b);
  ASSERT_OK(store_.Write(b, storage::WriteOptions{}));
  const int iterators = store_.iterators.load();
  auto failed = Send(Ev("g1", "page_view", "ghost", t0_ + 2) + "," +
                     Ev("a3", "page_view", "u2", t0_ + 2));
  EXPECT_FALSE(failed.ok());
  // u2's profile was taken before the first event was applied (Batch::Preload) and the
  // batch failed before reaching u2's event: it went back unchanged, with no rebuild
  // from the journal (which would scan it) and no loss of its deferred change.
  EXPECT_EQ(store_.iterators.load(), iterators);
  EXPECT_EQ(CachedOnly("u2").event_count, 2u);
  SendOk(Ev("a3", "page_view", "u2", t0_ + 2));
  EXPECT_EQ(Cached("u2").event_count, 3u);
  Restart();
  EXPECT_EQ(Cached("u2").event_count, 3u);
}

TEST_F(WriteBehindTest, ReadersWaitForAWriterToPutTheProfileBack) {
  SendOk(Ev("e1", "page_view", "u1", t0_));
  std::string pid = Pid("u1");
  auto taken = process_->profiles.Take(pid);
  ASSERT_OK(taken);
  ASSERT_TRUE(taken->has_value());
  profile::Profile p = **taken;
  p.event_count = 42;
  std::optional<uint64_t> seen;
  std::thread reader([&] {
    auto loaded = process_->profiles.Load(pid);
    if (loaded.ok() && *loaded) seen = (*loaded)->event_count;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(seen.has_value()) << "a reader must not see the stored, older version";
  process_->profiles.RememberUnstored(std::move(p), 1);
  reader.join();
  EXPECT_EQ(seen, std::optional<uint64_t>(42));
}

TEST_F(WriteBehindTest, AProfileChangedDuringAFlushStaysUnstored) {
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "page_view", "u1", t0_ + 1));  // deferred, journal seq 2
  std::string pid = Pid("u1");
  uint64_t copied_seq = Cached("u1").applied_seq;
  // While the flush writes its copy, a writer changes the profile (a later batch).
  store_.before_next_write = [&] {
    auto taken = process_->profiles.Take(pid);
    ASSERT_OK(taken);
    ASSERT_TRUE(taken->has_value());
    profile::Profile p = **taken;
    ++p.version;
    p.event_count = 99;
    p.applied_seq = copied_seq + 5;
    process_->profiles.RememberUnstored(std::move(p), copied_seq + 5);
  };
  auto flushed = process_->profiles.Flush();
  ASSERT_OK(flushed);
  EXPECT_EQ(Stored("u1").event_count, 2u) << "the flush wrote its copy";
  EXPECT_EQ(process_->profiles.UnstoredCount(), 1u) << "the later change is not stored";
  EXPECT_EQ(process_->profiles.UnstoredFloor(), copied_seq + 1)
      << "the journal must keep everything after the copy";
  ASSERT_OK(process_->profiles.Flush());
  EXPECT_EQ(Stored("u1").event_count, 99u);
  EXPECT_EQ(process_->profiles.UnstoredCount(), 0u);
}

// Dedup write-behind (the setting dedup_write_behind): a test's first Restart turns it on.
constexpr size_t kRememberIds = size_t{1} << 20;

TEST_F(WriteBehindTest, DedupEntriesWaitForTheFlushAndDuplicatesAreStillCaught) {
  max_recent_ids_ = kRememberIds;
  Restart();
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "page_view", "u1", t0_ + 1) + "," + Ev("e3", "page_view", "u2", t0_ + 1));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 0u) << "left to the flush";
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_) + "," + Ev("e3", "page_view", "u2", t0_ + 1)), 2u);

  const int64_t received = clock_.NowMs();
  clock_.AdvanceMs(1000);
  ASSERT_OK(process_->pipeline.FlushProfiles());
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 3u);
  EXPECT_EQ(StoredDedup("e2"), Pid("u1") + "|" + std::to_string(received));
  EXPECT_EQ(StoredDedup("e3"), Pid("u2") + "|" + std::to_string(received));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfileJournal), 0u) << "truncated";
  // Now the store answers.
  EXPECT_EQ(Duplicates(Ev("e2", "page_view", "u1", t0_ + 1)), 1u);
  EXPECT_EQ(process_->pipeline.counters().dedup_deferred.load(), 3u);
  EXPECT_EQ(process_->pipeline.counters().dedup_flushed.load(), 3u);
  EXPECT_EQ(Cached("u1").event_count, 2u);
}

// A batch past the limit writes its entries directly; a newer record of a remembered id
// written that way must win over the older one, at the flush and after a crash.
TEST_F(WriteBehindTest, ANewerEntryWrittenPastTheLimitWinsOverTheRememberedOne) {
  max_recent_ids_ = 1;
  Restart();
  auto snap = std::make_shared<IngestSnapshot>(*snapshot_);
  snap->config.dedup_window_ms = 10'000;
  snapshot_ = snap;
  SendOk(Ev("e1", "page_view", "u1", t0_));  // remembered (the limit is now reached)
  clock_.AdvanceMs(20'000);
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_ + 5)), 0u) << "outside the window";
  const int64_t again = clock_.NowMs();
  EXPECT_EQ(DedupTime(StoredDedup("e1")), again) << "written directly";
  Restart();  // a crash: the journal still holds the older record
  EXPECT_EQ(DedupTime(StoredDedup("e1")), again);
  clock_.AdvanceMs(1'000);
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_ + 5)), 1u);

  // The same without the crash: the flush must not write the older record over it.
  SendOk(Ev("e2", "page_view", "u1", t0_ + 6));  // remembered
  clock_.AdvanceMs(20'000);
  SendOk(Ev("e3", "page_view", "u1", t0_ + 7));  // past the limit: written directly
  EXPECT_EQ(Duplicates(Ev("e2", "page_view", "u1", t0_ + 6)), 0u) << "outside the window";
  const int64_t e2_again = clock_.NowMs();
  ASSERT_OK(process_->pipeline.FlushProfiles());
  EXPECT_EQ(DedupTime(StoredDedup("e2")), e2_again);
}

TEST_F(WriteBehindTest, WithDedupWriteBehindOffEachBatchWritesItsDedupEntries) {
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "page_view", "u1", t0_ + 1));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 2u);
  EXPECT_EQ(process_->pipeline.counters().dedup_deferred.load(), 0u);
  EXPECT_EQ(Duplicates(Ev("e2", "page_view", "u1", t0_ + 1)), 1u);
}

TEST_F(WriteBehindTest, DedupEntriesOfAcknowledgedBatchesSurviveACrashBeforeTheFlush) {
  max_recent_ids_ = kRememberIds;
  Restart();
  SendOk(Ev("e1", "page_view", "u1", t0_));
  SendOk(Ev("e2", "purchase", "u1", t0_ + 1, R"(,"properties":{"revenue":5})"));
  const int64_t received = clock_.NowMs();
  clock_.AdvanceMs(60'000);
  Restart();  // no flush: what was only in memory is gone
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 2u) << "written by Recover";
  EXPECT_EQ(DedupTime(StoredDedup("e1")), received) << "the time received, from the journal";
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kProfileJournal), 0u);
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_) + "," +
                       Ev("e2", "purchase", "u1", t0_ + 1, R"(,"properties":{"revenue":5})")),
            2u);
  EXPECT_EQ(Cached("u1").event_count, 2u);
}

TEST_F(WriteBehindTest, AnIdAcceptedAgainAfterTheDedupWindowKeepsItsNewTime) {
  max_recent_ids_ = kRememberIds;
  Restart();
  auto snap = std::make_shared<IngestSnapshot>(*snapshot_);
  snap->config.dedup_window_ms = 10'000;
  snapshot_ = snap;
  SendOk(Ev("e1", "page_view", "u1", t0_));
  clock_.AdvanceMs(20'000);  // outside the window: accepted again, before any flush
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_ + 5)), 0u);
  const int64_t again = clock_.NowMs();
  clock_.AdvanceMs(5'000);
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_ + 5)), 1u) << "within the window of the second";
  ASSERT_OK(process_->pipeline.FlushProfiles());
  EXPECT_EQ(DedupTime(StoredDedup("e1")), again);
}

TEST_F(WriteBehindTest, PastTheLimitOfRememberedIdsABatchWritesItsOwnDedupEntries) {
  max_recent_ids_ = 2;
  Restart();
  SendOk(Ev("e1", "page_view", "u1", t0_) + "," + Ev("e2", "page_view", "u1", t0_ + 1));
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 0u);
  SendOk(Ev("e3", "page_view", "u1", t0_ + 2));  // two remembered already
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 1u);
  EXPECT_NE(StoredDedup("e3"), "");
  EXPECT_EQ(Duplicates(Ev("e1", "page_view", "u1", t0_) + "," + Ev("e3", "page_view", "u1", t0_ + 2)), 2u);
  ASSERT_OK(process_->pipeline.FlushProfiles());
  EXPECT_EQ(memory_.CountKeys(storage::Keyspace::kDedup), 3u);
}

TEST(ProfileJournalCodec, RoundTripsAndRejectsTruncatedEntries) {
  std::vector<ProfileJournal::Change> changes = {{"01ARZ3NDEKTSV4RRFFQ69G5FAV", {"a", std::string("\0b", 2)}},
                                                 {"01ARZ3NDEKTSV4RRFFQ69G5FAW", {}}};
  const std::vector<DedupRecord> dedup = {{"e-1", "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
                                          {std::string_view("e\xff\xff\xff\xff", 5), "p"}};
  for (bool with_dedup : {false, true}) {
    SCOPED_TRACE(with_dedup);
    std::string encoded = with_dedup ? EncodeJournalEntry(changes, 1'800'000'000'123, dedup)
                                     : EncodeJournalEntry(changes);
    auto back = DecodeJournalEntry(encoded);
    ASSERT_OK(back);
    ASSERT_EQ(back->changes.size(), 2u);
    EXPECT_EQ(back->changes[0].event_suffixes, changes[0].event_suffixes);
    EXPECT_EQ(back->changes[1].pid, changes[1].pid);
    if (with_dedup) {
      EXPECT_EQ(back->received_ms, 1'800'000'000'123);
      ASSERT_EQ(back->dedup.size(), 2u);
      EXPECT_EQ(back->dedup[0], std::make_pair(std::string("e-1"), std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV")));
      EXPECT_EQ(back->dedup[1].first, std::string(dedup[1].event_id));
    } else {
      EXPECT_TRUE(back->dedup.empty());
    }
    for (size_t cut = 1; cut < encoded.size(); ++cut) {
      auto bad = DecodeJournalEntry(std::string_view(encoded).substr(0, cut));
      EXPECT_FALSE(bad.ok() && bad->changes.size() == 2 && bad->dedup.size() == (with_dedup ? 2u : 0u))
          << cut;
    }
    // Nothing may follow the dedup section.
    if (with_dedup) {
      EXPECT_FALSE(DecodeJournalEntry(encoded + "x").ok());
    }
  }
  // Only dedup records (a batch whose profiles were all written at once).
  auto only = DecodeJournalEntry(EncodeJournalEntry({}, 5, dedup));
  ASSERT_OK(only);
  EXPECT_TRUE(only->changes.empty());
  EXPECT_EQ(only->dedup.size(), 2u);
  EXPECT_EQ(DecodeJournalEntry(std::string(3, '\xff')).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tailor::ingest
