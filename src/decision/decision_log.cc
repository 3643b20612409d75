#include "decision/decision_log.h"

#include <chrono>

#include "condition/json_document.h"
#include "core/ids.h"
#include "core/json_util.h"
#include "core/thread_priority.h"
#include "core/time_util.h"
#include "storage/key_codec.h"

namespace tailor::decision {

namespace {

// Splits "a.b.0" into path segments for Document::Lookup.
std::vector<condition::PathSegment> SplitPath(std::string_view path) {
  std::vector<condition::PathSegment> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string_view part =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    int64_t index = -1;
    if (!part.empty() && part.size() < 10 && (part == "0" || part[0] != '0') &&
        part.find_first_not_of("0123456789") == std::string_view::npos) {
      index = std::stoll(std::string(part));
    }
    out.push_back({part, index});
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

// What the log writes without the write-ahead log (persisted every persist_interval_ms).
constexpr storage::Keyspace kUnlogged[] = {storage::Keyspace::kDecisions,
                                           storage::Keyspace::kDecisionSnapshots};

// The JSON value at `node` of a JsonDocument (its nodes point at nlohmann values).
const Json& JsonAt(condition::Node n) { return *reinterpret_cast<const Json*>(n.a); }

}  // namespace

std::string_view RuleOutcomeName(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::kMatched:
      return "matched";
    case RuleOutcome::kNoMatch:
      return "no_match";
    case RuleOutcome::kDisabled:
      return "disabled";
    case RuleOutcome::kNotInRollout:
      return "not_in_rollout";
    case RuleOutcome::kCapped:
      return "capped";
    case RuleOutcome::kFailed:
      return "failed";
  }
  return "no_match";
}

void AddInputs(Json* record, const DecisionConfig* config) {
  Json inputs = Json::object();
  const Placement* pl = config ? config->FindPlacement(record->value("placement", "")) : nullptr;
  auto snap = record->find("snapshot");
  if (pl != nullptr && snap != record->end() && snap->is_object()) {
    // What the rules saw: the snapshot's members with the request context as "context"
    // (a copy; this is an admin read, not the decision path).
    Json seen = *snap;
    auto ctx = record->find("context");
    seen["context"] = ctx != record->end() && ctx->is_object() ? *ctx : Json::object();
    condition::JsonDocument doc(seen);
    for (const std::string& path : pl->input_paths) {
      auto segments = SplitPath(path);
      condition::Node n;
      inputs[path] = doc.Lookup(doc.Root(), segments, &n) && n.a != 0 ? JsonAt(n) : Json(nullptr);
    }
  }
  (*record)["inputs"] = std::move(inputs);
}

DecisionLog::DecisionLog(storage::KvStore& store, CapLedger* caps, const Clock& clock,
                         Random& random, DecisionLogOptions options)
    : store_(store),
      caps_(caps),
      options_(options),
      clock_(clock),
      random_(random),
      last_persist_ms_(clock.NowMs()),
      writer_([this] { Run(); }) {}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  Flush().IgnoreError();
  if (unpersisted_.load(std::memory_order_relaxed)) {
    store_.Persist(kUnlogged, /*wait=*/true).IgnoreError();
  }
}

void DecisionLog::AppendSnapshot(std::shared_ptr<const ProfileView> view) {
  std::lock_guard lock(mu_);
  snapshots_.push_back(std::move(view));
}

std::string DecisionLog::Append(const PendingDecision& d) {
  std::lock_guard lock(mu_);
  std::string id = ids_.Next(clock_.NowMs(), random_);
  if (queued_ >= options_.max_queue) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return id;
  }
  // Encoded here, under the lock, because the id is: a few hundred bytes copied, no
  // escaping, and nothing of the caller's kept alive for the writer to free.
  const size_t start = queue_.size();
  AppendRecordV2(&queue_, id, d);
  if (queued_ % kSegmentRecords == 0) segment_starts_.push_back(start);
  ++queued_;
  return id;
}

Status DecisionLog::Flush() {
  MutexLock write_lock(write_mu_);
  // The queue and spare_ trade places, so appends reuse the capacity of an earlier
  // batch instead of regrowing after each flush.
  std::string& batch = spare_;
  size_t records = 0;
  std::vector<std::shared_ptr<const ProfileView>> snapshots;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
    spare_starts_.clear();
    spare_starts_.swap(segment_starts_);
    records = queued_;
    queued_ = 0;
    snapshots.swap(snapshots_);
  }
  struct Recycle {
    std::string& s;
    ~Recycle() {
      s.clear();
      if (s.capacity() > kMaxSpareCapacity) std::string().swap(s);
    }
  } recycle{batch};
  storage::WriteBatch wb;
  std::string& buf = segment_;
  for (const auto& v : snapshots) {
    buf.clear();
    AppendJsonValue(&buf, v->doc);
    wb.Put(storage::Keyspace::kDecisionSnapshots, v->id, buf);
  }
  // Segments: ids are monotonic in queue order, so each segment's first id is its lowest.
  const std::vector<size_t>& starts = spare_starts_;
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t end = i + 1 < starts.size() ? starts[i + 1] : batch.size();
    std::string_view segment = std::string_view(batch).substr(starts[i], end - starts[i]);
    std::string_view first_id;
    LeadingRecords(segment, 1, &first_id);
    buf.clear();
    buf.push_back(kSegmentV2);
    buf.append(segment);
    wb.Put(storage::Keyspace::kDecisions, first_id, buf);
  }
  if (segment_.capacity() > kMaxSpareCapacity) std::string().swap(segment_);
  // Cap entries always go through the WAL: with the records when they do, else in a
  // write of their own (after the records, so a failed cap write does not lose them).
  const bool skip_wal = options_.persist_interval_ms > 0;
  storage::WriteBatch caps_wb;
  if (caps_ != nullptr) caps_->StageDirty(skip_wal ? &caps_wb : &wb);
  Status s;
  if (!wb.empty()) {
    s = store_.Write(wb, storage::WriteOptions{.skip_wal = skip_wal});
    if (s.ok()) {
      written_.fetch_add(records, std::memory_order_relaxed);
      if (skip_wal) unpersisted_.store(true, std::memory_order_relaxed);
    }
  }
  if (!caps_wb.empty()) {
    Status caps_status = store_.Write(caps_wb);
    if (s.ok()) s = caps_status;
  }
  return s;
}

