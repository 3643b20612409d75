#include "profile/profile_store.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/string_table.h"
#include "storage/key_codec.h"

namespace tailor::profile {

namespace {
enum PutMode { kStored = 0, kUnstored = 1, kUnchanged = 2 };
constexpr size_t kFlushChunk = 512;
}  // namespace

struct ProfileStore::Shard {
  struct Entry {
    std::optional<Profile> profile;  // nullopt while a writer holds it (Take)
    uint64_t unstored_since = 0;     // journal seq of the oldest unstored change; 0: stored
    bool flushing = false;           // Flush is writing a copy of it
  };
  // std::mutex rather than core/mutex.h: readers wait on `cv` for a writer to put a
  // profile back.
  std::mutex mu;
  std::condition_variable cv;
  // A lookup that hits reads the slot (stored hash, key), the key's bytes and the entry,
  // against std::unordered_map's bucket, node-before, node and key (about 4 % of the
  // server's CPU under schemas-only ingest went to those misses, docs/performance.md).
  // Entries (~450 bytes) live outside the table: its empty slots (load factor at most
  // 0.5) then cost ~50 bytes each, not a whole entry.
  StringMap<std::unique_ptr<Entry>> map;  // guarded by mu
};

ProfileStore::ProfileStore(storage::KvStore& store, size_t cache_entries)
    : store_(store),
      per_shard_cap_(std::max<size_t>(1, cache_entries / kShards)),
      shards_(new Shard[kShards]) {}

ProfileStore::~ProfileStore() = default;

ProfileStore::Shard& ProfileStore::ShardFor(std::string_view pid, size_t* hash) {
  *hash = StringHash{}(pid);
  return shards_[ShardOf(*hash, kShards)];
}

void ProfileStore::EvictOne(Shard& shard) {
  if (shard.map.size() < per_shard_cap_) return;
  // An arbitrary stored, idle entry (the store is the truth for it). A few tries only:
  // when every one looked at is dirty or busy the shard grows until Flush.
  int tries = 0;
  for (auto it = shard.map.begin(); it != shard.map.end() && tries < 16; ++it, ++tries) {
    const Shard::Entry& e = *it->second;
    if (e.profile && e.unstored_since == 0 && !e.flushing) {
      shard.map.erase(it);
      return;
    }
  }
}

Result<std::optional<Profile>> ProfileStore::Load(const std::string& pid) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  {
    std::unique_lock<std::mutex> lock(shard.mu);
    for (;;) {
      auto it = shard.map.find(pid, hash);
      if (it == shard.map.end()) break;
      if (it->second->profile) return std::optional<Profile>(*it->second->profile);
      shard.cv.wait(lock);  // a writer holds it: wait for the acknowledged version
    }
  }
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kProfiles,
                                               storage::ProfilePrefix(pid)));
  if (!raw) return std::optional<Profile>();
  TAILOR_ASSIGN_OR_RETURN(Profile p, DecodeProfile(*raw));
  {
    // Cache what we read unless a writer got there meanwhile (a reader must never put an
    // older version back in front of the writer's).
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(pid, hash);
    if (it != shard.map.end()) {
      if (it->second->profile && it->second->profile->version >= p.version) {
        return std::optional<Profile>(*it->second->profile);
      }
      return std::optional<Profile>(std::move(p));
    }
    EvictOne(shard);
    shard.map.emplace(pid, std::make_unique<Shard::Entry>(Shard::Entry{p, 0, false}));
  }
  return std::optional<Profile>(std::move(p));
}

Result<std::optional<Profile>> ProfileStore::Take(const std::string& pid) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  {
    std::unique_lock<std::mutex> lock(shard.mu);
    for (;;) {
      auto it = shard.map.find(pid, hash);
      if (it == shard.map.end()) {
        EvictOne(shard);
        shard.map.emplace(pid, std::make_unique<Shard::Entry>());  // held: readers wait for us, not the store
        break;
      }
      Shard::Entry& e = *it->second;
      if (e.profile) {  // a flush in progress writes its own copy
        std::optional<Profile> out(std::move(e.profile));
        e.profile.reset();
        return out;
      }
      shard.cv.wait(lock);
    }
  }
  auto release = [&] {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(pid, hash);
    if (it != shard.map.end() && !it->second->profile) shard.map.erase(it);
    shard.cv.notify_all();
  };
  auto raw = store_.Get(storage::Keyspace::kProfiles, storage::ProfilePrefix(pid));
  if (!raw.ok() || !*raw) {
    release();
    if (!raw.ok()) return raw.status();
    return std::optional<Profile>();
  }
  auto p = DecodeProfile(**raw);
  if (!p.ok()) {
    release();
    return p.status();
  }
  return std::optional<Profile>(std::move(p).value());
}

