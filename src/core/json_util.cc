#include "core/json_util.h"

#include <cmath>
#include <cstdio>

namespace tailor {

void AppendJsonString(std::string* out, std::string_view s) {
  // Runs of characters that need no escaping are appended whole (this encodes every
  // decision record and response).
  out->push_back('"');
  size_t run = 0;  // start of the pending run
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out->append(buf);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->push_back('0');
    return;
  }
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view text(buf, static_cast<size_t>(result.ptr - buf));
  out->append(text);
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(&out, s);
  return out;
}

void AppendPathMember(std::string* path, std::string_view member) {
  bool plain = !member.empty();
  for (char c : member) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-' || c == '$')) {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (!path->empty()) path->push_back('.');
    path->append(member);
  } else {
    path->push_back('[');
    AppendJsonString(path, member);
    path->push_back(']');
  }
}

void AppendPathIndex(std::string* path, size_t index) {
  path->push_back('[');
  path->append(std::to_string(index));
  path->push_back(']');
}

}  // namespace tailor
