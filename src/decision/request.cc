#include "decision/request.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/ids.h"
#include "core/json_util.h"

namespace tailor::decision {

namespace {

namespace dom = simdjson::dom;

// A parser keeps its buffers between calls (one per thread). Bodies above this size get
// a throwaway parser so a rare huge body does not pin memory in every io thread.
constexpr size_t kMaxRetainedParserBytes = size_t{1} << 20;

constexpr int kMaxContextDepth = 8;

Status ContextTooLarge() {
  return InvalidArgument("larger than " + std::to_string(kMaxContextBytes) + " bytes", "context");
}

// Lays out `el` at slot `i` of `b` and appends its compact JSON text to `text`, in one
// walk: the request context as the rules read it and as the log keeps it. `names` holds
// the member names and element indexes (index >= 0) leading to `el`, for error paths.
// Containers nest at most kMaxContextDepth deep, so the steps fit a fixed array.
class PathSteps {
 public:
  void emplace_back(std::string_view name, int64_t index) { steps_[size_++] = {name, index}; }
  void pop_back() { --size_; }
  size_t size() const { return size_; }
  const std::pair<std::string_view, int64_t>* begin() const { return steps_.data(); }
  const std::pair<std::string_view, int64_t>* end() const { return steps_.data() + size_; }

 private:
  std::array<std::pair<std::string_view, int64_t>, kMaxContextDepth + 2> steps_;
  size_t size_ = 0;
};
// A member of the context the server reads or sets must have the type it expects.
Status CheckReservedMember(std::string_view name, dom::element v) {
  using dom::element_type;
  if (name == "channel" || name == "device" || name == "locale" || name == "page") {
    if (v.type() != element_type::STRING) {
      return InvalidArgument("must be a string", "context." + std::string(name));
    }
  } else if (name == "geo") {
    if (v.type() != element_type::OBJECT) {
      return InvalidArgument("must be an object such as {\"country\": \"NO\"}", "context.geo");
    }
  } else if (name == "utc_offset_minutes") {
    int64_t minutes = 0;
    const bool integral = v.type() == element_type::INT64 || v.type() == element_type::UINT64;
    if (!integral || v.get(minutes) != simdjson::SUCCESS || std::abs(minutes) > 14 * 60) {
      return InvalidArgument("must be an integer from -840 to 840", "context.utc_offset_minutes");
    }
  } else if (name == "time") {
    return InvalidArgument("reserved: the server sets context.time", "context.time");
  }
  return Status::OK();
}

// `add_channel`: the root object gets "channel": "web" (in the flat copy only).
Status Flatten(dom::element el, FlatJson::Builder* b, FlatJson::Index i, std::string* text,
               PathSteps* names, bool add_channel = false) {
  auto path = [&] {
    std::string out = "context";
    for (const auto& [name, index] : *names) {
      if (index >= 0) {
        AppendPathIndex(&out, static_cast<size_t>(index));
      } else {
        AppendPathMember(&out, name);
      }
    }
    return out;
  };
  if (text->size() > kMaxContextBytes) {  // stop walking a context already too large
    return ContextTooLarge();
  }
  switch (el.type()) {
    case dom::element_type::OBJECT: {
      dom::object obj(el);
      // Values nest at most 8 levels below the context (an empty container may sit at
      // the 8th). Every member takes at least 4 bytes of text ("":0), so a count beyond
      // the size bound is refused before its slots are reserved (simdjson also caps
      // counts at 2^24 - 1 for larger ones).
      if (names->size() >= kMaxContextDepth && obj.size() > 0) {
        return InvalidArgument("nested more than 8 levels", path());
      }
      if (obj.size() > kMaxContextBytes / 4) {
        return ContextTooLarge();
      }
      FlatJson::Index c =
          b->Open(i, condition::ValueKind::kObject, obj.size() + (add_channel ? 1 : 0));
      text->push_back('{');
      for (dom::key_value_pair f : obj) {
        if (text->back() != '{') text->push_back(',');
        AppendJsonString(text, f.key);
        text->push_back(':');
        b->SetName(c, f.key);
        if (names->size() == 0) TAILOR_RETURN_IF_ERROR(CheckReservedMember(f.key, f.value));
        names->emplace_back(f.key, -1);
        TAILOR_RETURN_IF_ERROR(Flatten(f.value, b, c++, text, names));
        names->pop_back();
      }
      text->push_back('}');
      if (add_channel) {
        b->SetName(c, "channel");
        b->SetString(c, "web");
      }
      std::string_view duplicate;
      if (!b->SortMembers(i, &duplicate)) {
        names->emplace_back(duplicate, -1);
        return InvalidArgument("member named twice", path());
      }
      return Status::OK();
    }
    case dom::element_type::ARRAY: {
      dom::array arr(el);
      if (names->size() >= kMaxContextDepth && arr.size() > 0) {
        return InvalidArgument("nested more than 8 levels", path());
      }
      if (arr.size() > kMaxContextBytes / 2) {  // an element and its comma: 2 bytes at least
        return ContextTooLarge();
      }
      FlatJson::Index c = b->Open(i, condition::ValueKind::kArray, arr.size());
      text->push_back('[');
      int64_t n = 0;
      for (dom::element v : arr) {
        if (text->back() != '[') text->push_back(',');
        names->emplace_back(std::string_view(), n++);
        TAILOR_RETURN_IF_ERROR(Flatten(v, b, c++, text, names));
        names->pop_back();
      }
      text->push_back(']');
      return Status::OK();
    }
    case dom::element_type::STRING: {
      std::string_view v(el);
      b->SetString(i, v);
      AppendJsonString(text, v);
      return Status::OK();
    }
    case dom::element_type::INT64: {
      int64_t v(el);
      b->SetNumber(i, static_cast<double>(v), /*integral=*/true);
      AppendJsonInt(text, v);
      return Status::OK();
    }
    case dom::element_type::UINT64: {
      uint64_t v(el);
      b->SetNumber(i, static_cast<double>(v), /*integral=*/true);
      AppendJsonInt(text, v);
      return Status::OK();
    }
    case dom::element_type::DOUBLE: {
      double v(el);
      b->SetNumber(i, v, /*integral=*/false);
      AppendJsonDouble(text, v);
      return Status::OK();
    }
    case dom::element_type::BOOL: {
      bool v(el);
      b->SetBool(i, v);
      text->append(v ? "true" : "false");
      return Status::OK();
    }
    case dom::element_type::NULL_VALUE:
      b->SetNull(i);
      text->append("null");
      return Status::OK();
  }
  return Status::OK();
}

// `body_size`: the size of the whole request, a bound on the context's.
Status DecodeContext(dom::element v, size_t body_size, DecideRequest* r) {
  if (!v.is_object()) {
    return InvalidArgument("must be an object (channel, device, locale, page, geo ...)", "context");
  }
  // Sized for the usual context (a member per ~8 bytes, half of them characters); an
  // unusual one grows.
  const size_t bound = std::min(body_size, kMaxContextBytes);
  FlatJson::Builder b(bound / 8 + 4, bound / 2 + 16);
  std::string text;
  text.reserve(bound);
  PathSteps names;
  dom::element channel;
  const bool add_channel = dom::object(v)["channel"].get(channel) != simdjson::SUCCESS;
  TAILOR_RETURN_IF_ERROR(Flatten(v, &b, FlatJson::kRoot, &text, &names, add_channel));
  if (text.size() > kMaxContextBytes) {
    return ContextTooLarge();
  }
  r->context = std::move(b).Finish();
  r->context_text = std::move(text);
  r->channel_defaulted = add_channel;
  return Status::OK();
}

Result<DecideRequest> Decode(dom::element root, std::string_view body) {
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return InvalidArgument("the body must be a JSON object with placements");
  }
  DecideRequest r;
  bool has_placements = false;
  for (dom::key_value_pair f : obj) {
    std::string_view key = f.key;
    dom::element v = f.value;
    if (key == "user_id" || key == "anonymous_id") {
      std::string_view id;
      if (v.get(id) != simdjson::SUCCESS)
        return InvalidArgument("must be a string", std::string(key));
      TAILOR_RETURN_IF_ERROR(ValidateExternalId(id, key));
      (key == "user_id" ? r.user_id : r.anonymous_id) = std::string(id);
    } else if (key == "placements") {
      dom::array arr;
      if (v.get(arr) != simdjson::SUCCESS || arr.size() == 0) {
        return InvalidArgument("must be a non-empty list of placement names", std::string(key));
      }
      if (arr.size() > kMaxPlacementsPerRequest) {
        return InvalidArgument("at most " + std::to_string(kMaxPlacementsPerRequest) +
                                   " placements per request; split the request",
                               std::string(key));
      }
      r.placements.clear();
      r.placements.reserve(arr.size());
      size_t i = 0;
      for (dom::element p : arr) {
        std::string_view name;
        auto path = [&] {
          std::string out = "placements";
          AppendPathIndex(&out, i);
          return out;
        };
        if (p.get(name) != simdjson::SUCCESS || name.empty()) {
          return InvalidArgument("must be a placement name", path());
        }
        if (std::find(r.placements.begin(), r.placements.end(), name) != r.placements.end()) {
          return InvalidArgument("placement listed twice", path());
        }
        r.placements.emplace_back(name);
        ++i;
      }
      has_placements = true;
    } else if (key == "context") {
      TAILOR_RETURN_IF_ERROR(DecodeContext(v, body.size(), &r));
    } else if (key == "dry_run") {
      if (v.get(r.dry_run) != simdjson::SUCCESS)
        return InvalidArgument("must be true or false", std::string(key));
    } else {
      return InvalidArgument("unknown member '" + std::string(key) +
                                 "'; use user_id, anonymous_id, placements, context, dry_run",
                             std::string(key));
    }
  }
  if (!has_placements) return InvalidArgument("required: the placements to decide", "placements");
  if (r.user_id.empty() && r.anonymous_id.empty()) {
    return InvalidArgument(
        "required: user_id or anonymous_id (a new visitor: any fresh anonymous id)", "user_id");
  }
  return r;
}

}  // namespace

