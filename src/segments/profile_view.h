// ProfileView: the profile document of profile_document.h as a condition::Document over a
// Profile, without building that document as JSON. Conditions evaluated over a view give
// the same answers as over BuildProfileDocument(p, features, now_ms, context) (tested in
// profile_view_test.cc); ingest uses it to re-evaluate segments per event.
//
//   traits    parsed from Profile::traits_json on first access ({} when unparsable)
//   features  an object of every feature; a member is read as of `now_ms` on first
//             access, so unread features cost nothing. Numbers and nulls are kept as
//             such (FeatureSet::ReadScalar), first/last values are read in place
//             (FeatureSet::FirstLast); only arrays and objects (negative, decayed_top,
//             rfm) are built as JSON (FeatureSet::ReadValue)
//   consent   {purpose: granted}, built on first access
//   segments  the names set with SetSegments (initially the profile's stored membership)
//   profile   {"event_count", ...} as in BuildProfileDocument, built on first access
//   context   parsed from the context JSON on first access ({} when absent, unparsable or
//             not an object)
//
// Allocation: unlike the Document contract's general rule, the first access to one of the
// lazily built values above allocates it (once per view); later accesses do not allocate.
//
// Thread safety: not thread-safe (the lazily built values are cached in the view). Use one
// view per thread and evaluation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "condition/document.h"
#include "condition/json_document.h"
#include "core/json_doc.h"
#include "profile/features.h"
#include "profile/profile.h"

namespace tailor::segments {

class ProfileView final : public condition::Document {
 public:
  // Views `p` as of `now_ms`. `features` may be null (no features configured);
  // `context_json` may be null (no context). Everything must outlive the view and stay
  // unchanged while it is used.
  ProfileView(const profile::Profile& p, const profile::FeatureSet* features, int64_t now_ms,
              const std::string* context_json);

  const profile::Profile& profile() const { return p_; }
  const profile::FeatureSet* features() const { return features_; }

  // Feature `i`'s value when it reads as a number (what Find gives for
  // "features.<name>": a kNumber node), in *out; false when it reads as anything else.
  // Read once per view, like Find. REQUIRES: features() not null, i < its specs().size().
  bool FeatureNumber(size_t i, double* out) const;

  // Replaces the `segments` array with `names` (pointers must outlive the view).
  void SetSegments(const std::vector<const std::string*>& names) {
    segments_.assign(names.begin(), names.end());
  }

  condition::Node Root() const override { return condition::Node{0, kRoot}; }
  condition::ValueKind Kind(condition::Node n) const override;
  bool GetBool(condition::Node n) const override;
  double GetNumber(condition::Node n) const override;
  std::string_view GetString(condition::Node n) const override;
  size_t Size(condition::Node n) const override;
  condition::Node ArrayAt(condition::Node n, size_t i) const override;
  bool Find(condition::Node object, std::string_view key, condition::Node* out) const override;
  // From the root, resolves the first step without the generic walk (conditions mostly
  // read "features.<name>" and "traits.<key>"); same answers as Document::Lookup.
  bool Lookup(condition::Node start, std::span<const condition::PathSegment> path,
              condition::Node* out) const override;

 private:
  // Node::b: what the node is. kJson nodes are JsonDocument nodes (Node::a = const Json*);
  // kFeatureNumber: Node::a = feature index, the number in features_read_.
  enum Tag : uintptr_t { kJson = 0, kRoot, kFeatures, kSegments, kSegmentName, kFeatureNumber };

  // One feature's value once read: a number, or a Json (null included) held by the
  // profile, a static, or built_.
  struct FeatureSlot {
    bool read = false;
    bool is_number = false;
    double number = 0;
    const Json* json = nullptr;
  };

  const Json& Traits() const;
  const Json& Consent() const;
  const Json& ProfileFacts() const;
  const Json& Context() const;
  condition::Node Feature(size_t i) const;

  const profile::Profile& p_;
  const profile::FeatureSet* features_;
  int64_t now_ms_;
  const std::string* context_json_;
  std::vector<const std::string*> segments_;
  condition::JsonDocument json_;  // answers for kJson nodes
  mutable std::optional<Json> traits_, consent_, profile_facts_, context_;
  mutable std::vector<FeatureSlot> features_read_;  // sized once: nodes stay valid
  mutable std::vector<std::unique_ptr<Json>> built_;  // arrays and objects read so far
};

}  // namespace tailor::segments
