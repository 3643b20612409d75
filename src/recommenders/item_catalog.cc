#include "recommenders/item_catalog.h"

#include <cctype>
#include <fstream>

namespace tailor::recommenders {

namespace {

std::vector<std::string> SplitOn(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.emplace_back(
        s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// MovieLens genre order (u.genre).
constexpr const char* kGenres[] = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

}  // namespace

void ItemCatalog::Add(CatalogItem item) {
  auto it = index_.find(item.id);
  if (it != index_.end()) {
    items_[it->second] = std::move(item);
    return;
  }
  index_.emplace(item.id, items_.size());
  items_.push_back(std::move(item));
}

const CatalogItem* ItemCatalog::Find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &items_[it->second];
}

Result<ItemCatalog> ItemCatalog::LoadTsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open catalog " + path);
  ItemCatalog c;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = SplitOn(line, '\t');
    if (f[0].empty())
      return InvalidArgument("catalog line " + std::to_string(n) + ": empty item id");
    CatalogItem item{f[0], f.size() > 1 ? f[1] : "", {}, {}};
    if (f.size() > 2 && !f[2].empty()) item.categories = SplitOn(f[2], '|');
    if (f.size() > 3 && !f[3].empty()) item.tags = SplitOn(f[3], '|');
    c.Add(std::move(item));
  }
  return c;
}

Result<ItemCatalog> ItemCatalog::LoadMovieLens(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open catalog " + path);
  ItemCatalog c;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = SplitOn(line, '|');
    if (f.size() < 24 || f[0].empty()) {
      return InvalidArgument("u.item line " + std::to_string(n) +
                             ": expected 24 '|'-separated fields");
    }
    CatalogItem item{f[0], f[1], {}, {}};
    // "Toy Story (1995)" -> "Toy Story"
    if (size_t p = item.title.rfind(" ("); p != std::string::npos) item.title.resize(p);
    for (size_t g = 0; g < 19; ++g) {
      if (f[5 + g] == "1") item.categories.emplace_back(kGenres[g]);
    }
    c.Add(std::move(item));
  }
  return c;
}

std::vector<std::string> ItemTerms(const CatalogItem& item) {
  std::vector<std::string> terms;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 2) terms.push_back(word);
    word.clear();
  };
  for (char ch : item.title) {
    auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || u >= 0x80) {
      word.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
  for (const auto& cat : item.categories) terms.push_back("cat:" + cat);
  for (const auto& tag : item.tags) terms.push_back("tag:" + tag);
  return terms;
}

}  // namespace tailor::recommenders
