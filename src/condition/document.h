// A read-only view of the data a condition is evaluated against.
//
// The evaluator never builds a JSON DOM: it walks whatever the caller already has (an
// nlohmann::json for tools and tests, later the in-memory profile) through this small
// interface. A Document hands out opaque Node handles; what a handle means is private to
// the Document (a pointer, an index, a pointer plus an index ...). Handles stay valid as
// long as the Document and the data it views are alive and unchanged.
//
// Contract for implementations: every method is const, must not allocate on the heap (it
// runs on the decision hot path) and must not throw. Methods that take a Node of the wrong
// kind may return anything but must not crash (the evaluator checks Kind() first).
//
// Thread safety: the evaluator only calls const methods; a Document whose data is not
// mutated concurrently may be shared by threads if its implementation has no hidden
// mutable state (JsonDocument has none).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tailor::condition {

// The JSON data model. Numbers are doubles, as in the GrowthBook SDKs (JavaScript).
enum class ValueKind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// Opaque handle to one value inside a Document. Two machine words so adapters can encode a
// container pointer plus a position without allocating.
struct Node {
  uintptr_t a = 0;
  uintptr_t b = 0;
};

// One step of a pre-split attribute path ("a.b.0" -> "a", "b", "0"). `index` is the step
// parsed as a canonical array index ("0", "17"; not "01" or "-1"), or -1 when it is not one,
// so arrays can be indexed without parsing on the hot path (JavaScript's `"0" in array`).
struct PathSegment {
  std::string_view key;
  int64_t index = -1;
};

// A process-wide number for an attribute path's text, from 1 (compiled conditions carry
// it so documents can remember lookups, Document::LookupFromRoot). Thread-safe; the
// numbers of all distinct texts ever compiled are kept (configs hold a bounded set).
uint32_t InternPath(std::string_view text);

class Document {
 public:
  virtual ~Document() = default;

  // The top-level value (normally an object of attributes).
  virtual Node Root() const = 0;

  virtual ValueKind Kind(Node n) const = 0;
  // REQUIRES: Kind(n) == kBool / kNumber / kString respectively.
  virtual bool GetBool(Node n) const = 0;
  virtual double GetNumber(Node n) const = 0;
  // The view stays valid as long as the Document's data.
  virtual std::string_view GetString(Node n) const = 0;

  // Element count of an array, member count of an object, 0 otherwise.
  virtual size_t Size(Node n) const = 0;
  // REQUIRES: Kind(n) == kArray and i < Size(n).
  virtual Node ArrayAt(Node n, size_t i) const = 0;
  // REQUIRES: Kind(n) == kObject. Returns false when `key` is not a member.
  virtual bool Find(Node object, std::string_view key, Node* out) const = 0;

  // Resolves a pre-split path from `start`: objects are entered by member name, arrays by
  // index. Returns false when a step is missing or the value is not a container (the
  // condition then sees null). Adapters may override it to resolve whole paths faster
  // (e.g. a profile mapping "traits.country" straight to a field); the override must give
  // the same answer as this default.
  virtual bool Lookup(Node start, std::span<const PathSegment> path, Node* out) const;
  // Lookup(Root(), path, out) for a path the compiler numbered `path_id` (InternPath:
  // equal texts, equal ids; 0 for an unnumbered path). A document that answers several
  // conditions over the same paths (the rules of a placement all reading "segments")
  // may remember answers per id; it must give Lookup's answer.
  virtual bool LookupFromRoot(uint32_t path_id, std::span<const PathSegment> path, Node* out) const {
    (void)path_id;
    return Lookup(Root(), path, out);
  }
  // True when the array `array` has an element that is the string `s`: what
  // `{"$elemMatch": {"$eq": s}}` asks for a non-empty `s` (rules testing segment
  // membership). REQUIRES: Kind(array) == kArray. The default walks the elements;
  // adapters may override it with a tighter loop, giving the same answer.
  virtual bool ArrayHasString(Node array, std::string_view s) const;
};

// A Document plus one of its nodes: what operators receive. Cheap to copy.
class Value {
 public:
  Value(const Document* doc, Node node) : doc_(doc), node_(node) {}
  // A missing value: behaves as JSON null, like the SDKs' `getPath` result.
  static Value Missing(const Document* doc) { return Value(doc, Node{}, true); }

  ValueKind kind() const { return missing_ ? ValueKind::kNull : doc_->Kind(node_); }
  bool missing() const { return missing_; }
  bool GetBool() const { return doc_->GetBool(node_); }
  double GetNumber() const { return doc_->GetNumber(node_); }
  std::string_view GetString() const { return doc_->GetString(node_); }
  size_t size() const { return missing_ ? 0 : doc_->Size(node_); }
  Value At(size_t i) const { return Value(doc_, doc_->ArrayAt(node_, i)); }
  bool Find(std::string_view key, Value* out) const {
    Node n;
    if (missing_ || !doc_->Find(node_, key, &n)) return false;
    *out = Value(doc_, n);
    return true;
  }
  const Document* document() const { return doc_; }
  Node node() const { return node_; }

 private:
  Value(const Document* doc, Node node, bool missing) : doc_(doc), node_(node), missing_(missing) {}
  const Document* doc_;
  Node node_;
  bool missing_ = false;
};

}  // namespace tailor::condition
