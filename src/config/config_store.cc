#include "config/config_store.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/json_doc.h"

namespace tailor::config {
namespace {

constexpr std::string_view kCurrentKey = "current";
constexpr std::string_view kVersionPrefix = "v/";
constexpr int kRecordFormat = 1;

// The config keyspace has two key shapes; they are built here because nothing
// outside config/ reads them (layout in docs/storage-format.md).
std::string VersionKey(uint64_t version) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "v/%020llu", static_cast<unsigned long long>(version));
  return buf;
}

Result<uint64_t> ParseVersion(std::string_view text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Corruption("config: bad version number '" + std::string(text) + "'");
  }
  return v;
}

}  // namespace

struct ConfigStore::Record {
  uint64_t version = 0;
  std::string digest;
  int64_t applied_at_ms = 0;
  std::string applied_by;
  uint64_t source_version = 0;
  ConfigFiles files;

  std::string Encode() const {
    Json j = {{"format", kRecordFormat},        {"version", version},
              {"digest", digest},               {"applied_at", applied_at_ms},
              {"applied_by", applied_by},       {"source_version", source_version},
              {"files", files}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  static Result<Record> Decode(std::string_view text) {
    Result<Json> parsed = ParseJsonObject(text);
    if (!parsed.ok()) return Corruption("config record: " + parsed.status().message());
    // nlohmann's typed getters throw on a type mismatch; that is corruption here.
    try {
      const Json& j = *parsed;
      if (j.value("format", 0) != kRecordFormat) {
        return Corruption("config record: unsupported format " + j.value("format", Json()).dump());
      }
      Record r;
      r.version = j.at("version").get<uint64_t>();
      r.digest = j.at("digest").get<std::string>();
      r.applied_at_ms = j.at("applied_at").get<int64_t>();
      r.applied_by = j.at("applied_by").get<std::string>();
      r.source_version = j.value("source_version", uint64_t{0});
      r.files = j.at("files").get<ConfigFiles>();
      return r;
    } catch (const Json::exception& e) {
      return Corruption(std::string("config record: ") + e.what());
    }
  }
};

ConfigStore::ConfigStore(storage::KvStore& store, LoadOptions options)
    : store_(store), options_(std::move(options)) {}

Result<uint64_t> ConfigStore::ReadCurrentVersion() {
  TAILOR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          store_.Get(storage::Keyspace::kConfig, kCurrentKey));
  if (!value) return uint64_t{0};
  return ParseVersion(*value);
}

Result<ConfigStore::Record> ConfigStore::ReadRecord(uint64_t version) {
  TAILOR_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          store_.Get(storage::Keyspace::kConfig, VersionKey(version)));
  if (!value) return NotFound("config version " + std::to_string(version) + " does not exist");
  return Record::Decode(*value);
}

Result<std::shared_ptr<const ConfigSnapshot>> ConfigStore::LoadRecord(const Record& record) {
  Result<ConfigSnapshot> loaded = LoadConfig(record.files, options_);
  if (!loaded.ok()) {
    // The files validated when applied; failing now means the validator got stricter.
    return FailedPrecondition("stored config version " + std::to_string(record.version) +
                              " no longer validates: " + loaded.status().message());
  }
  ConfigSnapshot snapshot = std::move(loaded).value();
  snapshot.version = record.version;
  snapshot.applied_at_ms = record.applied_at_ms;
  snapshot.applied_by = record.applied_by;
  return std::make_shared<const ConfigSnapshot>(std::move(snapshot));
}

void ConfigStore::SetCached(std::shared_ptr<const ConfigSnapshot> snapshot) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  current_ = std::move(snapshot);
}

Result<std::shared_ptr<const ConfigSnapshot>> ConfigStore::Current() {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (current_) return current_;
  }
  TAILOR_ASSIGN_OR_RETURN(uint64_t version, ReadCurrentVersion());
  TAILOR_ASSIGN_OR_RETURN(auto snapshot, Get(version));
  std::lock_guard<std::mutex> lock(cache_mu_);
  // A concurrent Apply may have cached a newer snapshot meanwhile; keep the newest.
  if (!current_ || current_->version < snapshot->version) current_ = snapshot;
  return current_;
}

Result<std::shared_ptr<const ConfigSnapshot>> ConfigStore::Get(uint64_t version) {
  if (version == 0) return std::make_shared<const ConfigSnapshot>(DefaultSnapshot());
  TAILOR_ASSIGN_OR_RETURN(Record record, ReadRecord(version));
  return LoadRecord(record);
}

