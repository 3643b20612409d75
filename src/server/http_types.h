// Transport-neutral request/response types shared by the HTTP server, the route table
// and handlers. Handlers take an HttpRequest and return an HttpResponse; they never
// touch sockets or Beast types, so they are tested with hand-built requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tailor::server {

enum class Method : uint8_t { kGet, kPost, kPut, kDelete, kPatch, kHead, kOptions, kOther };

std::string_view MethodName(Method m);

// API-key scopes, as bit flags. `admin` implies every other scope.
enum Scope : uint32_t {
  kScopeNone = 0,
  kScopeEventsWrite = 1u << 0,   // "events:write"
  kScopeProfilesRead = 1u << 1,  // "profiles:read"
  kScopeDecide = 1u << 2,        // "decide"
  kScopeAdmin = 1u << 31,        // "admin"
};

// Parses "events:write" etc.; nullopt for an unknown name.
std::optional<Scope> ParseScope(std::string_view name);
std::string_view ScopeName(Scope s);
// Every scope name, for error messages and docs.
std::vector<std::string_view> AllScopeNames();

// Who is calling: resolved from the bearer key before the handler runs.
struct Principal {
  std::string key_id;  // stable id of the API key (never the secret)
  uint32_t scopes = 0;
  bool Has(Scope s) const { return (scopes & kScopeAdmin) != 0 || (scopes & s) != 0; }
};

struct HttpRequest {
  Method method = Method::kGet;
  std::string target;                                           // raw target incl. query
  std::string path;                                             // decoded path without query
  std::map<std::string, std::string, std::less<>> query;        // decoded query parameters
  std::map<std::string, std::string, std::less<>> path_params;  // from "{name}" segments
  // Lower-case names in arrival order, a repeated name's values joined by ", ". A vector:
  // a request carries a handful, and a map cost a node allocation per header.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Principal principal;  // filled by the server after authentication
  int64_t received_ns = 0;

  // Returns the header value or empty.
  std::string_view Header(std::string_view lower_name) const;
  // Returns the query parameter or nullopt.
  std::optional<std::string_view> Query(std::string_view name) const;
  // REQUIRES: the route declares `{name}`.
  const std::string& PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body, std::string content_type = "text/plain");
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// One row of the route table (server/routes.cc).
struct Route {
  Method method;
  std::string pattern;  // "/v1/profiles/{id}/events"
  uint32_t scope;       // required scope; kScopeNone = public (health, metrics)
  std::string name;     // stable label for metrics, e.g. "profiles.events"
  Handler handler;
};

}  // namespace tailor::server
