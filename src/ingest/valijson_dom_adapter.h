// DomAdapter: a read-only valijson adapter over a simdjson DOM.
//
// Validate() runs for every event with a schema; building an nlohmann tree per event
// cost as much as the validation itself. This adapter lets valijson walk the simdjson
// tape directly. It mirrors valijson's NlohmannJsonAdapter (strict types; int64 and
// uint64 are integers, the rest of the numbers doubles), so a document is valid here
// exactly when it is valid through the nlohmann adapter, with one exception: simdjson
// keeps duplicate object keys (nlohmann keeps the last). With duplicates, `properties`
// and `required` see the first occurrence here, and min/maxProperties and
// `additionalProperties: false` count every occurrence. Errors are always reported
// through the nlohmann path (see SchemaRegistry::Validate), so messages and paths do not
// depend on the adapter.
//
// Internal to the ingest module: schema_registry.cc, and the tests that hold
// SchemaProgram to valijson's verdicts.
//
// Thread safety: adapters are read-only views; any number of threads may use adapters
// over one document. Elements are views into the parser's tape: an adapter must not
// outlive the parse.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <iterator>
#include <string>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>

namespace tailor::ingest {

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
nlohmann::json DomToNlohmann(dom::element e);

// valijson default-constructs adapters and reads them as an empty object.
dom::element EmptyDomObject();

class DomValue {
 public:
  DomValue() : element_(EmptyDomObject()) {}
  explicit DomValue(dom::element e) : element_(e) {}

  valijson::adapters::FrozenValue* freeze() const {
    return new valijson::adapters::NlohmannJsonFrozenValue(DomToNlohmann(element_));
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
// The position logic is shared; each iterator adds what it dereferences to.
template <typename Derived, typename Container>
class DomIndexedIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;

  DomIndexedIterator(Container container, typename Container::iterator it, size_t index)
      : container_(container), it_(it), index_(index) {}
  bool operator==(const Derived& other) const { return index_ == other.index_; }
  bool operator!=(const Derived& other) const { return index_ != other.index_; }
  const Derived& operator++() {
    ++it_;
    ++index_;
    return self();
  }
  Derived operator++(int) {
    Derived pre = self();
    ++*this;
    return pre;
  }
  const Derived& operator--() {
    Seek(index_ - 1);
    return self();
  }
  void advance(std::ptrdiff_t n) { Seek(static_cast<size_t>(static_cast<std::ptrdiff_t>(index_) + n)); }

 protected:
  typename Container::iterator it_;

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
  void Seek(size_t index) {
    it_ = container_.begin();
    for (index_ = 0; index_ < index && it_ != container_.end(); ++index_) ++it_;
  }

  Container container_;
  size_t index_;
};

class DomArrayIterator : public DomIndexedIterator<DomArrayIterator, dom::array> {
 public:
  using value_type = DomAdapter;
  using difference_type = DomAdapter;
  using pointer = DomAdapter*;
  using reference = DomAdapter&;
  using DomIndexedIterator::DomIndexedIterator;

  DomAdapter operator*() const { return DomAdapter(*it_); }
  valijson::adapters::DerefProxy<DomAdapter> operator->() const {
    return valijson::adapters::DerefProxy<DomAdapter>(**this);
  }
};

class DomObjectIterator : public DomIndexedIterator<DomObjectIterator, dom::object> {
 public:
  using value_type = DomObjectMember;
  using difference_type = DomObjectMember;
  using pointer = DomObjectMember*;
  using reference = DomObjectMember&;
  using DomIndexedIterator::DomIndexedIterator;

  DomObjectMember operator*() const { return {std::string(it_.key()), DomAdapter(it_.value())}; }
  valijson::adapters::DerefProxy<DomObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<DomObjectMember>(**this);
  }
};

}  // namespace tailor::ingest
