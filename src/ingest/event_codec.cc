#include "ingest/event_codec.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "core/ids.h"
#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::ingest {

namespace {

namespace dom = simdjson::dom;

static_assert(kDecodePadding >= simdjson::SIMDJSON_PADDING, "kDecodePadding must cover simdjson's");

// A parser keeps its buffers (about 10 bytes per input byte) between calls. Bodies above
// this size get a throwaway parser so one rare huge batch does not pin memory in every
// worker thread for the life of the process.
constexpr size_t kMaxRetainedParserBytes = size_t{4} << 20;

constexpr std::string_view kAllowedMembers =
    "event_id, type, user_id, anonymous_id, timestamp, context, properties, traits, consent, "
    "decision_id";
constexpr std::string_view kBodyShape = R"(send {"events":[{...}, ...]})";

// Below this an integer timestamp is almost surely epoch seconds (1973-03-03 in ms).
constexpr int64_t kLooksLikeSecondsBelow = 100'000'000'000;

enum Member : uint32_t {
  kEventId = 1u << 0,
  kType = 1u << 1,
  kUserId = 1u << 2,
  kAnonymousId = 1u << 3,
  kTimestamp = 1u << 4,
  kContext = 1u << 5,
  kProperties = 1u << 6,
  kTraits = 1u << 7,
  kConsent = 1u << 8,
  kDecisionId = 1u << 9,
  kUnknown = 0,
};

Member LookupMember(std::string_view key) {
  switch (key.size()) {
    case 4:
      return key == "type" ? kType : kUnknown;
    case 6:
      return key == "traits" ? kTraits : kUnknown;
    case 7:
      if (key == "user_id") return kUserId;
      if (key == "context") return kContext;
      if (key == "consent") return kConsent;
      return kUnknown;
    case 8:
      return key == "event_id" ? kEventId : kUnknown;
    case 9:
      return key == "timestamp" ? kTimestamp : kUnknown;
    case 10:
      return key == "properties" ? kProperties : kUnknown;
    case 11:
      return key == "decision_id" ? kDecisionId : kUnknown;
    case 12:
      return key == "anonymous_id" ? kAnonymousId : kUnknown;
    default:
      return kUnknown;
  }
}

const char* KindName(dom::element el) {
  switch (el.type()) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
      return "an integer";
    case dom::element_type::DOUBLE:
      return "a decimal number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

// Quotes a client value for an error message: at most ~64 bytes, cut on a UTF-8 boundary
// so the message stays valid UTF-8, control characters escaped.
std::string Echo(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return JsonQuote(s);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return JsonQuote(s.substr(0, cut)) + "...";
}

std::string MemberPath(std::string_view base, std::string_view member) {
  std::string path(base);
  AppendPathMember(&path, member);
  return path;
}

// The path of member `key` of the object at `base`, spelled out only for an error: the
// decoder passes one for every member of every event, and building each string was
// ~8 % of decoding a batch.
struct MemberRef {
  const std::string& base;
  std::string_view key;
  std::string str() const { return MemberPath(base, key); }
};

Status BodyError(simdjson::error_code code) {
  std::string why;
  switch (code) {
    case simdjson::UTF8_ERROR:
      return InvalidArgument("request body is not valid UTF-8; encode the JSON as UTF-8");
    case simdjson::STRING_ERROR:
      return InvalidArgument(
          "request body has a malformed string: an invalid escape or a lone UTF-16 surrogate "
          "such as \\ud800 (surrogate escapes must come in high/low pairs)");
    case simdjson::NUMBER_ERROR:
      return InvalidArgument(
          "request body has a malformed or out-of-range number: integers must fit in 64 bits "
          "and decimals must be finite doubles");
    case simdjson::DEPTH_ERROR:
      return InvalidArgument("request body is nested deeper than 1024 levels");
    case simdjson::UNESCAPED_CHARS:
      return InvalidArgument(
          "request body has an unescaped control character inside a string; escape it as "
          "\\u00XX");
    case simdjson::EMPTY:
      return InvalidArgument("request body is empty; " + std::string(kBodyShape));
    case simdjson::CAPACITY:
      return Status(StatusCode::kPayloadTooLarge, "request body is too large to parse");
    case simdjson::MEMALLOC:
      return ResourceExhausted("out of memory while parsing the request body");
    default:
      return InvalidArgument("request body is not valid JSON (" +
                             std::string(simdjson::error_message(code)) + "); " +
                             std::string(kBodyShape));
  }
}

// Decodes one element of `events`. Paths are absolute ("events[3].timestamp").
class EventDecoder {
 public:
  EventDecoder(const DecodeOptions& options, int64_t received_at_ms)
      : options_(options), now_ms_(received_at_ms) {}

  Status Decode(dom::element el, const std::string& base, Event* ev) const {
    dom::object obj;
    if (el.get(obj) != simdjson::SUCCESS) {
      return InvalidArgument(std::string("expected an event object, got ") + KindName(el), base);
    }
    uint32_t seen = 0;
    bool has_traits = false, has_consent = false;
    for (dom::key_value_pair field : obj) {
      Member m = LookupMember(field.key);
      if (m == kUnknown) {
        return InvalidArgument("unknown member " + Echo(field.key) + "; an event may only have " +
                                   std::string(kAllowedMembers),
                               MemberPath(base, field.key));
      }
      const MemberRef path{base, field.key};
      if (seen & m) {
        return InvalidArgument("duplicate member " + Echo(field.key) + "; send it once", path.str());
      }
      seen |= m;
      dom::element v = field.value;
      switch (m) {
        case kEventId:
          TAILOR_RETURN_IF_ERROR(GetId(v, field.key, path, /*optional=*/false, &ev->event_id));
          break;
        case kType:
          TAILOR_RETURN_IF_ERROR(GetType(v, path, &ev->type));
          break;
        case kUserId:
          TAILOR_RETURN_IF_ERROR(GetId(v, field.key, path, /*optional=*/true, &ev->user_id));
          break;
        case kAnonymousId:
          TAILOR_RETURN_IF_ERROR(GetId(v, field.key, path, /*optional=*/true, &ev->anonymous_id));
          break;
        case kDecisionId:
          TAILOR_RETURN_IF_ERROR(GetId(v, field.key, path, /*optional=*/true, &ev->decision_id));
          break;
        case kTimestamp:
          TAILOR_RETURN_IF_ERROR(GetTimestamp(v, path, &ev->timestamp_ms));
          break;
        case kContext:
          TAILOR_RETURN_IF_ERROR(GetObjectJson(v, path, &ev->context_json));
          break;
        case kProperties:
          TAILOR_RETURN_IF_ERROR(GetObjectJson(v, path, &ev->properties_json));
          break;
        case kTraits:
          TAILOR_RETURN_IF_ERROR(GetObjectJson(v, path, &ev->traits_json));
          has_traits = !ev->traits_json.empty();
          break;
        case kConsent:
          TAILOR_RETURN_IF_ERROR(GetConsent(v, path, &ev->consent_json));
          has_consent = !ev->consent_json.empty();
          break;
        case kUnknown:
          break;
      }
    }
    if (!(seen & kEventId)) {
      return InvalidArgument(
          "missing event_id: add a unique string id per event (retries with the same id are "
          "deduplicated)",
          MemberPath(base, "event_id"));
    }
    if (!(seen & kType)) {
      return InvalidArgument(R"(missing type: add the event type, e.g. "type":"page_view")",
                             MemberPath(base, "type"));
    }
    if (ev->user_id.empty() && ev->anonymous_id.empty()) {
      return InvalidArgument(
          "missing user_id / anonymous_id: add user_id or anonymous_id (or both)",
          MemberPath(base, "user_id"));
    }
    if (!(seen & kTimestamp)) {
      return InvalidArgument(
          "missing timestamp: add an ISO 8601 string (2026-11-23T01:38:16.123Z) or integer "
          "epoch milliseconds",
          MemberPath(base, "timestamp"));
    }
    if (has_traits && ev->type != "identify") {
      return InvalidArgument(
          "traits is only allowed on identify events; send profile attributes with an "
          "identify event or put them in properties",
          MemberPath(base, "traits"));
    }
    if (has_consent && ev->type != "consent") {
      return InvalidArgument("consent is only allowed on consent events",
                             MemberPath(base, "consent"));
    }
    if (!has_consent && ev->type == "consent") {
      return InvalidArgument(
          R"(consent events need a consent member: {"purposes":{"analytics":true},"source":"banner"})",
          MemberPath(base, "consent"));
    }
    ev->received_at_ms = now_ms_;
    return Status::OK();
  }

 private:
  static Status GetString(dom::element v, const MemberRef& path, std::string_view* out) {
    if (v.get(*out) != simdjson::SUCCESS) {
      return InvalidArgument(std::string("expected a string, got ") + KindName(v), path.str());
    }
    return Status::OK();
  }

  // Optional ids accept null as "absent" (SDKs commonly send "user_id": null).
  static Status GetId(dom::element v, std::string_view name, const MemberRef& path, bool optional,
                      std::string* out) {
    if (optional && v.is_null()) return Status::OK();
    std::string_view s;
    TAILOR_RETURN_IF_ERROR(GetString(v, path, &s));
    Status valid = ValidateExternalId(s, name);
    if (!valid.ok()) {
      // "must not be empty" -> "event_id must not be empty": readable without the path.
      return InvalidArgument(std::string(name) + " " + valid.message(), path.str());
    }
    out->assign(s);
    return Status::OK();
  }

  static Status GetType(dom::element v, const MemberRef& path, std::string* out) {
    std::string_view s;
    TAILOR_RETURN_IF_ERROR(GetString(v, path, &s));
    if (!IsValidEventType(s)) {
      return InvalidArgument(
          Echo(s) +
              " is not a valid event type: use lower_snake_case starting with a letter, at "
              "most 64 characters (^[a-z][a-z0-9_]{0,63}$)",
          path.str());
    }
    out->assign(s);
    return Status::OK();
  }

  Status GetTimestamp(dom::element v, const MemberRef& at, int64_t* out) const {
    int64_t ms = 0;
    switch (v.type()) {
      case dom::element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();  // type checked above
        Result<int64_t> parsed = ParseIso8601(s);
        if (!parsed.ok()) return InvalidArgument("timestamp " + parsed.status().message(), at.str());
        ms = *parsed;
        break;
      }
      case dom::element_type::INT64: {
        ms = v.get_int64().value_unsafe();  // type checked above
        if (ms < 0) {
          return InvalidArgument(
              "timestamp must not be negative; send epoch milliseconds or an ISO 8601 string",
              at.str());
        }
        break;
      }
      case dom::element_type::UINT64:
        return InvalidArgument("timestamp is out of range; send epoch milliseconds", at.str());
      case dom::element_type::DOUBLE:
        return InvalidArgument(
            "timestamp must be an integer number of epoch milliseconds (no fraction or "
            "exponent) or an ISO 8601 string",
            at.str());
      default:
        return InvalidArgument(std::string("expected an ISO 8601 string or integer epoch "
                                           "milliseconds, got ") +
                                   KindName(v),
                               at.str());
    }
    // Compare as differences so extreme values cannot overflow.
    if (ms < now_ms_ && now_ms_ - ms > options_.max_age_ms) {
      std::string msg = "timestamp is older than the " + FormatDurationMs(options_.max_age_ms) +
                        " horizon (events.max_age)";
      if (v.type() != dom::element_type::STRING && ms < kLooksLikeSecondsBelow) {
        msg += "; it looks like epoch seconds, send milliseconds";
      }
      return InvalidArgument(std::move(msg), at.str());
    }
    if (ms > now_ms_ && ms - now_ms_ > options_.max_future_skew_ms) {
      return InvalidArgument("timestamp is more than " +
                                 FormatDurationMs(options_.max_future_skew_ms) +
                                 " in the future (events.max_future_skew); check the client "
                                 "clock",
                             at.str());
    }
    *out = ms;
    return Status::OK();
  }

  // Optional objects accept null as "absent".
  static Status GetObjectJson(dom::element v, const MemberRef& path, std::string* out) {
    if (v.is_null()) return Status::OK();
    if (!v.is_object()) {
      return InvalidArgument(std::string("expected an object, got ") + KindName(v), path.str());
    }
    *out = simdjson::to_string(v);
    return Status::OK();
  }

  Status GetConsent(dom::element v, const MemberRef& at, std::string* out) const {
    const std::string path = at.str();  // consent events are rare: spelled out always
    dom::object obj;
    if (v.get(obj) != simdjson::SUCCESS) {
      return InvalidArgument(std::string("expected an object like {\"purposes\":{\"analytics\":"
                                         "true}}, got ") +
                                 KindName(v),
                             path);
    }
    bool has_purposes = false, has_source = false;
    for (dom::key_value_pair field : obj) {
      std::string member_path = MemberPath(path, field.key);
      if (field.key == "purposes") {
        if (has_purposes) return InvalidArgument("duplicate member \"purposes\"", member_path);
        has_purposes = true;
        TAILOR_RETURN_IF_ERROR(CheckPurposes(field.value, member_path));
      } else if (field.key == "source") {
        if (has_source) return InvalidArgument("duplicate member \"source\"", member_path);
        has_source = true;
        std::string_view s;
        TAILOR_RETURN_IF_ERROR(GetString(field.value, MemberRef{path, field.key}, &s));
      } else {
        return InvalidArgument(
            "unknown member " + Echo(field.key) + "; consent may only have purposes and source",
            member_path);
      }
    }
    if (!has_purposes) {
      return InvalidArgument(R"(missing purposes: add e.g. "purposes":{"analytics":true})",
                             MemberPath(path, "purposes"));
    }
    *out = simdjson::to_string(v);
    return Status::OK();
  }

  Status CheckPurposes(dom::element v, const std::string& path) const {
    dom::object obj;
    if (v.get(obj) != simdjson::SUCCESS) {
      return InvalidArgument(
          std::string("expected an object of purpose -> true|false, got ") + KindName(v), path);
    }
    if (obj.size() == 0) {
      return InvalidArgument("must name at least one purpose, e.g. {\"analytics\":true}", path);
    }
    const std::vector<std::string>& declared = options_.consent_purposes;
    for (dom::key_value_pair p : obj) {
      std::string purpose_path = MemberPath(path, p.key);
      if (!p.value.is_bool()) {
        return InvalidArgument(
            std::string("expected true (granted) or false (denied), got ") + KindName(p.value),
            purpose_path);
      }
      if (!declared.empty() &&
          std::find(declared.begin(), declared.end(), p.key) == declared.end()) {
        std::string names;
        for (const std::string& d : declared) names += (names.empty() ? "" : ", ") + d;
        return InvalidArgument("unknown consent purpose " + Echo(p.key) +
                                   "; declare it under consent.purposes or use one of: " + names,
                               purpose_path);
      }
    }
    return Status::OK();
  }

  const DecodeOptions& options_;
  int64_t now_ms_;
};

// The event_id of a rejected element, when it is a well-formed id (echoed back to the
// client so it can match errors to its events).
std::string ReadableEventId(dom::element el) {
  std::string_view id;
  if (el["event_id"].get(id) != simdjson::SUCCESS) return {};
  if (!ValidateExternalId(id, "").ok()) return {};
  return std::string(id);
}

Result<DecodedBatch> DecodeRoot(dom::element root, const DecodeOptions& options,
                                int64_t received_at_ms) {
  dom::object top;
  if (root.get(top) != simdjson::SUCCESS) {
    return InvalidArgument(std::string("request body must be a JSON object, got ") +
                           KindName(root) + "; " + std::string(kBodyShape));
  }
  dom::array events;
  bool has_events = false;
  for (dom::key_value_pair field : top) {
    if (field.key != "events") {
      return InvalidArgument("unknown top-level member " + Echo(field.key) +
                                 "; the body has only an events array: " + std::string(kBodyShape),
                             MemberPath("", field.key));
    }
    if (has_events) return InvalidArgument("duplicate member \"events\"; send it once", "events");
    has_events = true;
    if (field.value.get(events) != simdjson::SUCCESS) {
      return InvalidArgument(
          std::string("events must be an array of event objects, got ") + KindName(field.value),
          "events");
    }
  }
  if (!has_events) {
    return InvalidArgument("missing events: " + std::string(kBodyShape), "events");
  }
  // dom::array::size() saturates at 0xFFFFFF, far above any sane limit.
  size_t count = events.size();
  if (count > options.max_batch_events) {
    return Status(StatusCode::kPayloadTooLarge,
                  "batch has " + std::to_string(count) + " events; the limit is " +
                      std::to_string(options.max_batch_events) +
                      " per request (max_batch_events): split it into smaller batches",
                  "events");
  }

  DecodedBatch out;
  out.events.reserve(count);
  out.indexes.reserve(count);
  EventDecoder decoder(options, received_at_ms);
  size_t index = 0;
  std::string base;
  for (dom::element el : events) {
    base.assign("events");
    AppendPathIndex(&base, index);
    Event ev;
    Status st = decoder.Decode(el, base, &ev);
    if (st.ok()) {
      out.events.push_back(std::move(ev));
      out.indexes.push_back(index);
    } else {
      out.errors.push_back(
          EventError{index, ReadableEventId(el), std::move(st), simdjson::to_string(el)});
    }
    ++index;
  }
  return out;
}

// REQUIRES: buf has at least SIMDJSON_PADDING readable bytes after buf[len - 1].
Result<DecodedBatch> ParsePadded(const char* buf, size_t len, const DecodeOptions& options,
                                 int64_t received_at_ms) {
  thread_local dom::parser retained_parser;
  std::unique_ptr<dom::parser> oversized_parser;
  dom::parser* parser = &retained_parser;
  if (len > kMaxRetainedParserBytes) {
    oversized_parser = std::make_unique<dom::parser>();
    parser = oversized_parser.get();
  }
  dom::element root;
  simdjson::error_code err = parser->parse(buf, len, /*realloc_if_needed=*/false).get(root);
  if (err != simdjson::SUCCESS) return BodyError(err);
  return DecodeRoot(root, options, received_at_ms);
}

}  // namespace

