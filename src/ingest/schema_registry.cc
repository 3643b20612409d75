#include "ingest/schema_registry.h"

#include <simdjson.h>

#include <exception>
#include <cstdlib>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "core/json_doc.h"
#include "core/json_util.h"
#include "ingest/event_codec.h"

namespace tailor::ingest {

struct SchemaRegistry::Compiled {
  valijson::Schema schema;
};

namespace {

std::string SchemaPath(std::string_view type) {
  std::string path = "events.schemas";
  AppendPathMember(&path, type);
  return path;
}

// Parses and compiles one schema; every valijson/nlohmann exception stops here.
Status CompileInto(std::string_view type, std::string_view schema_json, valijson::Schema* schema) {
  std::string path = SchemaPath(type);
  if (!IsValidEventType(type)) {
    return InvalidArgument(
        "'" + std::string(type) + "' is not a valid event type name (^[a-z][a-z0-9_]{0,63}$)",
        path);
  }
  Result<Json> doc = ParseJsonObject(schema_json);
  if (!doc.ok()) {
    return InvalidArgument("schema for event type '" + std::string(type) +
                               "' is not a JSON object: " + doc.status().message(),
                           path);
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(*doc);
    // No fetchDoc callback: a remote $ref throws, and we never fetch at runtime.
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    return InvalidArgument(
        "schema for event type '" + std::string(type) + "' is invalid: " + e.what(), path);
  }
  return Status::OK();
}

// Converts valijson's context (["<root>", "[items]", "[0]", "[price]"]) to a dot path
// under "properties". valijson writes object keys and array indexes alike as "[x]", so
// the instance document decides which one each step is.
std::string ContextToPath(const std::vector<std::string>& context, const Json& instance) {
  std::string path = "properties";
  const Json* node = &instance;
  for (size_t i = 1; i < context.size(); ++i) {
    std::string_view step = context[i];
    if (step.size() >= 2 && step.front() == '[' && step.back() == ']') {
      step = step.substr(1, step.size() - 2);
    }
    if (node != nullptr && node->is_array()) {
      size_t index = 0;
      bool digits = !step.empty();
      for (char c : step) {
        if (c < '0' || c > '9')
          digits = false;
        else
          index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (digits && index < node->size()) {
        AppendPathIndex(&path, index);
        node = &(*node)[index];
        continue;
      }
    }
    AppendPathMember(&path, step);
    if (node != nullptr && node->is_object()) {
      auto it = node->find(std::string(step));
      node = it == node->end() ? nullptr : &*it;
    } else {
      node = nullptr;
    }
  }
  return path;
}

// valijson reports the failure at every level ("Object property failed validation" at
// the root, the real cause deeper); the deepest, first-reported error is the useful one.
const valijson::ValidationResults::Error* MostSpecific(const valijson::ValidationResults& results) {
  const valijson::ValidationResults::Error* best = nullptr;
  for (const auto& e : results) {
    if (best == nullptr || e.context.size() > best->context.size()) best = &e;
  }
  return best;
}

// --- A read-only valijson adapter over a simdjson DOM -------------------------------
//
// Validate() runs for every event with a schema; building an nlohmann tree per event
// cost as much as the validation itself. This adapter lets valijson walk the simdjson
// tape directly. It mirrors valijson's NlohmannJsonAdapter (strict types; int64 and
// uint64 are integers, the rest of the numbers doubles), so a document is valid here
// exactly when it is valid through the nlohmann adapter, with one exception: simdjson
// keeps duplicate object keys (nlohmann keeps the last), which only matters to
// min/maxProperties on documents with duplicate keys. Errors are always reported through
// the nlohmann path (see Validate), so messages and paths do not depend on the adapter.
//
// Elements are views into the parser's tape: an adapter must not outlive the parse.

namespace dom = simdjson::dom;

class DomAdapter;
class DomArrayIterator;
class DomObjectIterator;
using DomObjectMember = std::pair<std::string, DomAdapter>;

class DomArray {
 public:
  using const_iterator = DomArrayIterator;
  using iterator = DomArrayIterator;
  DomArray() = default;
  explicit DomArray(dom::array a) : array_(a) {}
  DomArrayIterator begin() const;
  DomArrayIterator end() const;
  size_t size() const { return array_.size(); }

 private:
  dom::array array_;
};

class DomObject {
 public:
  using const_iterator = DomObjectIterator;
  using iterator = DomObjectIterator;
  DomObject() = default;
  explicit DomObject(dom::object o) : object_(o) {}
  DomObjectIterator begin() const;
  DomObjectIterator end() const;
  DomObjectIterator find(const std::string& name) const;
  size_t size() const { return object_.size(); }

 private:
  dom::object object_;
};

// Converts an element to nlohmann (only for freeze(), which valijson does not call on
// validation targets; kept correct for completeness).
Json ToNlohmann(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      Json a = Json::array();
      for (dom::element x : dom::array(e)) a.push_back(ToNlohmann(x));
      return a;
    }
    case dom::element_type::OBJECT: {
      Json o = Json::object();
      for (dom::key_value_pair kv : dom::object(e)) o[std::string(kv.key)] = ToNlohmann(kv.value);
      return o;
    }
    case dom::element_type::INT64: return Json(int64_t(e));
    case dom::element_type::UINT64: return Json(uint64_t(e));
    case dom::element_type::DOUBLE: return Json(double(e));
    case dom::element_type::STRING: return Json(std::string(std::string_view(e)));
    case dom::element_type::BOOL: return Json(bool(e));
    case dom::element_type::NULL_VALUE: return Json(nullptr);
  }
  return Json(nullptr);
}

// valijson default-constructs adapters and reads them as an empty object.
dom::element EmptyObject() {
  static dom::document* const doc = [] {
    static dom::document storage;
    dom::parser parser;
    if (parser.parse_into_document(storage, "{}", 2, true).error() != simdjson::SUCCESS) {
      std::abort();  // cannot happen: a two-byte literal
    }
    return &storage;
  }();
  return doc->root();
}

class DomValue {
 public:
  DomValue() : element_(EmptyObject()) {}
  explicit DomValue(dom::element e) : element_(e) {}

