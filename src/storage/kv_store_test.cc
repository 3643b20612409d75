// Runs the same contract tests against MemoryStore and RocksStore.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include <unistd.h>

#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/rocks_store.h"
#include "testutil/testutil.h"

namespace tailor::storage {
namespace {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<KvStore>(const std::string& dir, const StoreOptions&,
                                         const Clock&)>
      open;
};

void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

class KvStoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  std::unique_ptr<KvStore> Open(const StoreOptions& options = {}) {
    return GetParam().open(dir_.str() + "/db", options, clock_);
  }
  testutil::TempDir dir_;
  FakeClock clock_;
};

TEST_P(KvStoreContract, PutGetDeleteAtomically) {
  auto store = Open();
  WriteBatch b;
  b.Put(Keyspace::kProfiles, "{a}", "1");
  b.Put(Keyspace::kEvents, "{a}x", "2");
  ASSERT_OK(store->Write(b));
  EXPECT_EQ(**store->Get(Keyspace::kProfiles, "{a}"), "1");
  EXPECT_FALSE(store->Get(Keyspace::kEvents, "{a}").value().has_value());
  EXPECT_FALSE(store->Get(Keyspace::kProfiles, "{a}x").value().has_value());
  WriteBatch d;
  d.Delete(Keyspace::kProfiles, "{a}");
  ASSERT_OK(store->Write(d, WriteOptions{true}));
  EXPECT_FALSE(store->Get(Keyspace::kProfiles, "{a}").value().has_value());
}

TEST_P(KvStoreContract, MultiGetAnswersInKeyOrderAndHidesExpired) {
  StoreOptions options;
  options.SetTtl(Keyspace::kDedup, 1000);
  auto store = Open(options);
  WriteBatch b;
  b.Put(Keyspace::kDedup, "old", "p0");
  ASSERT_OK(store->Write(b));
  clock_.AdvanceMs(1500);  // "old" expires
  b.Clear();
  b.Put(Keyspace::kDedup, "e2", "p2");
  b.Put(Keyspace::kDedup, "e1", "p1");
  b.Put(Keyspace::kEvents, "e3", "not in dedup");
  ASSERT_OK(store->Write(b));
  auto got = store->MultiGet(Keyspace::kDedup, {"e1", "missing", "e2", "old", "e3", "e1"});
  ASSERT_OK(got.status());
  ASSERT_EQ(got->size(), 6u);
  EXPECT_EQ((*got)[0], std::optional<std::string>("p1"));
  EXPECT_FALSE((*got)[1].has_value());
  EXPECT_EQ((*got)[2], std::optional<std::string>("p2"));
  EXPECT_FALSE((*got)[3].has_value()) << "expired";
  EXPECT_FALSE((*got)[4].has_value()) << "another keyspace";
  EXPECT_EQ((*got)[5], std::optional<std::string>("p1"));
  EXPECT_TRUE(store->MultiGet(Keyspace::kDedup, {})->empty());
}

TEST_P(KvStoreContract, IteratesWithinBoundsInOrder) {
  auto store = Open();
  WriteBatch b;
  for (std::string k : {"a1", "b1", "b3", "b2", "c1"}) b.Put(Keyspace::kEvents, k, "v" + k);
  ASSERT_OK(store->Write(b));
  auto it = store->NewIterator(Keyspace::kEvents, "b", PrefixEnd("b"));
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.emplace_back(it->key());
  EXPECT_EQ(keys, (std::vector<std::string>{"b1", "b2", "b3"}));
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b3");
  EXPECT_EQ(it->value(), "vb3");
  it->Seek("b2");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b2");
  ASSERT_OK(it->status());
}

TEST_P(KvStoreContract, DeleteRangeErasesOneProfile) {
  auto store = Open();
  std::string p1 = ProfilePrefix("01JDABCDEFGHJKMNPQRSTVWXY1");
  std::string p2 = ProfilePrefix("01JDABCDEFGHJKMNPQRSTVWXY2");
  WriteBatch b;
  for (int i = 0; i < 10; ++i) {
    b.Put(Keyspace::kEvents, p1 + std::to_string(i), "x");
    b.Put(Keyspace::kEvents, p2 + std::to_string(i), "y");
  }
  ASSERT_OK(store->Write(b));
  WriteBatch erase;
  erase.DeleteRange(Keyspace::kEvents, p1, PrefixEnd(p1));
  ASSERT_OK(store->Write(erase));
  auto it = store->NewIterator(Keyspace::kEvents, "", "");
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) EXPECT_EQ(it->key().substr(0, 28), p2);
  EXPECT_EQ(n, 10);
}

