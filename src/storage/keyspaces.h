// Every keyspace Tailor stores, in one place (STYLE.md rule 9). Each keyspace is one
// RocksDB column family. Layouts are documented in docs/storage-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tailor::storage {

enum class Keyspace : uint8_t {
  kMeta = 0,      // format version, data-dir identity
  kApiKeys,       // sha256(key) -> API key record
  kConfig,        // config versions
  kProfiles,      // {pid} -> profile document
  kEvents,        // {pid} ts event_id -> event
  kIdentities,    // kind ':' external id -> pid
  kDedup,         // event_id -> pid (expires after the dedup window)
  kDeadLetters,   // ulid -> rejected event + reason (expires after retention)
  kJobs,          // job id -> job record
  kSegmentMembers,  // segment '\0' pid -> entered_at_ms (membership index)
  kSegmentSizes,    // segment '\0' big-endian ms -> member count (size history)
  kDecisions,       // decision_id (ULID) -> decision record (expires after retention)
  kDecisionOutcomes,  // decision_id '\0' event_id -> outcome event (expires likewise)
  kDecisionSnapshots,  // snapshot id (ULID) -> the profile document decisions read
  kCaps,            // {pid} -> impression times per cap key (frequency caps)
  kExpUnits,        // experiment '\0' unit -> exposure + per-unit metric values
  kExpProfiles,     // {pid} experiment -> unit (attribution by profile)
  kExpAggregates,   // experiment -> per-variation, per-metric sufficient statistics
  kExpSticky,       // attribute '\0' value '\0' experiment '\0' seed -> variation
  kItems,           // item id -> catalog entry (version byte + JSON)
  kModels,          // name '\0' 8-byte BE version -> version record; name '\1' -> live
                    // pointer; name '\2' version 4-byte BE chunk -> fitted model data
  kProfileJournal,  // 8-byte BE seq -> profiles whose stored form lags (write-behind)
  kCount,
};

struct KeyspaceInfo {
  std::string_view name;  // column family name, stable on disk
  // True when values carry an 8-byte write-time header so entries can expire (TTL).
  // Fixed per keyspace: the TTL *duration* is a setting, the header is a format fact.
  bool expires;
  // Keys start with a profile prefix "{pid}" (export / erase by range, Redis hash tag).
  bool profile_scoped;
};

inline constexpr std::array<KeyspaceInfo, static_cast<size_t>(Keyspace::kCount)> kKeyspaces = {{
    {"meta", false, false},
    {"api_keys", false, false},
    {"config", false, false},
    {"profiles", false, true},
    {"events", false, true},
    {"identities", false, false},
    {"dedup", true, false},
    {"dead_letters", true, false},
    {"jobs", false, false},
    {"segment_members", false, false},
    {"segment_sizes", false, false},
    {"decisions", true, false},
    {"decision_outcomes", true, false},
    {"decision_snapshots", true, false},
    {"caps", false, true},
    {"exp_units", false, false},
    {"exp_profiles", false, true},
    {"exp_aggregates", false, false},
    {"exp_sticky", false, false},
    {"items", false, false},
    {"models", false, false},
    {"profile_journal", false, false},
}};

inline constexpr const KeyspaceInfo& Info(Keyspace ks) {
  return kKeyspaces[static_cast<size_t>(ks)];
}

// Current on-disk format version, stored in meta under "format_version".
// 2: events are stored in binary (version 1 stored JSON, which is still read).
inline constexpr uint32_t kFormatVersion = 2;

}  // namespace tailor::storage
