// SchemaProgram: a JSON Schema (draft 7) compiled into a small immutable tree of checks
// that runs directly over a simdjson DOM. SchemaRegistry::Validate tries it before
// valijson, for the common case of a valid event.
//
// Why hand-written next to valijson: valijson's ValidationVisitor copies its context
// path (a std::vector<std::string>) for every object property and array item, and fills
// a std::set<std::string> per object, even when no results are collected. In a CPU
// profile of HTTP ingest that visitor was ~8.8% of the server, mostly allocation (50
// allocations per valid purchase event). A program checks the same keywords with none:
// Validate() of that event fell from ~2.3 us to ~0.22 us, simdjson parse included
// (bench/micro/schema_bench.cc). It only decides "valid":
// for anything else the registry asks valijson, which also writes the error message and
// path, so errors never depend on the program. The contract is one-sided: Accepts()
// must never be true where valijson says invalid, and should be true wherever valijson
// says valid (when it is not, events are only slower).
//
// Supported keywords (any other keyword anywhere makes Compile fail; the registry then
// uses valijson alone):
//   type (a name or an array of names), enum (of scalars), const (a scalar);
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum (draft-7 numbers), multipleOf;
//   minLength, maxLength;  minItems, maxItems, items (one schema, not a tuple);
//   properties, required, additionalProperties (boolean only), minProperties,
//   maxProperties (at most 64 distinct property/required names per object schema);
//   boolean schemas (true, false) wherever a schema goes;
//   annotations: title, description, $comment, examples, default; $schema and $id at
//   the root.
//
// Semantics are valijson 1.0's with strict types over DomAdapter (valijson_dom_adapter.h),
// quirks included; schema_program.cc says where they matter.
//
// Thread safety: immutable after Compile(); Accepts() is const and may run on any
// number of threads at once.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

// simdjson stays out of this header: Accepts() only needs the element's name.
namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace tailor::ingest {

class SchemaProgram {
 public:
  // Compiles `schema`, a schema valijson's draft-7 parser has accepted. Returns
  // kInvalidArgument naming the first keyword outside the supported subset (path: its
  // JSON pointer in the schema) when the schema cannot be compiled; that is not an error
  // in the schema, only a reason to use valijson alone.
  static Result<SchemaProgram> Compile(const nlohmann::json& schema);

  // True when `instance` conforms to the schema. False when it does not, or when the
  // program leaves the decision to valijson (multipleOf on a string, which valijson
  // reads as a number). Allocates nothing.
  // REQUIRES: the document holding `instance` outlives the call.
  bool Accepts(const simdjson::dom::element& instance) const;

 private:
  class Compiler;   // schema_program.cc
  class Evaluator;  // schema_program.cc

  // JSON type bits. "number" is kInteger | kDouble; int64 and uint64 are integers, every
  // other number (even 2.0) a double, as valijson's strict types see the DOM.
  enum TypeBit : uint8_t {
    kNull = 1,
    kBool = 2,
    kInteger = 4,
    kDouble = 8,
    kString = 16,
    kArray = 32,
    kObject = 64,
    kAnyType = 127,
  };
  static constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();
  static constexpr size_t kMaxNames = 64;  // one bit each in a seen-mask

  // An `enum` member or a `const` value.
  struct Scalar {
    enum class Kind : uint8_t { kNull, kBool, kNumber, kString };
    Kind kind = Kind::kNull;
    bool boolean = false;
    double number = 0;  // valijson compares numbers as doubles
    std::string string;
  };

  // A half-open range of indexes into scalars_ or names_.
  struct Range {
    uint32_t begin = 0;
    uint32_t end = 0;
  };

  // A name in an object schema's `properties` or `required`.
  struct Name {
    std::string text;
    int32_t schema = -1;  // node of its `properties` subschema; -1: only in `required`
  };

  enum class MultipleOf : uint8_t { kNone, kInteger, kDouble };

  // One schema object. Keywords absent from the schema hold values that pass.
  struct Node {
    bool always_invalid = false;  // the boolean schema `false`
    uint8_t types = kAnyType;
    std::optional<Range> enum_values;
    std::optional<Range> const_value;  // one scalar
    // Numbers (valijson compares as doubles).
    std::optional<double> minimum, exclusive_minimum, maximum, exclusive_maximum;
    MultipleOf multiple_of = MultipleOf::kNone;
    int64_t multiple_of_int = 0;
    double multiple_of_double = 0;
    // Strings, in code points.
    uint64_t min_length = 0;
    uint64_t max_length = kUnbounded;
    // Arrays.
    uint64_t min_items = 0;
    uint64_t max_items = kUnbounded;
    int32_t items = -1;  // node every item must match; -1: none
    // Objects.
    uint64_t min_properties = 0;
    uint64_t max_properties = kUnbounded;
    bool has_properties = false;  // `properties` or `additionalProperties` present
    bool additional_properties = true;
    Range names;
    uint64_t required_mask = 0;    // bit i: names[i] is required
    uint64_t properties_mask = 0;  // bit i: names[i] is in `properties`
  };

  SchemaProgram() = default;

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<Name> names_;
  std::vector<Scalar> scalars_;
};

}  // namespace tailor::ingest
