#include "ingest/dead_letters.h"

#include "core/ids.h"
#include "core/json_doc.h"
#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::ingest {

void DeadLetterStore::Stage(std::string_view raw_json, const Status& error, size_t index,
                            std::string_view event_id, std::string_view source,
                            storage::WriteBatch* batch) {
  Json j = {{"received_at_ms", clock_.NowMs()},
            {"source", source},
            {"index", index},
            {"event_id", event_id},
            {"code", StatusCodeName(error.code())},
            {"message", error.message()},
            {"path", error.path()},
            {"raw", raw_json}};
  batch->Put(storage::Keyspace::kDeadLetters, NewUlid(clock_, random_), j.dump());
}

namespace {

Result<DeadLetter> Decode(std::string_view id, std::string_view value) {
  auto j = ParseJsonObject(value);
  if (!j.ok()) return Corruption("dead letter " + std::string(id) + ": " + j.status().message());
  try {
    DeadLetter d;
    d.id = std::string(id);
    d.received_at_ms = j->at("received_at_ms").get<int64_t>();
    d.source = j->at("source").get<std::string>();
    d.index = j->at("index").get<size_t>();
    d.event_id = j->at("event_id").get<std::string>();
    d.code = j->at("code").get<std::string>();
    d.message = j->at("message").get<std::string>();
    d.path = j->at("path").get<std::string>();
    d.raw_json = j->at("raw").get<std::string>();
    return d;
  } catch (const Json::exception& e) {
    return Corruption("dead letter " + std::string(id) + ": " + e.what());
  }
}

}  // namespace

Result<std::vector<DeadLetter>> DeadLetterStore::List(size_t limit, std::string_view after_id) {
  auto it = store_.NewIterator(storage::Keyspace::kDeadLetters, "", "");
  std::vector<DeadLetter> out;
  if (after_id.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(std::string(after_id) + '\0');
  }
  for (; it->Valid() && out.size() < limit; it->Next()) {
    TAILOR_ASSIGN_OR_RETURN(DeadLetter d, Decode(it->key(), it->value()));
    out.push_back(std::move(d));
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::optional<DeadLetter>> DeadLetterStore::Get(std::string_view id) {
  TAILOR_ASSIGN_OR_RETURN(auto raw, store_.Get(storage::Keyspace::kDeadLetters, id));
  if (!raw) return std::optional<DeadLetter>();
  TAILOR_ASSIGN_OR_RETURN(DeadLetter d, Decode(id, *raw));
  return std::optional<DeadLetter>(std::move(d));
}

void DeadLetterStore::StageDelete(std::string_view id, storage::WriteBatch* batch) {
  batch->Delete(storage::Keyspace::kDeadLetters, id);
}

std::string EncodeWireEventJson(const Event& e) {
  std::string out = "{\"event_id\":";
  AppendJsonString(&out, e.event_id);
  out += ",\"type\":";
  AppendJsonString(&out, e.type);
  if (!e.user_id.empty()) {
    out += ",\"user_id\":";
    AppendJsonString(&out, e.user_id);
  }
  if (!e.anonymous_id.empty()) {
    out += ",\"anonymous_id\":";
    AppendJsonString(&out, e.anonymous_id);
  }
  out += ",\"timestamp\":" + std::to_string(e.timestamp_ms);
  if (!e.decision_id.empty()) {
    out += ",\"decision_id\":";
    AppendJsonString(&out, e.decision_id);
  }
  auto raw = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    out += ",\"";
    out += name;
    out += "\":";
    out += v;
  };
  raw("context", e.context_json);
  raw("properties", e.properties_json);
  raw("traits", e.traits_json);
  raw("consent", e.consent_json);
  out += '}';
  return out;
}

std::string DeadLetterToJson(const DeadLetter& d) {
  Json raw = Json::object();
  if (auto parsed = ParseJson(d.raw_json); parsed.ok()) raw = std::move(parsed).value();
  Json j = {{"id", d.id},
            {"received_at", FormatIso8601(d.received_at_ms)},
            {"source", d.source},
            {"index", d.index},
            {"event_id", d.event_id.empty() ? Json(nullptr) : Json(d.event_id)},
            {"error", {{"code", d.code}, {"message", d.message},
                       {"path", d.path.empty() ? Json(nullptr) : Json(d.path)}}},
            {"event", raw}};
  return j.dump();
}

}  // namespace tailor::ingest
