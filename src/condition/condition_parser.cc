// Compiles condition JSON into the tree of condition_nodes.h. All parsing, validation and
// precomputation (path splitting, regex compilation, version padding, set building)
// happens here, once, so evaluation never has to.
#include <set>
#include <string>

#include "condition/condition.h"
#include "condition/condition_nodes.h"
#include "condition/js_semantics.h"
#include "condition/json_document.h"
#include "condition/version.h"
#include "core/json_doc.h"
#include "core/json_util.h"

namespace tailor::condition {

namespace internal {
namespace {

using Json = nlohmann::json;

std::string Join(const std::string& base, std::string_view member) {
  std::string out = base;
  AppendPathMember(&out, member);
  return out;
}

std::string JoinIndex(const std::string& base, size_t i) {
  std::string out = base;
  AppendPathIndex(&out, i);
  return out;
}

const char* TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return j.is_number() ? "number" : "value";
  }
}

bool IsScalar(const Json& j) { return !j.is_array() && !j.is_object(); }

// The SDKs treat an object as operators only when it is non-empty and every key starts
// with '$'; anything else is a literal compared by its JSON form.
bool IsOperatorObject(const Json& j) {
  if (!j.is_object() || j.empty()) return false;
  for (const auto& [k, v] : j.items()) {
    if (k.empty() || k[0] != '$') return false;
  }
  return true;
}

// True when `j` nests arrays/objects more than `budget` levels deep. Stops descending as
// soon as the budget is spent, so its own recursion is bounded by the limit.
bool DeeperThan(const Json& j, int budget) {
  if (!j.is_array() && !j.is_object()) return false;
  if (budget <= 0) return true;
  for (const auto& e : j) {
    if (DeeperThan(e, budget - 1)) return true;
  }
  return false;
}

// JavaScript String(j) / Number(j) / Boolean(j) of a constant, through the same code the
// evaluator uses on attributes.
std::string JsString(const Json& j) {
  struct Appender final : StringSink {
    std::string out;
    bool Append(std::string_view s) override {
      out.append(s);
      return true;
    }
  } sink;
  JsonDocument doc(j);
  StreamJsString(Value(&doc, doc.Root()), sink);
  return std::move(sink.out);
}

bool JsTruthyConst(const Json& j) {
  JsonDocument doc(j);
  return JsTruthy(Value(&doc, doc.Root()));
}

// A primitive operand; arrays and objects become their String() form, which is what
// JavaScript's relational operators compare them as.
Prim MakePrim(const Json& j) {
  Prim p;
  switch (j.type()) {
    case Json::value_t::null:
      p.kind = ValueKind::kNull;
      break;
    case Json::value_t::boolean:
      p.kind = ValueKind::kBool;
      p.b = j.get<bool>();
      p.num = p.b ? 1 : 0;
      break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      p.kind = ValueKind::kNumber;
      p.num = j.get<double>();
      break;
    default:
      p.kind = ValueKind::kString;
      p.str = j.is_string() ? j.get<std::string>() : JsString(j);
      p.num = JsStringToNumber(p.str);
  }
  return p;
}

struct OpInfo {
  std::string_view name;
  Op op;
  bool insensitive;
};

constexpr OpInfo kOps[] = {
    {"$eq", Op::kEq, false},
    {"$ne", Op::kNe, false},
    {"$lt", Op::kLt, false},
    {"$lte", Op::kLte, false},
    {"$gt", Op::kGt, false},
    {"$gte", Op::kGte, false},
    {"$exists", Op::kExists, false},
    {"$in", Op::kIn, false},
    {"$nin", Op::kNin, false},
    {"$ini", Op::kIn, true},
    {"$nini", Op::kNin, true},
    {"$inGroup", Op::kInGroup, false},
    {"$notInGroup", Op::kNotInGroup, false},
    {"$not", Op::kNot, false},
    {"$size", Op::kSize, false},
    {"$elemMatch", Op::kElemMatch, false},
    {"$all", Op::kAll, false},
    {"$alli", Op::kAlli, true},
    {"$regex", Op::kRegex, false},
    {"$regexi", Op::kRegex, true},
    {"$type", Op::kType, false},
    {"$veq", Op::kVeq, false},
    {"$vne", Op::kVne, false},
    {"$vgt", Op::kVgt, false},
    {"$vgte", Op::kVgte, false},
    {"$vlt", Op::kVlt, false},
    {"$vlte", Op::kVlte, false},
};

bool ParseIndex(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 15 || (s.size() > 1 && s[0] == '0')) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

class Compiler {
 public:
  explicit Compiler(const CompileOptions& options) : opts_(options) {}

