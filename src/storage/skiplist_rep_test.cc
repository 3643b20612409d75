// Tailor's memtable (skiplist_rep.h) under RocksDB itself, against a std::map model:
// point reads, snapshots, both iteration directions, seeks, insert hints, readers
// running beside the writer, and the flush that reads it into an SST.
#include "storage/skiplist_rep.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "testutil/testutil.h"

namespace tailor::storage::internal {
namespace {

struct Mode {
  const char* name;
  SkipListRepOptions options;
};

void PrintTo(const Mode& m, std::ostream* os) { *os << m.name; }

class SkipListRepTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { Open(64 << 20); }  // everything stays in one memtable

  void Open(size_t write_buffer_bytes) {
    db_.reset();
    rocksdb::Options options;
    options.create_if_missing = true;
    options.allow_concurrent_memtable_write = false;
    options.memtable_factory = NewSkipListRepFactory(GetParam().options);
    options.write_buffer_size = write_buffer_bytes;
    options.max_write_buffer_number = 4;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(options, dir_.str() + "/db-" + std::to_string(++opened_), &raw).ok());
    db_.reset(raw);
  }

  void Put(const std::string& k, const std::string& v) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), k, v).ok());
    model_[k] = v;
  }
  void Delete(const std::string& k) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), k).ok());
    model_.erase(k);
  }
  std::optional<std::string> Get(const std::string& k,
                                 const rocksdb::Snapshot* snapshot = nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    std::string v;
    rocksdb::Status s = db_->Get(ro, k, &v);
    EXPECT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    if (!s.ok()) return std::nullopt;
    return v;
  }

  // Every read path against the model.
  void CheckAgainstModel(std::mt19937* rng) {
    for (const auto& [k, v] : model_) EXPECT_EQ(Get(k), v) << k;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    auto m = model_.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
      ASSERT_NE(m, model_.end());
      EXPECT_EQ(it->key().ToString(), m->first);
      EXPECT_EQ(it->value().ToString(), m->second);
    }
    EXPECT_EQ(m, model_.end());
    auto r = model_.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
      ASSERT_NE(r, model_.rend());
      EXPECT_EQ(it->key().ToString(), r->first);
    }
    EXPECT_EQ(r, model_.rend());
    for (int i = 0; i < 200; ++i) {
      std::string target = Key((*rng)() % 5000, (*rng)() % 50);
      it->Seek(target);
      auto lower = model_.lower_bound(target);
      ASSERT_EQ(it->Valid(), lower != model_.end()) << target;
      if (it->Valid()) {
        EXPECT_EQ(it->key().ToString(), lower->first);
      }
      it->SeekForPrev(target);
      auto upper = model_.upper_bound(target);
      ASSERT_EQ(it->Valid(), upper != model_.begin()) << target;
      if (it->Valid()) {
        EXPECT_EQ(it->key().ToString(), std::prev(upper)->first);
      }
      EXPECT_EQ(Get(target), model_.count(target) ? std::optional(model_[target]) : std::nullopt);
    }
    ASSERT_TRUE(it->status().ok());
  }

  static std::string Key(unsigned group, unsigned n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04u/%06u", group, n);
    return buf;
  }

  testutil::TempDir dir_;
  int opened_ = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, std::string> model_;
};

TEST_P(SkipListRepTest, RandomOrderMatchesTheModelBeforeAndAfterFlush) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string k = Key(rng() % 500, rng() % 40);
    if (rng() % 5 == 0) {
      Delete(k);
    } else {
      Put(k, std::to_string(i));
    }
  }
  CheckAgainstModel(&rng);
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());  // reads the memtable in order
  CheckAgainstModel(&rng);
}

TEST_P(SkipListRepTest, InterleavedIncreasingRunsMatchTheModel) {
  // Like events: each group's keys increase, groups interleave (the hinted case).
  std::mt19937 rng(11);
  std::vector<unsigned> next(300, 0);
  for (int i = 0; i < 30000; ++i) {
    unsigned g = rng() % next.size();
    Put(Key(g, next[g]++), std::string(rng() % 64, 'x'));
  }
  // Then keys out of order in the same groups (hints that no longer bracket).
  for (int i = 0; i < 3000; ++i) Put(Key(rng() % 300, rng() % 100), "late");
  CheckAgainstModel(&rng);
}

TEST_P(SkipListRepTest, KeysNoLongerThanThePrefixAndRangeDeletions) {
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    Put(std::to_string(rng() % 1000), "short");  // 1-3 bytes: never hinted per prefix
    Put(Key(rng() % 20, static_cast<unsigned>(i)), "long");
  }
  // A range deletion goes to RocksDB's own range-deletion memtable, beside the hints.
  ASSERT_TRUE(
      db_->DeleteRange(rocksdb::WriteOptions(), db_->DefaultColumnFamily(), Key(3, 0), Key(7, 0))
          .ok());
  model_.erase(model_.lower_bound(Key(3, 0)), model_.lower_bound(Key(7, 0)));
  for (int i = 0; i < 500; ++i) Put(Key(rng() % 20, 5000 + static_cast<unsigned>(i)), "after");
  CheckAgainstModel(&rng);
}

