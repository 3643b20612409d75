// Router: matches a method and a request path against the route table's patterns.
// Patterns are absolute paths whose segments are literals or `{name}` parameters
// ("/v1/profiles/{id}/events"). A parameter matches one non-empty path segment and
// receives its percent-decoded value, so "%2F" inside an id never splits a segment.
// When several patterns match, the one with a literal segment at the first differing
// position wins ("/v1/profiles/search" beats "/v1/profiles/{id}").
//
// Find distinguishes "no pattern matches the path" (404) from "a pattern matches but not
// for this method" (405, with the allowed methods for the Allow header). A HEAD request
// is served by a GET route when no HEAD route exists.
//
// Also here: percent-decoding and query-string parsing, used by the server to fill
// HttpRequest.path and HttpRequest.query.
//
// Thread safety: a Router is immutable after Create; Find is safe for concurrent use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/http_types.h"

namespace tailor::server {

// Decodes %XX escapes (and '+' as space when `plus_as_space`, for query strings).
// Returns kInvalidArgument for a truncated or non-hex escape. The result is not checked
// for UTF-8 validity; callers validating ids do that.
Result<std::string> PercentDecode(std::string_view s, bool plus_as_space);

// Percent-encodes everything but RFC 3986 unreserved characters (for a path segment or a
// query value). PercentDecode(PercentEncode(s), false) == s.
std::string PercentEncode(std::string_view s);

// Parses "a=1&b=x%20y&flag" into {a:"1", b:"x y", flag:""}. Empty pieces are skipped;
// for a repeated name the first occurrence wins. Returns kInvalidArgument (path "query")
// on a malformed escape.
Result<std::map<std::string, std::string, std::less<>>> ParseQueryString(std::string_view query);

// Splits a request target into path and query at the first '?'.
// "/a/b?x=1" -> {"/a/b", "x=1"}; "/a" -> {"/a", ""}.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);

class Router {
 public:
  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;  // set when kFound; points into the Router
    std::map<std::string, std::string, std::less<>> path_params;  // when kFound
    std::string allow;  // when kMethodNotAllowed: "GET, HEAD, POST"
  };

  // Validates the table: every pattern starts with '/', parameter segments are exactly
  // "{name}" with a non-empty name unique within the pattern, each route has a handler
  // and a name, and no two routes share method and pattern shape. Returns
  // kInvalidArgument naming the offending route otherwise.
  static Result<Router> Create(std::vector<Route> routes);

  // Matches `raw_path` (the target's path, still percent-encoded, without the query).
  Match Find(Method method, std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    bool is_param = false;
    std::string text;  // literal text, or the parameter name
  };
  struct Compiled {
    std::vector<Segment> segments;
  };

  Router() = default;
  // True when `compiled` matches `segments`; fills `params` (decoded).
  static bool MatchSegments(const Compiled& compiled, const std::vector<std::string>& segments,
                            std::map<std::string, std::string, std::less<>>* params);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // parallel to routes_
};

}  // namespace tailor::server
