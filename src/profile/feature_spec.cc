#include "profile/feature_spec.h"

#include <array>

#include "core/time_util.h"

namespace tailor::profile {

namespace {

constexpr std::array<std::pair<FeatureKind, std::string_view>, 16> kKinds = {{
    {FeatureKind::kCount, "count"},
    {FeatureKind::kSum, "sum"},
    {FeatureKind::kAvg, "avg"},
    {FeatureKind::kMin, "min"},
    {FeatureKind::kMax, "max"},
    {FeatureKind::kFirst, "first"},
    {FeatureKind::kLast, "last"},
    {FeatureKind::kDistinctCount, "distinct_count"},
    {FeatureKind::kRecency, "recency"},
    {FeatureKind::kDecayedScore, "decayed_score"},
    {FeatureKind::kDecayedTop, "decayed_top"},
    {FeatureKind::kSessions, "sessions"},
    {FeatureKind::kPagesPerSession, "pages_per_session"},
    {FeatureKind::kAvgDwell, "avg_dwell"},
    {FeatureKind::kRfm, "rfm"},
    {FeatureKind::kNegative, "negative"},
}};

}  // namespace

std::optional<FeatureKind> ParseFeatureKind(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view FeatureKindName(FeatureKind kind) {
  for (const auto& [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "unknown";
}

std::vector<std::string_view> AllFeatureKindNames() {
  std::vector<std::string_view> out;
  for (const auto& [k, n] : kKinds) out.push_back(n);
  return out;
}

bool KindNeedsField(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kSum: case FeatureKind::kAvg: case FeatureKind::kMin:
    case FeatureKind::kMax: case FeatureKind::kFirst: case FeatureKind::kLast:
    case FeatureKind::kDistinctCount: case FeatureKind::kDecayedTop: case FeatureKind::kRfm:
    case FeatureKind::kNegative:
      return true;
    default:
      return false;
  }
}

bool KindUsesWindow(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kCount: case FeatureKind::kSum: case FeatureKind::kAvg:
    case FeatureKind::kMin: case FeatureKind::kMax: case FeatureKind::kDistinctCount:
    case FeatureKind::kSessions: case FeatureKind::kPagesPerSession:
    case FeatureKind::kAvgDwell: case FeatureKind::kRfm: case FeatureKind::kNegative:
      return true;
    default:
      return false;
  }
}

Json FeatureSpec::Canonical() const {
  Json j = {{"type", FeatureKindName(kind)}, {"events", events}, {"field", field},
            {"window_ms", window_ms}, {"where", where_json}};
  if (kind == FeatureKind::kDecayedScore || kind == FeatureKind::kDecayedTop) {
    j["half_life_ms"] = half_life_ms;
    j["weights"] = weights;
  }
  if (kind == FeatureKind::kDecayedTop) j["top"] = top;
  if (kind == FeatureKind::kRfm) {
    j["rfm"] = {rfm_recency_days, rfm_frequency, rfm_monetary};
  }
  j["max_tracked"] = max_tracked;
  return j;
}

Status FeatureSpec::Validate() const {
  std::string base = "features." + name;
  if (KindNeedsField(kind) && field.empty()) {
    return InvalidArgument("feature type " + std::string(FeatureKindName(kind)) +
                               " needs `field` (e.g. properties.revenue)",
                           base + ".field");
  }
  if (window_ms < 0) return InvalidArgument("must not be negative", base + ".window");
  if (half_life_ms <= 0) return InvalidArgument("must be positive", base + ".half_life");
  if (top < 1 || top > 100) return InvalidArgument("must be between 1 and 100", base + ".top");
  if (max_tracked < 1 || max_tracked > 10'000) {
    return InvalidArgument("must be between 1 and 10000", base + ".max_tracked");
  }
  for (const auto* cuts : {&rfm_recency_days, &rfm_frequency, &rfm_monetary}) {
    if (cuts->size() != 4) return InvalidArgument("needs 4 ascending cut points", base + ".thresholds");
    for (size_t i = 1; i < cuts->size(); ++i) {
      if ((*cuts)[i] < (*cuts)[i - 1]) {
        return InvalidArgument("cut points must be ascending", base + ".thresholds");
      }
    }
  }
  return Status::OK();
}

}  // namespace tailor::profile
