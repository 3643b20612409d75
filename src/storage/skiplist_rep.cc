#include "storage/skiplist_rep.h"

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/string_table.h"

namespace tailor::storage::internal {
namespace {

constexpr int kMaxHeight = 12;  // 4^12 = 16 M entries before the top level thins out
constexpr int kBranching = 4;

// LookupKey (RocksDB's db/dbformat.h, not an installed header) starts with a pointer to
// its memtable key: the length-prefixed internal key that memtable entries begin with.
// RocksDB has kept that layout since LevelDB; a wrong guess fails every read test at once.
const char* MemtableKeyOf(const rocksdb::LookupKey& k) {
  const char* p = nullptr;
  std::memcpy(&p, &k, sizeof p);
  return p;
}

// A length-prefixed internal key (a memtable entry's start): varint32 length, then the
// internal key. RocksDB's decoder (util/coding.h) is not an installed header.
inline rocksdb::Slice DecodeLengthPrefixed(const char* p) {
  uint32_t len = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    len |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return rocksdb::Slice(p, len);
}

// The memtable's order (MemTable::KeyComparator, InternalKeyComparator::CompareKeySeq in
// db/dbformat.h) over the bytewise comparator: user keys ascending, then the sequence
// number (the 8-byte little-endian trailer, sequence << 8 | type, without its type byte)
// descending, so the newest version of a key comes first.
inline int CompareInternalKeys(const rocksdb::Slice& a, const rocksdb::Slice& b) {
  static_assert(std::endian::native == std::endian::little, "trailers are little-endian");
  const size_t ua = a.size() - 8, ub = b.size() - 8;
  const int r = std::memcmp(a.data(), b.data(), ua < ub ? ua : ub);
  if (r != 0) return r;
  if (ua != ub) return ua < ub ? -1 : 1;
  uint64_t ta = 0, tb = 0;
  std::memcpy(&ta, a.data() + ua, 8);
  std::memcpy(&tb, b.data() + ub, 8);
  ta >>= 8;
  tb >>= 8;
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

// Whether `compare` orders entries as CompareInternalKeys does, on keys that tell a
// bytewise comparator from others (prefixes, high bytes, sequence order). RocksStore sets
// no comparator, so they always agree there; any other user falls back to `compare`.
bool InlineOrderMatches(const rocksdb::MemTableRep::KeyComparator& compare) {
  auto entry = [](std::string_view user_key, uint64_t seq) {
    std::string e;
    e.push_back(static_cast<char>(user_key.size() + 8));  // one-byte varint: short keys
    e.append(user_key);
    const uint64_t trailer = seq << 8 | 1;
    char bytes[8];
    std::memcpy(bytes, &trailer, 8);
    e.append(bytes, 8);
    return e;
  };
  const std::string keys[] = {entry("", 5),
                              entry("a", 9),
                              entry("a", 3),
                              entry("ab", 1),
                              entry("b", 2),
                              entry("\xff", 1),
                              entry(std::string_view("\0", 1), 7),
                              entry("Z", 4)};
  for (const std::string& a : keys) {
    for (const std::string& b : keys) {
      const int inline_order =
          CompareInternalKeys(DecodeLengthPrefixed(a.data()), DecodeLengthPrefixed(b.data()));
      const int theirs = compare(a.data(), b.data());
      if ((inline_order < 0) != (theirs < 0) || (inline_order > 0) != (theirs > 0)) {
        return false;
      }
    }
  }
  return true;
}

// A node, as in InlineSkipList: its links at levels height-1 .. 1 lie just before it, its
// level-0 link is the node itself, and the entry RocksDB encodes (length-prefixed internal
// key and value) follows. 8 bytes per level of overhead; allocated in the memtable's arena
// and freed with it.
struct Node {
  std::atomic<Node*> link0;

  std::atomic<Node*>* Link(int level) { return &link0 - level; }
  const std::atomic<Node*>* Link(int level) const { return &link0 - level; }
  Node* Next(int level) const { return Link(level)->load(std::memory_order_acquire); }
  void SetNext(int level, Node* n) { Link(level)->store(n, std::memory_order_release); }
  void NoBarrierSetNext(int level, Node* n) { Link(level)->store(n, std::memory_order_relaxed); }
  const char* Key() const { return reinterpret_cast<const char*>(&link0 + 1); }

  // Between Allocate and insert, the level-0 link holds the height (never dereferenced).
  void StashHeight(int height) {
    link0.store(reinterpret_cast<Node*>(static_cast<uintptr_t>(height)), std::memory_order_relaxed);
  }
  int UnstashHeight() const {
    return static_cast<int>(reinterpret_cast<uintptr_t>(link0.load(std::memory_order_relaxed)));
  }
};

// Where a key goes: at each level, the nodes it falls between. prev[height] is the head
// and next[height] null, sentinels that stop the walks up. It stays valid for the next
// key of an increasing run, so such a run inserts without searching (RocksDB's splice).
struct Splice {
  int height = 0;
  Node* prev[kMaxHeight + 1];
  Node* next[kMaxHeight + 1];
};

class SkipListRep final : public rocksdb::MemTableRep {
 public:
  SkipListRep(const KeyComparator& compare, rocksdb::Allocator* allocator,
              const SkipListRepOptions& options)
      : MemTableRep(allocator),
        compare_(compare),
        options_(options),
        bytewise_(options.bytewise && InlineOrderMatches(compare)),
        head_(NewNode(kMaxHeight, 0)) {}

  ~SkipListRep() override {
    for (const FreeSlot& f : free_iterators_) ::operator delete(f.slot);
  }

  // RocksDB encodes the entry into *buf, then inserts the handle.
  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    const int height = RandomHeight();
    Node* node = NewNode(height, len);
    node->StashHeight(height);
    *buf = const_cast<char*>(node->Key());
    return node;
  }

  void Insert(rocksdb::KeyHandle handle) override { InsertKey(handle); }
  // RocksDB's own hints are not used (its hint extractor is never set); were they, the
  // duplicate answer still comes through.
  void InsertWithHint(rocksdb::KeyHandle handle, void**) override { InsertKey(handle); }
  bool InsertKeyWithHint(rocksdb::KeyHandle handle, void**) override { return InsertKey(handle); }
  bool InsertKey(rocksdb::KeyHandle handle) override {
    auto* x = static_cast<Node*>(handle);
    using Hint = SkipListRepOptions::Hint;
    switch (options_.hint) {
      case Hint::kNone:
        return InsertNode(x, &sequential_, /*partial_fix=*/false);
      case Hint::kSequential:
        return InsertNode(x, &sequential_, /*partial_fix=*/true);
      case Hint::kPerPrefix: {
        const rocksdb::Slice ikey = DecodeLengthPrefixed(x->Key());
        if (ikey.size() - 8 <= options_.prefix_bytes) {
          return InsertNode(x, &sequential_, /*partial_fix=*/false);
        }
        return InsertNode(x, SpliceFor(std::string_view(ikey.data(), options_.prefix_bytes)),
                          /*partial_fix=*/true);
      }
    }
    return false;
  }

  bool Contains(const char* key) const override {
    Node* x = FindGreaterOrEqual(key);
    return x != nullptr && Compare(x->Key(), key) == 0;
  }

  void Get(const rocksdb::LookupKey& k, void* callback_args,
           bool (*callback_func)(void* arg, const char* entry)) override {
    for (Node* x = FindGreaterOrEqual(MemtableKeyOf(k));
         x != nullptr && callback_func(callback_args, x->Key()); x = x->Next(0)) {
    }
  }

  // Nodes and splices are in the arena (counted by RocksDB); the prefix table is not.
  size_t ApproximateMemoryUsage() override {
    return splice_table_bytes_.load(std::memory_order_relaxed);
  }

  Iterator* GetIterator(rocksdb::Arena* arena) override;

 private:
  class Iter;

  // Memory from the memtable's arena, aligned for a Node: MemTableRep::Allocate hands out
  // unaligned bytes (RocksDB's Allocator interface is not an installed header).
  void* AllocateAligned(size_t bytes) {
    char* raw = nullptr;
    MemTableRep::Allocate(bytes + alignof(Node) - 1, &raw);
    auto p = reinterpret_cast<uintptr_t>(raw);
    p = (p + alignof(Node) - 1) & ~static_cast<uintptr_t>(alignof(Node) - 1);
    return reinterpret_cast<void*>(p);
  }

  // A node with null links and room for an entry of `entry_bytes`.
  Node* NewNode(int height, size_t entry_bytes) {
    using Link = std::atomic<Node*>;
    auto* links = static_cast<Link*>(
        AllocateAligned(sizeof(Link) * static_cast<size_t>(height) + entry_bytes));
    for (int i = 0; i < height; ++i) new (links + i) Link(nullptr);
    return reinterpret_cast<Node*>(links + height - 1);
  }

  int RandomHeight() {
    // xorshift64*: the single writer owns it (inserts are serialized, see the header).
    uint64_t x = random_.load(std::memory_order_relaxed);
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    random_.store(x, std::memory_order_relaxed);
    uint64_t bits = (x * 0x2545F4914F6CDD1DULL) >> 32;  // the product's better half
    int height = 1;
    while (height < kMaxHeight && (bits & (kBranching - 1)) == 0) {
      ++height;
      bits >>= 2;
    }
    return height;
  }

  int MaxHeight() const { return max_height_.load(std::memory_order_relaxed); }

  // An entry against a length-prefixed internal key (a memtable key) or an internal key.
  int Compare(const char* entry, const char* key) const {
    return bytewise_ ? CompareInternalKeys(DecodeLengthPrefixed(entry), DecodeLengthPrefixed(key))
                     : compare_(entry, key);
  }
  int Compare(const char* entry, const rocksdb::Slice& internal_key) const {
    return bytewise_ ? CompareInternalKeys(DecodeLengthPrefixed(entry), internal_key)
                     : compare_(entry, internal_key);
  }

  // The splice of a key prefix, made on first use; it and a copy of the prefix live in the
  // arena, with the memtable.
  Splice* SpliceFor(std::string_view prefix) {
    const size_t hash = StringHash{}(prefix);
    auto it = splices_.find(prefix, hash);
    if (it != splices_.end()) return it->second;
    auto* splice = new (AllocateAligned(sizeof(Splice) + prefix.size())) Splice();
    char* copy = reinterpret_cast<char*>(splice + 1);
    std::memcpy(copy, prefix.data(), prefix.size());
    splices_.emplace(std::string_view(copy, prefix.size()), splice);
    splice_table_bytes_.store(splices_.bucket_count() * sizeof(*splices_.begin()),
                              std::memory_order_relaxed);
    return splice;
  }

  // True when `key` sorts after `n`'s key (false for the end, null).
  template <typename K>
  bool KeyIsAfterNode(const K& key, const Node* n) const {
    return n != nullptr && Compare(n->Key(), key) < 0;
  }

  // The last node before `key` (the head when none) and, in *at_or_after, the first one
  // not before it (null when none): one search from the top for both.
  template <typename K>
  Node* FindLessThan(const K& key, Node** at_or_after = nullptr) const {
    Node* x = head_;
    int level = MaxHeight() - 1;
    Node* last_bigger = nullptr;
    while (true) {
      Node* next = x->Next(level);
      // A node already known to be bigger needs no second comparison.
      if (next != last_bigger && KeyIsAfterNode(key, next)) {
        x = next;
      } else {
        if (level == 0) {
          if (at_or_after != nullptr) *at_or_after = next;
          return x;
        }
        last_bigger = next;
        --level;
      }
    }
  }

  template <typename K>
  Node* FindGreaterOrEqual(const K& key) const {
    Node* at_or_after = nullptr;
    FindLessThan(key, &at_or_after);
    return at_or_after;
  }

  Node* FindLast() const {
    Node* x = head_;
    int level = MaxHeight() - 1;
    while (true) {
      Node* next = x->Next(level);
      if (next != nullptr) {
        x = next;
      } else {
        if (level == 0) return x;
        --level;
      }
    }
  }

  // Walks level `level` from `before` (which sorts before key) to where key goes.
  void FindSpliceForLevel(const char* key, Node* before, Node* after, int level, Node** out_prev,
                          Node** out_next) const {
    while (true) {
      Node* next = before->Next(level);
      if (next == after || !KeyIsAfterNode(key, next)) {
        *out_prev = before;
        *out_next = next;
        return;
      }
      before = next;
    }
  }

  void RecomputeSpliceLevels(const char* key, Splice* splice, int recompute_level) const {
    for (int i = recompute_level - 1; i >= 0; --i) {
      FindSpliceForLevel(key, splice->prev[i + 1], splice->next[i + 1], i, &splice->prev[i],
                         &splice->next[i]);
    }
  }

  // Single-writer insert with a splice (RocksDB's InlineSkipList::Insert without CAS and
  // without its debug re-verification). `partial_fix`: recompute only the levels that do
  // not bracket the key (hints) rather than all of them (the sequential splice, where a
  // key out of order usually lands far away). False for a duplicate internal key.
  bool InsertNode(Node* x, Splice* splice, bool partial_fix) {
    const char* key = x->Key();
    const int height = x->UnstashHeight();
    int max_height = MaxHeight();
    if (height > max_height) {
      // Readers that see the new height before the links find null there: harmless.
      max_height_.store(height, std::memory_order_relaxed);
      max_height = height;
    }
    int recompute_height = 0;
    if (splice->height < max_height) {
      splice->prev[max_height] = head_;
      splice->next[max_height] = nullptr;
      splice->height = max_height;
      recompute_height = max_height;
    } else {
      while (recompute_height < max_height) {
        Node* prev = splice->prev[recompute_height];
        Node* next = splice->next[recompute_height];
        if (prev->Next(recompute_height) != next) {
          ++recompute_height;  // stale here: something went in between
        } else if (prev != head_ && !KeyIsAfterNode(key, prev)) {
          if (!partial_fix) {
            recompute_height = max_height;
          } else {
            while (splice->prev[recompute_height] == prev) ++recompute_height;
          }
        } else if (KeyIsAfterNode(key, next)) {
          if (!partial_fix) {
            recompute_height = max_height;
          } else {
            while (splice->next[recompute_height] == next) ++recompute_height;
          }
        } else {
          break;  // this level brackets the key, and so do those above it
        }
      }
    }
    if (recompute_height > 0) RecomputeSpliceLevels(key, splice, recompute_height);

    for (int i = 0; i < height; ++i) {
      if (i >= recompute_height && splice->prev[i]->Next(i) != splice->next[i]) {
        FindSpliceForLevel(key, splice->prev[i], nullptr, i, &splice->prev[i], &splice->next[i]);
      }
      if (i == 0) {
        // Duplicates (same user key and sequence) are checked at level 0 only.
        if (splice->next[0] != nullptr && Compare(splice->next[0]->Key(), key) <= 0) return false;
        if (splice->prev[0] != head_ && Compare(splice->prev[0]->Key(), key) >= 0) return false;
      }
      x->NoBarrierSetNext(i, splice->next[i]);
      splice->prev[i]->SetNext(i, x);  // publishes the node (release)
    }
    for (int i = 0; i < height; ++i) splice->prev[i] = x;
    return true;
  }

  // Iterators RocksDB places in its arena only get their destructor called: those come
  // from (and go back to) this free list, owned by the rep, which outlives them. A slot
  // goes back while its destructor still runs (the base class's part comes after), so
  // only the thread that gave it back takes it again: it cannot be inside that
  // destructor any more when it asks for a new iterator.
  void* TakeIteratorSlot();
  void GiveBackIteratorSlot(void* slot);
  struct FreeSlot {
    std::thread::id freed_by;
    void* slot;
  };

  const KeyComparator& compare_;
  const SkipListRepOptions options_;
  const bool bytewise_;  // options_.bytewise, checked against compare_
  Node* const head_;
  std::atomic<int> max_height_{1};
  std::atomic<uint64_t> random_{0x9E3779B97F4A7C15ULL};
  Splice sequential_;  // the splice of inserts without a prefix's
  // kPerPrefix: prefix -> its splice (the writer's alone, like the splices).
  tsl::robin_map<std::string_view, Splice*, StringHash, std::equal_to<>,
                 std::allocator<std::pair<std::string_view, Splice*>>, /*StoreHash=*/true>
      splices_;
  std::atomic<size_t> splice_table_bytes_{0};  // read by other threads
  std::mutex iterators_mu_;
  std::vector<FreeSlot> free_iterators_;
};

class SkipListRep::Iter final : public rocksdb::MemTableRep::Iterator {
 public:
  Iter(const SkipListRep* list, bool pooled) : list_(list), pooled_(pooled) {}
  ~Iter() override {
    if (pooled_) const_cast<SkipListRep*>(list_)->GiveBackIteratorSlot(this);
  }

