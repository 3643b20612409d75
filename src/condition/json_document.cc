#include "condition/json_document.h"

namespace tailor::condition {

namespace {

using Json = nlohmann::json;

const Json& J(Node n) { return *reinterpret_cast<const Json*>(n.a); }
Node N(const Json& j) { return Node{reinterpret_cast<uintptr_t>(&j), 0}; }

}  // namespace

Node JsonDocument::Root() const { return N(*root_); }

ValueKind JsonDocument::Kind(Node n) const {
  switch (J(n).type()) {
    case Json::value_t::boolean:
      return ValueKind::kBool;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return ValueKind::kNumber;
    case Json::value_t::string:
      return ValueKind::kString;
    case Json::value_t::array:
      return ValueKind::kArray;
    case Json::value_t::object:
      return ValueKind::kObject;
    default:
      return ValueKind::kNull;  // null, discarded, binary
  }
}

bool JsonDocument::GetBool(Node n) const { return J(n).get_ref<const Json::boolean_t&>(); }

double JsonDocument::GetNumber(Node n) const {
  const Json& j = J(n);
  switch (j.type()) {
    case Json::value_t::number_integer:
      return static_cast<double>(j.get_ref<const Json::number_integer_t&>());
    case Json::value_t::number_unsigned:
      return static_cast<double>(j.get_ref<const Json::number_unsigned_t&>());
    case Json::value_t::number_float:
      return j.get_ref<const Json::number_float_t&>();
    default:
      return 0;
  }
}

std::string_view JsonDocument::GetString(Node n) const {
  const Json& j = J(n);
  if (!j.is_string()) return {};
  return j.get_ref<const Json::string_t&>();
}

size_t JsonDocument::Size(Node n) const {
  const Json& j = J(n);
  return j.is_array() || j.is_object() ? j.size() : 0;
}

Node JsonDocument::ArrayAt(Node n, size_t i) const {
  return N(J(n).get_ref<const Json::array_t&>()[i]);
}

bool JsonDocument::Find(Node object, std::string_view key, Node* out) const {
  const Json& j = J(object);
  if (!j.is_object()) return false;
  // object_t is std::map<std::string, json, std::less<>>: heterogeneous lookup, no copy.
  const auto& obj = j.get_ref<const Json::object_t&>();
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  *out = N(it->second);
  return true;
}

}  // namespace tailor::condition