void ProfileStore::Stage(const Profile& p, storage::WriteBatch* batch) {
  batch->Put(storage::Keyspace::kProfiles, storage::ProfilePrefix(p.id), EncodeProfile(p));
}

void ProfileStore::Put(Profile p, int mode, uint64_t seq) {
  std::string id = p.id;
  {
    size_t hash;
    Shard& shard = ShardFor(id, &hash);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(id, hash);
    if (it == shard.map.end()) {
      EvictOne(shard);
      it = shard.map.emplace(id, std::make_unique<Shard::Entry>()).first;
    }
    Shard::Entry& e = *it->second;
    e.profile = std::move(p);
    if (mode == kStored) e.unstored_since = 0;
    if (mode == kUnstored && e.unstored_since == 0) e.unstored_since = seq;
    shard.cv.notify_all();
  }
  if (listener_ && mode != kUnchanged) listener_(id);
}

void ProfileStore::Remember(Profile p) { Put(std::move(p), kStored, 0); }
void ProfileStore::RememberUnstored(Profile p, uint64_t seq) { Put(std::move(p), kUnstored, seq); }
void ProfileStore::Return(Profile p) { Put(std::move(p), kUnchanged, 0); }

Result<size_t> ProfileStore::Flush() {
  // Every dirty profile, in key order: consecutive keys of a sorted batch land next to
  // each other in RocksDB's memtable skiplist, so each insert continues the previous
  // one's search instead of starting from the top (about half the flush's write cost).
  // pids are fixed-length ULIDs, so pid order is key order ("{pid}").
  std::vector<std::string> dirty;
  for (size_t k = 0; k < kShards; ++k) {
    Shard& shard = shards_[k];
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [pid, e] : shard.map) {
      if (e->unstored_since != 0) dirty.push_back(pid);
    }
  }
  std::sort(dirty.begin(), dirty.end());
  size_t written = 0;
  for (size_t begin = 0; begin < dirty.size(); begin += kFlushChunk) {
    size_t end = std::min(dirty.size(), begin + kFlushChunk);
    // Copied under the lock and encoded outside it, so writers never wait for a flush:
    // a profile changed meanwhile stays unstored for the changes after the copy.
    std::vector<Profile> picked;
    for (size_t i = begin; i < end; ++i) {
      size_t hash;
      Shard& shard = ShardFor(dirty[i], &hash);
      std::lock_guard<std::mutex> lock(shard.mu);
      auto it = shard.map.find(dirty[i], hash);
      if (it == shard.map.end() || !it->second->profile || it->second->unstored_since == 0 ||
          it->second->flushing) {
        continue;  // written, held by a writer, or gone: the next flush sees it
      }
      it->second->flushing = true;
      picked.push_back(*it->second->profile);
    }
    if (picked.empty()) continue;
    storage::WriteBatch wb;
    for (const Profile& p : picked) Stage(p, &wb);
    Status st = store_.Write(wb, storage::WriteOptions{});
    std::array<bool, kShards> touched{};
    for (const Profile& p : picked) {
      size_t hash;
      Shard& shard = ShardFor(p.id, &hash);
      touched[&shard - shards_.get()] = true;
      std::lock_guard<std::mutex> lock(shard.mu);
      auto it = shard.map.find(p.id, hash);
      if (it != shard.map.end()) {  // else forgotten meanwhile
        Shard::Entry& e = *it->second;
        e.flushing = false;
        if (st.ok() && e.unstored_since != 0) {
          if (e.profile && e.profile->version == p.version) {
            e.unstored_since = 0;
          } else {
            // Changed (or held by a writer) since the copy: the store now has every batch
            // up to the copy's applied_seq; the journal must keep the ones after it.
            e.unstored_since = std::max(e.unstored_since, p.applied_seq + 1);
          }
        }
      }
    }
    for (size_t k = 0; k < kShards; ++k) {
      if (touched[k]) shards_[k].cv.notify_all();  // readers waiting for a flushing entry
    }
    TAILOR_RETURN_IF_ERROR(st);
    written += picked.size();
  }
  return written;
}

