// CatalogStore: the item catalog used for serving: ids with title, categories, tags and
// attributes (price, in_stock, provider, ...). Entries come from the `items:` config
// section, POST /v1/items and `item` events; stored entries (the `items` keyspace)
// override config entries of the same id.
//
// The catalog is an immutable snapshot swapped atomically on every change, so readers
// never lock and never see a torn catalog.
//
// Thread safety: all methods are safe for concurrent use; writers serialize on a mutex.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/json_doc.h"
#include "core/status.h"
#include "recommenders/content_index.h"
#include "recommenders/item_catalog.h"
#include "storage/kv_store.h"

namespace tailor::recommenders {

struct Catalog {
  // id -> normalized item document (ParseItemDoc).
  std::unordered_map<std::string, Json> items;
  // The same items for the content model and category-based diversity.
  ItemCatalog text;

  const Json* Find(std::string_view id) const {
    auto it = items.find(std::string(id));
    return it == items.end() ? nullptr : &it->second;
  }

  // TF-IDF index over `text` (content neighbours of items no model knows yet), built
  // on first use: O(catalog terms) once per catalog snapshot, not per change.
  // Thread-safe.
  const ContentIndex& content() const {
    std::call_once(content_once_, [this] { content_ = ContentIndex::Build(text); });
    return content_;
  }

 private:
  mutable std::once_flag content_once_;
  mutable ContentIndex content_;
};

class CatalogStore {
 public:
  // `store` must outlive this.
  explicit CatalogStore(storage::KvStore& store);

  // Reads every stored item. Fails with the store's error or kCorruption.
  Status Load();

  // Replaces the config-defined items (on every config activation).
  void SetConfigItems(const std::map<std::string, Json, std::less<>>& items);

  // Validates and stores `items` (each {id, title, categories, tags, attributes}) in one
  // batch, then swaps the snapshot. kInvalidArgument naming "items[i].field" on bad input
  // (nothing is stored then).
  Result<size_t> Upsert(std::span<const Json> items);

  std::shared_ptr<const Catalog> Current() const {
    return current_.load(std::memory_order_acquire);
  }

 private:
  void Rebuild();  // REQUIRES: mu_ held

  storage::KvStore& store_;
  std::mutex mu_;
  std::map<std::string, Json, std::less<>> config_items_;  // guarded by mu_
  std::map<std::string, Json, std::less<>> stored_items_;  // guarded by mu_
  std::atomic<std::shared_ptr<const Catalog>> current_;
};

}  // namespace tailor::recommenders
