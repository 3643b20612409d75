#include "ingest/schema_program.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tailor::ingest {

namespace {

namespace dom = simdjson::dom;
using Json = nlohmann::json;

Status Unsupported(std::string what, std::string pointer) {
  return InvalidArgument(std::move(what) + " is not supported by the compiled fast path",
                         pointer.empty() ? "/" : std::move(pointer));
}

std::string PointerStep(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// A schema number as valijson's parser reads it (asDouble over the nlohmann adapter):
// integers go through int64, so an unsigned value above INT64_MAX wraps negative.
double SchemaNumber(const Json& value) {
  if (value.is_number_float()) return value.get<double>();
  return static_cast<double>(value.get<int64_t>());
}

// A non-negative integer keyword (minLength, maxItems, ...), as valijson reads it.
Result<uint64_t> SchemaCount(const Json& value, const std::string& pointer) {
  if (!value.is_number_integer() || value.get<int64_t>() < 0) {
    return Unsupported("a value that is not a non-negative integer", pointer);
  }
  return static_cast<uint64_t>(value.get<int64_t>());
}

Result<double> SchemaBound(const Json& value, const std::string& pointer) {
  if (!value.is_number()) return Unsupported("a bound that is not a number", pointer);
  return SchemaNumber(value);
}

// Annotation keywords valijson ignores or only records; they never change a verdict.
bool IsAnnotation(std::string_view key, bool root) {
  return key == "title" || key == "description" || key == "$comment" || key == "examples" ||
         key == "default" || (root && (key == "$schema" || key == "$id"));
}

// A number in the instance as valijson's DomAdapter yields it to minimum, maximum,
// multipleOf, enum and const (asDouble / getNumber): int64 and uint64 go through
// getInteger, which casts uint64 to int64, so 18446744073709551615 compares as -1.
double InstanceNumber(dom::element value) {
  switch (value.type()) {
    case dom::element_type::DOUBLE:
      return value.get_double().value_unsafe();
    case dom::element_type::INT64:
      return static_cast<double>(value.get_int64().value_unsafe());
    default:
      return static_cast<double>(static_cast<int64_t>(value.get_uint64().value_unsafe()));
  }
}

// valijson's utils::u8_strlen(s.c_str()): code points up to the first NUL. It counts
// the bytes that start a UTF-8 sequence; simdjson has validated the UTF-8, so the two
// agree (they would differ only on malformed input such as an overlong NUL).
uint64_t CodePoints(std::string_view s) {
  uint64_t count = 0;
  for (char c : s) {
    if (c == '\0') break;
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace

// --- Compiler ---------------------------------------------------------------------------

class SchemaProgram::Compiler {
 public:
  explicit Compiler(SchemaProgram* program) : program_(program) {}

  // Adds the node for `schema` (at JSON pointer `pointer`), then those of its
  // subschemas, and returns its index.
  Result<int32_t> CompileSchema(const Json& schema, const std::string& pointer, bool root) {
    const auto index = static_cast<int32_t>(program_->nodes_.size());
    program_->nodes_.emplace_back();
    Node node;  // filled here, stored last: compiling subschemas grows nodes_
    if (schema.is_boolean()) {
      node.always_invalid = !schema.get<bool>();
      program_->nodes_[index] = node;
      return index;
    }
    // Anything else is left to valijson (which reads the strings "true" and "false" as
    // boolean schemas).
    if (!schema.is_object()) return Unsupported("a schema that is not an object", pointer);
    std::vector<Name> names;  // this object's own, appended to names_ as one range
    for (const auto& [key, value] : schema.items()) {
      const std::string at = PointerStep(pointer, key);
      if (key == "type") {
        TAILOR_ASSIGN_OR_RETURN(node.types, TypeMask(value, at));
      } else if (key == "enum") {
        if (!value.is_array()) return Unsupported("'enum' that is not an array", at);
        Range range{Size(program_->scalars_), 0};
        for (const Json& member : value) TAILOR_RETURN_IF_ERROR(AddScalar(member, at));
        range.end = Size(program_->scalars_);
        node.enum_values = range;
      } else if (key == "const") {
        Range range{Size(program_->scalars_), 0};
        TAILOR_RETURN_IF_ERROR(AddScalar(value, at));
        range.end = Size(program_->scalars_);
        node.const_value = range;
      } else if (key == "minimum") {
        TAILOR_ASSIGN_OR_RETURN(node.minimum, SchemaBound(value, at));
      } else if (key == "exclusiveMinimum") {
        TAILOR_ASSIGN_OR_RETURN(node.exclusive_minimum, SchemaBound(value, at));
      } else if (key == "maximum") {
        TAILOR_ASSIGN_OR_RETURN(node.maximum, SchemaBound(value, at));
      } else if (key == "exclusiveMaximum") {
        TAILOR_ASSIGN_OR_RETURN(node.exclusive_maximum, SchemaBound(value, at));
      } else if (key == "multipleOf") {
        TAILOR_RETURN_IF_ERROR(CompileMultipleOf(value, at, &node));
      } else if (key == "minLength") {
        TAILOR_ASSIGN_OR_RETURN(node.min_length, SchemaCount(value, at));
      } else if (key == "maxLength") {
        TAILOR_ASSIGN_OR_RETURN(node.max_length, SchemaCount(value, at));
      } else if (key == "minItems") {
        TAILOR_ASSIGN_OR_RETURN(node.min_items, SchemaCount(value, at));
      } else if (key == "maxItems") {
        TAILOR_ASSIGN_OR_RETURN(node.max_items, SchemaCount(value, at));
      } else if (key == "minProperties") {
        TAILOR_ASSIGN_OR_RETURN(node.min_properties, SchemaCount(value, at));
      } else if (key == "maxProperties") {
        TAILOR_ASSIGN_OR_RETURN(node.max_properties, SchemaCount(value, at));
      } else if (key == "items") {
        // An array is the tuple form (with additionalItems), which is not compiled.
        if (value.is_array()) return Unsupported("tuple 'items'", at);
        TAILOR_ASSIGN_OR_RETURN(node.items, CompileSchema(value, at, false));
      } else if (key == "properties") {
        if (!value.is_object()) return Unsupported("'properties' that is not an object", at);
        node.has_properties = true;
        for (const auto& [name, subschema] : value.items()) {
          TAILOR_ASSIGN_OR_RETURN(size_t i, FindOrAddName(&names, name, at));
          node.properties_mask |= uint64_t{1} << i;
          TAILOR_ASSIGN_OR_RETURN(names[i].schema,
                                  CompileSchema(subschema, PointerStep(at, name), false));
        }
      } else if (key == "required") {
        if (!value.is_array()) return Unsupported("'required' that is not an array", at);
        for (const Json& name : value) {
          if (!name.is_string()) return Unsupported("a required name that is not a string", at);
          TAILOR_ASSIGN_OR_RETURN(size_t i, FindOrAddName(&names, name.get<std::string>(), at));
          node.required_mask |= uint64_t{1} << i;
        }
      } else if (key == "additionalProperties") {
        if (!value.is_boolean())
          return Unsupported("'additionalProperties' other than true or false", at);
        node.has_properties = true;
        node.additional_properties = value.get<bool>();
      } else if (!IsAnnotation(key, root)) {
        return Unsupported("keyword '" + key + "'", at);
      }
    }
    node.names.begin = Size(program_->names_);
    for (Name& name : names) program_->names_.push_back(std::move(name));
    node.names.end = Size(program_->names_);
    program_->nodes_[index] = std::move(node);
    return index;
  }

 private:
  static Result<uint8_t> TypeMask(const Json& value, const std::string& pointer) {
    auto bit = [](const Json& name) -> uint8_t {
      if (!name.is_string()) return 0;
      const std::string& s = name.get_ref<const std::string&>();
      if (s == "null") return kNull;
      if (s == "boolean") return kBool;
      if (s == "integer") return kInteger;
      if (s == "number") return kInteger | kDouble;
      if (s == "string") return kString;
      if (s == "array") return kArray;
      if (s == "object") return kObject;
      return 0;  // "any" (draft 3) and unknown names
    };
    if (!value.is_array()) {
      const uint8_t b = bit(value);
      if (b == 0) return Unsupported("this 'type'", pointer);
      return b;
    }
    uint8_t mask = 0;
    for (const Json& name : value) {
      const uint8_t b = bit(name);
      if (b == 0) return Unsupported("this 'type'", pointer);
      mask |= b;
    }
    return mask;
  }

  // valijson picks its integer or double multipleOf by the schema value's type.
  // Non-positive divisors are left to valijson (an integer 0 divides by zero there).
  static Status CompileMultipleOf(const Json& value, const std::string& pointer, Node* node) {
    if (value.is_number_integer() && value.get<int64_t>() > 0) {
      node->multiple_of = MultipleOf::kInteger;
      node->multiple_of_int = value.get<int64_t>();
      return Status::OK();
    }
    if (value.is_number_float() && value.get<double>() > 0 && std::isfinite(value.get<double>())) {
      node->multiple_of = MultipleOf::kDouble;
      node->multiple_of_double = value.get<double>();
      return Status::OK();
    }
    return Unsupported("'multipleOf' that is not a positive number", pointer);
  }

  template <typename T>
  static uint32_t Size(const std::vector<T>& v) {
    return static_cast<uint32_t>(v.size());
  }

  // Appends an `enum` member or the `const` value to scalars_.
  Status AddScalar(const Json& value, const std::string& pointer) {
    Scalar s;
    if (value.is_null()) {
      s.kind = Scalar::Kind::kNull;
    } else if (value.is_boolean()) {
      s.kind = Scalar::Kind::kBool;
      s.boolean = value.get<bool>();
    } else if (value.is_number()) {
      s.kind = Scalar::Kind::kNumber;
      s.number = SchemaNumber(value);
    } else if (value.is_string()) {
      s.kind = Scalar::Kind::kString;
      s.string = value.get<std::string>();
    } else {
      return Unsupported("an array or object in 'enum' or 'const'", pointer);
    }
    program_->scalars_.push_back(std::move(s));
    return Status::OK();
  }

  // valijson looks names up through c_str(), which cuts them at a NUL; such names are
  // left to valijson rather than mirrored.
  static Result<size_t> FindOrAddName(std::vector<Name>* names, const std::string& text,
                                      const std::string& pointer) {
    for (size_t i = 0; i < names->size(); ++i) {
      if ((*names)[i].text == text) return i;
    }
    if (text.find('\0') != std::string::npos) return Unsupported("a name with a NUL", pointer);
    if (names->size() == kMaxNames) {
      return Unsupported("more than " + std::to_string(kMaxNames) + " property names", pointer);
    }
    names->push_back(Name{text, -1});
    return names->size() - 1;
  }

  SchemaProgram* program_;
};

Result<SchemaProgram> SchemaProgram::Compile(const Json& schema) {
  SchemaProgram program;
  Compiler compiler(&program);
  Result<int32_t> root = compiler.CompileSchema(schema, "", true);
  if (!root.ok()) return root.status();
  return program;
}

// --- Evaluator --------------------------------------------------------------------------
//
// valijson without a results sink stops at the first failed constraint and its checks
// have no side effects, so checking keywords in a different order gives the same verdict.

class SchemaProgram::Evaluator {
 public:
  explicit Evaluator(const SchemaProgram& program) : program_(program) {}

  bool Matches(const Node& node, dom::element value) const {
    if (node.always_invalid) return false;
    const dom::element_type type = value.type();
    if ((node.types & TypeBitOf(type)) == 0) return false;
    if (node.enum_values && !EqualsAny(*node.enum_values, value)) return false;
    if (node.const_value && !EqualsAny(*node.const_value, value)) return false;
    switch (type) {
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
        return MatchesNumber(node, value);
      case dom::element_type::STRING: {
        // valijson's multipleOf parses numeric strings even with strict types; rather
        // than mirror strtod and istringstream, leave such strings to valijson.
        if (node.multiple_of != MultipleOf::kNone) return false;
        if (node.min_length == 0 && node.max_length == kUnbounded) return true;
        const uint64_t length = CodePoints(value.get_string().value_unsafe());
        return length >= node.min_length && length <= node.max_length;
      }
      case dom::element_type::ARRAY:
        return MatchesArray(node, value.get_array().value_unsafe());
      case dom::element_type::OBJECT:
        return MatchesObject(node, value.get_object().value_unsafe());
      case dom::element_type::BOOL:
      case dom::element_type::NULL_VALUE:
        return true;
    }
    return false;
  }

 private:
  static uint8_t TypeBitOf(dom::element_type type) {
    switch (type) {
      case dom::element_type::NULL_VALUE:
        return kNull;
      case dom::element_type::BOOL:
        return kBool;
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
        return kInteger;
      case dom::element_type::DOUBLE:
        return kDouble;
      case dom::element_type::STRING:
        return kString;
      case dom::element_type::ARRAY:
        return kArray;
      case dom::element_type::OBJECT:
        return kObject;
    }
    return 0;
  }

  // valijson's equalTo with strict types, the schema value on the left: null, booleans
  // and strings by type and value, numbers of either kind as doubles (so enum [2]
  // accepts 2.0).
  bool EqualsAny(Range range, dom::element value) const {
    for (uint32_t i = range.begin; i < range.end; ++i) {
      const Scalar& s = program_.scalars_[i];
      switch (s.kind) {
        case Scalar::Kind::kNull:
          if (value.is_null()) return true;
          break;
        case Scalar::Kind::kBool:
          if (value.is_bool() && value.get_bool().value_unsafe() == s.boolean) return true;
          break;
        case Scalar::Kind::kNumber:
          if (value.is_number() && InstanceNumber(value) == s.number) return true;
          break;
        case Scalar::Kind::kString:
          if (value.is_string() && value.get_string().value_unsafe() == s.string) return true;
          break;
      }
    }
    return false;
  }

  static bool MatchesNumber(const Node& node, dom::element value) {
    const double v = InstanceNumber(value);
    if (node.minimum && v < *node.minimum) return false;
    if (node.exclusive_minimum && v <= *node.exclusive_minimum) return false;
    if (node.maximum && v > *node.maximum) return false;
    if (node.exclusive_maximum && v >= *node.exclusive_maximum) return false;
    switch (node.multiple_of) {
      case MultipleOf::kNone:
        return true;
      case MultipleOf::kInteger: {
        // valijson truncates a double to int64 here (so 10.5 is a multiple of 5); a
        // double out of int64 range would be undefined behaviour there: not decided.
        int64_t i = 0;
        if (value.type() == dom::element_type::DOUBLE) {
          const double d = value.get_double().value_unsafe();
          if (!(d >= -0x1p63 && d < 0x1p63)) return false;
          i = static_cast<int64_t>(d);
        } else {
          i = IntegerOf(value);
        }
        return i == 0 || i % node.multiple_of_int == 0;
      }
      case MultipleOf::kDouble:
        return v == 0 || std::fabs(std::remainder(v, node.multiple_of_double)) <=
                             std::numeric_limits<double>::epsilon();
    }
    return false;
  }

  // getInteger of the DomAdapter: uint64 cast to int64.
  static int64_t IntegerOf(dom::element value) {
    if (value.type() == dom::element_type::INT64) return value.get_int64().value_unsafe();
    return static_cast<int64_t>(value.get_uint64().value_unsafe());
  }

  bool MatchesArray(const Node& node, dom::array array) const {
    const size_t size = array.size();  // saturates at 2^24-1, as the DomAdapter's does
    if (size < node.min_items || size > node.max_items) return false;
    if (node.items < 0) return true;
    const Node& items = program_.nodes_[node.items];
    for (dom::element item : array) {
      if (!Matches(items, item)) return false;
    }
    return true;
  }

  // One pass over the members. valijson looks each `properties` and `required` name up
  // with DomObject::find, which returns the first of duplicate keys, so only the first
  // occurrence is checked; its `additionalProperties: false` compares the number of
  // distinct names matched with the member count, so any duplicate fails it.
  bool MatchesObject(const Node& node, dom::object object) const {
    const size_t size = object.size();
    if (size < node.min_properties || size > node.max_properties) return false;
    if (node.names.begin == node.names.end && !node.has_properties) return true;
    uint64_t seen = 0;
    for (dom::key_value_pair member : object) {
      const int index = FindName(node.names, member.key);
      if (index < 0) continue;
      const uint64_t bit = uint64_t{1} << index;
      if ((seen & bit) != 0) continue;
      seen |= bit;
      const Name& name = program_.names_[node.names.begin + index];
      if (name.schema >= 0 && !Matches(program_.nodes_[name.schema], member.value)) return false;
    }
    if ((seen & node.required_mask) != node.required_mask) return false;
    if (node.has_properties && !node.additional_properties &&
        static_cast<size_t>(std::popcount(seen & node.properties_mask)) != size) {
      return false;
    }
    return true;
  }

  int FindName(Range names, std::string_view key) const {
    for (uint32_t i = names.begin; i < names.end; ++i) {
      if (program_.names_[i].text == key) return static_cast<int>(i - names.begin);
    }
    return -1;
  }

  const SchemaProgram& program_;
};

bool SchemaProgram::Accepts(const dom::element& instance) const {
  return Evaluator(*this).Matches(nodes_[0], instance);
}

}  // namespace tailor::ingest
