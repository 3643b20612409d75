#include "decision/request.h"

#include <set>

#include "core/ids.h"
#include "core/json_util.h"

namespace tailor::decision {

namespace {

int Depth(const Json& j, int depth) {
  if (depth > 16) return depth;
  int max = depth;
  if (j.is_object() || j.is_array()) {
    for (const auto& v : j) max = std::max(max, Depth(v, depth + 1));
  }
  return max;
}

Status CheckString(const Json& v, const char* path) {
  if (!v.is_string()) return InvalidArgument("must be a string", path);
  return Status::OK();
}

}  // namespace

Result<DecideRequest> ParseDecideRequest(std::string_view body) {
  auto parsed = ParseJson(body);
  if (!parsed.ok()) return InvalidArgument("the body is not valid JSON: " + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object()) return InvalidArgument("the body must be a JSON object with placements");
  DecideRequest r;
  bool has_placements = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "user_id" || key == "anonymous_id") {
      if (!v.is_string()) return InvalidArgument("must be a string", key);
      TAILOR_RETURN_IF_ERROR(ValidateExternalId(v.get<std::string>(), key));
      (key == "user_id" ? r.user_id : r.anonymous_id) = v.get<std::string>();
    } else if (key == "placements") {
      if (!v.is_array() || v.empty()) return InvalidArgument("must be a non-empty list of placement names", key);
      if (v.size() > kMaxPlacementsPerRequest) {
        return InvalidArgument("at most " + std::to_string(kMaxPlacementsPerRequest) +
                                   " placements per request; split the request",
                               key);
      }
      std::set<std::string_view> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        std::string path = "placements";
        AppendPathIndex(&path, i);
        if (!v[i].is_string() || v[i].get_ref<const std::string&>().empty()) {
          return InvalidArgument("must be a placement name", path);
        }
        if (!seen.insert(v[i].get_ref<const std::string&>()).second) {
          return InvalidArgument("placement listed twice", path);
        }
        r.placements.push_back(v[i].get<std::string>());
      }
      has_placements = true;
    } else if (key == "context") {
      if (!v.is_object()) return InvalidArgument("must be an object (channel, device, locale, page, geo ...)", key);
      if (Depth(v, 0) > 8) return InvalidArgument("nested more than 8 levels", key);
      // The context's text is part of the body, so only a large body needs measuring.
      if (body.size() > kMaxContextBytes && v.dump().size() > kMaxContextBytes) {
        return InvalidArgument("larger than " + std::to_string(kMaxContextBytes) + " bytes", key);
      }
      for (const char* name : {"channel", "device", "locale", "page"}) {
        if (auto it = v.find(name); it != v.end()) {
          TAILOR_RETURN_IF_ERROR(CheckString(*it, (std::string("context.") + name).c_str()));
        }
      }
      if (auto it = v.find("geo"); it != v.end() && !it->is_object()) {
        return InvalidArgument("must be an object such as {\"country\": \"NO\"}", "context.geo");
      }
      if (auto it = v.find("utc_offset_minutes"); it != v.end()) {
        if (!it->is_number_integer() || std::abs(it->get<int64_t>()) > 14 * 60) {
          return InvalidArgument("must be an integer from -840 to 840", "context.utc_offset_minutes");
        }
      }
      if (v.contains("time")) {
        return InvalidArgument("reserved: the server sets context.time", "context.time");
      }
      r.context = v;
    } else if (key == "dry_run") {
      if (!v.is_boolean()) return InvalidArgument("must be true or false", key);
      r.dry_run = v.get<bool>();
    } else {
      return InvalidArgument("unknown member '" + key +
                                 "'; use user_id, anonymous_id, placements, context, dry_run",
                             key);
    }
  }
  if (!has_placements) return InvalidArgument("required: the placements to decide", "placements");
  if (r.user_id.empty() && r.anonymous_id.empty()) {
    return InvalidArgument("required: user_id or anonymous_id (a new visitor: any fresh anonymous id)", "user_id");
  }
  return r;
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