void ProfileStore::WaitForFlush(const std::string& pid) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  std::unique_lock<std::mutex> lock(shard.mu);
  for (;;) {
    auto it = shard.map.find(pid, hash);
    if (it == shard.map.end() || !it->second->flushing) return;
    shard.cv.wait(lock);
  }
}

bool ProfileStore::Unstored(const std::string& pid) {
  size_t hash;
  Shard& shard = ShardFor(pid, &hash);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(pid, hash);
  return it != shard.map.end() && it->second->unstored_since != 0;
}

Result<std::optional<Profile>> ProfileStore::LoadStored(const std::string& pid) {
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kProfiles, storage::ProfilePrefix(pid)));
  if (!raw) return std::optional<Profile>();
  TAILOR_ASSIGN_OR_RETURN(Profile p, DecodeProfile(*raw));
  return std::optional<Profile>(std::move(p));
}

uint64_t ProfileStore::UnstoredFloor() {
  uint64_t floor = UINT64_MAX;
  for (size_t k = 0; k < kShards; ++k) {
    Shard& shard = shards_[k];
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [pid, e] : shard.map) {
      if (e->unstored_since != 0) floor = std::min(floor, e->unstored_since);
    }
  }
  return floor;
}

size_t ProfileStore::UnstoredCount() {
  size_t n = 0;
  for (size_t k = 0; k < kShards; ++k) {
    Shard& shard = shards_[k];
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [pid, e] : shard.map) n += e->unstored_since != 0;
  }
  return n;
}

void ProfileStore::StageErase(const std::string& pid, storage::WriteBatch* batch) {
  std::string prefix = storage::ProfilePrefix(pid);
  std::string end = storage::PrefixEnd(prefix);
  for (const auto& info : storage::kKeyspaces) {
    if (!info.profile_scoped) continue;
    auto ks = static_cast<storage::Keyspace>(&info - storage::kKeyspaces.data());
    batch->DeleteRange(ks, prefix, end);
  }
}

bool ProfileStore::Forget(const std::string& pid) {
  bool unstored = false;
  {
    size_t hash;
    Shard& shard = ShardFor(pid, &hash);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (auto it = shard.map.find(pid, hash); it != shard.map.end()) {
      unstored = it->second->unstored_since != 0;
      shard.map.erase(it);
    }
    shard.cv.notify_all();
  }
  if (listener_) listener_(pid);
  return unstored;
}

Result<EventPage> ProfileStore::Events(const std::string& pid, size_t limit,
                                       const std::optional<EventCursor>& before) {
  std::string prefix = storage::ProfilePrefix(pid);
  std::string upper = !before ? storage::PrefixEnd(prefix)
                      : before->event_id.empty()
                          ? storage::EventKeyLowerBound(pid, before->timestamp_ms)
                          : storage::EventKey(pid, before->timestamp_ms, before->event_id);
  auto it = store_.NewIterator(storage::Keyspace::kEvents, prefix, upper);
  EventPage page;
  EventCursor last;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    auto key = storage::DecodeEventKey(it->key());
    if (!key) return Corruption("malformed event key in profile " + pid);
    if (page.stored.size() == limit) {
      page.next = last;
      break;
    }
    page.stored.emplace_back(it->value());
    last = EventCursor{key->timestamp_ms, std::string(key->event_id)};
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return page;
}

Status ProfileStore::StageMoveEvents(const std::string& from, const std::string& to,
                                     storage::WriteBatch* batch) {
  std::string prefix = storage::ProfilePrefix(from);
  std::string end = storage::PrefixEnd(prefix);
  auto it = store_.NewIterator(storage::Keyspace::kEvents, prefix, end);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = storage::DecodeEventKey(it->key());
    if (!key) return Corruption("malformed event key in profile " + from);
    batch->Put(storage::Keyspace::kEvents, storage::EventKey(to, key->timestamp_ms, key->event_id),
               it->value());
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  StageErase(from, batch);
  return Status::OK();
}

}  // namespace tailor::profile
