// The `rate_limits` section: token buckets per API key (governance::RateLimitConfig).
#include <array>
#include <limits>

#include "config/sections.h"

namespace tailor::config {
namespace {

constexpr std::array<std::string_view, 2> kBucketFields = {"rate", "burst"};

void ParseBucket(const Value& value, const std::string& path, governance::BucketConfig* out,
                 ErrorList* errors) {
  if (!ExpectMap(value, path, errors, /*allow_null=*/false)) return;
  CheckKnownFields(value, path, kBucketFields, errors);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const auto& [name, member] : value.members) {
    if (name == "rate") ReadNumber(member, JoinPath(path, name), 0, kInf, errors, &out->rate_per_second);
    if (name == "burst") ReadNumber(member, JoinPath(path, name), 0, kInf, errors, &out->burst);
  }
}

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  governance::RateLimitConfig& out = snapshot->rate_limits;
  if (const Value* v = section.Get("default")) {
    ParseBucket(*v, "rate_limits.default", &out.default_bucket, errors);
  }
  for (const auto& [key_id, value] : section.Entries("keys")) {
    std::string path = JoinPath("rate_limits.keys", key_id);
    if (key_id.empty() || key_id.size() > 128) {
      errors->Add(*value, path, "API key id must be 1 to 128 characters");
      continue;
    }
    governance::BucketConfig bucket;
    ParseBucket(*value, path, &bucket, errors);
    out.per_key[key_id] = bucket;
  }
}

Json BucketJson(const governance::BucketConfig& b) {
  return Json{{"rate", b.rate_per_second}, {"burst", b.burst}};
}

Json Canonical(const ConfigSnapshot& snapshot) {
  Json keys = Json::object();
  for (const auto& [id, bucket] : snapshot.rate_limits.per_key) keys[id] = BucketJson(bucket);
  return Json{{"default", BucketJson(snapshot.rate_limits.default_bucket)}, {"keys", std::move(keys)}};
}

}  // namespace

SectionSpec RateLimitsSection() {
  return SectionSpec{"rate_limits", {{"default"}, {"keys", FieldKind::kCollection}}, &Parse, &Canonical};
}

}  // namespace tailor::config
