// Condition: Tailor's one condition language (segments, rules, experiment targeting,
// recommendation filters). MongoDB-style JSON operators with the semantics of the
// GrowthBook SDKs; the language reference is docs/conditions.md.
//
//   auto cond = Condition::Parse(R"({"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}})");
//   if (!cond.ok()) return cond.status();  // e.g. "unknown operator '$gtt'" at "age.$gtt"
//   nlohmann::json attrs = ...;
//   bool match = cond->Evaluate(JsonDocument(attrs));
//
// A condition is parsed and compiled once into an immutable tree: attribute paths are
// pre-split, regexes compiled, version operands padded, $in lists sorted. Evaluate() walks
// that tree over a read-only Document (document.h) without parsing and without heap
// allocation (regex operators excepted, see regex_matcher.h).
//
// Thread safety: a compiled Condition is immutable; Evaluate, Paths and the other const
// methods are safe to call from any number of threads at once.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "condition/document.h"
#include "condition/saved_groups.h"
#include "core/status.h"

namespace tailor::condition {

namespace internal {
struct CompiledCondition;
}  // namespace internal

enum class Dialect {
  // Tailor's own conditions: anything the SDKs would silently evaluate to false or
  // coerce (unknown operators, invalid regexes, operands of the wrong type such as
  // {"$in": 1} or {"$size": "3"}) is a compile error naming the operator and its path.
  kStrict,
  // Conditions written for GrowthBook: such constructs compile and behave exactly as the
  // GrowthBook JavaScript SDK evaluates them (mostly: to false). Structural errors (a
  // condition that is not an object, $and/$or/$nor not given an array, $elemMatch not
  // given an object) and the limits below are still errors. Used by the conformance suite.
  kGrowthBook,
};

struct CompileOptions {
  Dialect dialect = Dialect::kStrict;
  // Maximum nesting of conditions, operators and literal arrays/objects. Bounds the
  // recursion of compiling and evaluating, so hostile input cannot exhaust the stack.
  int max_depth = 32;

  // OK when the options are usable (1 <= max_depth <= 256).
  Status Validate() const;
};

class Condition {
 public:
  // The empty condition {}: matches every document.
  Condition();
  ~Condition();
  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // Compiles a condition given as JSON. On failure returns kInvalidArgument whose
  // message names the problem ("unknown operator '$gtt'") and whose path locates it
  // inside the condition ("$and[1].age.$gtt").
  static Result<Condition> Compile(const nlohmann::json& condition,
                                   const CompileOptions& options = {});

  // Parses JSON text, then compiles it. Malformed JSON is kInvalidArgument too.
  static Result<Condition> Parse(std::string_view json_text, const CompileOptions& options = {});

  // Evaluates against `doc` (its Root() must be the attribute object). `saved_groups` is
  // consulted by $inGroup/$notInGroup; nullptr means no groups are known. No heap
  // allocation except inside regex matching; never fails.
  bool Evaluate(const Document& doc, const SavedGroups* saved_groups = nullptr) const;

  // The attribute paths this condition reads, dot-joined as written ("father.age"),
  // sorted and unique. Paths inside $elemMatch document conditions are relative to the
  // array's elements and are not listed; the array's own path is.
  std::vector<std::string> Paths() const;

  // The saved group ids named by $inGroup / $notInGroup, sorted and unique.
  std::vector<std::string> SavedGroupIds() const;

 private:
  explicit Condition(std::unique_ptr<internal::CompiledCondition> impl);
  std::unique_ptr<internal::CompiledCondition> impl_;
};

}  // namespace tailor::condition
