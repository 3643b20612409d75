#include "config/yaml_util.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

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

int LineOf(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }

// Builds Values straight from yaml-cpp's parser events instead of going through
// YAML::LoadAll and YAML::Node: LoadAll never terminates on some malformed input (a
// stray flow token at the top level yields empty documents forever), and walking Nodes
// hides aliases, so an alias bomb would be expanded without a budget. Here every alias
// copy is charged against kMaxYamlNodes and a document that starts where the previous
// one started (no progress) is an error.
class ValueBuilder final : public YAML::EventHandler {
 public:
  explicit ValueBuilder(std::string_view file) : file_(file) {}

  bool failed() const { return error_.has_value(); }
  ConfigError TakeError() { return std::move(*error_); }
  Value TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (failed()) return;
    if (documents_ > 0 && mark.pos == last_document_pos_) {
      Fail(LineOf(mark), "invalid YAML: unexpected content outside any node");
      return;
    }
    ++documents_;
    last_document_pos_ = mark.pos;
    root_ = Value{};
    stack_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Value v;
    AddLeaf(std::move(v), nullptr, mark, anchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    Value v;
    // "!" marks a quoted or block scalar, which is always a string; "?" a plain one.
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      v.type = Value::Type::kString;
      v.string_value = text;
    } else {
      ResolvePlainScalar(text, &v);
    }
    AddLeaf(std::move(v), &text, mark, anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (failed()) return;
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      Fail(LineOf(mark), "alias refers to an anchor that is not complete (a recursive alias)");
      return;
    }
    if (!Charge(it->second.nodes, LineOf(mark))) return;
    Value copy = it->second.value;
    Attach(std::move(copy), it->second.raw ? &*it->second.raw : nullptr, LineOf(mark));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(Value::Type::kList, mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(Value::Type::kMap, mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Value value;
    YAML::anchor_t anchor = 0;
    size_t nodes_before = 0;  // nodes_ when the container opened (for the anchor's size)
    std::optional<std::string> key;  // a map's pending key
    int key_line = 0;
    std::map<std::string, int, std::less<>> key_lines;  // duplicate-key detection
  };
  struct Anchored {
    Value value;
    size_t nodes = 1;
    std::optional<std::string> raw;  // scalar text, so an aliased scalar can be a key
  };

  bool Fail(int line, std::string message) {
    if (!error_) error_ = ConfigError{std::string(file_), line, "", std::move(message)};
    return false;
  }

  bool Charge(size_t nodes, int line) {
    nodes_ += nodes;
    if (nodes_ <= kMaxYamlNodes) return true;
    return Fail(line, "document is too large (more than " + std::to_string(kMaxYamlNodes) +
                          " nodes after expanding aliases)");
  }

  void AddLeaf(Value v, const std::string* raw, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (failed() || !Charge(1, LineOf(mark))) return;
    v.file = file_;
    v.line = LineOf(mark);
    if (anchor != 0) {
      anchors_[anchor] = Anchored{v, 1, raw ? std::optional<std::string>(*raw) : std::nullopt};
    }
    Attach(std::move(v), raw, LineOf(mark));
  }

  void Open(Value::Type type, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (failed()) return;
    if (stack_.size() >= static_cast<size_t>(kMaxYamlDepth)) {
      Fail(LineOf(mark), "nesting is deeper than " + std::to_string(kMaxYamlDepth) + " levels");
      return;
    }
    if (!Charge(1, LineOf(mark))) return;
    Frame frame;
    frame.value.type = type;
    frame.value.file = file_;
    frame.value.line = LineOf(mark);
    frame.anchor = anchor;
    frame.nodes_before = nodes_ - 1;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    if (failed() || stack_.empty()) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.key) {  // cannot happen with a well-formed event stream
      Fail(frame.value.line, "mapping key without a value");
      return;
    }
    if (frame.anchor != 0) {
      anchors_[frame.anchor] = Anchored{frame.value, nodes_ - frame.nodes_before, std::nullopt};
    }
    int line = frame.value.line;
    Attach(std::move(frame.value), nullptr, line);
  }

  // Places a finished node: document root, list item, map key or map value. `raw` is
  // the scalar's text (null for containers and null nodes).
  void Attach(Value v, const std::string* raw, int line) {
    if (failed()) return;
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.type == Value::Type::kList) {
      top.value.items.push_back(std::move(v));
      return;
    }
    if (!top.key) {
      if (raw == nullptr || v.type == Value::Type::kNull) {
        Fail(line, "mapping keys must be strings");
        return;
      }
      auto [it, inserted] = top.key_lines.emplace(*raw, line);
      if (!inserted) {
        Fail(line, "duplicate key '" + *raw + "' (first defined at line " +
                       std::to_string(it->second) + ")");
        return;
      }
      top.key = *raw;
      top.key_line = line;
      return;
    }
    v.line = top.key_line;  // a reader looks for "field:", not for where its value starts
    top.value.members.push_back(Value::Member{std::move(*top.key), std::move(v)});
    top.key.reset();
  }

  std::string_view file_;
  std::optional<ConfigError> error_;
  Value root_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;  // per file, as YAML anchors are per stream
  size_t nodes_ = 0;
  size_t documents_ = 0;
  int last_document_pos_ = -1;
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
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    ValueBuilder builder(file);
    while (parser.HandleNextDocument(builder)) {
      if (builder.failed()) break;
      result.documents.push_back(builder.TakeRoot());
    }
    if (builder.failed()) {
      result.documents.clear();
      result.error = builder.TakeError();
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
