// The compiled condition tree shared by condition_parser.cc (builds it) and
// condition_eval.cc (walks it). Internal to the condition module.
//
// Two kinds of node mirror the SDKs' two recursive functions: a DocCond is evaluated
// against an object (evalCondition: logical operators and attribute paths), a ValueCond
// against one value (evalConditionValue: a literal to compare with, or operators).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "condition/document.h"
#include "condition/in_set.h"
#include "condition/regex_matcher.h"
#include "condition/saved_groups.h"

namespace tailor::condition::internal {

// A JavaScript primitive operand, precomputed at compile time.
struct Prim {
  ValueKind kind = ValueKind::kNull;  // kNull, kBool, kNumber or kString
  bool b = false;
  double num = 0;   // kNumber: the value; kString: Number(str); kBool: 0/1; kNull: 0
  std::string str;  // kString
};

enum class Op : uint8_t {
  kEq,
  kNe,
  kLt,
  kLte,
  kGt,
  kGte,
  kExists,
  kIn,
  kNin,
  kInGroup,
  kNotInGroup,  // kIn/kNin with an insensitive set are $ini/$nini
  kNot,
  kSize,
  kElemMatch,
  kAll,
  kAlli,
  kRegex,
  kType,
  kVeq,
  kVne,
  kVgt,
  kVgte,
  kVlt,
  kVlte,
  kFalse,
  kTrue,  // constant results (GrowthBook dialect: unknown operator, bad operand)
};

struct DocCond;
struct ValueCond;

struct OpNode {
  Op op = Op::kFalse;
  Prim prim;                          // $eq $ne $lt $lte $gt $gte; $exists uses prim.b
  InSet set;                          // $in $nin $ini $nini
  std::string text;                   // $inGroup id; padded version for $v*
  ValueKind type = ValueKind::kNull;  // $type
  std::unique_ptr<Regex> regex;       // $regex $regexi
  std::unique_ptr<ValueCond> sub;     // $not, $size, $elemMatch with operators
  std::unique_ptr<DocCond> doc;       // $elemMatch with a document condition
  std::vector<ValueCond> items;       // $all $alli
  // $elemMatch whose sub-condition is {"$eq": <non-empty string>}: a membership test,
  // answered by Document::ArrayHasString (the operand is sub->ops[0].prim.str).
  bool has_string = false;
};

enum class LiteralKind : uint8_t { kString, kNumber, kBool, kNull, kDeepEqual, kOps };

struct ValueCond {
  LiteralKind kind = LiteralKind::kOps;
  Prim prim;                // kString / kNumber / kBool literals
  std::string lower;        // kString: ASCII-lowercased, for $alli
  nlohmann::json literal;   // kDeepEqual: compared like JSON.stringify(a) === JSON.stringify(b)
  std::vector<OpNode> ops;  // kOps: all must hold
};

enum class ClauseKind : uint8_t { kAnd, kOr, kNor, kNot, kPath };

struct Clause {
  ClauseKind kind = ClauseKind::kPath;
  std::vector<DocCond> subs;  // $and/$or/$nor; $not has exactly one
  // kPath: the dotted path and its pre-split segments (views into *path_text, which is
  // heap-held so the views survive moves of the Clause).
  std::unique_ptr<std::string> path_text;
  std::vector<PathSegment> path;
  uint32_t path_id = 0;  // InternPath(*path_text)
  ValueCond value;
};

struct DocCond {
  std::vector<Clause> clauses;  // all must hold
};

struct CompiledCondition {
  DocCond root;
  std::vector<std::string> paths;   // sorted, unique
  std::vector<std::string> groups;  // sorted, unique
};

// condition_eval.cc
// `at_root`: `obj` is the document's root (paths may use LookupFromRoot).
bool EvalDoc(const DocCond& cond, Value obj, const SavedGroups* groups, bool at_root = false);

}  // namespace tailor::condition::internal
