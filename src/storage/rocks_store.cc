#include "storage/rocks_store.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <vector>

#include "core/log.h"
#include "storage/skiplist_rep.h"
#include "storage/value_header.h"

namespace tailor::storage {

namespace {

// Profile ids are 26-character ULIDs; a profile prefix is "{" + pid + "}".
constexpr size_t kProfilePrefixBytes = 28;

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Corruption(msg);
  if (s.IsNotFound()) return NotFound(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Unavailable(msg);
  if (s.IsInvalidArgument()) return InvalidArgument(msg);
  return IOError(msg);
}

class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  ExpiryFilter(int64_t ttl_ms, const Clock& clock) : ttl_ms_(ttl_ms), clock_(clock) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    return internal::Expired(std::string_view(value.data(), value.size()), ttl_ms_,
                             clock_.NowMs());
  }
  const char* Name() const override { return "tailor.ExpiryFilter"; }

 private:
  int64_t ttl_ms_;
  const Clock& clock_;
};

// How a keyspace's memtable finds where an insert goes (skiplist_rep.h). Keyspaces whose
// keys mostly arrive in increasing order (time-ordered ids: ULIDs, UUIDv7, KSUIDs) place
// a key near the last one; profile-scoped ones do so per profile (a profile's events
// arrive in time order), for keys longer than the bare "{pid}" prefix.
internal::SkipListRepOptions MemtableOptionsOf(Keyspace ks) {
  internal::SkipListRepOptions o;
  if (Info(ks).profile_scoped) {
    o.hint = internal::SkipListRepOptions::Hint::kPerPrefix;
    o.prefix_bytes = kProfilePrefixBytes;
  } else if (ks == Keyspace::kDedup || ks == Keyspace::kDecisions) {
    o.hint = internal::SkipListRepOptions::Hint::kSequential;
  }
  return o;
}

// How a keyspace is read, which picks its Bloom filters and compression. A tuning choice,
// not a format fact: changing it never changes what is stored.
enum class Access {
  kMixed,      // point lookups and scans: a memtable Bloom filter
  kScanOnly,   // read by scans (or rarely by key, e.g. at recovery): no memtable Bloom filter
  kLog,        // append-only, time-ordered keys, read by seek: no Bloom filters at all, and
               // young levels (mostly expired unread by retention) left uncompressed
};

Access AccessOf(Keyspace ks) {
  switch (ks) {
    case Keyspace::kEvents:  // history and backfill scans; Get only in journal replay
    case Keyspace::kProfileJournal:
    case Keyspace::kSegmentSizes:
      return Access::kScanOnly;
    case Keyspace::kDecisions:  // segments of records under monotonic ULIDs
      return Access::kLog;
    default:
      return Access::kMixed;
  }
}

