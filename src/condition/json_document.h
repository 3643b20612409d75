// JsonDocument: a Document over an nlohmann::json value (tools, tests, the CLI and admin
// paths). The hot path uses profile-backed Documents instead; see document.h.
//
// Thread safety: immutable view; safe to share while the viewed json is not mutated.
#pragma once

#include <nlohmann/json.hpp>

#include "condition/document.h"

namespace tailor::condition {

class JsonDocument final : public Document {
 public:
  // Views `root`, which must outlive this object and stay unchanged while it is used.
  explicit JsonDocument(const nlohmann::json& root) : root_(&root) {}

  // The node of `j`, a value inside any nlohmann tree: nodes are plain pointers, so one
  // JsonDocument can answer for nodes of several trees (composite documents).
  static Node NodeOf(const nlohmann::json& j) { return Node{reinterpret_cast<uintptr_t>(&j), 0}; }

  Node Root() const override;
  ValueKind Kind(Node n) const override;
  bool GetBool(Node n) const override;
  double GetNumber(Node n) const override;
  std::string_view GetString(Node n) const override;
  size_t Size(Node n) const override;
  Node ArrayAt(Node n, size_t i) const override;
  bool Find(Node object, std::string_view key, Node* out) const override;

 private:
  const nlohmann::json* root_;
};

}  // namespace tailor::condition