  valijson::adapters::FrozenValue* freeze() const {
    return new valijson::adapters::NlohmannJsonFrozenValue(ToNlohmann(element_));
  }
  opt::optional<DomArray> getArrayOptional() const {
    if (isArray()) return opt::make_optional(DomArray(element_.get_array().value_unsafe()));
    return {};
  }
  bool getArraySize(size_t& result) const {
    if (!isArray()) return false;
    result = element_.get_array().value_unsafe().size();
    return true;
  }
  bool getBool(bool& result) const {
    if (!isBool()) return false;
    result = element_.get_bool().value_unsafe();
    return true;
  }
  bool getDouble(double& result) const {
    if (!isDouble()) return false;
    result = element_.get_double().value_unsafe();
    return true;
  }
  bool getInteger(int64_t& result) const {
    if (element_.type() == dom::element_type::INT64) {
      result = element_.get_int64().value_unsafe();
      return true;
    }
    if (element_.type() == dom::element_type::UINT64) {
      result = static_cast<int64_t>(element_.get_uint64().value_unsafe());  // as nlohmann's get<int64_t>
      return true;
    }
    return false;
  }
  opt::optional<DomObject> getObjectOptional() const {
    if (isObject()) return opt::make_optional(DomObject(element_.get_object().value_unsafe()));
    return {};
  }
  bool getObjectSize(size_t& result) const {
    if (!isObject()) return false;
    result = element_.get_object().value_unsafe().size();
    return true;
  }
  bool getString(std::string& result) const {
    if (!isString()) return false;
    result = element_.get_string().value_unsafe();
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return Is(dom::element_type::ARRAY); }
  bool isBool() const { return Is(dom::element_type::BOOL); }
  bool isDouble() const { return Is(dom::element_type::DOUBLE); }
  bool isInteger() const {
    return Is(dom::element_type::INT64) || Is(dom::element_type::UINT64);
  }
  bool isNull() const { return Is(dom::element_type::NULL_VALUE); }
  bool isNumber() const { return isInteger() || isDouble(); }
  bool isObject() const { return Is(dom::element_type::OBJECT); }
  bool isString() const { return Is(dom::element_type::STRING); }

 private:
  bool Is(dom::element_type t) const { return element_.type() == t; }

  dom::element element_;
};

class DomAdapter
    : public valijson::adapters::BasicAdapter<DomAdapter, DomArray, DomObjectMember, DomObject,
                                              DomValue> {
 public:
  DomAdapter() = default;
  explicit DomAdapter(dom::element e) : BasicAdapter(DomValue(e)) {}
};

// Bidirectional iterators over simdjson's forward-only ones: ++ is O(1); --, and
// advance() re-seek from the start (valijson uses them once per uniqueItems/items check).
class DomArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = DomAdapter;
  using difference_type = DomAdapter;
  using pointer = DomAdapter*;
  using reference = DomAdapter&;

  DomArrayIterator(dom::array array, dom::array::iterator it, size_t index)
      : array_(array), it_(it), index_(index) {}
  DomAdapter operator*() const { return DomAdapter(*it_); }
  valijson::adapters::DerefProxy<DomAdapter> operator->() const {
    return valijson::adapters::DerefProxy<DomAdapter>(**this);
  }
  bool operator==(const DomArrayIterator& other) const { return index_ == other.index_; }
  bool operator!=(const DomArrayIterator& other) const { return index_ != other.index_; }
  const DomArrayIterator& operator++() {
    ++it_;
    ++index_;
    return *this;
  }
  DomArrayIterator operator++(int) {
    DomArrayIterator pre = *this;
    ++*this;
    return pre;
  }
  const DomArrayIterator& operator--() {
    Seek(index_ - 1);
    return *this;
  }
  void advance(std::ptrdiff_t n) { Seek(static_cast<size_t>(static_cast<std::ptrdiff_t>(index_) + n)); }

 private:
  void Seek(size_t index) {
    it_ = array_.begin();
    for (index_ = 0; index_ < index && it_ != array_.end(); ++index_) ++it_;
  }

  dom::array array_;
  dom::array::iterator it_;
  size_t index_;
};

class DomObjectIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = DomObjectMember;
  using difference_type = DomObjectMember;
  using pointer = DomObjectMember*;
  using reference = DomObjectMember&;

  DomObjectIterator(dom::object object, dom::object::iterator it, size_t index)
      : object_(object), it_(it), index_(index) {}
  DomObjectMember operator*() const { return {std::string(it_.key()), DomAdapter(it_.value())}; }
  valijson::adapters::DerefProxy<DomObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<DomObjectMember>(**this);
  }
  bool operator==(const DomObjectIterator& other) const { return index_ == other.index_; }
  bool operator!=(const DomObjectIterator& other) const { return index_ != other.index_; }
  const DomObjectIterator& operator++() {
    ++it_;
    ++index_;
    return *this;
  }
  DomObjectIterator operator++(int) {
    DomObjectIterator pre = *this;
    ++*this;
    return pre;
  }
  const DomObjectIterator& operator--() {
    size_t target = index_ - 1;
    it_ = object_.begin();
    for (index_ = 0; index_ < target && it_ != object_.end(); ++index_) ++it_;
    return *this;
  }

 private:
  dom::object object_;
  dom::object::iterator it_;
  size_t index_;
};

DomArrayIterator DomArray::begin() const { return {array_, array_.begin(), 0}; }
DomArrayIterator DomArray::end() const { return {array_, array_.end(), array_.size()}; }
DomObjectIterator DomObject::begin() const { return {object_, object_.begin(), 0}; }
DomObjectIterator DomObject::end() const { return {object_, object_.end(), object_.size()}; }
DomObjectIterator DomObject::find(const std::string& name) const {
  size_t index = 0;
  for (auto it = object_.begin(); it != object_.end(); ++it, ++index) {
    if (it.key() == name) return {object_, it, index};
  }
  return end();
}

}  // namespace

bool IsBuiltinEventType(std::string_view type) {
  return type == "identify" || type == "consent" || type == "alias";
}

SchemaRegistry::~SchemaRegistry() = default;

Result<std::shared_ptr<const SchemaRegistry>> SchemaRegistry::Compile(const IngestConfig& config) {
  std::shared_ptr<SchemaRegistry> registry(new SchemaRegistry());  // private constructor
  registry->strict_ = config.strict;
  for (const auto& [type, text] : config.schemas) {
    auto compiled = std::make_unique<Compiled>();
    TAILOR_RETURN_IF_ERROR(CompileInto(type, text, &compiled->schema));
    registry->schemas_.emplace(type, std::move(compiled));
  }
  return std::shared_ptr<const SchemaRegistry>(std::move(registry));
}

bool SchemaRegistry::HasSchema(std::string_view type) const {
  return schemas_.find(type) != schemas_.end();
}

Status SchemaRegistry::Validate(const Event& event) const {
  auto it = schemas_.find(std::string_view(event.type));
  if (it == schemas_.end()) {
    if (!strict_ || IsBuiltinEventType(event.type)) return Status::OK();
    return InvalidArgument("unknown event type '" + event.type +
                               "': add a schema under events.schemas or turn off events.strict",
                           "type");
  }
  // The Validator caches compiled `pattern` regexes; one per thread keeps that cache warm
  // without sharing mutable state between threads. Likewise the parser keeps its buffers.
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  thread_local dom::parser parser;
  const valijson::Schema& schema = it->second->schema;
  try {
    // Fast path: validate the simdjson DOM without a results sink (valijson stops at the
    // first failed constraint). Most events pass, so that is all they cost.
    std::string_view text = event.properties_json;
    if (text.empty()) text = "{}";
    dom::element root;
    if (parser.parse(text.data(), text.size(), true).get(root) == simdjson::SUCCESS &&
        validator.validate(schema, DomAdapter(root), nullptr)) {
      return Status::OK();
    }
    // Slow path (invalid events, or text simdjson refused): the nlohmann tree, whose
    // member order fixes which error is reported first and lets ContextToPath tell
    // array indexes from keys.
    Json instance = Json::parse(text.begin(), text.end());
    valijson::adapters::NlohmannJsonAdapter target(instance);
    if (validator.validate(schema, target, nullptr)) return Status::OK();
    valijson::ValidationResults results;
    validator.validate(schema, target, &results);
    const valijson::ValidationResults::Error* error = MostSpecific(results);
    if (error == nullptr) {
      return InvalidArgument("properties do not match the schema of '" + event.type + "'",
                             "properties");
    }
    return InvalidArgument(error->description + " (schema of event type '" + event.type + "')",
                           ContextToPath(error->context, instance));
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("properties is not valid JSON: ") + e.what(), "properties");
  } catch (const std::exception& e) {
    // e.g. std::regex_error from a `pattern` valijson compiles lazily.
    return InvalidArgument(
        "schema of event type '" + event.type + "' could not be evaluated: " + e.what(),
        SchemaPath(event.type));
  }
}

Status ValidateSchemaText(std::string_view type, std::string_view schema_json) {
  valijson::Schema schema;
  return CompileInto(type, schema_json, &schema);
}

}  // namespace tailor::ingest
