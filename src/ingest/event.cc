#include "ingest/event.h"

#include <simdjson.h>

#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::ingest {

namespace {

namespace dom = simdjson::dom;

void AppendStringMember(std::string* out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out->append(",\"").append(name).append("\":");
  AppendJsonString(out, value);
}

void AppendRawMember(std::string* out, std::string_view name, std::string_view raw) {
  if (raw.empty()) return;
  out->append(",\"").append(name).append("\":").append(raw);
}

Status Corrupt(std::string_view what) { return Corruption("stored event: " + std::string(what)); }

Status ReadString(dom::element v, std::string_view name, std::string* out) {
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) return Corrupt(std::string(name) + " is not a string");
  out->assign(s);
  return Status::OK();
}

Status ReadTime(dom::element v, std::string_view name, int64_t* out) {
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) {
    Result<int64_t> ms = ParseIso8601(s);
    if (!ms.ok()) return Corrupt(std::string(name) + " " + ms.status().message());
    *out = *ms;
    return Status::OK();
  }
  if (v.get(*out) == simdjson::SUCCESS) return Status::OK();  // epoch ms, tolerated
  return Corrupt(std::string(name) + " is not a timestamp");
}

Status ReadObject(dom::element v, std::string_view name, std::string* out) {
  if (!v.is_object()) return Corrupt(std::string(name) + " is not an object");
  *out = simdjson::to_string(v);
  return Status::OK();
}

}  // namespace

std::string EncodeEventJson(const Event& e) {
  std::string out;
  out.reserve(128 + e.event_id.size() + e.type.size() + e.user_id.size() + e.anonymous_id.size() +
              e.session_id.size() + e.decision_id.size() + e.context_json.size() +
              e.properties_json.size() + e.traits_json.size() + e.consent_json.size());
  out.append("{\"event_id\":");
  AppendJsonString(&out, e.event_id);
  out.append(",\"type\":");
  AppendJsonString(&out, e.type);
  AppendStringMember(&out, "user_id", e.user_id);
  AppendStringMember(&out, "anonymous_id", e.anonymous_id);
  out.append(",\"timestamp\":\"").append(FormatIso8601(e.timestamp_ms));
  out.append("\",\"received_at\":\"").append(FormatIso8601(e.received_at_ms)).append("\"");
  AppendStringMember(&out, "session_id", e.session_id);
  AppendStringMember(&out, "decision_id", e.decision_id);
  AppendRawMember(&out, "context", e.context_json);
  AppendRawMember(&out, "properties", e.properties_json);
  AppendRawMember(&out, "traits", e.traits_json);
  AppendRawMember(&out, "consent", e.consent_json);
  out.push_back('}');
  return out;
}

Result<Event> DecodeStoredEvent(std::string_view json) {
  // History scans decode many small documents; one parser per thread avoids reallocating.
  thread_local dom::parser parser;
  simdjson::padded_string padded(json);
  dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return Corrupt("not valid JSON");
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) return Corrupt("not a JSON object");
  Event e;
  bool has_id = false, has_type = false, has_ts = false, has_received = false;
  for (dom::key_value_pair f : obj) {
    std::string_view k = f.key;
    if (k == "event_id") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.event_id));
      has_id = true;
    } else if (k == "type") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.type));
      has_type = true;
    } else if (k == "user_id") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.user_id));
    } else if (k == "anonymous_id") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.anonymous_id));
    } else if (k == "timestamp") {
      TAILOR_RETURN_IF_ERROR(ReadTime(f.value, k, &e.timestamp_ms));
      has_ts = true;
    } else if (k == "received_at") {
      TAILOR_RETURN_IF_ERROR(ReadTime(f.value, k, &e.received_at_ms));
      has_received = true;
    } else if (k == "session_id") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.session_id));
    } else if (k == "decision_id") {
      TAILOR_RETURN_IF_ERROR(ReadString(f.value, k, &e.decision_id));
    } else if (k == "context") {
      TAILOR_RETURN_IF_ERROR(ReadObject(f.value, k, &e.context_json));
    } else if (k == "properties") {
      TAILOR_RETURN_IF_ERROR(ReadObject(f.value, k, &e.properties_json));
    } else if (k == "traits") {
      TAILOR_RETURN_IF_ERROR(ReadObject(f.value, k, &e.traits_json));
    } else if (k == "consent") {
      TAILOR_RETURN_IF_ERROR(ReadObject(f.value, k, &e.consent_json));
    }
  }
  if (!has_id || !has_type || !has_ts || !has_received) {
    return Corrupt("missing event_id, type, timestamp or received_at");
  }
  return e;
}

bool IsInternalEventType(std::string_view type) {
  return type == "segment_entered" || type == "segment_exited";
}

}  // namespace tailor::ingest
