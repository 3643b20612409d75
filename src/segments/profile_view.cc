#include "segments/profile_view.h"

#include "segments/profile_document.h"

namespace tailor::segments {

namespace {

using condition::Node;
using condition::ValueKind;

const Json& EmptyObject() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

Node N(const Json& j) { return condition::JsonDocument::NodeOf(j); }

}  // namespace

ProfileView::ProfileView(const profile::Profile& p, const profile::FeatureSet* features,
                         int64_t now_ms, const std::string* context_json)
    : p_(p), features_(features), now_ms_(now_ms), context_json_(context_json),
      json_(EmptyObject()) {
  segments_.reserve(p.segments.size());
  for (const auto& [name, at] : p.segments) segments_.push_back(&name);
  if (features_ != nullptr) features_read_.resize(features_->specs().size());
}

// The lazily built members mirror BuildProfileDocument member by member.
const Json& ProfileView::Traits() const {
  if (!traits_) {
    auto parsed = ParseJson(p_.traits_json);
    traits_ = parsed.ok() ? std::move(parsed).value() : Json::object();
  }
  return *traits_;
}

const Json& ProfileView::Consent() const {
  if (!consent_) {
    Json consent = Json::object();
    for (const auto& [purpose, st] : p_.consents) consent[purpose] = st.granted;
    consent_ = std::move(consent);
  }
  return *consent_;
}

const Json& ProfileView::ProfileFacts() const {
  if (!profile_facts_) {
    profile_facts_ = segments::ProfileFacts(p_, now_ms_);
  }
  return *profile_facts_;
}

const Json& ProfileView::Context() const {
  if (!context_) {
    context_ = Json::object();
    if (context_json_ != nullptr) {
      auto parsed = ParseJson(*context_json_);
      if (parsed.ok() && parsed->is_object()) context_ = std::move(parsed).value();
    }
  }
  return *context_;
}

// The same value as FeatureSet::ReadValue, as a node: JSON numbers read through
// JsonDocument::GetNumber as the double of the integer or double, which is what
// kFeatureNumber nodes give.
Node ProfileView::Feature(size_t i) const {
  FeatureSlot& slot = features_read_[i];
  if (!slot.read) {
    slot.read = true;
    using K = profile::FeatureSet::Scalar::Kind;
    auto scalar = features_->ReadScalar(i, p_.features, now_ms_);
    switch (scalar.kind) {
      case K::kInt:
        slot.is_number = true;
        slot.number = static_cast<double>(scalar.i);
        break;
      case K::kDouble:
        slot.is_number = true;
        slot.number = scalar.d;
        break;
      case K::kNull:
        break;  // json stays null: Node{} reads as null
      case K::kOther: {
        auto kind = features_->specs()[i].kind;
        if (kind == profile::FeatureKind::kFirst || kind == profile::FeatureKind::kLast) {
          slot.json = &features_->FirstLast(i, p_.features);
        } else if (kind == profile::FeatureKind::kRfm) {
          slot.json = &features_->RfmValue(i, p_.features, now_ms_);
        } else {
          built_.push_back(std::make_unique<Json>(features_->ReadValue(i, p_.features, now_ms_)));
          slot.json = built_.back().get();
        }
        break;
      }
    }
  }
  if (slot.is_number) return Node{i, kFeatureNumber};
  return slot.json != nullptr ? N(*slot.json) : Node{};
}

bool ProfileView::FeatureNumber(size_t i, double* out) const {
  Node n = Feature(i);
  if (n.b != kFeatureNumber) return false;
  *out = features_read_[i].number;
  return true;
}

ValueKind ProfileView::Kind(Node n) const {
  switch (n.b) {
    case kJson:
      // Node{} (what ArrayAt returns for a wrong-kind node) reads as null, never crashes.
      return n.a != 0 ? json_.Kind(n) : ValueKind::kNull;
    case kRoot:
    case kFeatures:
      return ValueKind::kObject;
    case kSegments:
      return ValueKind::kArray;
    case kSegmentName:
      return ValueKind::kString;
    case kFeatureNumber:
      return ValueKind::kNumber;
    default:
      return ValueKind::kNull;
  }
}

bool ProfileView::GetBool(Node n) const { return n.b == kJson && n.a != 0 && json_.GetBool(n); }

double ProfileView::GetNumber(Node n) const {
  if (n.b == kFeatureNumber) return n.a < features_read_.size() ? features_read_[n.a].number : 0;
  return n.b == kJson && n.a != 0 ? json_.GetNumber(n) : 0;
}

std::string_view ProfileView::GetString(Node n) const {
  if (n.b == kJson) return n.a != 0 ? json_.GetString(n) : std::string_view();
  if (n.b == kSegmentName && n.a < segments_.size()) return *segments_[n.a];
  return {};
}

size_t ProfileView::Size(Node n) const {
  switch (n.b) {
    case kJson:
      return n.a != 0 ? json_.Size(n) : 0;
    case kRoot:
      return 6;  // traits, features, consent, segments, profile, context
    case kFeatures:
      return features_ != nullptr ? features_->specs().size() : 0;
    case kSegments:
      return segments_.size();
    default:
      return 0;
  }
}

Node ProfileView::ArrayAt(Node n, size_t i) const {
  if (n.b == kJson) return n.a != 0 ? json_.ArrayAt(n, i) : Node{};
  if (n.b == kSegments) return Node{i, kSegmentName};
  return Node{};
}

bool ProfileView::Find(Node object, std::string_view key, Node* out) const {
  switch (object.b) {
    case kJson:
      return object.a != 0 && json_.Find(object, key, out);
    case kRoot:
      if (key == "traits") {
        *out = N(Traits());
      } else if (key == "features") {
        *out = Node{0, kFeatures};
      } else if (key == "segments") {
        *out = Node{0, kSegments};
      } else if (key == "consent") {
        *out = N(Consent());
      } else if (key == "profile") {
        *out = N(ProfileFacts());
      } else if (key == "context") {
        *out = N(Context());
      } else {
        return false;
      }
      return true;
    case kFeatures: {
      if (features_ == nullptr) return false;
      int i = features_->IndexOf(key);
      if (i < 0) return false;
      *out = Feature(static_cast<size_t>(i));
      return true;
    }
    default:
      return false;
  }
}

bool ProfileView::Lookup(Node start, std::span<const condition::PathSegment> path, Node* out) const {
  if (start.b != kRoot || path.empty()) return Document::Lookup(start, path, out);
  Node first;
  if (!Find(start, path[0].key, &first)) return false;
  if (first.b == kFeatures && path.size() >= 2) {  // "features.<name>...": one step more
    if (!Find(first, path[1].key, &first)) return false;
    path = path.subspan(1);
  }
  if (path.size() == 1) {
    *out = first;
    return true;
  }
  if (first.b == kJson) {
    if (first.a == 0) return false;  // a null feature: not a container
    return json_.Lookup(first, path.subspan(1), out);
  }
  return Document::Lookup(first, path.subspan(1), out);
}

}  // namespace tailor::segments