class RocksIterator final : public Iterator {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string lower,
                std::string upper, bool expires, int64_t ttl_ms, const Clock& clock)
      : lower_(std::move(lower)), upper_(std::move(upper)), lower_slice_(lower_),
        upper_slice_(upper_), expires_(expires), ttl_ms_(ttl_ms), clock_(clock) {
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    // Range scans cross profile prefixes (e.g. listing), so do not restrict to a prefix.
    ro.total_order_seek = true;
    it_.reset(db->NewIterator(ro, cf));
  }
  bool Valid() const override { return it_->Valid(); }
  void Seek(std::string_view key) override {
    it_->Seek(rocksdb::Slice(key.data(), key.size()));
    SkipExpired(true);
  }
  void SeekToFirst() override {
    it_->SeekToFirst();
    SkipExpired(true);
  }
  void SeekToLast() override {
    it_->SeekToLast();
    SkipExpired(false);
  }
  void Next() override {
    it_->Next();
    SkipExpired(true);
  }
  void Prev() override {
    it_->Prev();
    SkipExpired(false);
  }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    std::string_view sv(v.data(), v.size());
    return expires_ ? sv.substr(std::min(sv.size(), internal::kHeaderBytes)) : sv;
  }
  Status status() const override { return FromRocks(it_->status(), "iterator"); }

 private:
  void SkipExpired(bool forward) {
    if (!expires_ || ttl_ms_ <= 0) return;
    int64_t now = clock_.NowMs();
    while (it_->Valid()) {
      rocksdb::Slice v = it_->value();
      if (!internal::Expired(std::string_view(v.data(), v.size()), ttl_ms_, now)) return;
      if (forward) it_->Next(); else it_->Prev();
    }
  }

  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  bool expires_;
  int64_t ttl_ms_;
  const Clock& clock_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksStore final : public KvStore {
 public:
  RocksStore(const StoreOptions& options, const Clock& clock) : options_(options), clock_(clock) {}

  ~RocksStore() override {
    if (db_ != nullptr) {
      for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
      db_->Close().PermitUncheckedError();
    }
  }

  Status Open(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return IOError("cannot create data directory " + path + ": " + ec.message());

    rocksdb::DBOptions db_opts;
    db_opts.create_if_missing = true;
    db_opts.create_missing_column_families = true;
    db_opts.max_background_jobs = options_.background_jobs;
    db_opts.bytes_per_sync = 1 << 20;
    // Several concurrent writers (HTTP threads) share one WAL write; with sync they share
    // one fsync (group commit).
    db_opts.enable_pipelined_write = true;
    // Tailor's skiplist memtable (skiplist_rep.h) inserts one batch at a time. Hash
    // memtables were no better: `dedup` in a HashLinkList saved its skiplist search per
    // insert, but every flush then sorted the whole memtable into a skiplist (≈ 7 % of
    // server CPU) and the slow flushes stalled writes for 0.4-0.65 s; over HTTP it measured
    // ≈ 10 % slower (docs/performance.md, "Session 5").
    db_opts.allow_concurrent_memtable_write = false;

    auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (size_t i = 0; i < kKeyspaces.size(); ++i) {
      const KeyspaceInfo& info = kKeyspaces[i];
      const auto ks = static_cast<Keyspace>(i);
      rocksdb::ColumnFamilyOptions cf;
      cf.write_buffer_size = options_.write_buffer_bytes;
      // Keys ordered bytewise (no comparator is set): the memtable compares them inline.
      cf.memtable_factory = internal::NewSkipListRepFactory(MemtableOptionsOf(ks));
      cf.compression = rocksdb::kLZ4Compression;
      rocksdb::BlockBasedTableOptions table;
      table.block_cache = cache;
      const Access access = AccessOf(ks);
      if (access == Access::kLog) {
        cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                                    rocksdb::kLZ4Compression};
      } else {
        table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        table.whole_key_filtering = true;
      }
      cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
      if (access == Access::kMixed) {
        cf.memtable_whole_key_filtering = true;
        cf.memtable_prefix_bloom_size_ratio = 0.05;
      }
      if (info.profile_scoped) {
        cf.prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(kProfilePrefixBytes));
      }
      int64_t ttl = options_.ttl_ms[i];
      if (info.expires && ttl > 0) {
        filters_.push_back(std::make_unique<ExpiryFilter>(ttl, clock_));
        cf.compaction_filter = filters_.back().get();
      }
      cfs.emplace_back(i == 0 ? rocksdb::kDefaultColumnFamilyName : std::string(info.name), cf);
    }
    // A newer format may add keyspaces: refuse before creating anything in its directory.
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(db_opts, path, &existing).ok()) {
      for (const std::string& name : existing) {
        bool known = name == rocksdb::kDefaultColumnFamilyName;
        for (const auto& info : kKeyspaces) known = known || info.name == name;
        if (!known) {
          return FailedPrecondition("data directory " + path + " has keyspace '" + name +
                                    "' from a newer tailor; upgrade tailor (see docs/operations.md)");
        }
      }
    }
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_opts, path, cfs, &handles_, &raw);
    if (!s.ok()) {
      if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
        return IOError("data directory " + path +
                       " is locked; is another tailor process using it? (" + s.ToString() + ")");
      }
      return FromRocks(s, "opening " + path);
    }
    db_.reset(raw);
    return CheckFormatVersion();
  }

  Result<std::optional<std::string>> Get(Keyspace ks, std::string_view key) override {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), Handle(ks), rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "get");
    if (!Info(ks).expires) return std::optional<std::string>(std::move(value));
    if (internal::Expired(value, options_.Ttl(ks), clock_.NowMs())) {
      return std::optional<std::string>();
    }
    value.erase(0, internal::kHeaderBytes);
    return std::optional<std::string>(std::move(value));
  }

  // One batched lookup (RocksDB sorts the keys and shares the memtable and SST work): the
  // ingest dedup check asks for every event id of a batch at once.
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Keyspace ks, const std::vector<std::string_view>& keys) override {
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (std::string_view k : keys) slices.emplace_back(k.data(), k.size());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), Handle(ks), slices.size(), slices.data(), values.data(),
                  statuses.data());
    std::vector<std::optional<std::string>> out(keys.size());
    int64_t now = clock_.NowMs();
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], "multiget");
      std::string_view v(values[i].data(), values[i].size());
      if (Info(ks).expires) {
        if (internal::Expired(v, options_.Ttl(ks), now)) continue;
        v.remove_prefix(std::min(v.size(), internal::kHeaderBytes));
      }
      out[i].emplace(v);
    }
    return out;
  }

  Status Write(const WriteBatch& batch, const WriteOptions& options) override {
    if (options.sync && options.skip_wal) {
      return InvalidArgument("a synced write cannot skip the write-ahead log");
    }
    rocksdb::WriteBatch wb(batch.ApproximateBytes() + 24 * batch.size() + 16);
    int64_t now = clock_.NowMs();
    std::string scratch;
    for (const WriteBatch::Op& op : batch.ops()) {
      auto* h = Handle(op.keyspace);
      rocksdb::Slice key(op.key.data(), op.key.size());
      rocksdb::Status s;
      switch (op.type) {
        case WriteBatch::OpType::kPut:
          if (Info(op.keyspace).expires) {
            scratch.clear();
            internal::AppendHeader(&scratch, now);
            scratch.append(op.value);
            s = wb.Put(h, key, scratch);
          } else {
            s = wb.Put(h, key, rocksdb::Slice(op.value.data(), op.value.size()));
          }
          break;
        case WriteBatch::OpType::kDelete:
          s = wb.Delete(h, key);
          break;
        case WriteBatch::OpType::kDeleteRange: {
          if (op.value.empty()) return InvalidArgument("DeleteRange needs an end key");
          s = wb.DeleteRange(h, key, rocksdb::Slice(op.value.data(), op.value.size()));
          break;
        }
      }
      if (!s.ok()) return FromRocks(s, "building write batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = options.sync;
    wo.disableWAL = options.skip_wal;
    return FromRocks(db_->Write(wo, &wb), "write");
  }

  std::unique_ptr<Iterator> NewIterator(Keyspace ks, std::string_view lower,
                                        std::string_view upper) override {
    return std::make_unique<RocksIterator>(db_.get(), Handle(ks), std::string(lower),
                                           std::string(upper), Info(ks).expires,
                                           options_.Ttl(ks), clock_);
  }

  Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    TAILOR_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    return FromRocks(cp->CreateCheckpoint(dir), "checkpoint to " + dir);
  }

  Status Flush() override {
    TAILOR_RETURN_IF_ERROR(FromRocks(db_->FlushWAL(true), "flush WAL"));
    rocksdb::FlushOptions fo;
    return FromRocks(db_->Flush(fo, handles_), "flush");
  }

  Status Persist(std::span<const Keyspace> keyspaces, bool wait) override {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (Keyspace ks : keyspaces) handles.push_back(Handle(ks));
    rocksdb::FlushOptions fo;
    fo.wait = wait;
    // A persist must never stall the writes it runs beside (it is a background chore).
    fo.allow_write_stall = true;
    return FromRocks(db_->Flush(fo, handles), "persist");
  }

  std::map<std::string, uint64_t> Stats() override {
    std::map<std::string, uint64_t> out;
    for (size_t i = 0; i < kKeyspaces.size(); ++i) {
      std::string label = "{keyspace=\"" + std::string(kKeyspaces[i].name) + "\"}";
      uint64_t v = 0;
      if (db_->GetIntProperty(handles_[i], "rocksdb.estimate-num-keys", &v)) {
        out["estimated_keys" + label] = v;
      }
      if (db_->GetIntProperty(handles_[i], "rocksdb.total-sst-files-size", &v)) {
        out["sst_bytes" + label] = v;
      }
      if (db_->GetIntProperty(handles_[i], "rocksdb.cur-size-all-mem-tables", &v)) {
        out["memtable_bytes" + label] = v;
      }
    }
    uint64_t v = 0;
    if (db_->GetAggregatedIntProperty("rocksdb.block-cache-usage", &v)) out["block_cache_bytes"] = v;
    if (db_->GetIntProperty("rocksdb.num-running-compactions", &v)) out["running_compactions"] = v;
    return out;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Keyspace ks) { return handles_[static_cast<size_t>(ks)]; }

  Status CheckFormatVersion() {
    TAILOR_ASSIGN_OR_RETURN(auto existing, Get(Keyspace::kMeta, "format_version"));
    if (!existing) {
      WriteBatch b;
      b.Put(Keyspace::kMeta, "format_version", std::to_string(kFormatVersion));
      return Write(b, WriteOptions{true});
    }
    uint32_t v = static_cast<uint32_t>(std::strtoul(existing->c_str(), nullptr, 10));
    if (v > kFormatVersion) {
      return FailedPrecondition("data directory has format version " + *existing +
                                " but this tailor understands up to " +
                                std::to_string(kFormatVersion) + "; upgrade tailor");
    }
    if (v < kFormatVersion) {
      // Every older format is read as it is (docs/storage-format.md): recording the new
      // version is the whole upgrade, and keeps older binaries from misreading what
      // this one writes.
      WriteBatch b;
      b.Put(Keyspace::kMeta, "format_version", std::to_string(kFormatVersion));
      TAILOR_RETURN_IF_ERROR(Write(b, WriteOptions{true}));
      LogInfo("data directory format upgraded",
              {{"from", std::to_string(v)}, {"to", std::to_string(kFormatVersion)}});
    }
    return Status::OK();
  }

  StoreOptions options_;
  const Clock& clock_;
  std::vector<std::unique_ptr<ExpiryFilter>> filters_;  // outlive db_ (declared first)
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> OpenRocksStore(const std::string& path,
                                                const StoreOptions& options,
                                                const Clock& clock) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  auto store = std::make_unique<RocksStore>(options, clock);
  TAILOR_RETURN_IF_ERROR(store->Open(path));
  return std::unique_ptr<KvStore>(std::move(store));
}

}  // namespace tailor::storage
