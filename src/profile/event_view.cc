#include "profile/event_view.h"

#include <simdjson.h>

#include <cstring>

namespace tailor::profile {

namespace {

using condition::Node;
using condition::ValueKind;

// How an integer reads back as nlohmann types it.
enum class Num : uint8_t { kSigned, kUnsigned, kDouble };

}  // namespace

Json EventDocumentJson(std::string_view type, int64_t timestamp_ms, std::string_view session_id,
                       std::string_view properties_json, std::string_view context_json,
                       bool with_context) {
  Json doc = {{"type", type}, {"timestamp", timestamp_ms}, {"session_id", session_id}};
  auto raw = [&](const char* name, std::string_view text) {
    if (text.empty()) return;
    auto parsed = ParseJson(text);
    if (parsed.ok()) doc[name] = std::move(parsed).value();
  };
  raw("properties", properties_json);
  if (with_context) raw("context", context_json);
  return doc;
}

struct EventView::Value {
  ValueKind kind = ValueKind::kNull;
  Num num = Num::kSigned;
  bool boolean = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view s;
  uint32_t begin = 0;  // first member in members_ (arrays and objects)
  uint32_t count = 0;  // members
};

struct EventView::Parser {
  simdjson::dom::parser parser;
  std::string padded;  // the text plus SIMDJSON_PADDING bytes, reused

