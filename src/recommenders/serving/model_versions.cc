#include "recommenders/serving/model_versions.h"

namespace tailor::recommenders {

namespace {

constexpr char kLayout = 1;

std::string VersionKey(const std::string& name, uint64_t version) {
  std::string k = name;
  k.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8)
    k.push_back(static_cast<char>((version >> shift) & 0xff));
  return k;
}

// name '\2' version: the prefix of a version's data chunks. name '\3': the shadow pointer.
std::string DataPrefix(const std::string& name, uint64_t version) {
  std::string k = VersionKey(name, version);
  k[name.size()] = '\2';
  return k;
}

std::string DataKey(const std::string& name, uint64_t version, uint32_t chunk) {
  std::string k = DataPrefix(name, version);
  for (int shift = 24; shift >= 0; shift -= 8)
    k.push_back(static_cast<char>((chunk >> shift) & 0xff));
  return k;
}

std::string LiveKey(const std::string& name) { return name + '\1'; }

Result<Json> Decode(std::string_view v, const std::string& what) {
  if (v.empty() || v[0] != kLayout) return Corruption(what + ": unknown layout");
  auto j = ParseJson(v.substr(1));
  if (!j.ok()) return Corruption(what + ": " + j.status().message());
  return std::move(j).value();
}

std::string Encode(const Json& j) { return std::string(1, kLayout) + j.dump(); }

}  // namespace

Result<uint64_t> ModelVersions::NextVersion(const std::string& name) {
  std::string prefix = name + '\0';
  auto it = store_.NewIterator(storage::Keyspace::kModels, prefix, storage::PrefixEnd(prefix));
  it->SeekToLast();
  TAILOR_RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return 1;
  TAILOR_ASSIGN_OR_RETURN(Json last, Decode(it->value(), "model version"));
  return last.value("version", uint64_t{0}) + 1;
}

Status ModelVersions::Put(const std::string& name, const Json& record, std::string_view data) {
  const auto version = record.at("version").get<uint64_t>();
  storage::WriteBatch b;
  for (size_t off = 0, chunk = 0; off < data.size(); off += kModelDataChunk, ++chunk) {
    b.Put(storage::Keyspace::kModels, DataKey(name, version, static_cast<uint32_t>(chunk)),
          data.substr(off, kModelDataChunk));
  }
  b.Put(storage::Keyspace::kModels, VersionKey(name, version), Encode(record));
  return store_.Write(b);
}

Result<std::optional<std::string>> ModelVersions::GetData(const std::string& name,
                                                          uint64_t version) {
  const std::string prefix = DataPrefix(name, version);
  auto it = store_.NewIterator(storage::Keyspace::kModels, prefix, storage::PrefixEnd(prefix));
  std::optional<std::string> out;
  uint32_t expected = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    uint32_t chunk = 0;
    if (key.size() != prefix.size() + 4) return Corruption("model data: bad chunk key");
    for (size_t i = prefix.size(); i < key.size(); ++i)
      chunk = (chunk << 8) | static_cast<uint8_t>(key[i]);
    if (chunk != expected++) return Corruption("model data: missing chunk");
    if (!out) out.emplace();
    out->append(it->value());
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<Json> ModelVersions::Get(const std::string& name, uint64_t version) {
  TAILOR_ASSIGN_OR_RETURN(auto v,
                          store_.Get(storage::Keyspace::kModels, VersionKey(name, version)));
  if (!v)
    return NotFound("model '" + name + "' has no version " + std::to_string(version), "version");
  return Decode(*v, "model version");
}

Result<std::vector<Json>> ModelVersions::List(const std::string& name) {
  std::string prefix = name + '\0';
  std::vector<Json> out;
  auto it = store_.NewIterator(storage::Keyspace::kModels, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TAILOR_ASSIGN_OR_RETURN(Json j, Decode(it->value(), "model version"));
    out.push_back(std::move(j));
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::vector<uint64_t>> ModelVersions::PruneData(const std::string& name,
                                                       const std::set<uint64_t>& keep,
                                                       int64_t now_ms) {
  // Data chunk keys: name '\2' version(8) chunk(4).
  const std::string prefix = name + '\2';
  storage::WriteBatch b;
  std::vector<uint64_t> pruned;
  auto it = store_.NewIterator(storage::Keyspace::kModels, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    if (key.size() != prefix.size() + 12) return Corruption("model data: bad chunk key");
    uint64_t version = 0;
    for (size_t i = prefix.size(); i < prefix.size() + 8; ++i)
      version = (version << 8) | static_cast<uint8_t>(key[i]);
    if (keep.count(version)) continue;
    b.Delete(storage::Keyspace::kModels, key);
    if (pruned.empty() || pruned.back() != version) pruned.push_back(version);
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  for (uint64_t v : pruned) {
    TAILOR_ASSIGN_OR_RETURN(Json record, Get(name, v));
    record["pruned"] = true;
    record["pruned_at_ms"] = now_ms;
    b.Put(storage::Keyspace::kModels, VersionKey(name, v), Encode(record));
  }
  if (!pruned.empty()) TAILOR_RETURN_IF_ERROR(store_.Write(b));
  return pruned;
}

Result<LivePointer> ModelVersions::Live(const std::string& name) {
  TAILOR_ASSIGN_OR_RETURN(auto v, store_.Get(storage::Keyspace::kModels, LiveKey(name)));
  LivePointer p;
  if (!v) return p;
  TAILOR_ASSIGN_OR_RETURN(Json j, Decode(*v, "live pointer"));
  p.version = j.value("version", uint64_t{0});
  if (j.contains("previous")) p.previous = j["previous"].get<std::vector<uint64_t>>();
  return p;
}

Result<uint64_t> ModelVersions::Shadow(const std::string& name) {
  TAILOR_ASSIGN_OR_RETURN(auto v, store_.Get(storage::Keyspace::kModels, name + '\3'));
  if (!v) return uint64_t{0};
  TAILOR_ASSIGN_OR_RETURN(Json j, Decode(*v, "shadow pointer"));
  return j.value("version", uint64_t{0});
}

Status ModelVersions::SetShadow(const std::string& name, uint64_t version) {
  storage::WriteBatch b;
  if (version == 0) {
    b.Delete(storage::Keyspace::kModels, name + '\3');
  } else {
    b.Put(storage::Keyspace::kModels, name + '\3', Encode(Json{{"version", version}}));
  }
  return store_.Write(b);
}

Status ModelVersions::SetLive(const std::string& name, const LivePointer& live) {
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kModels, LiveKey(name),
        Encode(Json{{"version", live.version}, {"previous", live.previous}}));
  return store_.Write(b);
}

}  // namespace tailor::recommenders
