// Evaluates a compiled condition tree. This is the hot path: no parsing, no heap
// allocation (regex matching aside), recursion bounded by the compile-time depth limit.
// Each branch cites the GrowthBook SDK behaviour it reproduces; docs/conditions.md has
// the user-facing description.
#include <cmath>
#include <cstring>

#include "condition/condition_nodes.h"
#include "condition/js_semantics.h"
#include "condition/saved_groups.h"
#include "condition/version.h"

namespace tailor::condition::internal {

namespace {

bool EvalValue(const ValueCond& c, Value v, const SavedGroups* groups, bool insensitive);

// A one-number Document, so $size can hand an array's length to a nested ValueCond
// without allocating.
class NumberDocument final : public Document {
 public:
  explicit NumberDocument(double d) : d_(d) {}
  Node Root() const override { return Node{}; }
  ValueKind Kind(Node) const override { return ValueKind::kNumber; }
  bool GetBool(Node) const override { return false; }
  double GetNumber(Node) const override { return d_; }
  std::string_view GetString(Node) const override { return {}; }
  size_t Size(Node) const override { return 0; }
  Node ArrayAt(Node n, size_t) const override { return n; }
  bool Find(Node, std::string_view, Node*) const override { return false; }

 private:
  double d_;
};

// Collects String(v) into a fixed buffer for regex matching; fails when it does not fit.
class BufferSink final : public StringSink {
 public:
  bool Append(std::string_view chunk) override {
    if (chunk.size() > sizeof(buf_) - len_) return ok_ = false;
    std::memcpy(buf_ + len_, chunk.data(), chunk.size());
    len_ += chunk.size();
    return true;
  }
  bool ok() const { return ok_; }
  std::string_view view() const { return std::string_view(buf_, len_); }