  Status CompileDoc(const Json& j, const std::string& path, int depth, DocCond* out);
  Status CompileValue(const Json& j, const std::string& path, int depth, ValueCond* out);

  std::set<std::string> paths;
  std::set<std::string> groups;

 private:
  bool strict() const { return opts_.dialect == Dialect::kStrict; }
  Status CheckDepth(int depth, const std::string& path) const {
    if (depth > opts_.max_depth) {
      return InvalidArgument(
          "condition nested deeper than " + std::to_string(opts_.max_depth) + " levels", path);
    }
    return Status::OK();
  }
  Status CompileOp(const OpInfo& info, const Json& arg, const std::string& path, int depth,
                   OpNode* out);
  Status CompilePathClause(const std::string& key, const Json& v, const std::string& path,
                           int depth, Clause* out);

  const CompileOptions& opts_;
  int elem_match_depth_ = 0;  // > 0 while compiling an $elemMatch document condition
};

Status Compiler::CompileDoc(const Json& j, const std::string& path, int depth, DocCond* out) {
  TAILOR_RETURN_IF_ERROR(CheckDepth(depth, path));
  if (!j.is_object()) {
    return InvalidArgument(std::string("expected a condition object, got ") + TypeName(j),
                           path.empty() ? "$" : path);
  }
  out->clauses.reserve(j.size());
  for (const auto& [key, v] : j.items()) {
    std::string here = Join(path, key);
    Clause clause;
    if (key == "$and" || key == "$or" || key == "$nor") {
      clause.kind = key == "$and"  ? ClauseKind::kAnd
                    : key == "$or" ? ClauseKind::kOr
                                   : ClauseKind::kNor;
      if (!v.is_array()) {
        return InvalidArgument("'" + key + "' expects an array of conditions, got " + TypeName(v),
                               here);
      }
      clause.subs.resize(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        TAILOR_RETURN_IF_ERROR(CompileDoc(v[i], JoinIndex(here, i), depth + 1, &clause.subs[i]));
      }
    } else if (key == "$not") {
      clause.kind = ClauseKind::kNot;
      clause.subs.resize(1);
      TAILOR_RETURN_IF_ERROR(CompileDoc(v, here, depth + 1, &clause.subs[0]));
    } else if (!key.empty() && key[0] == '$' && strict()) {
      // GrowthBook reads any other key as an attribute name ("$groups"); in Tailor's
      // conditions it is far more likely a misspelt operator.
      return InvalidArgument("unknown operator '" + key +
                                 "' (only $and, $or, $nor and $not may stand where an "
                                 "attribute name is expected)",
                             here);
    } else {
      TAILOR_RETURN_IF_ERROR(CompilePathClause(key, v, here, depth, &clause));
    }
    out->clauses.push_back(std::move(clause));
  }
  return Status::OK();
}

Status Compiler::CompilePathClause(const std::string& key, const Json& v, const std::string& path,
                                   int depth, Clause* out) {
  out->kind = ClauseKind::kPath;
  out->path_text = std::make_unique<std::string>(key);
  out->path_id = InternPath(key);
  std::string_view text = *out->path_text;
  size_t start = 0;
  for (;;) {
    size_t dot = text.find('.', start);
    std::string_view seg =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    PathSegment ps{seg, -1};
    int64_t idx;
    if (ParseIndex(seg, &idx)) ps.index = idx;
    out->path.push_back(ps);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (elem_match_depth_ == 0) paths.insert(key);
  return CompileValue(v, path, depth + 1, &out->value);
}

Status Compiler::CompileValue(const Json& j, const std::string& path, int depth, ValueCond* out) {
  TAILOR_RETURN_IF_ERROR(CheckDepth(depth, path));
  switch (j.type()) {
    case Json::value_t::string:
      out->kind = LiteralKind::kString;
      out->prim = MakePrim(j);
      out->lower = AsciiLowerCopy(out->prim.str);
      return Status::OK();
    case Json::value_t::boolean:
      out->kind = LiteralKind::kBool;
      out->prim = MakePrim(j);
      return Status::OK();
    case Json::value_t::null:
      out->kind = LiteralKind::kNull;
      return Status::OK();
    case Json::value_t::array:
    case Json::value_t::object:
      break;
    default:
      if (!j.is_number()) return InvalidArgument("unsupported JSON value", path);
      out->kind = LiteralKind::kNumber;
      out->prim = MakePrim(j);
      return Status::OK();
  }
  if (!IsOperatorObject(j)) {
    if (strict() && j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (!k.empty() && k[0] == '$') {
          return InvalidArgument(
              "object mixes operators and field names; '" + k + "' would be compared literally",
              Join(path, k));
        }
      }
    }
    if (DeeperThan(j, opts_.max_depth - depth)) {
      return InvalidArgument(
          "literal nested deeper than " + std::to_string(opts_.max_depth) + " levels", path);
    }
    out->kind = LiteralKind::kDeepEqual;
    out->literal = j;
    return Status::OK();
  }
  out->kind = LiteralKind::kOps;
  out->ops.reserve(j.size());
  for (const auto& [name, arg] : j.items()) {
    std::string here = Join(path, name);
    const OpInfo* info = nullptr;
    for (const OpInfo& o : kOps) {
      if (o.name == name) info = &o;
    }
    OpNode node;
    if (info == nullptr) {
      if (strict()) return InvalidArgument("unknown operator '" + name + "'", here);
      node.op = Op::kFalse;  // the SDKs log "Unknown operator" and evaluate to false
    } else {
      TAILOR_RETURN_IF_ERROR(CompileOp(*info, arg, here, depth + 1, &node));
    }
    out->ops.push_back(std::move(node));
  }
  return Status::OK();
}

Status Compiler::CompileOp(const OpInfo& info, const Json& arg, const std::string& path, int depth,
                           OpNode* out) {
  TAILOR_RETURN_IF_ERROR(CheckDepth(depth, path));
  const std::string name(info.name);
  auto expects = [&](const char* what) {
    return InvalidArgument("'" + name + "' expects " + what + ", got " + TypeName(arg), path);
  };
  // GrowthBook dialect: an operand the SDK cannot use gives a constant result.
  auto constant = [&](bool result) {
    out->op = result ? Op::kTrue : Op::kFalse;
    return Status::OK();
  };
  out->op = info.op;
  switch (info.op) {
    case Op::kEq:
    case Op::kNe:
      if (!IsScalar(arg)) {
        if (strict()) return expects("a string, number, boolean or null");
        return constant(info.op == Op::kNe);  // === against a fresh array/object
      }
      out->prim = MakePrim(arg);
      return Status::OK();
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte:
      if (strict() && !arg.is_number() && !arg.is_string()) return expects("a number or string");
      out->prim = MakePrim(arg);
      return Status::OK();
    case Op::kExists:
      if (strict() && !arg.is_boolean()) return expects("true or false");
      out->prim.b = JsTruthyConst(arg);
      return Status::OK();
    case Op::kIn:
    case Op::kNin: {
      if (!arg.is_array()) {
        if (strict()) return expects("an array");
        return constant(false);  // both $in and $nin are false for a non-array
      }
      bool composite = false;
      out->set = InSet(arg, info.insensitive, &composite);
      if (composite && strict()) {
        return InvalidArgument(
            "'" + name + "' list items must be strings, numbers, booleans or null", path);
      }
      return Status::OK();
    }
    case Op::kInGroup:
    case Op::kNotInGroup:
      if (strict() && !arg.is_string()) return expects("a saved group id (string)");
      out->text = arg.is_string() ? arg.get<std::string>() : JsString(arg);
      groups.insert(out->text);
      return Status::OK();
    case Op::kNot:
      out->sub = std::make_unique<ValueCond>();
      return CompileValue(arg, path, depth + 1, out->sub.get());
    case Op::kSize:
      if (strict()) {
        bool count =
            arg.is_number() && arg.get<double>() >= 0 &&
            arg.get<double>() == static_cast<double>(static_cast<int64_t>(arg.get<double>()));
        if (!count && !IsOperatorObject(arg)) {
          return expects("a non-negative integer or an operator object such as {\"$gt\": 2}");
        }
      }
      out->sub = std::make_unique<ValueCond>();
      return CompileValue(arg, path, depth + 1, out->sub.get());
    case Op::kElemMatch:
      if (!arg.is_object()) return expects("an object");
      if (IsOperatorObject(arg)) {
        out->sub = std::make_unique<ValueCond>();
        TAILOR_RETURN_IF_ERROR(CompileValue(arg, path, depth + 1, out->sub.get()));
        // Falsy elements are skipped and only a string strictly equals a string, so
        // with a non-empty operand this is "some element is that string".
        const ValueCond& sub = *out->sub;
        out->has_string = sub.kind == LiteralKind::kOps && sub.ops.size() == 1 &&
                          sub.ops[0].op == Op::kEq && sub.ops[0].prim.kind == ValueKind::kString &&
                          !sub.ops[0].prim.str.empty();
        return Status::OK();
      } else {
        out->doc = std::make_unique<DocCond>();
        ++elem_match_depth_;
        Status st = CompileDoc(arg, path, depth + 1, out->doc.get());
        --elem_match_depth_;
        return st;
      }
    case Op::kAll:
    case Op::kAlli:
      if (!arg.is_array()) {
        if (strict()) return expects("an array");
        return constant(false);
      }
      out->items.resize(arg.size());
      for (size_t i = 0; i < arg.size(); ++i) {
        TAILOR_RETURN_IF_ERROR(CompileValue(arg[i], JoinIndex(path, i), depth + 1, &out->items[i]));
      }
      return Status::OK();
    case Op::kRegex: {
      if (!arg.is_string()) {
        if (strict()) return expects("a regular expression (string)");
        return constant(false);  // the SDK's getRegex throws, caught as false
      }
      const auto& pattern = arg.get_ref<const std::string&>();
      // Over-limit patterns are errors in both dialects: we cannot run them safely.
      Status limits = Regex::CheckLimits(pattern);
      if (!limits.ok()) return InvalidArgument("'" + name + "': " + limits.message(), path);
      Result<Regex> re = Regex::Compile(pattern, info.insensitive);
      if (!re.ok()) {
        if (strict()) return InvalidArgument("'" + name + "': " + re.status().message(), path);
        return constant(false);
      }
      out->regex = std::make_unique<Regex>(std::move(re).value());
      return Status::OK();
    }
    case Op::kType: {
      static constexpr std::pair<std::string_view, ValueKind> kTypes[] = {
          {"string", ValueKind::kString}, {"number", ValueKind::kNumber},
          {"boolean", ValueKind::kBool},  {"object", ValueKind::kObject},
          {"array", ValueKind::kArray},   {"null", ValueKind::kNull}};
      if (arg.is_string()) {
        for (const auto& [type_name, kind] : kTypes) {
          if (arg.get_ref<const std::string&>() == type_name) {
            out->type = kind;
            return Status::OK();
          }
        }
      }
      if (strict())
        return expects(
            "one of \"string\", \"number\", \"boolean\", \"object\", \"array\", \"null\"");
      return constant(false);
    }
    case Op::kVeq:
    case Op::kVne:
    case Op::kVgt:
    case Op::kVgte:
    case Op::kVlt:
    case Op::kVlte: {
      std::string raw;
      if (arg.is_string()) {
        raw = arg.get<std::string>();
      } else if (arg.is_number()) {
        raw = JsString(arg);
      } else if (strict()) {
        return expects("a version string");
      } else {
        raw = "0";  // paddedVersionString of anything else
      }
      out->text = PaddedVersion(raw);
      return Status::OK();
    }
    case Op::kFalse:
    case Op::kTrue:
      break;
  }
  return Status::OK();
}

}  // namespace

}  // namespace internal

