// ItemCatalog: item text, categories and tags, for the content model and category-based
// diversity. Loaded from a tab-separated file or MovieLens-100k's u.item.
//
// Thread safety: immutable after loading; const methods may be called concurrently.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace tailor::recommenders {

struct CatalogItem {
  std::string id;
  std::string title;
  std::vector<std::string> categories;
  std::vector<std::string> tags;
};

class ItemCatalog {
 public:
  // Adds or replaces the item with item.id.
  void Add(CatalogItem item);
  const CatalogItem* Find(std::string_view id) const;
  size_t size() const { return items_.size(); }
  // Every item, in insertion order.
  const std::vector<CatalogItem>& items() const { return items_; }

  // Reads TAB-separated lines `id<TAB>title[<TAB>categories[<TAB>tags]]`, categories and
  // tags separated by '|'. kNotFound when the file cannot be opened, kInvalidArgument
  // (with the line number) for a line without an id.
  static Result<ItemCatalog> LoadTsv(const std::string& path);
  // Reads MovieLens-100k u.item (Latin-1, '|'-separated, 19 genre flags in u.genre order):
  // the title (year stripped) and the genres as categories.
  static Result<ItemCatalog> LoadMovieLens(const std::string& path);

 private:
  std::vector<CatalogItem> items_;
  std::unordered_map<std::string, size_t> index_;
};

// An item's terms: lower-cased title words of two or more letters or digits (non-ASCII
// bytes kept), "cat:<category>" and "tag:<tag>".
std::vector<std::string> ItemTerms(const CatalogItem& item);

}  // namespace tailor::recommenders
