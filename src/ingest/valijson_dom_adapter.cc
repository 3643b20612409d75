#include "ingest/valijson_dom_adapter.h"

#include <cstdlib>

namespace tailor::ingest {

using Json = nlohmann::json;

// Converts an element to nlohmann (only for freeze(), which valijson does not call on
// validation targets; kept correct for completeness).
Json DomToNlohmann(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      Json a = Json::array();
      for (dom::element x : dom::array(e)) a.push_back(DomToNlohmann(x));
      return a;
    }
    case dom::element_type::OBJECT: {
      Json o = Json::object();
      for (dom::key_value_pair kv : dom::object(e)) o[std::string(kv.key)] = DomToNlohmann(kv.value);
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
dom::element EmptyDomObject() {
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


}  // namespace tailor::ingest
