// IngestConfig: the `events`, `sessions` and `consent` sections of the configuration,
// as the ingest pipeline consumes them. Parsed from YAML by config/, validated there.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tailor::ingest {

struct IngestConfig {
  // Reject event types that have no schema (default: accept them, so a new user can
  // start without any config).
  bool strict = false;
  // Events older than this (client timestamp vs. server time) are rejected.
  int64_t max_age_ms = 400LL * 86'400'000;
  // Events more than this in the future are rejected.
  int64_t max_future_skew_ms = 10LL * 60'000;
  // An event_id seen within this window is a duplicate.
  int64_t dedup_window_ms = 7LL * 86'400'000;
  // A gap of inactivity longer than this starts a new session.
  int64_t session_gap_ms = 30LL * 60'000;
  // Event type -> JSON Schema (draft 7) for `properties`, as compact JSON text.
  std::map<std::string, std::string> schemas;
  // Event type -> fraction of users kept, in [0, 1]; deterministic by user.
  std::map<std::string, double> sampling;
  // Declared consent purposes (consent events may only name these).
  std::vector<std::string> consent_purposes = {"analytics", "personalization", "marketing"};
  // When non-empty, events of a profile that has not granted this purpose are counted
  // and dropped, never stored.
  std::string storage_purpose;
};

}  // namespace tailor::ingest