Result<ApplyResult> ConfigStore::StoreIfChanged(ConfigSnapshot snapshot,
                                                std::string_view applied_by, int64_t now_ms,
                                                uint64_t source_version) {
  TAILOR_ASSIGN_OR_RETURN(uint64_t current_version, ReadCurrentVersion());
  if (current_version != 0) {
    TAILOR_ASSIGN_OR_RETURN(Record current, ReadRecord(current_version));
    if (current.digest == snapshot.digest) {
      TAILOR_ASSIGN_OR_RETURN(auto existing, Current());
      return ApplyResult{std::move(existing), false};
    }
  }
  Record record;
  record.version = current_version + 1;
  record.digest = snapshot.digest;
  record.applied_at_ms = now_ms;
  record.applied_by = std::string(applied_by);
  record.source_version = source_version;
  record.files = snapshot.files;

  storage::WriteBatch batch;
  batch.Put(storage::Keyspace::kConfig, VersionKey(record.version), record.Encode());
  batch.Put(storage::Keyspace::kConfig, kCurrentKey, std::to_string(record.version));
  storage::WriteOptions write_options;
  write_options.sync = true;  // a version the API acknowledged must survive power loss
  TAILOR_RETURN_IF_ERROR(store_.Write(batch, write_options));

  snapshot.version = record.version;
  snapshot.applied_at_ms = now_ms;
  snapshot.applied_by = record.applied_by;
  auto stored = std::make_shared<const ConfigSnapshot>(std::move(snapshot));
  SetCached(stored);
  return ApplyResult{std::move(stored), true};
}

Result<ApplyResult> ConfigStore::Apply(const ConfigFiles& files, std::string_view applied_by,
                                       int64_t now_ms, std::vector<ConfigError>* errors) {
  // Validation is pure and may run outside the lock.
  TAILOR_ASSIGN_OR_RETURN(ConfigSnapshot snapshot, LoadConfig(files, options_, errors));
  std::lock_guard<std::mutex> lock(write_mu_);
  return StoreIfChanged(std::move(snapshot), applied_by, now_ms, /*source_version=*/0);
}

Result<ApplyResult> ConfigStore::Rollback(uint64_t to_version, std::string_view applied_by,
                                          int64_t now_ms) {
  if (to_version == 0) {
    return InvalidArgument("cannot roll back to version 0 (built-in defaults); apply an empty "
                           "configuration instead");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  TAILOR_ASSIGN_OR_RETURN(Record record, ReadRecord(to_version));
  Result<ConfigSnapshot> loaded = LoadConfig(record.files, options_);
  if (!loaded.ok()) {
    return FailedPrecondition("config version " + std::to_string(to_version) +
                              " no longer validates: " + loaded.status().message());
  }
  return StoreIfChanged(std::move(loaded).value(), applied_by, now_ms, to_version);
}

Result<std::vector<VersionInfo>> ConfigStore::History(size_t limit) {
  std::vector<VersionInfo> out;
  std::string prefix(kVersionPrefix);
  std::unique_ptr<storage::Iterator> it =
      store_.NewIterator(storage::Keyspace::kConfig, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToLast(); it->Valid() && out.size() < limit; it->Prev()) {
    TAILOR_ASSIGN_OR_RETURN(Record record, Record::Decode(it->value()));
    VersionInfo info;
    info.version = record.version;
    info.digest = record.digest;
    info.applied_at_ms = record.applied_at_ms;
    info.applied_by = record.applied_by;
    info.source_version = record.source_version;
    if (record.source_version != 0) {
      info.comment = "rollback to v" + std::to_string(record.source_version);
    }
    out.push_back(std::move(info));
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<ConfigDiff> ConfigStore::Diff(uint64_t from, uint64_t to) {
  ConfigFiles from_files, to_files;
  if (from != 0) {
    TAILOR_ASSIGN_OR_RETURN(Record record, ReadRecord(from));
    from_files = std::move(record.files);
  }
  if (to != 0) {
    TAILOR_ASSIGN_OR_RETURN(Record record, ReadRecord(to));
    to_files = std::move(record.files);
  }
  ConfigDiff diff;
  diff.from_version = from;
  diff.to_version = to;
  diff.files = DiffFiles(from_files, to_files);
  return diff;
}

Result<ConfigFiles> LoadDirectory(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return IOError("config directory " + path + ": " + ec.message());
    }
    return NotFound("config directory " + path + " does not exist");
  }
  if (!fs::is_directory(status)) return InvalidArgument(path + " is not a directory");
  ConfigFiles files;
  fs::directory_iterator dir(path, ec);
  if (ec) return IOError("cannot read config directory " + path + ": " + ec.message());
  for (const fs::directory_entry& entry : dir) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !IsConfigFileName(name)) continue;
    if (!entry.is_regular_file(ec)) continue;
    uintmax_t size = entry.file_size(ec);
    if (ec) return IOError("cannot read " + entry.path().string() + ": " + ec.message());
    if (size > kMaxConfigFileBytes) {
      return InvalidArgument(name + " is larger than " + std::to_string(kMaxConfigFileBytes) +
                             " bytes");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in.is_open()) return IOError("cannot open " + entry.path().string());
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return IOError("cannot read " + entry.path().string());
    files.emplace(std::move(name), std::move(text).str());
  }
  return files;
}

}  // namespace tailor::config
