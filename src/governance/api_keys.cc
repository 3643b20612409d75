#include "governance/api_keys.h"

#include <algorithm>
#include <mutex>

#include "core/hash.h"
#include "core/ids.h"
#include "core/json_doc.h"

namespace tailor::governance {

namespace {

constexpr std::string_view kHashPrefix = "h/";

std::string EncodeRecord(const ApiKeyRecord& r) {
  Json j = {{"id", r.id}, {"name", r.name}, {"scopes", r.scopes},
            {"created_at_ms", r.created_at_ms}, {"created_by", r.created_by}};
  return j.dump();
}

Result<ApiKeyRecord> DecodeRecord(std::string_view text) {
  auto j = ParseJsonObject(text);
  if (!j.ok()) return Corruption("API key record: " + j.status().message());
  try {
    ApiKeyRecord r;
    r.id = j->at("id").get<std::string>();
    r.name = j->at("name").get<std::string>();
    r.scopes = j->at("scopes").get<std::vector<std::string>>();
    r.created_at_ms = j->at("created_at_ms").get<int64_t>();
    r.created_by = j->at("created_by").get<std::string>();
    return r;
  } catch (const Json::exception& e) {
    return Corruption(std::string("API key record: ") + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<ApiKeyStore>> ApiKeyStore::Open(storage::KvStore& store,
                                                       const Clock& clock, Random& random) {
  std::unique_ptr<ApiKeyStore> keys(new ApiKeyStore(store, clock, random));
  TAILOR_RETURN_IF_ERROR(keys->Load());
  return keys;
}

Status ApiKeyStore::Load() {
  auto it = store_.NewIterator(storage::Keyspace::kApiKeys, kHashPrefix,
                               storage::PrefixEnd(kHashPrefix));
  std::unique_lock lock(mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TAILOR_ASSIGN_OR_RETURN(ApiKeyRecord r, DecodeRecord(it->value()));
    by_hash_.emplace(std::string(it->key().substr(kHashPrefix.size())), std::move(r));
  }
  return it->status();
}

Result<ApiKeyRecord> ApiKeyStore::Insert(std::string_view secret, std::string name,
                                         std::vector<std::string> scopes,
                                         std::string created_by) {
  ApiKeyRecord r;
  r.id = "key_" + RandomHex(random_, 6);
  r.name = std::move(name);
  r.scopes = std::move(scopes);
  r.created_at_ms = clock_.NowMs();
  r.created_by = std::move(created_by);
  std::string hash = Sha256Hex(secret);
  std::unique_lock lock(mu_);
  if (by_hash_.count(hash)) return AlreadyExists("this key is already registered");
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kApiKeys, std::string(kHashPrefix) + hash, EncodeRecord(r));
  TAILOR_RETURN_IF_ERROR(store_.Write(b, storage::WriteOptions{true}));
  by_hash_.emplace(std::move(hash), r);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return r;
}

Result<CreatedKey> ApiKeyStore::Create(std::string name, std::vector<std::string> scopes,
                                       std::string created_by) {
  CreatedKey out;
  out.secret = "tk_" + RandomHex(random_, 24);
  TAILOR_ASSIGN_OR_RETURN(out.record,
                          Insert(out.secret, std::move(name), std::move(scopes),
                                 std::move(created_by)));
  return out;
}

Result<ApiKeyRecord> ApiKeyStore::Import(std::string_view secret, std::string name,
                                         std::vector<std::string> scopes,
                                         std::string created_by) {
  if (secret.size() < 16) {
    return InvalidArgument("an API key must be at least 16 characters long");
  }
  return Insert(secret, std::move(name), std::move(scopes), std::move(created_by));
}

Result<std::optional<std::string>> ApiKeyStore::Bootstrap(std::string_view admin_secret) {
  {
    std::shared_lock lock(mu_);
    if (!by_hash_.empty()) return std::optional<std::string>();
  }
  if (!admin_secret.empty()) {
    TAILOR_RETURN_IF_ERROR(
        Import(admin_secret, "admin (TAILOR_ADMIN_KEY)", {"admin"}, "bootstrap").status());
    return std::optional<std::string>(std::string(admin_secret));
  }
  TAILOR_ASSIGN_OR_RETURN(CreatedKey k, Create("admin (generated)", {"admin"}, "bootstrap"));
  return std::optional<std::string>(k.secret);
}

Result<ApiKeyRecord> ApiKeyStore::Authenticate(std::string_view secret) const {
  std::string hash = Sha256Hex(secret);
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) {
    return Unauthenticated("unknown API key; create one with `tailor keys create` or POST /v1/keys");
  }
  return it->second;
}

std::vector<ApiKeyRecord> ApiKeyStore::List() const {
  std::vector<ApiKeyRecord> out;
  std::shared_lock lock(mu_);
  for (const auto& [h, r] : by_hash_) out.push_back(r);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.created_at_ms < b.created_at_ms ||
                                                      (a.created_at_ms == b.created_at_ms && a.id < b.id); });
  return out;
}

Status ApiKeyStore::Delete(std::string_view id) {
  std::unique_lock lock(mu_);
  for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
    if (it->second.id != id) continue;
    storage::WriteBatch b;
    b.Delete(storage::Keyspace::kApiKeys, std::string(kHashPrefix) + it->first);
    TAILOR_RETURN_IF_ERROR(store_.Write(b, storage::WriteOptions{true}));
    by_hash_.erase(it);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    return Status::OK();
  }
  return NotFound("no API key with id '" + std::string(id) + "'", "id");
}

}  // namespace tailor::governance