Status CompileOptions::Validate() const {
  if (max_depth < 1 || max_depth > 256) {
    return InvalidArgument("max_depth must be between 1 and 256", "max_depth");
  }
  return Status::OK();
}

Condition::Condition() : impl_(std::make_unique<internal::CompiledCondition>()) {}
Condition::~Condition() = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;
Condition::Condition(std::unique_ptr<internal::CompiledCondition> impl) : impl_(std::move(impl)) {}

Result<Condition> Condition::Compile(const nlohmann::json& condition,
                                     const CompileOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<internal::CompiledCondition>();
  internal::Compiler compiler(options);
  // Exceptions stop here (STYLE.md rule 2); none are expected since every json access
  // checks the type first, but a condition must never take the process down.
  try {
    TAILOR_RETURN_IF_ERROR(compiler.CompileDoc(condition, "", 0, &impl->root));
  } catch (const std::exception& e) {
    return Internal(std::string("compiling condition: ") + e.what());
  }
  impl->paths.assign(compiler.paths.begin(), compiler.paths.end());
  impl->groups.assign(compiler.groups.begin(), compiler.groups.end());
  return Condition(std::move(impl));
}

Result<Condition> Condition::Parse(std::string_view json_text, const CompileOptions& options) {
  // core's ParseJson catches only parse_error; nlohmann also throws out_of_range for
  // number literals that overflow a double ("1e999", found by fuzz_condition). Stop
  // every json exception here.
  Result<Json> j = [&]() -> Result<Json> {
    try {
      return ParseJson(json_text);
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("malformed JSON: ") + e.what());
    }
  }();
  if (!j.ok()) return j.status();
  return Compile(*j, options);
}

bool Condition::Evaluate(const Document& doc, const SavedGroups* saved_groups) const {
  return internal::EvalDoc(impl_->root, Value(&doc, doc.Root()), saved_groups, /*at_root=*/true);
}

std::vector<std::string> Condition::Paths() const { return impl_->paths; }
std::vector<std::string> Condition::SavedGroupIds() const { return impl_->groups; }

}  // namespace tailor::condition
