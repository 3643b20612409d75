// The profile document conditions see (segments now; rules and targeting later):
//   {"traits": {...}, "features": {name: value as of now}, "segments": [names],
//    "consent": {purpose: true|false}, "profile": {"event_count", "session_count",
//    "first_seen_ms", "last_seen_ms", "created_at_ms"}, "context": {...}}
#pragma once

#include "core/json_doc.h"
#include "profile/features.h"
#include "profile/profile.h"

namespace tailor::segments {

// Builds the document for `p` as of `now_ms`. `features` may be null (no features
// configured); `context` may be null (no request/event context). `segments` is filled
// with the stored membership; SegmentSet::Evaluate replaces it.
Json BuildProfileDocument(const profile::Profile& p, const profile::FeatureSet* features,
                          int64_t now_ms, const Json* context);

// The document's "profile" object for `p` as of `now_ms` (also served by ProfileView).
Json ProfileFacts(const profile::Profile& p, int64_t now_ms);

}  // namespace tailor::segments
