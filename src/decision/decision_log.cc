#include "decision/decision_log.h"

#include <chrono>

#include "core/ids.h"
#include "core/json_util.h"
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

// The JSON value at `node` of a JsonDocument-backed document (every non-root node of a
// DecisionDocument points at an nlohmann value).
const Json& JsonAt(condition::Node n) { return *reinterpret_cast<const Json*>(n.a); }

// Appends the answer's members (without braces) to a record being written by hand: the
// writer thread encodes tens of thousands of records a second, so no DOM is built.
void AppendAnswer(std::string* out, const Answer& a) {
  *out += "\"rule\":";
  a.rule.empty() ? void(*out += "null") : AppendJsonString(out, a.rule);
  if (!a.campaign.empty()) {
    *out += ",\"campaign\":";
    AppendJsonString(out, a.campaign);
  }
  *out += ",\"action\":";
  AppendJsonString(out, ActionKindName(a.action));
  *out += ",\"content\":";
  a.content.empty() ? void(*out += "null") : AppendJsonString(out, a.content);
  if (!a.variant.empty()) {
    *out += ",\"variant\":";
    AppendJsonString(out, a.variant);
  }
  if (!a.value.is_null()) {
    *out += ",\"value\":";
    AppendJsonValue(out, a.value);
  }
  *out += a.served ? ",\"served\":true" : ",\"served\":false";
  *out += a.fallback ? ",\"fallback\":true" : ",\"fallback\":false";
  *out += a.personalized ? ",\"personalized\":true" : ",\"personalized\":false";
  if (!a.reason.empty()) {
    *out += ",\"reason\":";
    AppendJsonString(out, a.reason);
  }
  *out += ",\"propensity\":";
  AppendJsonDouble(out, a.propensity);
  if (!a.version.empty()) {
    *out += ",\"action_version\":";
    AppendJsonString(out, a.version);
  }
  *out += ",\"trace\":[";
  for (size_t i = 0; i < a.trace.size(); ++i) {
    const TraceEntry& t = a.trace[i];
    *out += i ? ",{\"rule\":" : "{\"rule\":";
    AppendJsonString(out, t.rule);
    *out += ",\"result\":";
    AppendJsonString(out, RuleOutcomeName(t.outcome));
    if (!t.detail.empty()) {
      *out += ",\"detail\":";
      AppendJsonString(out, t.detail);
    }
    *out += '}';
  }
  *out += ']';
}

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
    static const Json kEmpty = Json::object();
    auto ctx = record->find("context");
    DecisionDocument doc(*snap, ctx != record->end() && ctx->is_object() ? *ctx : kEmpty);
    for (const std::string& path : pl->input_paths) {
      auto segments = SplitPath(path);
      condition::Node n;
      inputs[path] = doc.Lookup(doc.Root(), segments, &n) && n.a != 0 ? JsonAt(n) : Json(nullptr);
    }
  }
  (*record)["inputs"] = std::move(inputs);
}

std::string EncodeDecision(const PendingDecision& d) {
  std::string out;
  out.reserve(768);
  AppendDecision(&out, d);
  return out;
}

void AppendDecision(std::string* out_ptr, const PendingDecision& d) {
  std::string& out = *out_ptr;
  // Records of one batch were mostly decided in the same millisecond.
  thread_local int64_t last_at_ms = -1;
  thread_local std::string last_at;
  if (d.at_ms != last_at_ms) {
    last_at = FormatIso8601(d.at_ms);
    last_at_ms = d.at_ms;
  }
  out += "{\"decision_id\":";
  AppendJsonString(&out, d.id);
  out += ",\"at\":";
  AppendJsonString(&out, last_at);
  out += ",\"at_ms\":";
  AppendJsonInt(&out, d.at_ms);
  static const Answer kNoAnswer;
  static const std::string kEmptyContext = "{}";
  static const std::string kNone;
  const Answer& answer = d.answer ? *d.answer : kNoAnswer;
  const std::string& pid = d.view ? d.view->pid : kNone;
  const std::string& snapshot_id = d.view ? d.view->id : kNone;
  out += ",\"profile_id\":";
  pid.empty() ? void(out += "null") : AppendJsonString(&out, pid);
  if (!d.user_id.empty()) {
    out += ",\"user_id\":";
    AppendJsonString(&out, d.user_id);
  }
  if (!d.anonymous_id.empty()) {
    out += ",\"anonymous_id\":";
    AppendJsonString(&out, d.anonymous_id);
  }
  out += ",\"placement\":";
  AppendJsonString(&out, d.placement);
  out += ",\"config_version\":";
  AppendJsonInt(&out, d.config_version);
  out += ",\"context\":";
  out += d.context_json ? *d.context_json : kEmptyContext;
  out += ",\"snapshot_id\":";
  snapshot_id.empty() ? void(out += "null") : AppendJsonString(&out, snapshot_id);
  out += ',';
  AppendAnswer(&out, answer);
  if (d.shadow) {
    out += ",\"shadow\":{";
    AppendAnswer(&out, *d.shadow);
    // Differs when it would have served something else (rule names of the two rule
    // sets may differ for the same answer).
    bool differs = d.shadow->content != answer.content || d.shadow->value != answer.value ||
                   d.shadow->served != answer.served;
    out += differs ? ",\"differs\":true}" : ",\"differs\":false}";
  }
  out += d.cached ? ",\"cached\":true" : ",\"cached\":false";
  out +=
      d.impressions_recorded ? ",\"impressions_recorded\":true" : ",\"impressions_recorded\":false";
  out += d.consented ? ",\"consented\":true" : ",\"consented\":false";
  out += ",\"latency_us\":";
  AppendJsonInt(&out, d.latency_us);
  out += '}';
}

