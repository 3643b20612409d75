#include "server/http_types.h"

#include <array>

namespace tailor::server {

namespace {

struct ScopeEntry {
  Scope scope;
  std::string_view name;
};

constexpr std::array<ScopeEntry, 4> kScopes = {{
    {kScopeEventsWrite, "events:write"},
    {kScopeProfilesRead, "profiles:read"},
    {kScopeDecide, "decide"},
    {kScopeAdmin, "admin"},
}};

}  // namespace

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
    case Method::kHead:
      return "HEAD";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

std::optional<Scope> ParseScope(std::string_view name) {
  for (const auto& e : kScopes) {
    if (e.name == name) return e.scope;
  }
  return std::nullopt;
}

std::string_view ScopeName(Scope s) {
  for (const auto& e : kScopes) {
    if (e.scope == s) return e.name;
  }
  return s == kScopeNone ? "none" : "unknown";
}

std::vector<std::string_view> AllScopeNames() {
  std::vector<std::string_view> names;
  names.reserve(kScopes.size());
  for (const auto& e : kScopes) names.push_back(e.name);
  return names;
}

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

const std::string& HttpRequest::PathParam(std::string_view name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace tailor::server
