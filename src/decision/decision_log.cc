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
    std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
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

Json AnswerJson(const Answer& a, bool with_trace) {
  Json out = Json::object();
  out["rule"] = a.rule.empty() ? Json(nullptr) : Json(a.rule);
  if (!a.campaign.empty()) out["campaign"] = a.campaign;
  out["action"] = std::string(ActionKindName(a.action));
  out["content"] = a.content.empty() ? Json(nullptr) : Json(a.content);
  if (!a.variant.empty()) out["variant"] = a.variant;
  if (!a.value.is_null()) out["value"] = a.value;
  out["served"] = a.served;
  out["fallback"] = a.fallback;
  out["personalized"] = a.personalized;
  if (!a.reason.empty()) out["reason"] = a.reason;
  out["propensity"] = a.propensity;
  if (with_trace) {
    Json trace = Json::array();
    for (const TraceEntry& t : a.trace) {
      Json e = {{"rule", t.rule}, {"result", std::string(RuleOutcomeName(t.outcome))}};
      if (!t.detail.empty()) e["detail"] = t.detail;
      trace.push_back(std::move(e));
    }
    out["trace"] = std::move(trace);
  }
  return out;
}

}  // namespace

std::string_view RuleOutcomeName(RuleOutcome outcome) {
  switch (outcome) {
    case RuleOutcome::kMatched: return "matched";
    case RuleOutcome::kNoMatch: return "no_match";
    case RuleOutcome::kDisabled: return "disabled";
    case RuleOutcome::kNotInRollout: return "not_in_rollout";
    case RuleOutcome::kCapped: return "capped";
    case RuleOutcome::kFailed: return "failed";
  }
  return "no_match";
}

std::string EncodeDecision(const PendingDecision& d) {
  Json out = Json::object();
  out["decision_id"] = d.id;
  out["at"] = FormatIso8601(d.at_ms);
  out["at_ms"] = d.at_ms;
  out["profile_id"] = d.pid.empty() ? Json(nullptr) : Json(d.pid);
  if (!d.user_id.empty()) out["user_id"] = d.user_id;
  if (!d.anonymous_id.empty()) out["anonymous_id"] = d.anonymous_id;
  out["placement"] = d.placement;
  out["config_version"] = d.config_version;
  out["context"] = d.context ? *d.context : Json::object();
  // Inputs: every attribute path the placement's rules read, with the value the rule
  // saw (null when absent), so the decision can be explained and replayed.
  Json inputs = Json::object();
  if (d.config && d.view) {
    if (const Placement* pl = d.config->FindPlacement(d.placement)) {
      static const Json kEmpty = Json::object();
      DecisionDocument doc(d.view->doc, d.context ? *d.context : kEmpty);
      for (const std::string& path : pl->input_paths) {
        auto segments = SplitPath(path);
        condition::Node n;
        inputs[path] = doc.Lookup(doc.Root(), segments, &n) && !(n.a == 0) ? JsonAt(n) : Json(nullptr);
      }
    }
  }
  out["inputs"] = std::move(inputs);
  Json answer = AnswerJson(d.answer, /*with_trace=*/true);
  for (auto& [k, v] : answer.items()) out[k] = v;
  if (d.shadow) {
    Json shadow = AnswerJson(*d.shadow, /*with_trace=*/true);
    // Differs when it would have served something else (rule names of the two rule
    // sets may differ for the same answer).
    shadow["differs"] = d.shadow->content != d.answer.content || d.shadow->value != d.answer.value ||
                        d.shadow->served != d.answer.served;
    out["shadow"] = std::move(shadow);
  }
  out["cached"] = d.cached;
  out["impressions_recorded"] = d.impressions_recorded;
  out["consented"] = d.consented;
  out["latency_us"] = d.latency_us;
  return out.dump();
}

DecisionLog::DecisionLog(storage::KvStore& store, CapLedger* caps, DecisionLogOptions options)
    : store_(store), caps_(caps), options_(options), writer_([this] { Run(); }) {}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  Flush().IgnoreError();
}

void DecisionLog::Append(PendingDecision d) {
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queue) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(d));
}

Status DecisionLog::Flush() {
  MutexLock write_lock(write_mu_);
  std::vector<PendingDecision> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
  }
  storage::WriteBatch wb;
  for (const PendingDecision& d : batch) wb.Put(storage::Keyspace::kDecisions, d.id, EncodeDecision(d));
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
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kDecisions, decision_id));
  if (!raw) return NotFound("no decision '" + decision_id + "' (unknown, or older than the decision log retention)", "id");
  TAILOR_ASSIGN_OR_RETURN(Json record, ParseJson(*raw));
  Json outcomes = Json::array();
  std::string prefix = storage::DecisionOutcomeKey(decision_id, "");
  auto it = store_.NewIterator(storage::Keyspace::kDecisionOutcomes, prefix, storage::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto outcome = ParseJson(it->value());
    if (outcome.ok()) outcomes.push_back(std::move(outcome).value());
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  record["outcomes"] = std::move(outcomes);
  return record;
}

Status DecisionLog::Scan(int64_t since_ms, int64_t until_ms, const std::function<bool(const Json&)>& fn) {
  TAILOR_RETURN_IF_ERROR(Flush());
  auto it = store_.NewIterator(storage::Keyspace::kDecisions, UlidLowerBound(since_ms), UlidLowerBound(until_ms));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto record = ParseJson(it->value());
    if (!record.ok()) continue;  // unreadable records are skipped, not fatal to a scan
    if (!fn(*record)) break;
  }
  return it->status();
}

}  // namespace tailor::decision