// simdjson, not nlohmann: this runs for every /v1/decide. The context becomes a FlatJson
// (conditions and templates read it) and its compact text in one walk.
Result<DecideRequest> ParseDecideRequest(std::string_view body) {
  dom::element root;
  simdjson::error_code error;
  if (body.size() <= kMaxRetainedParserBytes) {
    // The body is copied into a buffer with simdjson's padding, kept like the parser.
    thread_local dom::parser parser;
    thread_local std::string padded;
    padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    padded.assign(body);
    error = parser.parse(padded.data(), body.size(), /*realloc_if_needed=*/false).get(root);
    if (error == simdjson::SUCCESS) return Decode(root, body);
  } else {
    dom::parser parser;
    error = parser.parse(body.data(), body.size()).get(root);
    if (error == simdjson::SUCCESS) return Decode(root, body);
  }
  return InvalidArgument(std::string("the body is not valid JSON: ") +
                         simdjson::error_message(error));
}

namespace {

struct LocalTime {
  int64_t hour;
  int64_t minute_of_day;
  const char* weekday;
};

LocalTime LocalTimeAt(int64_t now_ms, int64_t utc_offset_minutes) {
  int64_t local_ms = now_ms + utc_offset_minutes * 60'000;
  int64_t day_ms = ((local_ms % 86'400'000) + 86'400'000) % 86'400'000;
  int64_t days = (local_ms - day_ms) / 86'400'000;  // days since 1970-01-01 (a Thursday)
  static const char* kDays[] = {"thursday", "friday",  "saturday", "sunday",
                                "monday",   "tuesday", "wednesday"};
  return {day_ms / 3'600'000, day_ms / 60'000, kDays[((days % 7) + 7) % 7]};
}

}  // namespace

void DecideRequest::SetContext(const Json& object) {
  context_text.clear();
  AppendJsonValue(&context_text, object);
  channel_defaulted = !object.contains("channel");
  if (!channel_defaulted) {
    context = FlatJson(object);
    return;
  }
  Json with_channel = object;
  with_channel["channel"] = "web";
  context = FlatJson(with_channel);
}

void CompleteContext(Json* context, int64_t now_ms, bool with_time) {
  if (!context->contains("channel")) (*context)["channel"] = "web";
  if (!with_time) return;
  LocalTime t = LocalTimeAt(now_ms, context->value("utc_offset_minutes", int64_t{0}));
  (*context)["time"] = {
      {"hour", t.hour}, {"minute_of_day", t.minute_of_day}, {"weekday", t.weekday}};
}

void CompleteContext(const DecideRequest& request, int64_t now_ms, bool with_time,
                     CompletedContext* out) {
  using condition::ValueKind;
  const FlatJson& context = request.context;
  const std::string_view context_text = request.context_text;
  const FlatJson::Index root = FlatJson::kRoot;
  FlatJson::Index v;
  const bool has_channel = context.Find(root, "channel", &v);
  out->channel =
      has_channel && context.Kind(v) == ValueKind::kString ? context.GetString(v) : "web";
  // The request's text, its closing '}' held back when members follow.
  const bool add_channel = request.channel_defaulted || !has_channel;
  const bool appends = add_channel || with_time;
  const bool empty = context_text.size() <= 2;  // "{}"
  if (!with_time && has_channel) {
    out->flat = &context;
    if (context_text.size() < 2) {  // no text: encode the flat copy
      context.AppendJson(&out->owned_text);
      out->text = out->owned_text;
      return;
    }
    if (!appends) {
      out->text = context_text;
      return;
    }
    out->text = context_text.substr(0, context_text.size() - 1);
    out->text_tail = empty ? "\"channel\":\"web\"}" : ",\"channel\":\"web\"}";
    return;
  }
  int64_t offset = 0;
  if (context.Find(root, "utc_offset_minutes", &v) && context.Kind(v) == ValueKind::kNumber) {
    offset = static_cast<int64_t>(context.GetNumber(v));
  }
  const LocalTime t = LocalTimeAt(now_ms, offset);
  const bool replace_time = with_time && context.Find(root, "time", &v);  // built in code

  FlatJson::Builder b(context.SlotCount() + 6, context_text.size() + 48);
  const size_t kept = context.Size(root) - (replace_time ? 1 : 0);
  FlatJson::Index c =
      b.Open(root, ValueKind::kObject, kept + (has_channel ? 0 : 1) + (with_time ? 1 : 0));
  for (size_t n = 0; n < context.Size(root); ++n) {
    FlatJson::Index m = context.MemberAt(root, n);
    if (replace_time && m == v) continue;
    b.SetName(c, context.NameOf(m));
    b.Copy(c++, context, m);
  }
  if (!has_channel) {
    b.SetName(c, "channel");
    b.SetString(c++, "web");
  }
  if (with_time) {
    b.SetName(c, "time");
    FlatJson::Index f = b.Open(c, ValueKind::kObject, 3);
    b.SetName(f, "hour");
    b.SetNumber(f, static_cast<double>(t.hour), true);
    b.SetName(f + 1, "minute_of_day");
    b.SetNumber(f + 1, static_cast<double>(t.minute_of_day), true);
    b.SetName(f + 2, "weekday");
    b.SetString(f + 2, t.weekday);
  }
  b.SortMembers(root);
  out->owned = std::move(b).Finish();
  out->flat = &out->owned;

  std::string& text = out->owned_text;
  if (replace_time || context_text.size() < 2) {
    out->owned.AppendJson(&text);
    out->text = text;
    return;
  }
  // The request's text (its member order) with the added members appended.
  text.reserve(context_text.size() + 80);
  text.append(context_text.substr(0, context_text.size() - 1));
  bool first = empty;
  if (add_channel) {
    text.append(first ? "\"channel\":\"web\"" : ",\"channel\":\"web\"");
    first = false;
  }
  if (with_time) {
    text.append(first ? "\"time\":{\"hour\":" : ",\"time\":{\"hour\":");
    AppendJsonInt(&text, t.hour);
    text.append(",\"minute_of_day\":");
    AppendJsonInt(&text, t.minute_of_day);
    text.append(",\"weekday\":\"");
    text.append(t.weekday);
    text.append("\"}");
  }
  text.push_back('}');
  out->text = text;
}

}  // namespace tailor::decision