 private:
  char buf_[Regex::kMaxSubjectBytes];
  size_t len_ = 0;
  bool ok_ = true;
};

// `actual === expected` for a primitive `expected`.
bool StrictEquals(Value v, const Prim& p) {
  ValueKind k = v.kind();
  if (k != p.kind) return false;
  switch (k) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return v.GetBool() == p.b;
    case ValueKind::kNumber:
      return v.GetNumber() == p.num;
    case ValueKind::kString:
      return v.GetString() == p.str;
    default:
      return false;
  }
}

// JavaScript's abstract relational comparison of `v` with a primitive operand: two
// strings (arrays and objects count as their String() form) compare as text, anything
// else as numbers, where NaN makes every comparison false.
Order LooseCompare(Value v, const Prim& p) {
  ValueKind k = v.kind();
  if (p.kind == ValueKind::kString &&
      (k == ValueKind::kString || k == ValueKind::kArray || k == ValueKind::kObject)) {
    int c = CompareJsString(v, p.str);
    return c < 0 ? Order::kLess : (c > 0 ? Order::kGreater : Order::kEqual);
  }
  double x = JsToNumber(v);
  double y = p.num;
  if (std::isnan(x) || std::isnan(y)) return Order::kUnordered;
  return x < y ? Order::kLess : (x > y ? Order::kGreater : Order::kEqual);
}

// JSON.stringify(v) === JSON.stringify(literal). Deviation: object members compare
// regardless of order (JSON objects are unordered; nlohmann sorts keys anyway).
bool DeepEqual(Value v, const nlohmann::json& lit) {
  ValueKind k = v.kind();
  switch (lit.type()) {
    case nlohmann::json::value_t::null:
      return k == ValueKind::kNull;
    case nlohmann::json::value_t::boolean:
      return k == ValueKind::kBool && v.GetBool() == lit.get_ref<const bool&>();
    case nlohmann::json::value_t::string:
      return k == ValueKind::kString && v.GetString() == lit.get_ref<const std::string&>();
    case nlohmann::json::value_t::array: {
      if (k != ValueKind::kArray || v.size() != lit.size()) return false;
      const auto& arr = lit.get_ref<const nlohmann::json::array_t&>();
      for (size_t i = 0; i < arr.size(); ++i) {
        if (!DeepEqual(v.At(i), arr[i])) return false;
      }
      return true;
    }
    case nlohmann::json::value_t::object: {
      if (k != ValueKind::kObject || v.size() != lit.size()) return false;
      for (const auto& [key, member] : lit.get_ref<const nlohmann::json::object_t&>()) {
        Value m = v;
        if (!v.Find(key, &m) || !DeepEqual(m, member)) return false;
      }
      return true;
    }
    default:
      if (!lit.is_number()) return false;
      return k == ValueKind::kNumber && v.GetNumber() == lit.get<double>();
  }
}

// paddedVersionString(actual) compared with the precomputed padded operand.
int CompareVersion(Value v, std::string_view padded) {
  switch (v.kind()) {
    case ValueKind::kString:
      return ComparePaddedVersion(v.GetString(), padded);
    case ValueKind::kNumber: {
      char buf[kNumberBufferSize];
      return ComparePaddedVersion(FormatJsNumber(v.GetNumber(), buf), padded);
    }
    default:
      return ComparePaddedVersion("0", padded);
  }
}

bool RegexTest(const Regex& re, Value v) {
  // RegExp#test coerces its argument with String(): null -> "null", 5 -> "5".
  if (v.kind() == ValueKind::kString) return re.Search(v.GetString());
  BufferSink sink;
  StreamJsString(v, sink);
  return sink.ok() && re.Search(sink.view());
}

bool EvalOp(const OpNode& o, Value v, const SavedGroups* groups) {
  switch (o.op) {
    case Op::kEq:
      return StrictEquals(v, o.prim);
    case Op::kNe:
      return !StrictEquals(v, o.prim);
    case Op::kLt:
      return LooseCompare(v, o.prim) == Order::kLess;
    case Op::kLte: {
      Order r = LooseCompare(v, o.prim);
      return r == Order::kLess || r == Order::kEqual;
    }
    case Op::kGt:
      return LooseCompare(v, o.prim) == Order::kGreater;
    case Op::kGte: {
      Order r = LooseCompare(v, o.prim);
      return r == Order::kGreater || r == Order::kEqual;
    }
    case Op::kExists:
      return o.prim.b ? v.kind() != ValueKind::kNull : v.kind() == ValueKind::kNull;
    case Op::kIn:
      return o.set.Matches(v);
    case Op::kNin:
      return !o.set.Matches(v);
    case Op::kInGroup:
    case Op::kNotInGroup: {
      const InSet* set = groups != nullptr ? groups->Find(o.text) : nullptr;
      bool in = set != nullptr && set->Matches(v);
      return o.op == Op::kInGroup ? in : !in;
    }
    case Op::kNot:
      return !EvalValue(*o.sub, v, groups, false);
    case Op::kSize: {
      if (v.kind() != ValueKind::kArray) return false;
      NumberDocument n(static_cast<double>(v.size()));
      return EvalValue(*o.sub, Value(&n, n.Root()), groups, false);
    }
    case Op::kElemMatch: {
      if (v.kind() != ValueKind::kArray) return false;
      if (o.has_string) return v.document()->ArrayHasString(v.node(), o.sub->ops[0].prim.str);
      size_t n = v.size();
      for (size_t i = 0; i < n; ++i) {
        Value e = v.At(i);
        if (!JsTruthy(e)) continue;  // the SDKs skip falsy elements
        if (o.sub ? EvalValue(*o.sub, e, groups, false) : EvalDoc(*o.doc, e, groups)) return true;
      }
      return false;
    }
    case Op::kAll:
    case Op::kAlli: {
      if (v.kind() != ValueKind::kArray) return false;
      size_t n = v.size();
      for (const ValueCond& item : o.items) {
        bool found = false;
        for (size_t i = 0; i < n && !found; ++i) {
          found = EvalValue(item, v.At(i), groups, o.op == Op::kAlli);
        }
        if (!found) return false;
      }
      return true;
    }
    case Op::kRegex:
      return RegexTest(*o.regex, v);
    case Op::kType:
      return v.kind() == o.type;
    case Op::kVeq:
      return CompareVersion(v, o.text) == 0;
    case Op::kVne:
      return CompareVersion(v, o.text) != 0;
    case Op::kVgt:
      return CompareVersion(v, o.text) > 0;
    case Op::kVgte:
      return CompareVersion(v, o.text) >= 0;
    case Op::kVlt:
      return CompareVersion(v, o.text) < 0;
    case Op::kVlte:
      return CompareVersion(v, o.text) <= 0;
    case Op::kFalse:
      return false;
    case Op::kTrue:
      return true;
  }
  return false;
}

bool EvalValue(const ValueCond& c, Value v, const SavedGroups* groups, bool insensitive) {
  switch (c.kind) {
    case LiteralKind::kString:
      // `value + "" === condition` (lowercased on both sides inside $alli).
      return insensitive ? JsStringEquals(v, c.lower, true) : JsStringEquals(v, c.prim.str);
    case LiteralKind::kNumber:
      return JsToNumber(v) == c.prim.num;  // `value * 1 === condition`
    case LiteralKind::kBool:
      return v.kind() != ValueKind::kNull && JsTruthy(v) == c.prim.b;
    case LiteralKind::kNull:
      return v.kind() == ValueKind::kNull;
    case LiteralKind::kDeepEqual:
      return DeepEqual(v, c.literal);
    case LiteralKind::kOps:
      for (const OpNode& o : c.ops) {
        if (!EvalOp(o, v, groups)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

bool EvalDoc(const DocCond& cond, Value obj, const SavedGroups* groups, bool at_root) {
  for (const Clause& cl : cond.clauses) {
    switch (cl.kind) {
      case ClauseKind::kAnd:
        for (const DocCond& sub : cl.subs) {
          if (!EvalDoc(sub, obj, groups, at_root)) return false;
        }
        break;
      case ClauseKind::kOr:
      case ClauseKind::kNor: {
        bool any = cl.subs.empty();  // the SDKs' evalOr: an empty list is true
        for (size_t i = 0; i < cl.subs.size() && !any; ++i) any = EvalDoc(cl.subs[i], obj, groups, at_root);
        if (any != (cl.kind == ClauseKind::kOr)) return false;
        break;
      }
      case ClauseKind::kNot:
        if (EvalDoc(cl.subs[0], obj, groups, at_root)) return false;
        break;
      case ClauseKind::kPath: {
        // getPath: a missing step, or a step into a non-container, gives null.
        Value v = Value::Missing(obj.document());
        ValueKind k = obj.kind();
        if (k == ValueKind::kObject || k == ValueKind::kArray) {
          Node n;
          const Document* d = obj.document();
          if (at_root ? d->LookupFromRoot(cl.path_id, cl.path, &n) : d->Lookup(obj.node(), cl.path, &n)) {
            v = Value(d, n);
          }
        }
        if (!EvalValue(cl.value, v, groups, false)) return false;
        break;
      }
    }
  }
  return true;
}

}  // namespace tailor::condition::internal