TEST_P(KvStoreContract, ExpiringKeyspaceHidesOldEntries) {
  StoreOptions options;
  options.SetTtl(Keyspace::kDedup, 1000);
  auto store = Open(options);
  WriteBatch b;
  b.Put(Keyspace::kDedup, "e1", "p");
  ASSERT_OK(store->Write(b));
  clock_.AdvanceMs(500);
  b.Clear();
  b.Put(Keyspace::kDedup, "e2", "p");
  ASSERT_OK(store->Write(b));
  EXPECT_EQ(**store->Get(Keyspace::kDedup, "e1"), "p");
  clock_.AdvanceMs(600);
  EXPECT_FALSE(store->Get(Keyspace::kDedup, "e1").value().has_value());
  EXPECT_EQ(**store->Get(Keyspace::kDedup, "e2"), "p");
  auto it = store->NewIterator(Keyspace::kDedup, "", "");
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "e2");
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST(StoreOptions, RejectsRetentionOnPermanentKeyspace) {
  StoreOptions options;
  options.SetTtl(Keyspace::kEvents, 10);
  EXPECT_FALSE(options.Validate().ok());
}

TEST(RocksStore, SurvivesReopenAndCheckpoints) {
  testutil::TempDir dir;
  FakeClock clock;
  {
    auto store = OpenRocksStore(dir.str() + "/db", {}, clock);
    ASSERT_OK(store);
    WriteBatch b;
    b.Put(Keyspace::kProfiles, "{p}", "doc");
    ASSERT_OK((*store)->Write(b));
    ASSERT_OK((*store)->Checkpoint(dir.str() + "/cp"));
    auto locked = OpenRocksStore(dir.str() + "/db", {}, clock);
    ASSERT_FALSE(locked.ok());
    EXPECT_NE(locked.status().message().find("another tailor"), std::string::npos);
    EXPECT_FALSE((*store)->Stats().empty());
  }
  for (const char* sub : {"/db", "/cp"}) {
    auto store = OpenRocksStore(dir.str() + sub, {}, clock);
    ASSERT_OK(store);
    EXPECT_EQ(*(*store)->Get(Keyspace::kProfiles, "{p}").value(), "doc");
  }
}

// Range deletions beside the memtables' insert hints (skiplist_rep.h): inside one profile
// and in `dedup`, then the keys after them are written and read back.
TEST(RocksStore, RangeDeletionsBesideInsertHints) {
  const std::string kPid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";  // a ULID: the prefix is full size
  const std::string prefix = ProfilePrefix(kPid);
  testutil::TempDir dir;
  FakeClock clock;
  auto store = OpenRocksStore(dir.str() + "/db", {}, clock);
  ASSERT_OK(store);
  WriteBatch fill;
  for (char c = 'a'; c <= 'f'; ++c) {
    fill.Put(Keyspace::kEvents, prefix + c, "e");
    fill.Put(Keyspace::kDedup, std::string(1, c), "d");
  }
  ASSERT_OK((*store)->Write(fill));
  WriteBatch erase;
  erase.DeleteRange(Keyspace::kEvents, prefix + "b", prefix + "e");
  erase.DeleteRange(Keyspace::kDedup, "b", "e");
  erase.Put(Keyspace::kEvents, prefix + "g", "e");
  erase.Put(Keyspace::kDedup, "g", "d");
  ASSERT_OK((*store)->Write(erase));
  for (Keyspace ks : {Keyspace::kEvents, Keyspace::kDedup}) {
    const std::string base = ks == Keyspace::kEvents ? prefix : "";
    for (char c = 'a'; c <= 'g'; ++c) {
      auto got = (*store)->Get(ks, base + c);
      ASSERT_OK(got);
      EXPECT_EQ(got->has_value(), c < 'b' || c >= 'e') << static_cast<int>(ks) << c;
    }
  }
}

