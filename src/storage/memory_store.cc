#include "storage/memory_store.h"

#include <mutex>
#include <vector>

#include "storage/value_header.h"

namespace tailor::storage {

namespace {

class SnapshotIterator final : public Iterator {
 public:
  explicit SnapshotIterator(std::vector<std::pair<std::string, std::string>> rows)
      : rows_(std::move(rows)) {}
  bool Valid() const override { return pos_ < rows_.size(); }
  void Seek(std::string_view key) override {
    pos_ = 0;
    while (pos_ < rows_.size() && rows_[pos_].first < key) ++pos_;
  }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override { pos_ = rows_.empty() ? 0 : rows_.size() - 1; }
  void Next() override { ++pos_; }
  void Prev() override { pos_ = pos_ == 0 ? rows_.size() : pos_ - 1; }
  std::string_view key() const override { return rows_[pos_].first; }
  std::string_view value() const override { return rows_[pos_].second; }
  Status status() const override { return Status::OK(); }

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
  size_t pos_ = 0;
};

}  // namespace

MemoryStore::MemoryStore(const Clock& clock, StoreOptions options)
    : clock_(clock), options_(options) {}

Result<std::optional<std::string>> MemoryStore::Get(Keyspace ks, std::string_view key) {
  std::shared_lock lock(mu_);
  const Map& m = maps_[static_cast<size_t>(ks)];
  auto it = m.find(key);
  if (it == m.end()) return std::optional<std::string>();
  if (!Info(ks).expires) return std::optional<std::string>(it->second);
  if (internal::Expired(it->second, options_.Ttl(ks), clock_.NowMs())) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(it->second.substr(internal::kHeaderBytes));
}

Status MemoryStore::Write(const WriteBatch& batch, const WriteOptions&) {
  int64_t now = clock_.NowMs();
  std::unique_lock lock(mu_);
  for (const WriteBatch::Op& op : batch.ops()) {
    Map& m = maps_[static_cast<size_t>(op.keyspace)];
    switch (op.type) {
      case WriteBatch::OpType::kPut: {
        std::string v;
        if (Info(op.keyspace).expires) internal::AppendHeader(&v, now);
        v.append(op.value);
        m.insert_or_assign(op.key, std::move(v));
        break;
      }
      case WriteBatch::OpType::kDelete:
        m.erase(op.key);
        break;
      case WriteBatch::OpType::kDeleteRange:
        m.erase(m.lower_bound(op.key), op.value.empty() ? m.end() : m.lower_bound(op.value));
        break;
    }
  }
  return Status::OK();
}

std::unique_ptr<Iterator> MemoryStore::NewIterator(Keyspace ks, std::string_view lower,
                                                   std::string_view upper) {
  std::vector<std::pair<std::string, std::string>> rows;
  int64_t now = clock_.NowMs();
  bool expires = Info(ks).expires;
  int64_t ttl = options_.Ttl(ks);
  std::shared_lock lock(mu_);
  const Map& m = maps_[static_cast<size_t>(ks)];
  auto end = upper.empty() ? m.end() : m.lower_bound(upper);
  for (auto it = m.lower_bound(lower); it != end; ++it) {
    if (expires) {
      if (internal::Expired(it->second, ttl, now)) continue;
      rows.emplace_back(it->first, it->second.substr(internal::kHeaderBytes));
    } else {
      rows.emplace_back(it->first, it->second);
    }
  }
  return std::make_unique<SnapshotIterator>(std::move(rows));
}

Status MemoryStore::Checkpoint(const std::string&) {
  return FailedPrecondition("the in-memory store cannot be checkpointed to disk");
}

std::map<std::string, uint64_t> MemoryStore::Stats() {
  std::map<std::string, uint64_t> out;
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < maps_.size(); ++i) {
    out["keys{keyspace=\"" + std::string(kKeyspaces[i].name) + "\"}"] = maps_[i].size();
  }
  return out;
}

size_t MemoryStore::CountKeys(Keyspace ks) {
  auto it = NewIterator(ks, "", "");
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

}  // namespace tailor::storage
