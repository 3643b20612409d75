// Profile: everything Tailor knows about one person, keyed by a profile id (pid, a
// ULID). Identities (user ids, anonymous ids) resolve to a pid through identity/.
// Later issues add computed feature state, segment memberships and exposures.
//
// A Profile is a value; the ProfileStore owns the cached copies.
#pragma once

#include <boost/container/flat_map.hpp>
#include <boost/dynamic_bitset.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "profile/feature_state.h"

namespace tailor::profile {

struct ConsentState {
  bool granted = false;
  int64_t at_ms = 0;   // event timestamp of the consent decision
  std::string source;  // e.g. "banner", "settings page"; may be empty
};

struct Profile {
  std::string id;
  std::vector<std::string> user_ids;
  std::vector<std::string> anonymous_ids;
  std::string traits_json = "{}";  // object, merged from identify events
  std::map<std::string, ConsentState> consents;
  int64_t first_seen_ms = 0;  // earliest event timestamp
  int64_t last_seen_ms = 0;   // latest event timestamp
  int64_t created_at_ms = 0;  // server time
  int64_t updated_at_ms = 0;  // server time
  uint64_t event_count = 0;
  uint64_t session_count = 0;
  // Sessionization state (current session).
  std::string session_id;
  int64_t session_start_ms = 0;
  int64_t session_last_ms = 0;
  std::vector<std::string> merged_from;  // pids merged into this one
  // Computed feature states (features.h), by feature name.
  FeatureStates features;
  // Segments the profile is in, with the time it entered (server ms), as of the last
  // evaluation at ingest. Sorted by name in one array (a flat map) for the same reason as
  // FeatureStates: ingest walks it once per touched, cold profile.
  boost::container::flat_map<std::string, int64_t, std::less<>> segments;
  // `segments` as one flag per segment of the SegmentSet whose id() is segment_flags_of
  // (segments/segment_set.h), kept by ingest so that the next evaluation need not match
  // the stored names against the set's (a string compare per name, on a cold profile).
  // Valid only while segment_flags_of is the evaluating set's id: code that changes
  // `segments` other than through Pipeline::Batch::EvaluateSegments sets it to 0. Not
  // stored (a decoded profile starts without it).
  uint64_t segment_flags_of = 0;
  boost::dynamic_bitset<uint64_t> segment_flags;
  uint64_t version = 0;                  // incremented on every stored change
  // Journal sequence number of the last ingest batch folded in (write-behind: recovery
  // replays newer journal entries, ingest/profile_journal.h); 0 before any.
  uint64_t applied_seq = 0;

  // True when the profile has granted `purpose`.
  bool HasConsent(const std::string& purpose) const;
};

// Stored form (JSON). Decoding fails with kCorruption.
std::string EncodeProfile(const Profile& p);
Result<Profile> DecodeProfile(std::string_view json);

// The API form: {"id","identities":{"user_ids","anonymous_ids"},"traits","consents",
// "first_seen","last_seen","event_count","session_count",...}.
std::string ProfileToApiJson(const Profile& p);

// Merges `patch_json` (an object) into `*traits_json` key by key (a null value removes
// the key, nested objects merge). Fails with kInvalidArgument if patch is no object.
Status MergeTraits(std::string* traits_json, std::string_view patch_json);

// Folds `from` into `into`: identities, traits (into wins on conflict), consents (newer
// wins), counts and seen times.
void MergeProfileInto(const Profile& from, Profile* into);

}  // namespace tailor::profile
