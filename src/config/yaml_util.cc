#include "config/yaml_util.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "core/utf8.h"

namespace tailor::config {
namespace {

bool IsDigits(std::string_view s, bool hex = false, bool octal = false) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = octal ? (c >= '0' && c <= '7')
                    : (c >= '0' && c <= '9') ||
                          (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!ok) return false;
  }
  return true;
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  bool has_int = i > int_start;
  bool has_frac = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    has_frac = i > frac_start;
  }
  if (!has_int && !has_frac) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!IsDigits(s.substr(i))) return false;
    i = s.size();
  }
  return i == s.size();
}

// Resolves a plain (unquoted, untagged) scalar by the YAML 1.2 core schema.
void ResolvePlainScalar(const std::string& s, Value* out) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    out->type = Value::Type::kNull;
    return;
  }
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    out->type = Value::Type::kBool;
    out->bool_value = s[0] == 't' || s[0] == 'T';
    return;
  }
  std::string_view body = s;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 0;
  std::string_view digits;
  if (body.size() > 2 && body[0] == '0' && body[1] == 'x' && IsDigits(body.substr(2), true)) {
    base = 16;
    digits = body.substr(2);
  } else if (body.size() > 2 && body[0] == '0' && body[1] == 'o' &&
             IsDigits(body.substr(2), false, true)) {
    base = 8;
    digits = body.substr(2);
  } else if (IsDigits(body)) {
    base = 10;
    digits = body;
  }
  if (base != 0) {
    uint64_t magnitude = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (ec == std::errc() && ptr == digits.data() + digits.size() && magnitude <= limit) {
      out->type = Value::Type::kInt;
      out->int_value = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
      return;
    }
    if (base != 10) {  // an out-of-range hex/octal literal stays text
      out->type = Value::Type::kString;
      out->string_value = s;
      return;
    }
    // A decimal integer beyond int64 falls through to a float.
  }
  if (IsCoreFloat(s)) {
    std::string_view f = s;
    if (f[0] == '+') f.remove_prefix(1);
    double d = 0;
    auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), d);
    if ((ec == std::errc() || ec == std::errc::result_out_of_range) && ptr == f.data() + f.size()) {
      out->type = Value::Type::kDouble;
      out->double_value = ec == std::errc() ? d : (negative ? -HUGE_VAL : HUGE_VAL);
      return;
    }
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    out->type = Value::Type::kDouble;
    out->double_value = negative ? -std::numeric_limits<double>::infinity()
                                 : std::numeric_limits<double>::infinity();
    return;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out->type = Value::Type::kDouble;
    out->double_value = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  out->type = Value::Type::kString;
  out->string_value = s;
}

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

class Converter {
 public:
  explicit Converter(std::string_view file) : file_(file) {}

  // Converts `node` into `out`; `line` overrides the node's own line when > 0.
  bool Convert(const YAML::Node& node, int depth, int line, Value* out) {
    out->file = file_;
    out->line = line > 0 ? line : LineOf(node);
    if (++nodes_ > kMaxYamlNodes) {
      return Fail(out->line, "document is too large (more than " +
                                 std::to_string(kMaxYamlNodes) + " nodes after expanding aliases)");
    }
    if (depth > kMaxYamlDepth) {
      return Fail(out->line, "nesting is deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out->type = Value::Type::kNull;
        return true;
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        if (tag == "!" || tag == "tag:yaml.org,2002:str") {
          out->type = Value::Type::kString;
          out->string_value = node.Scalar();
        } else {
          ResolvePlainScalar(node.Scalar(), out);
        }
        return true;
      }
      case YAML::NodeType::Sequence:
        out->type = Value::Type::kList;
        out->items.reserve(node.size());
        for (const YAML::Node& item : node) {
          out->items.emplace_back();
          if (!Convert(item, depth + 1, 0, &out->items.back())) return false;
        }
        return true;
      case YAML::NodeType::Map: {
        out->type = Value::Type::kMap;
        std::map<std::string, int, std::less<>> first_line;
        for (const auto& kv : node) {
          const YAML::Node& key = kv.first;
          int key_line = LineOf(key);
          if (!key.IsScalar()) return Fail(key_line, "mapping keys must be strings");
          const std::string& name = key.Scalar();
          auto [it, inserted] = first_line.emplace(name, key_line);
          if (!inserted) {
            return Fail(key_line, "duplicate key '" + name + "' (first defined at line " +
                                      std::to_string(it->second) + ")");
          }
          out->members.push_back(Value::Member{name, Value{}});
          if (!Convert(kv.second, depth + 1, key_line, &out->members.back().value)) return false;
        }
        return true;
      }
    }
    return Fail(out->line, "unsupported YAML node");
  }

  ConfigError TakeError() { return std::move(error_); }

 private:
  bool Fail(int line, std::string message) {
    error_ = ConfigError{std::string(file_), line, "", std::move(message)};
    return false;
  }

  std::string_view file_;
  size_t nodes_ = 0;
  ConfigError error_;
};

// The 1-based line of the first invalid UTF-8 sequence (0 when the text is valid).
int FirstInvalidUtf8Line(std::string_view text) {
  if (IsValidUtf8(text)) return 0;
  int line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!IsValidUtf8(text.substr(start, end - start))) return line;
    start = end + 1;
    ++line;
  }
  return 1;
}

}  // namespace

std::string_view Value::TypeName() const {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBool: return "a boolean";
    case Type::kInt: return "an integer";
    case Type::kDouble: return "a number";
    case Type::kString: return "a string";
    case Type::kList: return "a list";
    case Type::kMap: return "a mapping";
  }
  return "a value";
}

YamlParse ParseYaml(std::string_view file, std::string_view text) {
  YamlParse result;
  if (int bad_line = FirstInvalidUtf8Line(text); bad_line != 0) {
    result.error = ConfigError{std::string(file), bad_line, "", "text is not valid UTF-8"};
    return result;
  }
  // yaml-cpp reports errors by exception; this is the edge where they become values.
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    Converter converter(file);
    for (const YAML::Node& doc : docs) {
      Value value;
      if (!converter.Convert(doc, 0, 0, &value)) {
        result.documents.clear();
        result.error = converter.TakeError();
        return result;
      }
      result.documents.push_back(std::move(value));
    }
  } catch (const YAML::Exception& e) {
    result.documents.clear();
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    result.error = ConfigError{std::string(file), line, "", "invalid YAML: " + e.msg};
  } catch (const std::exception& e) {
    result.documents.clear();
    result.error = ConfigError{std::string(file), 0, "", std::string("invalid YAML: ") + e.what()};
  }
  return result;
}

Json ToJson(const Value& value) {
  switch (value.type) {
    case Value::Type::kNull: return nullptr;
    case Value::Type::kBool: return value.bool_value;
    case Value::Type::kInt: return value.int_value;
    case Value::Type::kDouble: return value.double_value;
    case Value::Type::kString: return value.string_value;
    case Value::Type::kList: {
      Json out = Json::array();
      for (const Value& item : value.items) out.push_back(ToJson(item));
      return out;
    }
    case Value::Type::kMap: {
      Json out = Json::object();
      for (const auto& [key, member] : value.members) out[key] = ToJson(member);
      return out;
    }
  }
  return nullptr;
}

}  // namespace tailor::config
