#include "decision/request.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>

#include "core/ids.h"
#include "core/json_util.h"

namespace tailor::decision {

namespace {

namespace dom = simdjson::dom;

// A parser keeps its buffers between calls (one per thread). Bodies above this size get
// a throwaway parser so a rare huge body does not pin memory in every io thread.
constexpr size_t kMaxRetainedParserBytes = size_t{1} << 20;

int Depth(dom::element el, int depth) {
  if (depth > 16) return depth;
  int max = depth;
  if (dom::object obj; el.get(obj) == simdjson::SUCCESS) {
    for (dom::key_value_pair f : obj) max = std::max(max, Depth(f.value, depth + 1));
  } else if (dom::array arr; el.get(arr) == simdjson::SUCCESS) {
    for (dom::element v : arr) max = std::max(max, Depth(v, depth + 1));
  }
  return max;
}

// The nlohmann value of `el`, typed as nlohmann's own parser would type it
// (non-negative integers unsigned). REQUIRES: `el` nested at most a few levels.
Json ToJson(dom::element el) {
  switch (el.type()) {
    case dom::element_type::OBJECT: {
      Json out = Json::object();
      for (dom::key_value_pair f : dom::object(el)) out[std::string(f.key)] = ToJson(f.value);
      return out;
    }
    case dom::element_type::ARRAY: {
      Json out = Json::array();
      for (dom::element v : dom::array(el)) out.push_back(ToJson(v));
      return out;
    }
    case dom::element_type::STRING:
      return Json(std::string(std::string_view(el)));
    case dom::element_type::INT64: {
      int64_t v = int64_t(el);
      return v >= 0 ? Json(static_cast<uint64_t>(v)) : Json(v);
    }
    case dom::element_type::UINT64:
      return Json(uint64_t(el));
    case dom::element_type::DOUBLE:
      return Json(double(el));
    case dom::element_type::BOOL:
      return Json(bool(el));
    case dom::element_type::NULL_VALUE:
      return Json(nullptr);
  }
  return Json(nullptr);
}

Status CheckString(dom::object context, const char* name) {
  dom::element v;
  if (context[name].get(v) != simdjson::SUCCESS || v.is_string()) return Status::OK();
  return InvalidArgument("must be a string", std::string("context.") + name);
}

Status CheckContext(dom::element v) {
  dom::object ctx;
  if (v.get(ctx) != simdjson::SUCCESS) {
    return InvalidArgument("must be an object (channel, device, locale, page, geo ...)", "context");
  }
  if (Depth(v, 0) > 8) return InvalidArgument("nested more than 8 levels", "context");
  for (const char* name : {"channel", "device", "locale", "page"}) {
    TAILOR_RETURN_IF_ERROR(CheckString(ctx, name));
  }
  if (dom::element geo; ctx["geo"].get(geo) == simdjson::SUCCESS && !geo.is_object()) {
    return InvalidArgument("must be an object such as {\"country\": \"NO\"}", "context.geo");
  }
  if (dom::element off; ctx["utc_offset_minutes"].get(off) == simdjson::SUCCESS) {
    int64_t minutes = 0;
    bool integer = off.is_int64() || off.is_uint64();
    if (!integer || off.get(minutes) != simdjson::SUCCESS || std::abs(minutes) > 14 * 60) {
      return InvalidArgument("must be an integer from -840 to 840", "context.utc_offset_minutes");
    }
  }
  if (dom::element t; ctx["time"].get(t) == simdjson::SUCCESS) {
    return InvalidArgument("reserved: the server sets context.time", "context.time");
  }
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
      if (v.get(id) != simdjson::SUCCESS) return InvalidArgument("must be a string", std::string(key));
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
      TAILOR_RETURN_IF_ERROR(CheckContext(v));
      r.context = ToJson(v);
      r.context_text = simdjson::to_string(v);
      if (r.context_text.size() > kMaxContextBytes) {
        return InvalidArgument("larger than " + std::to_string(kMaxContextBytes) + " bytes", std::string(key));
      }
    } else if (key == "dry_run") {
      if (v.get(r.dry_run) != simdjson::SUCCESS) return InvalidArgument("must be true or false", std::string(key));
    } else {
      return InvalidArgument("unknown member '" + std::string(key) +
                                 "'; use user_id, anonymous_id, placements, context, dry_run",
                             std::string(key));
    }
  }
  if (!has_placements) return InvalidArgument("required: the placements to decide", "placements");
  if (r.user_id.empty() && r.anonymous_id.empty()) {
    return InvalidArgument("required: user_id or anonymous_id (a new visitor: any fresh anonymous id)", "user_id");
  }
  return r;
}

}  // namespace

// simdjson, not nlohmann: this runs for every /v1/decide. Only the context becomes an
// nlohmann value (conditions and templates read it).
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

void CompleteContext(Json* context, int64_t now_ms, bool with_time) {
  if (!context->contains("channel")) (*context)["channel"] = "web";
  if (!with_time) return;
  int64_t offset = context->value("utc_offset_minutes", int64_t{0});
  int64_t local_ms = now_ms + offset * 60'000;
  int64_t day_ms = ((local_ms % 86'400'000) + 86'400'000) % 86'400'000;
  int64_t days = (local_ms - day_ms) / 86'400'000;  // days since 1970-01-01 (a Thursday)
  static const char* kDays[] = {"thursday", "friday", "saturday", "sunday", "monday", "tuesday", "wednesday"};
  (*context)["time"] = {{"hour", day_ms / 3'600'000},
                        {"minute_of_day", day_ms / 60'000},
                        {"weekday", kDays[((days % 7) + 7) % 7]}};
}

}  // namespace tailor::decision
