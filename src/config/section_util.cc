#include "config/section_util.h"

#include <charconv>
#include <cmath>
#include <set>

#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::config {

void ErrorList::Add(const Value& at, std::string path, std::string message) {
  errors_.push_back(ConfigError{std::string(at.file), at.line, std::move(path), std::move(message)});
}

std::string JoinPath(std::string_view parent, std::string_view member) {
  std::string path(parent);
  AppendPathMember(&path, member);
  return path;
}

std::string FormatNumber(double d) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, ptr) : std::to_string(d);
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string UnknownNameMessage(std::string_view what, std::string_view name,
                               std::span<const std::string_view> known) {
  std::string message = "unknown " + std::string(what);
  std::string_view suggestion = Suggest(name, known);
  if (!suggestion.empty()) return message + "; did you mean '" + std::string(suggestion) + "'?";
  message += " (expected one of: ";
  for (size_t i = 0; i < known.size(); ++i) {
    if (i > 0) message += ", ";
    message += known[i];
  }
  return message + ")";
}

void CheckKnownFields(const Value& value, std::string_view path,
                      std::span<const std::string_view> known, ErrorList* errors) {
  for (const auto& [name, member] : value.members) {
    bool found = false;
    for (std::string_view k : known) found = found || k == name;
    if (!found) errors->Add(member, JoinPath(path, name), UnknownNameMessage("field", name, known));
  }
}

bool ReadBool(const Value& value, std::string_view path, ErrorList* errors, bool* out) {
  if (value.type != Value::Type::kBool) {
    errors->Add(value, std::string(path),
                "must be true or false, got " + std::string(value.TypeName()));
    return false;
  }
  *out = value.bool_value;
  return true;
}

bool ReadString(const Value& value, std::string_view path, ErrorList* errors, std::string* out) {
  if (value.type != Value::Type::kString) {
    errors->Add(value, std::string(path), "must be a string, got " + std::string(value.TypeName()));
    return false;
  }
  *out = value.string_value;
  return true;
}

bool ReadDuration(const Value& value, std::string_view path, int64_t min_ms, ErrorList* errors,
                  int64_t* out) {
  if (value.type != Value::Type::kString) {
    errors->Add(value, std::string(path),
                "must be a duration such as 30m or 7d, got " + std::string(value.TypeName()));
    return false;
  }
  Result<int64_t> ms = ParseDurationMs(value.string_value);
  if (!ms.ok()) {
    errors->Add(value, std::string(path), ms.status().message());
    return false;
  }
  if (*ms < min_ms) {
    errors->Add(value, std::string(path), "must be at least " + FormatDurationMs(min_ms));
    return false;
  }
  *out = *ms;
  return true;
}

bool ReadNumber(const Value& value, std::string_view path, double min, double max,
                ErrorList* errors, double* out) {
  double d = value.is_number() ? value.AsDouble() : std::nan("");
  if (!(d >= min && d <= max)) {  // also rejects NaN and non-numbers
    std::string range = std::isinf(max) ? ">= " + FormatNumber(min)
                                        : "between " + FormatNumber(min) + " and " + FormatNumber(max);
    errors->Add(value, std::string(path), "must be a number " + range);
    return false;
  }
  *out = d;
  return true;
}

bool ReadIdentifierList(const Value& value, std::string_view path, ErrorList* errors,
                        std::vector<std::string>* out) {
  if (value.type != Value::Type::kList) {
    errors->Add(value, std::string(path), "must be a list of names, got " + std::string(value.TypeName()));
    return false;
  }
  std::vector<std::string> names;
  std::set<std::string, std::less<>> seen;
  bool ok = true;
  for (size_t i = 0; i < value.items.size(); ++i) {
    const Value& item = value.items[i];
    std::string item_path(path);
    AppendPathIndex(&item_path, i);
    if (item.type != Value::Type::kString || !IsIdentifier(item.string_value)) {
      errors->Add(item, item_path,
                  "must be a name matching ^[a-z][a-z0-9_]{0,63}$");
      ok = false;
    } else if (!seen.insert(item.string_value).second) {
      errors->Add(item, item_path, "'" + item.string_value + "' is listed twice");
      ok = false;
    } else {
      names.push_back(item.string_value);
    }
  }
  if (ok) *out = std::move(names);
  return ok;
}

bool ExpectMap(const Value& value, std::string_view path, ErrorList* errors, bool allow_null) {
  if (value.is_map() || (allow_null && value.is_null())) return true;
  errors->Add(value, std::string(path), "must be a mapping, got " + std::string(value.TypeName()));
  return false;
}

}  // namespace tailor::config
