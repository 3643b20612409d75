#include "ingest/event.h"

#include <simdjson.h>

#include "core/json_util.h"
#include "core/time_util.h"
#include "core/varint.h"

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

// The bytes of an event's string members: both encodings reserve this plus their overhead.
size_t MembersSize(const Event& e) {
  return e.event_id.size() + e.type.size() + e.user_id.size() + e.anonymous_id.size() +
         e.session_id.size() + e.decision_id.size() + e.context_json.size() +
         e.properties_json.size() + e.traits_json.size() + e.consent_json.size();
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
  out.reserve(128 + MembersSize(e));
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

namespace {

Result<Event> DecodeJsonEvent(std::string_view json) {
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

Result<Event> DecodeBinaryEvent(std::string_view stored) {
  ByteReader r(stored.substr(1));  // after the version byte
  Event e;
  std::string_view type, id, user, anonymous, session, decision, context, properties, traits, consent;
  uint64_t ts = 0, received = 0;
  if (!r.String(&type) || !r.String(&id) || !r.String(&user) || !r.String(&anonymous) ||
      !r.Varint(&ts) || !r.Varint(&received) || !r.String(&session) || !r.String(&decision) ||
      !r.String(&context) || !r.String(&properties) || !r.String(&traits) ||
      !r.String(&consent) || !r.done()) {
    return Corrupt("truncated or malformed binary event");
  }
  if (id.empty() || type.empty()) return Corrupt("missing event_id or type");
  e.type = type;
  e.event_id = id;
  e.user_id = user;
  e.anonymous_id = anonymous;
  e.timestamp_ms = UnZigZag(ts);
  // Unsigned: a damaged value must not overflow (the encoder's wrap-around inverted).
  e.received_at_ms = static_cast<int64_t>(static_cast<uint64_t>(e.timestamp_ms) +
                                          static_cast<uint64_t>(UnZigZag(received)));
  e.session_id = session;
  e.decision_id = decision;
  e.context_json = context;
  e.properties_json = properties;
  e.traits_json = traits;
  e.consent_json = consent;
  return e;
}

}  // namespace

std::string EncodeStoredEvent(const Event& e) {
  std::string out;
  out.reserve(40 + MembersSize(e));
  out.push_back(kStoredEventV1);
  PutLengthPrefixed(&out, e.type);
  PutLengthPrefixed(&out, e.event_id);
  PutLengthPrefixed(&out, e.user_id);
  PutLengthPrefixed(&out, e.anonymous_id);
  PutVarint(&out, ZigZag(e.timestamp_ms));
  // Received a little after the event's time, usually: a small varint.
  // (Unsigned subtraction: defined for any two times; DecodeBinaryEvent inverts it.)
  PutVarint(&out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(e.received_at_ms) -
                                              static_cast<uint64_t>(e.timestamp_ms))));
  PutLengthPrefixed(&out, e.session_id);
  PutLengthPrefixed(&out, e.decision_id);
  PutLengthPrefixed(&out, e.context_json);
  PutLengthPrefixed(&out, e.properties_json);
  PutLengthPrefixed(&out, e.traits_json);
  PutLengthPrefixed(&out, e.consent_json);
  return out;
}

Result<Event> DecodeStoredEvent(std::string_view stored) {
  if (!stored.empty() && stored.front() == kStoredEventV1) return DecodeBinaryEvent(stored);
  if (!stored.empty() && stored.front() == '{') return DecodeJsonEvent(stored);
  return Corrupt("not a stored event (unknown format)");
}

Result<std::string> StoredEventJson(std::string_view stored) {
  if (!stored.empty() && stored.front() == '{') return std::string(stored);
  TAILOR_ASSIGN_OR_RETURN(Event e, DecodeStoredEvent(stored));
  return EncodeEventJson(e);
}

bool IsInternalEventType(std::string_view type) {
  return type == "segment_entered" || type == "segment_exited";
}

}  // namespace tailor::ingest