DecodeOptions DecodeOptions::FromConfig(const IngestConfig& config) {
  DecodeOptions o;
  o.max_age_ms = config.max_age_ms;
  o.max_future_skew_ms = config.max_future_skew_ms;
  o.consent_purposes = config.consent_purposes;
  return o;
}

Status DecodeOptions::Validate() const {
  if (max_batch_events == 0) return InvalidArgument("must be at least 1", "max_batch_events");
  if (max_age_ms <= 0) return InvalidArgument("must be positive", "events.max_age");
  if (max_future_skew_ms < 0) {
    return InvalidArgument("must not be negative", "events.max_future_skew");
  }
  return Status::OK();
}

bool IsValidEventType(std::string_view type) {
  if (type.empty() || type.size() > 64 || type[0] < 'a' || type[0] > 'z') return false;
  for (char c : type) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<DecodedBatch> DecodeBatch(std::string_view body, const DecodeOptions& options,
                                 int64_t received_at_ms) {
  simdjson::padded_string padded(body);
  return ParsePadded(padded.data(), padded.size(), options, received_at_ms);
}

Result<DecodedBatch> DecodeBatchInPlace(std::string* body, const DecodeOptions& options,
                                        int64_t received_at_ms) {
  body->reserve(body->size() + kDecodePadding);
  return ParsePadded(body->data(), body->size(), options, received_at_ms);
}

}  // namespace tailor::ingest
