#include "profile/profile_store.h"

#include "core/hash.h"
#include "storage/key_codec.h"

namespace tailor::profile {

ProfileStore::Shard& ProfileStore::ShardFor(const std::string& pid) {
  return shards_[Hash64(pid) % kShards];
}

Result<std::optional<Profile>> ProfileStore::Load(const std::string& pid) {
  Shard& shard = ShardFor(pid);
  {
    MutexLock lock(shard.mu);
    auto it = shard.map.find(pid);
    if (it != shard.map.end()) return std::optional<Profile>(it->second);
  }
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kProfiles,
                                               storage::ProfilePrefix(pid)));
  if (!raw) return std::optional<Profile>();
  TAILOR_ASSIGN_OR_RETURN(Profile p, DecodeProfile(*raw));
  {
    // Cache what we read unless a writer cached a newer version meanwhile (a reader
    // must never put an older version back in front of the writer's).
    MutexLock lock(shard.mu);
    auto it = shard.map.find(pid);
    if (it != shard.map.end()) {
      if (it->second.version >= p.version) return std::optional<Profile>(it->second);
      it->second = p;
    } else {
      if (shard.map.size() >= per_shard_cap_) shard.map.erase(shard.map.begin());
      shard.map.emplace(pid, p);
    }
  }
  return std::optional<Profile>(std::move(p));
}

Result<std::optional<Profile>> ProfileStore::Take(const std::string& pid) {
  Shard& shard = ShardFor(pid);
  {
    MutexLock lock(shard.mu);
    auto it = shard.map.find(pid);
    if (it != shard.map.end()) {
      std::optional<Profile> out(std::move(it->second));
      shard.map.erase(it);
      return out;
    }
  }
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kProfiles, storage::ProfilePrefix(pid)));
  if (!raw) return std::optional<Profile>();
  TAILOR_ASSIGN_OR_RETURN(Profile p, DecodeProfile(*raw));
  return std::optional<Profile>(std::move(p));
}

void ProfileStore::Stage(const Profile& p, storage::WriteBatch* batch) {
  batch->Put(storage::Keyspace::kProfiles, storage::ProfilePrefix(p.id), EncodeProfile(p));
}

void ProfileStore::Remember(Profile p) {
  std::string id = p.id;
  {
    Shard& shard = ShardFor(id);
    MutexLock lock(shard.mu);
    auto it = shard.map.find(id);
    if (it != shard.map.end()) {
      it->second = std::move(p);
    } else {
      // Bounded cache: evict an arbitrary entry of this shard (the store is the truth).
      if (shard.map.size() >= per_shard_cap_) shard.map.erase(shard.map.begin());
      shard.map.emplace(id, std::move(p));
    }
  }
  if (listener_) listener_(id);
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

void ProfileStore::Forget(const std::string& pid) {
  {
    Shard& shard = ShardFor(pid);
    MutexLock lock(shard.mu);
    shard.map.erase(pid);
  }
  if (listener_) listener_(pid);
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
    if (page.events_json.size() == limit) {
      page.next = last;
      break;
    }
    page.events_json.emplace_back(it->value());
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
