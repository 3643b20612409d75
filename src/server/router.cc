#include "server/router.h"

#include <algorithm>
#include <set>

namespace tailor::server {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "/a/b" into {"a", "b"}; "/" into {""}. REQUIRES: path starts with '/'.
std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("malformed percent-escape at offset " + std::to_string(i) +
                               " (expected %XX with two hex digits)");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::map<std::string, std::string, std::less<>>> ParseQueryString(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view raw_name = piece.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    auto name = PercentDecode(raw_name, /*plus_as_space=*/true);
    if (!name.ok()) return InvalidArgument(name.status().message(), "query");
    auto value = PercentDecode(raw_value, /*plus_as_space=*/true);
    if (!value.ok()) {
      return InvalidArgument(value.status().message(), "query." + *name);
    }
    out.emplace(std::move(*name), std::move(*value));
  }
  return out;
}

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

Result<Router> Router::Create(std::vector<Route> routes) {
  Router r;
  for (const Route& route : routes) {
    const std::string where = std::string(MethodName(route.method)) + " " + route.pattern;
    if (route.pattern.empty() || route.pattern[0] != '/') {
      return InvalidArgument("route pattern must start with '/': " + where);
    }
    if (!route.handler) return InvalidArgument("route has no handler: " + where);
    if (route.name.empty()) return InvalidArgument("route has no name: " + where);
    Compiled c;
    std::set<std::string, std::less<>> names;
    for (std::string_view seg : SplitSegments(route.pattern)) {
      Segment s;
      bool has_brace = seg.find_first_of("{}") != std::string_view::npos;
      if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
        s.is_param = true;
        s.text = std::string(seg.substr(1, seg.size() - 2));
        if (s.text.empty() || s.text.find_first_of("{}/") != std::string::npos) {
          return InvalidArgument("bad parameter segment '" + std::string(seg) + "' in " + where);
        }
        if (!names.insert(s.text).second) {
          return InvalidArgument("duplicate parameter '" + s.text + "' in " + where);
        }
      } else if (has_brace) {
        return InvalidArgument("a parameter must be a whole segment ('{name}') in " + where);
      } else {
        s.text = std::string(seg);
      }
      c.segments.push_back(std::move(s));
    }
    for (size_t i = 0; i < r.compiled_.size(); ++i) {
      const Compiled& o = r.compiled_[i];
      if (r.routes_[i].method != route.method || o.segments.size() != c.segments.size()) continue;
      bool same = true;
      for (size_t k = 0; k < c.segments.size() && same; ++k) {
        const Segment& a = o.segments[k];
        const Segment& b = c.segments[k];
        same = a.is_param == b.is_param && (a.is_param || a.text == b.text);
      }
      if (same) {
        return InvalidArgument("route " + where + " duplicates " + r.routes_[i].pattern);
      }
    }
    r.compiled_.push_back(std::move(c));
    r.routes_.push_back(route);
  }
  return r;
}

bool Router::MatchSegments(const Compiled& compiled, const std::vector<std::string>& segments,
                           std::map<std::string, std::string, std::less<>>* params) {
  if (compiled.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = compiled.segments[i];
    if (s.is_param) {
      if (segments[i].empty()) return false;
      if (params != nullptr) (*params)[s.text] = segments[i];
    } else if (s.text != segments[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(Method method, std::string_view raw_path) const {
  Match m;
  if (raw_path.empty() || raw_path[0] != '/') return m;
  std::vector<std::string> segments;
  for (std::string_view seg : SplitSegments(raw_path)) {
    auto decoded = PercentDecode(seg, /*plus_as_space=*/false);
    // The server rejects malformed escapes before routing; keep the raw text otherwise.
    segments.push_back(decoded.ok() ? std::move(*decoded) : std::string(seg));
  }

  // Literal segments beat parameters at the first position where two patterns differ.
  auto more_specific = [](const Compiled& a, const Compiled& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;
  };
  auto best_for = [&](Method wanted) -> int {
    int best = -1;
    for (size_t i = 0; i < routes_.size(); ++i) {
      if (routes_[i].method != wanted || !MatchSegments(compiled_[i], segments, nullptr)) {
        continue;
      }
      if (best < 0 || more_specific(compiled_[i], compiled_[best])) best = static_cast<int>(i);
    }
    return best;
  };

  int best = best_for(method);
  if (best < 0 && method == Method::kHead) best = best_for(Method::kGet);
  if (best >= 0) {
    m.kind = Match::Kind::kFound;
    m.route = &routes_[best];
    MatchSegments(compiled_[best], segments, &m.path_params);
    return m;
  }

  std::set<std::string_view> allowed;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!MatchSegments(compiled_[i], segments, nullptr)) continue;
    allowed.insert(MethodName(routes_[i].method));
    if (routes_[i].method == Method::kGet) allowed.insert(MethodName(Method::kHead));
  }
  if (allowed.empty()) return m;
  m.kind = Match::Kind::kMethodNotAllowed;
  for (std::string_view name : allowed) {
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += name;
  }
  return m;
}

}  // namespace tailor::server