// meta/format_version: written on create, raised on open of an older directory (the
// upgrade), and a newer one is refused with a message that says what to do.
TEST(RocksStore, RecordsUpgradesAndRefusesFormatVersions) {
  testutil::TempDir dir;
  FakeClock clock;
  const std::string path = dir.str() + "/db";
  auto version = [&] {
    auto store = OpenRocksStore(path, {}, clock);
    EXPECT_OK(store);
    return store.ok() ? *(*store)->Get(Keyspace::kMeta, "format_version").value() : "";
  };
  EXPECT_EQ(version(), std::to_string(kFormatVersion));
  auto set = [&](const std::string& v) {
    auto store = OpenRocksStore(path, {}, clock);
    ASSERT_OK(store);
    WriteBatch b;
    b.Put(Keyspace::kMeta, "format_version", v);
    ASSERT_OK((*store)->Write(b));
  };
  set("1");
  EXPECT_EQ(version(), std::to_string(kFormatVersion));
  set(std::to_string(kFormatVersion + 1));
  auto newer = OpenRocksStore(path, {}, clock);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("upgrade tailor"), std::string::npos);
}

// Unlogged writes (WriteOptions::skip_wal) across a crash: a child process writes and
// exits without closing the store (as kill -9 would leave it); the parent reopens it.
// Logged and persisted writes survive; an unlogged write made after the last persist is
// gone; a clean close persists everything. The child is a gtest "threadsafe" death test
// (a fresh exec of this binary): a plain fork would inherit RocksDB's thread pool without
// its threads. Both sides name the directory after the parent's pid.
std::string CrashDir(pid_t parent) {
  return (std::filesystem::temp_directory_path() / ("tailor-unlogged-" + std::to_string(parent)))
      .string();
}

void WriteThenCrash(const std::string& path) {
  FakeClock clock;
  auto store = OpenRocksStore(path, {}, clock);
  if (!store.ok()) _exit(10);
  auto put = [&](Keyspace ks, const char* key, WriteOptions o) {
    WriteBatch b;
    b.Put(ks, key, "v");
    return (*store)->Write(b, o).ok();
  };
  if (!put(Keyspace::kDecisions, "persisted", {.skip_wal = true})) _exit(11);
  const Keyspace persisted[] = {Keyspace::kDecisions};
  if (!(*store)->Persist(persisted, /*wait=*/true).ok()) _exit(12);
  if (!put(Keyspace::kDecisions, "unpersisted", {.skip_wal = true})) _exit(13);
  if (!put(Keyspace::kProfiles, "{logged}", {})) _exit(14);
  _exit(0);  // no destructor: the store is not closed
}

TEST(RocksStore, UnloggedWritesSurviveACrashOnlyOncePersisted) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = CrashDir(getpid());
  std::filesystem::remove_all(path);
  EXPECT_EXIT(WriteThenCrash(CrashDir(getppid())), ::testing::ExitedWithCode(0), "");
  FakeClock clock;
  {
    auto store = OpenRocksStore(path, {}, clock);
    ASSERT_OK(store);
    EXPECT_TRUE((*store)->Get(Keyspace::kDecisions, "persisted").value().has_value());
    EXPECT_FALSE((*store)->Get(Keyspace::kDecisions, "unpersisted").value().has_value());
    EXPECT_TRUE((*store)->Get(Keyspace::kProfiles, "{logged}").value().has_value());
    WriteBatch b;
    b.Put(Keyspace::kDecisions, "closed", "v");
    ASSERT_OK((*store)->Write(b, WriteOptions{.skip_wal = true}));
    EXPECT_FALSE((*store)->Write(b, WriteOptions{.sync = true, .skip_wal = true}).ok());
  }
  {
    auto store = OpenRocksStore(path, {}, clock);
    ASSERT_OK(store);
    EXPECT_TRUE((*store)->Get(Keyspace::kDecisions, "closed").value().has_value());
  }
  std::filesystem::remove_all(path);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, KvStoreContract,
    ::testing::Values(
        StoreFactory{"memory",
                     [](const std::string&, const StoreOptions& o, const Clock& c) {
                       return std::unique_ptr<KvStore>(std::make_unique<MemoryStore>(c, o));
                     }},
        StoreFactory{"rocksdb",
                     [](const std::string& dir, const StoreOptions& o, const Clock& c) {
                       auto r = OpenRocksStore(dir, o, c);
                       EXPECT_TRUE(r.ok()) << r.status().ToString();
                       return std::move(r).value();
                     }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace tailor::storage