  bool Valid() const override { return node_ != nullptr; }
  const char* key() const override { return node_->Key(); }
  void Next() override { node_ = node_->Next(0); }
  void Prev() override {
    node_ = list_->FindLessThan(node_->Key());
    if (node_ == list_->head_) node_ = nullptr;
  }
  void Seek(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    node_ = memtable_key != nullptr ? list_->FindGreaterOrEqual(memtable_key)
                                    : list_->FindGreaterOrEqual(internal_key);
  }
  void SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) override {
    if (memtable_key != nullptr) {
      SeekAtOrBefore(memtable_key);
    } else {
      SeekAtOrBefore(internal_key);
    }
  }
  void SeekToFirst() override { node_ = list_->head_->Next(0); }
  void SeekToLast() override {
    node_ = list_->FindLast();
    if (node_ == list_->head_) node_ = nullptr;
  }

 private:
  // The last node not after `target`.
  template <typename K>
  void SeekAtOrBefore(const K& target) {
    Node* at_or_after = nullptr;
    Node* before = list_->FindLessThan(target, &at_or_after);
    if (at_or_after != nullptr && list_->Compare(at_or_after->Key(), target) == 0) {
      node_ = at_or_after;
    } else {
      node_ = before == list_->head_ ? nullptr : before;
    }
  }