void DecisionLog::PersistIfDue(int64_t now_ms) {
  if (now_ms - last_persist_ms_ < options_.persist_interval_ms) return;
  last_persist_ms_ = now_ms;
  if (!unpersisted_.exchange(false, std::memory_order_relaxed)) return;
  // A failure (disk full) is retried at the next interval.
  if (!store_.Persist(kUnlogged).ok()) unpersisted_.store(true, std::memory_order_relaxed);
}

void DecisionLog::Run() {
  LowerCurrentThreadPriority();  // flushes must not delay decisions
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms));
    if (stop_) break;
    lock.unlock();
    // A failed write keeps nothing to retry (the records are gone from the queue); it
    // is rare (disk full) and surfaces through the store's own error metrics.
    Flush().IgnoreError();
    if (options_.persist_interval_ms > 0) PersistIfDue(clock_.NowMs());
    lock.lock();
  }
}

Result<Json> DecisionLog::Get(const std::string& decision_id) {
  TAILOR_RETURN_IF_ERROR(Flush());
  Status not_found = NotFound(
      "no decision '" + decision_id + "' (unknown, or older than the decision log retention)",
      "id");
  if (UlidTimeMs(decision_id) < 0) return not_found;
  // The segment holding it starts at or before it.
  auto it = store_.NewIterator(storage::Keyspace::kDecisions, "", "");
  it->Seek(decision_id);
  if (!it->Valid()) {
    TAILOR_RETURN_IF_ERROR(it->status());
    it->SeekToLast();
  } else if (it->key() != decision_id) {
    it->Prev();
  }
  if (!it->Valid()) return it->status().ok() ? not_found : it->status();
  SegmentReader reader(it->value());
  while (reader.Next() && reader.id() != decision_id) {
  }
  if (reader.id() != decision_id) return not_found;
  TAILOR_ASSIGN_OR_RETURN(Json record, reader.Decode());
  TAILOR_RETURN_IF_ERROR(AttachSnapshot(&record));
  Json outcomes = Json::array();
  std::string prefix = storage::DecisionOutcomeKey(decision_id, "");
  auto oit =
      store_.NewIterator(storage::Keyspace::kDecisionOutcomes, prefix, storage::PrefixEnd(prefix));
  for (oit->SeekToFirst(); oit->Valid(); oit->Next()) {
    auto outcome = ParseJson(oit->value());
    if (outcome.ok()) outcomes.push_back(std::move(outcome).value());
  }
  TAILOR_RETURN_IF_ERROR(oit->status());
  record["outcomes"] = std::move(outcomes);
  return record;
}

Status DecisionLog::AttachSnapshot(Json* record) {
  auto id = record->find("snapshot_id");
  Json snapshot;  // null when the decision has none or it expired
  if (id != record->end() && id->is_string()) {
    TAILOR_ASSIGN_OR_RETURN(
        auto raw, store_.Get(storage::Keyspace::kDecisionSnapshots, id->get<std::string>()));
    if (raw) {
      auto parsed = ParseJson(*raw);
      if (parsed.ok()) snapshot = std::move(parsed).value();
    }
  }
  (*record)["snapshot"] = std::move(snapshot);
  return Status::OK();
}

Status DecisionLog::Scan(int64_t since_ms, int64_t until_ms, bool snapshots,
                         const std::function<bool(const Json&)>& fn) {
  TAILOR_RETURN_IF_ERROR(Flush());
  const std::string lower = UlidLowerBound(since_ms), upper = UlidLowerBound(until_ms);
  auto it = store_.NewIterator(storage::Keyspace::kDecisions, "", upper);
  // Start at the segment holding `lower` (it may begin before it).
  it->Seek(lower);
  if (!it->Valid()) {
    TAILOR_RETURN_IF_ERROR(it->status());
    it->SeekToLast();
  } else if (it->key() != lower) {
    it->Prev();
    if (!it->Valid()) it->Seek(lower);
  }
  // Consecutive decisions mostly share a snapshot: keep the last one parsed.
  std::string last_id;
  Json last_snapshot;
  for (; it->Valid(); it->Next()) {
    SegmentReader reader(it->value());
    bool stop = false;
    while (reader.Next()) {
      // The id decides the range without decoding.
      std::string_view id = reader.id();
      if (id < lower) continue;
      if (id >= upper) {
        stop = true;
        break;
      }
      auto record = reader.Decode();
      if (!record.ok()) continue;  // unreadable records are skipped, not fatal to a scan
      if (snapshots) {
        std::string snapshot_id = record->value("snapshot_id", Json()).is_string()
                                      ? (*record)["snapshot_id"].get<std::string>()
                                      : "";
        if (snapshot_id.empty() || snapshot_id != last_id) {
          TAILOR_RETURN_IF_ERROR(AttachSnapshot(&*record));
          last_id = snapshot_id;
          last_snapshot = (*record)["snapshot"];
        } else {
          (*record)["snapshot"] = last_snapshot;
        }
      }
      if (!fn(*record)) return Status::OK();
    }
    if (stop) break;
  }
  return it->status();
}

}  // namespace tailor::decision
