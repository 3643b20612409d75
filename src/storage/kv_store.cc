#include "storage/kv_store.h"

namespace tailor::storage {

Result<std::vector<std::optional<std::string>>> KvStore::MultiGet(
    Keyspace ks, const std::vector<std::string_view>& keys) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (std::string_view key : keys) {
    TAILOR_ASSIGN_OR_RETURN(auto value, Get(ks, key));
    out.push_back(std::move(value));
  }
  return out;
}

void WriteBatch::Put(Keyspace ks, std::string_view key, std::string_view value) {
  ops_.push_back(Op{OpType::kPut, ks, std::string(key), std::string(value)});
  bytes_ += key.size() + value.size();
}

void WriteBatch::Delete(Keyspace ks, std::string_view key) {
  ops_.push_back(Op{OpType::kDelete, ks, std::string(key), {}});
  bytes_ += key.size();
}

void WriteBatch::DeleteRange(Keyspace ks, std::string_view begin, std::string_view end) {
  ops_.push_back(Op{OpType::kDeleteRange, ks, std::string(begin), std::string(end)});
  bytes_ += begin.size() + end.size();
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char c = static_cast<unsigned char>(end.back());
    if (c != 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace tailor::storage
