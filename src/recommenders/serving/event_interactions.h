// Interactions from Tailor's own event store: what a model trains on inside the server
// and in `tailor train`, and a user's recent history at serving time (fold-in and
// exclusion of seen items).
//
// An event counts when its type has a weight in the model's `events` and its
// properties carry the item id (`item_property`, default "item_id", a string or a
// number). The user is the profile the event is stored under, so anonymous and identified
// activity of one person train as one user after a merge.
//
// Thread safety: pure functions over thread-safe stores.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "profile/profile_store.h"
#include "recommenders/interactions.h"
#include "recommenders/recommender.h"
#include "recommenders/serving/rec_config.h"
#include "storage/kv_store.h"

namespace tailor::recommenders {

struct EventInteraction {
  std::string item;
  float weight = 0;
  int64_t timestamp_ms = 0;
};

// The interaction a stored event (either form ingest::DecodeStoredEvent reads)
// contributes, or nullopt when it does not count (type without weight, no item id,
// undecodable).
std::optional<EventInteraction> InteractionOf(std::string_view stored_event, const ModelSpec& spec);

struct EventScanStats {
  uint64_t events = 0;        // events read
  uint64_t interactions = 0;  // events that counted
  uint64_t profiles = 0;      // distinct profiles with an interaction
};

// Every counting event of every profile, as raw rows (user = pid, timestamps in seconds,
// value = the event type's weight). `progress` gets ("read events", fraction unknown=0).
Result<RawInteractions> ReadInteractions(storage::KvStore& store, const ModelSpec& spec,
                                         EventScanStats* stats = nullptr);

// The options that turn those rows into a training matrix (decay from the spec).
InteractionOptions InteractionOptionsFor(const ModelSpec& spec);

// A user's history: counting events among their newest `spec.history_events`, oldest
// first, repeated items merged (weights summed, position of the newest kept).
struct History {
  std::vector<std::string> items;
  std::vector<float> weights;
};
Result<History> ReadHistory(profile::ProfileStore& profiles, const std::string& pid,
                            const ModelSpec& spec);

}  // namespace tailor::recommenders