  const SkipListRep* list_;
  bool pooled_;
  Node* node_ = nullptr;
};

void* SkipListRep::TakeIteratorSlot() {
  {
    std::lock_guard lock(iterators_mu_);
    const std::thread::id me = std::this_thread::get_id();
    for (size_t i = free_iterators_.size(); i-- > 0;) {
      if (free_iterators_[i].freed_by != me) continue;
      void* slot = free_iterators_[i].slot;
      free_iterators_[i] = free_iterators_.back();
      free_iterators_.pop_back();
      return slot;
    }
  }
  return ::operator new(sizeof(Iter));
}

void SkipListRep::GiveBackIteratorSlot(void* slot) {
  std::lock_guard lock(iterators_mu_);
  free_iterators_.push_back(FreeSlot{std::this_thread::get_id(), slot});
}

rocksdb::MemTableRep::Iterator* SkipListRep::GetIterator(rocksdb::Arena* arena) {
  if (arena == nullptr) return new Iter(this, /*pooled=*/false);  // the caller deletes it
  return new (TakeIteratorSlot()) Iter(this, /*pooled=*/true);
}

class SkipListRepFactory final : public rocksdb::MemTableRepFactory {
 public:
  explicit SkipListRepFactory(const SkipListRepOptions& options) : options_(options) {}
  const char* Name() const override { return "tailor.SkipListRep"; }
  using MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                          rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*,
                                          rocksdb::Logger*) override {
    return new SkipListRep(compare, allocator, options_);
  }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return false; }

 private:
  SkipListRepOptions options_;
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> NewSkipListRepFactory(
    const SkipListRepOptions& options) {
  return std::make_shared<SkipListRepFactory>(options);
}

}  // namespace tailor::storage::internal