DecisionLog::DecisionLog(storage::KvStore& store, CapLedger* caps, const Clock& clock,
                         Random& random, DecisionLogOptions options)
    : store_(store),
      caps_(caps),
      options_(options),
      clock_(clock),
      random_(random),
      writer_([this] { Run(); }) {}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  Flush().IgnoreError();
}

void DecisionLog::AppendSnapshot(std::shared_ptr<const ProfileView> view) {
  std::lock_guard lock(mu_);
  snapshots_.push_back(std::move(view));
}

std::string DecisionLog::Append(PendingDecision d) {
  std::lock_guard lock(mu_);
  std::string id = NextMonotonicUlid(clock_, random_, last_id_);
  last_id_ = id;  // same length: reuses last_id_'s buffer
  if (queue_.size() >= options_.max_queue) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return id;
  }
  d.id = id;
  queue_.push_back(std::move(d));
  return id;
}

Status DecisionLog::Flush() {
  MutexLock write_lock(write_mu_);
  // The queue and spare_ trade places, so appends reuse the capacity of an earlier
  // batch instead of regrowing (and moving every queued record) after each flush.
  std::vector<PendingDecision>& batch = spare_;
  std::vector<std::shared_ptr<const ProfileView>> snapshots;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
    snapshots.swap(snapshots_);
  }
  struct Recycle {
    std::vector<PendingDecision>& v;
    ~Recycle() {
      v.clear();
      if (v.capacity() > kMaxSpareCapacity) std::vector<PendingDecision>().swap(v);
    }
  } recycle{batch};
  storage::WriteBatch wb;
  std::string buf;
  for (const auto& v : snapshots) {
    buf.clear();
    AppendJsonValue(&buf, v->doc);
    wb.Put(storage::Keyspace::kDecisionSnapshots, v->id, buf);
  }
  // Segments: ids are monotonic in queue order, so each segment's first id is its lowest.
  for (size_t start = 0; start < batch.size(); start += kSegmentRecords) {
    size_t end = std::min(batch.size(), start + kSegmentRecords);
    buf.clear();
    for (size_t i = start; i < end; ++i) {
      if (i > start) buf += '\n';
      AppendDecision(&buf, batch[i]);
    }
    wb.Put(storage::Keyspace::kDecisions, batch[start].id, buf);
  }
  if (caps_ != nullptr) caps_->StageDirty(&wb);
  if (wb.empty()) return Status::OK();
  Status s = store_.Write(wb);
  if (s.ok()) written_.fetch_add(batch.size(), std::memory_order_relaxed);
  return s;
}

void DecisionLog::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms));
    if (stop_) break;
    lock.unlock();
    // A failed write keeps nothing to retry (the records are gone from the queue); it
    // is rare (disk full) and surfaces through the store's own error metrics.
    Flush().IgnoreError();
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
  std::string line;
  if (!FindLine(it->value(), decision_id, &line)) return not_found;
  TAILOR_ASSIGN_OR_RETURN(Json record, ParseJson(line));
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

bool DecisionLog::FindLine(std::string_view segment, std::string_view id, std::string* line) {
  std::string prefix = "{\"decision_id\":\"" + std::string(id) + "\"";
  size_t pos = 0;
  while (pos < segment.size()) {
    size_t end = segment.find('\n', pos);
    if (end == std::string_view::npos) end = segment.size();
    std::string_view l = segment.substr(pos, end - pos);
    if (l.substr(0, prefix.size()) == prefix) {
      *line = std::string(l);
      return true;
    }
    pos = end + 1;
  }
  return false;
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
    std::string_view segment = it->value();
    bool stop = false;
    for (size_t pos = 0; pos < segment.size() && !stop;) {
      size_t end = segment.find('\n', pos);
      if (end == std::string_view::npos) end = segment.size();
      std::string_view line = segment.substr(pos, end - pos);
      pos = end + 1;
      // {"decision_id":"<26 chars>" — the id decides the range without parsing.
      constexpr size_t kIdAt = 16;
      if (line.size() < kIdAt + 26) continue;
      std::string_view id = line.substr(kIdAt, 26);
      if (id < lower) continue;
      if (id >= upper) {
        stop = true;
        break;
      }
      auto record = ParseJson(line);
      if (!record.ok()) continue;  // unreadable records are skipped, not fatal to a scan
      if (snapshots) {
        std::string id = record->value("snapshot_id", Json()).is_string()
                             ? (*record)["snapshot_id"].get<std::string>()
                             : "";
        if (id.empty() || id != last_id) {
          TAILOR_RETURN_IF_ERROR(AttachSnapshot(&*record));
          last_id = id;
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
