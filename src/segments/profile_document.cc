#include "segments/profile_document.h"

namespace tailor::segments {

Json ProfileFacts(const profile::Profile& p, int64_t now_ms) {
  return {{"event_count", p.event_count},
          {"session_count", p.session_count},
          {"first_seen_ms", p.first_seen_ms},
          {"last_seen_ms", p.last_seen_ms},
          {"created_at_ms", p.created_at_ms},
          {"days_since_last_seen",
           p.event_count ? static_cast<double>(now_ms - p.last_seen_ms) / 86'400'000.0 : 0.0}};
}

Json BuildProfileDocument(const profile::Profile& p, const profile::FeatureSet* features,
                          int64_t now_ms, const Json* context) {
  Json doc = Json::object();
  auto traits = ParseJson(p.traits_json);
  doc["traits"] = traits.ok() ? std::move(traits).value() : Json::object();
  doc["features"] = features ? features->Read(p.features, now_ms) : Json::object();
  Json consent = Json::object();
  for (const auto& [purpose, st] : p.consents) consent[purpose] = st.granted;
  doc["consent"] = std::move(consent);
  Json segs = Json::array();
  for (const auto& [name, at] : p.segments) segs.push_back(name);
  doc["segments"] = std::move(segs);
  doc["profile"] = ProfileFacts(p, now_ms);
  doc["context"] = context && context->is_object() ? *context : Json::object();
  return doc;
}

}  // namespace tailor::segments