  simdjson::simdjson_result<simdjson::dom::element> Parse(std::string_view text) {
    if (padded.size() < text.size() + simdjson::SIMDJSON_PADDING) {
      padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded.data(), text.data(), text.size());
    std::memset(padded.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    return parser.parse(padded.data(), text.size(), /*realloc_if_needed=*/false);
  }
};

EventView::EventView()
    : properties_parser_(std::make_unique<Parser>()), context_parser_(std::make_unique<Parser>()) {}

EventView::~EventView() = default;

uint32_t EventView::NewValue() {
  values_.emplace_back();
  return static_cast<uint32_t>(values_.size() - 1);
}

// The members of container value `index`: `split` maps each entry of `range` to its
// (key, element); keys are empty for arrays.
template <typename Range, typename Split>
void EventView::AddChildren(uint32_t index, ValueKind kind, size_t size, Range& range,
                            Split split) {
  auto begin = static_cast<uint32_t>(members_.size());
  auto count = static_cast<uint32_t>(size);
  members_.resize(members_.size() + count);
  values_[index].kind = kind;
  values_[index].begin = begin;
  values_[index].count = count;
  uint32_t k = begin;
  for (auto entry : range) {  // members_ may grow (and move) while children are added
    auto [key, element] = split(entry);
    uint32_t child = Add(element);
    members_[k++] = Member{key, child};
  }
}

template <typename Element>
uint32_t EventView::Add(Element element) {
  using simdjson::dom::element_type;
  uint32_t index = NewValue();
  switch (element.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object object = element.get_object().value_unsafe();
      AddChildren(index, ValueKind::kObject, object.size(), object,
                  [](auto field) { return std::pair(field.key, field.value); });
      break;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array = element.get_array().value_unsafe();
      AddChildren(index, ValueKind::kArray, array.size(), array,
                  [](auto item) { return std::pair(std::string_view(), item); });
      break;
    }
    case element_type::STRING:
      values_[index].kind = ValueKind::kString;
      values_[index].s = element.get_string().value_unsafe();
      break;
    case element_type::INT64: {
      int64_t v = element.get_int64().value_unsafe();
      values_[index].kind = ValueKind::kNumber;
      values_[index].num = v < 0 ? Num::kSigned : Num::kUnsigned;  // nlohmann's typing
      values_[index].i = v;
      values_[index].u = static_cast<uint64_t>(v);
      break;
    }
    case element_type::UINT64:
      values_[index].kind = ValueKind::kNumber;
      values_[index].num = Num::kUnsigned;
      values_[index].u = element.get_uint64().value_unsafe();
      break;
    case element_type::DOUBLE:
      values_[index].kind = ValueKind::kNumber;
      values_[index].num = Num::kDouble;
      values_[index].d = element.get_double().value_unsafe();
      break;
    case element_type::BOOL:
      values_[index].kind = ValueKind::kBool;
      values_[index].boolean = element.get_bool().value_unsafe();
      break;
    case element_type::NULL_VALUE:
      break;
  }
  return index;
}

bool EventView::Reset(std::string_view type, int64_t timestamp_ms, std::string_view session_id,
                      std::string_view properties_json, std::string_view context_json,
                      bool with_context) {
  values_.clear();
  members_.clear();
  simdjson::dom::element properties, context;
  bool has_properties = !properties_json.empty();
  bool has_context = with_context && !context_json.empty();
  if (has_properties && properties_parser_->Parse(properties_json).get(properties)) return false;
  if (has_context && context_parser_->Parse(context_json).get(context)) return false;
  // The root {"type","timestamp","session_id","properties"?,"context"?}.
  uint32_t root = NewValue();
  uint32_t count = 3 + has_properties + has_context;
  members_.resize(count);
  values_[root].kind = ValueKind::kObject;
  values_[root].count = count;
  uint32_t v = NewValue();
  values_[v].kind = ValueKind::kString;
  values_[v].s = type;
  members_[0] = Member{"type", v};
  v = NewValue();
  values_[v].kind = ValueKind::kNumber;
  values_[v].num = Num::kSigned;  // Json(int64_t), whatever its sign
  values_[v].i = timestamp_ms;
  members_[1] = Member{"timestamp", v};
  v = NewValue();
  values_[v].kind = ValueKind::kString;
  values_[v].s = session_id;
  members_[2] = Member{"session_id", v};
  uint32_t k = 3;
  if (has_properties) {
    v = Add(properties);
    members_[k++] = Member{"properties", v};
  }
  if (has_context) {
    v = Add(context);
    members_[k++] = Member{"context", v};
  }
  return true;
}

Node EventView::Field(const std::vector<std::string>& steps) const {
  Node cur = Root();
  for (const std::string& step : steps) {
    if (Kind(cur) != ValueKind::kObject || !Find(cur, step, &cur)) return Node{};
  }
  return cur;
}

Json EventView::ToJson(Node n) const {
  const Value& v = values_[n.a - 1];
  switch (v.kind) {
    case ValueKind::kBool:
      return v.boolean;
    case ValueKind::kNumber:
      switch (v.num) {
        case Num::kSigned:
          return v.i;
        case Num::kUnsigned:
          return v.u;
        case Num::kDouble:
          return v.d;
      }
      return nullptr;
    case ValueKind::kString:
      return std::string(v.s);
    default:
      return nullptr;
  }
}

// Nodes: a = index in values_ + 1, so Node{} (a == 0) reads as null.
Node EventView::Root() const { return values_.empty() ? Node{} : Node{1, 0}; }

ValueKind EventView::Kind(Node n) const {
  return n.a != 0 && n.a <= values_.size() ? values_[n.a - 1].kind : ValueKind::kNull;
}

bool EventView::GetBool(Node n) const { return Kind(n) == ValueKind::kBool && values_[n.a - 1].boolean; }

double EventView::GetNumber(Node n) const {
  if (Kind(n) != ValueKind::kNumber) return 0;
  const Value& v = values_[n.a - 1];
  switch (v.num) {
    case Num::kSigned:
      return static_cast<double>(v.i);
    case Num::kUnsigned:
      return static_cast<double>(v.u);
    case Num::kDouble:
      return v.d;
  }
  return 0;
}

std::string_view EventView::GetString(Node n) const {
  return Kind(n) == ValueKind::kString ? values_[n.a - 1].s : std::string_view();
}

size_t EventView::Size(Node n) const {
  ValueKind kind = Kind(n);
  if (kind != ValueKind::kArray && kind != ValueKind::kObject) return 0;
  const Value& v = values_[n.a - 1];
  if (kind == ValueKind::kArray) return v.count;
  // Distinct keys, as the nlohmann object keeps them (rarely asked: quadratic is fine).
  size_t distinct = 0;
  for (uint32_t k = v.begin; k < v.begin + v.count; ++k) {
    bool repeated = false;
    for (uint32_t j = k + 1; j < v.begin + v.count && !repeated; ++j) {
      repeated = members_[j].key == members_[k].key;
    }
    distinct += !repeated;
  }
  return distinct;
}

Node EventView::ArrayAt(Node n, size_t i) const {
  if (Kind(n) != ValueKind::kArray || i >= values_[n.a - 1].count) return Node{};
  return Node{members_[values_[n.a - 1].begin + i].value + 1, 0};
}

bool EventView::Find(Node object, std::string_view key, Node* out) const {
  if (Kind(object) != ValueKind::kObject) return false;
  const Value& v = values_[object.a - 1];
  // The last of duplicate keys wins, as in the nlohmann document.
  for (uint32_t k = v.begin + v.count; k-- > v.begin;) {
    if (members_[k].key == key) {
      *out = Node{members_[k].value + 1, 0};
      return true;
    }
  }
  return false;
}

}  // namespace tailor::profile