TEST_P(SkipListRepTest, SnapshotsSeeTheVersionOfTheirTime) {
  Put(Key(1, 1), "old");
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  Put(Key(1, 1), "new");
  Delete(Key(1, 1));
  Put(Key(1, 2), "later");
  EXPECT_EQ(Get(Key(1, 1), snap), "old");
  EXPECT_EQ(Get(Key(1, 1)), std::nullopt);
  EXPECT_EQ(Get(Key(1, 2), snap), std::nullopt);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "old");
  it->Next();
  EXPECT_FALSE(it->Valid());
  it.reset();
  db_->ReleaseSnapshot(snap);
}

TEST_P(SkipListRepTest, ReadersBesideTheWriterSeeOrderedCompleteData) {
  // The writer inserts increasing keys; readers must always see a sorted list that holds
  // every key written before they started.
  std::atomic<int> written{0};
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  auto reader = [&] {
    while (!done.load()) {
      const int before = written.load();
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
      int seen = 0;
      std::string last;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        std::string k = it->key().ToString();
        if (!last.empty() && k <= last) failures.fetch_add(1);
        last = std::move(k);
        ++seen;
      }
      if (seen < before) failures.fetch_add(1);
      if (before > 1) {
        const std::string target = Key(static_cast<unsigned>(before / 2), 0);
        it->Seek(target);
        if (!it->Valid() || it->key().ToString() != target) failures.fetch_add(1);
        it->Prev();
        if (!it->Valid() || it->key().ToString() >= target) failures.fetch_add(1);
        it->SeekForPrev(target + "~");
        if (!it->Valid() || it->key().ToString() != target) failures.fetch_add(1);
      }
      if (before > 0) {
        std::string v;
        if (!db_->Get(rocksdb::ReadOptions(), Key(before - 1, 0), &v).ok()) failures.fetch_add(1);
      }
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < 20000; ++i) {
    // Increasing keys, and every tenth a second key in an earlier group (per-prefix
    // splices come back while readers run).
    std::string k = Key(static_cast<unsigned>(i), 0);
    if (i % 10 == 9) {
      ASSERT_TRUE(
          db_->Put(rocksdb::WriteOptions(), Key(static_cast<unsigned>(i / 2), 1), "v").ok());
    }
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), k, "v").ok());
    written.store(i + 1);
  }
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(SkipListRepTest, BinaryKeysAcrossManyMemtables) {
  // Keys of 0-300 bytes with zero and high bytes (two-byte length prefixes), and
  // memtables of 256 KiB: reads cross the mutable, immutable and flushed ones.
  Open(256 << 10);
  std::mt19937 rng(5);
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) {
    std::string k(rng() % 301, '\0');
    for (char& c : k) c = static_cast<char>(rng() % 4 == 0 ? 0 : rng() % 256);
    pool.push_back(std::move(k));
  }
  for (int i = 0; i < 12000; ++i) {
    const std::string& k = pool[rng() % pool.size()];
    if (rng() % 6 == 0) {
      Delete(k);
    } else {
      Put(k, std::string(rng() % 200, static_cast<char>('a' + i % 26)));
    }
  }
  CheckAgainstModel(&rng);
}

TEST_P(SkipListRepTest, AnIteratorOutlivesItsMemtable) {
  Put(Key(1, 1), "a");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  Put(Key(1, 2), "b");
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());  // its memtable is now retired
  Put(Key(1, 3), "c");
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "a");
  it->Next();
  EXPECT_FALSE(it->Valid());  // the iterator's snapshot predates "b"
  it.reset();                 // last reference: the memtable goes after its iterator
}

TEST_P(SkipListRepTest, IteratorsOnManyThreadsAtOnce) {
  for (unsigned i = 0; i < 100; ++i) Put(Key(i, 0), "v");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        const std::string target = Key(static_cast<unsigned>((i * 7 + t) % 100), 0);
        it->Seek(target);
        if (!it->Valid() || it->key().ToString() != target) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(SkipListRepTest, ManyIteratorsComeAndGo) {
  // DB iterators put the memtable's iterator in their arena: the rep's free list serves
  // them (a leak here fails the ASan build).
  Put(Key(1, 1), "a");
  for (int i = 0; i < 5000; ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    ASSERT_TRUE(it->Valid());
  }
}

using Hint = SkipListRepOptions::Hint;
INSTANTIATE_TEST_SUITE_P(
    Modes, SkipListRepTest,
    ::testing::Values(Mode{"unhinted", {Hint::kNone, 0, true}},
                      Mode{"sequential", {Hint::kSequential, 0, true}},
                      // "0123/" of Key(): per group, and keys of 5 bytes or less unhinted
                      Mode{"per_prefix", {Hint::kPerPrefix, 5, true}},
                      Mode{"per_prefix_by_comparator", {Hint::kPerPrefix, 5, false}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tailor::storage::internal
