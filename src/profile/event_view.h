// EventView: the event document features and `where` filters read,
//   {"type", "timestamp", "session_id", "properties", "context"}
// as a condition::Document over the event's JSON text, without building an nlohmann tree:
// the text is parsed with simdjson and its values are kept in flat buffers that the next
// event reuses (no allocation per event once they have grown).
//
// It answers as condition::JsonDocument over the nlohmann document ingest used to build
// (EventDocumentJson below; tested in event_view_test.cc), including for duplicate keys
// (the last one wins, and an object's size counts distinct keys) and numbers (integers
// read as nlohmann types them: non-negative ones unsigned, negative ones signed; only
// "-0" reads as an unsigned 0 where nlohmann has a signed one: same value, same text).
// Text simdjson rejects (integers beyond 64 bits, numbers out of range, nesting beyond
// its depth limit, invalid JSON) makes Reset fail: callers then use EventDocumentJson.
//
// Thread safety: not thread-safe; one per thread (ingest: one per batch).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "condition/document.h"
#include "core/json_doc.h"

namespace tailor::profile {

// The event document as JSON: `properties` and `context` are members when their text is
// non-empty and parses (context only when `with_context`).
Json EventDocumentJson(std::string_view type, int64_t timestamp_ms, std::string_view session_id,
                       std::string_view properties_json, std::string_view context_json,
                       bool with_context);

class EventView final : public condition::Document {
 public:
  EventView();
  ~EventView() override;
  EventView(const EventView&) = delete;
  EventView& operator=(const EventView&) = delete;

  // Views one event (the arguments of EventDocumentJson). The strings must stay alive
  // and unchanged until the next Reset. Returns false, viewing nothing, when simdjson
  // rejects the properties (or, `with_context`, the context) text.
  bool Reset(std::string_view type, int64_t timestamp_ms, std::string_view session_id,
             std::string_view properties_json, std::string_view context_json, bool with_context);

  // The value at a dot path split into steps ("properties.price" -> {"properties",
  // "price"}), entering objects only, as profile::LookupPath does on the JSON document;
  // Node{} (null, !Present) when absent.
  condition::Node Field(const std::vector<std::string>& steps) const;
  static bool Present(condition::Node n) { return n.a != 0; }
  // REQUIRES: Present(n) and n is not an array or object. The value as the nlohmann
  // document holds it (same type, so the same text when dumped).
  Json ToJson(condition::Node n) const;

  condition::Node Root() const override;
  condition::ValueKind Kind(condition::Node n) const override;
  bool GetBool(condition::Node n) const override;
  double GetNumber(condition::Node n) const override;
  std::string_view GetString(condition::Node n) const override;
  size_t Size(condition::Node n) const override;
  condition::Node ArrayAt(condition::Node n, size_t i) const override;
  bool Find(condition::Node object, std::string_view key, condition::Node* out) const override;

  // Parsed values: members of the simdjson parse (implementation detail, event_view.cc).
  struct Value;
  struct Member {
    std::string_view key;  // "" for array elements
    uint32_t value = 0;    // index in values_
  };

 private:
  struct Parser;  // a simdjson parser with its padded input buffer
  // Appends `element` (a simdjson::dom::element) and its children; returns its index.
  template <typename Element>
  uint32_t Add(Element element);
  template <typename Range, typename Split>
  void AddChildren(uint32_t index, condition::ValueKind kind, size_t size, Range& range,
                   Split split);
  uint32_t NewValue();

  std::unique_ptr<Parser> properties_parser_;
  std::unique_ptr<Parser> context_parser_;
  std::vector<Value> values_;    // [0] is the root object
  std::vector<Member> members_;  // object members and array elements, per container in order
};

}  // namespace tailor::profile
