#include "identity/identity_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "storage/memory_store.h"
#include "testutil/failing_store.h"

namespace tailor::identity {
namespace {

// Writes "identity -> pid" the way the ingest pipeline does: staged, written, remembered.
void Link(storage::KvStore& store, IdentityIndex& index, IdKind kind, const std::string& id,
          const std::string& pid) {
  storage::WriteBatch b;
  IdentityIndex::Stage(kind, id, pid, &b);
  ASSERT_TRUE(store.Write(b).ok());
  index.Remember(kind, id, pid);
}

// Writes straight to the store, behind the index's back (what another process sharing
// the store would do).
void WriteBehindItsBack(storage::KvStore& store, IdKind kind, const std::string& id,
                        const std::string& pid) {
  storage::WriteBatch b;
  IdentityIndex::Stage(kind, id, pid, &b);
  ASSERT_TRUE(store.Write(b).ok());
}

TEST(IdentityIndex, FindsWhatWasLinkedAndNothingElse) {
  SystemClock clock;
  storage::MemoryStore store(clock);
  IdentityIndex index(store);
  Link(store, index, IdKind::kUser, "u1", "P1");
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u1").value(), std::optional<std::string>("P1"));
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "u1").value(), std::nullopt);  // kinds apart
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u2").value(), std::nullopt);

  // A fresh index (a restart) reads the store.
  IdentityIndex fresh(store);
  EXPECT_EQ(fresh.Lookup(IdKind::kUser, "u1").value(), std::optional<std::string>("P1"));
}

TEST(IdentityIndex, UnknownIdsAreRememberedUntilLinked) {
  SystemClock clock;
  storage::MemoryStore store(clock);
  IdentityIndex index(store);
  const uint64_t generation = index.generation();
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "a1").value(), std::nullopt);

  // Remembered as unknown: a write that bypasses Remember() is not seen, which shows the
  // second lookup did not read the store.
  WriteBehindItsBack(store, IdKind::kAnonymous, "a1", "P9");
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "a1").value(), std::nullopt);

  // Linking through the index is seen at once, and a new identity is not a moved one:
  // the generation (which invalidates cached views) stays.
  Link(store, index, IdKind::kAnonymous, "a1", "P1");
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "a1").value(), std::optional<std::string>("P1"));
  EXPECT_EQ(index.generation(), generation);

  // Forget() (after a failed write) drops both kinds of entry: the store is read again.
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u7").value(), std::nullopt);
  WriteBehindItsBack(store, IdKind::kUser, "u7", "P7");
  index.Forget(IdKind::kUser, "u7");
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u7").value(), std::optional<std::string>("P7"));
}

TEST(IdentityIndex, SharedStoreModeNeverCachesAbsence) {
  SystemClock clock;
  storage::MemoryStore store(clock);
  IdentityIndex index(store, /*cache_entries=*/1 << 10, /*cache_absent=*/false);
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u1").value(), std::nullopt);
  WriteBehindItsBack(store, IdKind::kUser, "u1", "P1");
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u1").value(), std::optional<std::string>("P1"));
}

TEST(IdentityIndex, AbsentEntriesAreBoundedAndNeverEvictKnownOnes) {
  SystemClock clock;
  storage::MemoryStore store(clock);
  IdentityIndex index(store, /*cache_entries=*/64 * 32);  // 64 known, 8 unknown per shard
  const uint64_t generation = index.generation();
  for (int i = 0; i < 200; ++i) Link(store, index, IdKind::kUser, "k" + std::to_string(i), "P");
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(index.Lookup(IdKind::kAnonymous, "x" + std::to_string(i)).value(), std::nullopt);
  }
  // Unknown ids pushed out of the bounded set are read again, and still unknown.
  WriteBehindItsBack(store, IdKind::kAnonymous, "x0", "P0");
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "x0").value(), std::optional<std::string>("P0"));
  // 100,000 unknown ids evicted no known identity, so views stay valid.
  EXPECT_EQ(index.generation(), generation);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(index.Lookup(IdKind::kUser, "k" + std::to_string(i)).value(),
              std::optional<std::string>("P"));
  }
}

// Readers that look an id up while a writer links it end up seeing the link: an absent
// entry from a read that raced the write never hides it.
TEST(IdentityIndex, AReadOvertakenByALinkAnswersWithTheLink) {
  // Cold cache: a lookup reads a1 -> P_a from the store; before it caches that, a merge
  // links a1 to P_u (store, then Remember). The lookup must answer P_u, the newer one,
  // not the value it read.
  SystemClock clock;
  storage::MemoryStore memory(clock);
  testutil::FailingStore store(memory);
  WriteBehindItsBack(store, IdKind::kAnonymous, "a1", "P_a");
  IdentityIndex index(store);
  store.after_next_get = [&] { Link(store, index, IdKind::kAnonymous, "a1", "P_u"); };
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "a1").value(), std::optional<std::string>("P_u"));
  EXPECT_EQ(index.Lookup(IdKind::kAnonymous, "a1").value(), std::optional<std::string>("P_u"));
  // The same when the read found nothing: the link made meanwhile wins over "absent".
  store.after_next_get = [&] { Link(store, index, IdKind::kUser, "u9", "P_9"); };
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u9").value(), std::optional<std::string>("P_9"));
  EXPECT_EQ(index.Lookup(IdKind::kUser, "u9").value(), std::optional<std::string>("P_9"));
}

TEST(IdentityIndex, LookupsRacingALinkSeeIt) {
  for (int round = 0; round < 200; ++round) {
    SystemClock clock;
    storage::MemoryStore store(clock);
    IdentityIndex index(store);
    std::atomic<bool> linked{false};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
      readers.emplace_back([&] {
        while (!linked.load()) ASSERT_TRUE(index.Lookup(IdKind::kUser, "u").ok());
        ASSERT_EQ(index.Lookup(IdKind::kUser, "u").value(), std::optional<std::string>("P"));
      });
    }
    Link(store, index, IdKind::kUser, "u", "P");
    linked.store(true);
    for (auto& r : readers) r.join();
  }
}

}  // namespace
}  // namespace tailor::identity
