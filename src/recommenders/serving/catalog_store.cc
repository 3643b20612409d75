#include "recommenders/serving/catalog_store.h"

#include "recommenders/serving/rec_config.h"

namespace tailor::recommenders {

namespace {

constexpr char kItemVersion = 1;  // value layout: version byte + item JSON

CatalogItem TextOf(const Json& doc) {
  CatalogItem c;
  c.id = doc["id"].get<std::string>();
  c.title = doc["title"].get<std::string>();
  for (const auto& x : doc["categories"]) c.categories.push_back(x.get<std::string>());
  for (const auto& x : doc["tags"]) c.tags.push_back(x.get<std::string>());
  return c;
}

}  // namespace

CatalogStore::CatalogStore(storage::KvStore& store) : store_(store) {
  current_.store(std::make_shared<const Catalog>());
}

Status CatalogStore::Load() {
  std::map<std::string, Json, std::less<>> loaded;
  auto it = store_.NewIterator(storage::Keyspace::kItems, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view v = it->value();
    if (v.empty() || v[0] != kItemVersion)
      return Corruption("item '" + std::string(it->key()) + "': unknown layout");
    auto doc = ParseJson(v.substr(1));
    if (!doc.ok())
      return Corruption("item '" + std::string(it->key()) + "': " + doc.status().message());
    loaded[std::string(it->key())] = std::move(doc).value();
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  std::lock_guard<std::mutex> lock(mu_);
  stored_items_ = std::move(loaded);
  Rebuild();
  return Status::OK();
}

void CatalogStore::SetConfigItems(const std::map<std::string, Json, std::less<>>& items) {
  std::lock_guard<std::mutex> lock(mu_);
  config_items_ = items;
  Rebuild();
}

Result<size_t> CatalogStore::Upsert(std::span<const Json> items) {
  std::vector<Json> docs;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string base = "items[" + std::to_string(i) + "]";
    const Json& in = items[i];
    if (!in.is_object() || !in.contains("id") || !in["id"].is_string()) {
      return InvalidArgument("required: id (a string)", base + ".id");
    }
    auto doc = ParseItemDoc(in["id"].get<std::string>(), in);
    if (!doc.ok()) return InvalidArgument(doc.status().message(), base + "." + doc.status().path());
    docs.push_back(std::move(doc).value());
  }
  storage::WriteBatch batch;
  for (const Json& d : docs) {
    batch.Put(storage::Keyspace::kItems, d["id"].get<std::string>(),
              std::string(1, kItemVersion) + d.dump());
  }
  std::lock_guard<std::mutex> lock(mu_);
  TAILOR_RETURN_IF_ERROR(store_.Write(batch));
  for (Json& d : docs) {
    std::string id = d["id"].get<std::string>();
    stored_items_[id] = std::move(d);
  }
  Rebuild();
  return items.size();
}

void CatalogStore::Rebuild() {
  auto c = std::make_shared<Catalog>();
  for (const auto* source : {&config_items_, &stored_items_}) {
    for (const auto& [id, doc] : *source) c->items[id] = doc;
  }
  for (const auto& [id, doc] : c->items) c->text.Add(TextOf(doc));
  current_.store(std::move(c), std::memory_order_release);
}

}  // namespace tailor::recommenders
