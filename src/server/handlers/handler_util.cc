#include "server/handlers/handler_util.h"

#include <charconv>

#include "core/time_util.h"
#include "server/status_mapping.h"

namespace tailor::server {

Result<Json> BodyObject(const HttpRequest& req) {
  if (req.body.empty()) return InvalidArgument("the request body is empty; send a JSON object");
  return ParseJsonObject(req.body);
}

Result<int64_t> QueryInt(const HttpRequest& req, std::string_view name, int64_t fallback,
                         int64_t min, int64_t max) {
  auto v = req.Query(name);
  if (!v) return fallback;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
    return InvalidArgument("must be an integer between " + std::to_string(min) + " and " +
                               std::to_string(max),
                           std::string(name));
  }
  return n;
}

Result<std::optional<int64_t>> QueryTime(const HttpRequest& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return std::optional<int64_t>();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec == std::errc() && p == v->data() + v->size()) return std::optional<int64_t>(n);
  auto t = ParseIso8601(*v);
  if (!t.ok()) return InvalidArgument(t.status().message(), std::string(name));
  return std::optional<int64_t>(*t);
}

Status OnlyMembers(const Json& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument("unknown member '" + key + "'; allowed: " + list, key);
    }
  }
  return Status::OK();
}

HttpResponse JsonOk(const Json& body, int status) { return HttpResponse::Json(status, body.dump()); }

HttpResponse Error(const Status& status) { return ErrorResponse(status); }

HttpResponse JsonOrError(const Result<Json>& body) {
  return body.ok() ? JsonOk(*body) : Error(body.status());
}

}  // namespace tailor::server
