#include "recommenders/serving/event_interactions.h"

#include <unordered_map>

#include "ingest/event.h"
#include "storage/key_codec.h"

namespace tailor::recommenders {

std::optional<EventInteraction> InteractionOf(std::string_view stored, const ModelSpec& spec) {
  auto e = ingest::DecodeStoredEvent(stored);
  if (!e.ok()) return std::nullopt;
  auto w = spec.event_weights.find(e->type);
  if (w == spec.event_weights.end() || e->properties_json.empty()) return std::nullopt;
  Json props = Json::parse(e->properties_json, nullptr, /*allow_exceptions=*/false);
  if (!props.is_object()) return std::nullopt;
  auto it = props.find(spec.item_property);
  if (it == props.end()) return std::nullopt;
  EventInteraction out;
  if (it->is_string())
    out.item = it->get<std::string>();
  else if (it->is_number_integer())
    out.item = it->dump();
  else
    return std::nullopt;
  if (out.item.empty()) return std::nullopt;
  out.weight = static_cast<float>(w->second);
  out.timestamp_ms = e->timestamp_ms;
  return out;
}

InteractionOptions InteractionOptionsFor(const ModelSpec& spec) {
  InteractionOptions o;
  o.event_weights.clear();
  for (const auto& [type, w] : spec.event_weights) o.event_weights[type] = w;
  o.decay_half_life_seconds = spec.decay_half_life_seconds;
  return o;
}

Result<RawInteractions> ReadInteractions(storage::KvStore& store, const ModelSpec& spec,
                                         EventScanStats* stats) {
  RawInteractions raw;
  raw.has_timestamps = true;
  raw.has_values = true;
  EventScanStats local;
  std::string last_pid;
  auto it = store.NewIterator(storage::Keyspace::kEvents, "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++local.events;
    auto key = storage::DecodeEventKey(it->key());
    if (!key) return Corruption("malformed event key");
    auto x = InteractionOf(it->value(), spec);
    if (!x) continue;
    ++local.interactions;
    if (key->pid != last_pid) {
      last_pid = std::string(key->pid);
      ++local.profiles;
    }
    // Zero weights are legal in config (an event that only marks "seen").
    if (x->weight <= 0) continue;
    raw.Add(key->pid, x->item, x->weight, x->timestamp_ms / 1000);
  }
  TAILOR_RETURN_IF_ERROR(it->status());
  if (stats) *stats = local;
  return raw;
}

Result<History> ReadHistory(profile::ProfileStore& profiles, const std::string& pid,
                            const ModelSpec& spec) {
  TAILOR_ASSIGN_OR_RETURN(
      auto page, profiles.Events(pid, static_cast<size_t>(spec.history_events), std::nullopt));
  History h;
  std::unordered_map<std::string, size_t> where;
  // Newest first: the first time an item appears is its newest position.
  for (const std::string& stored : page.stored) {
    auto x = InteractionOf(stored, spec);
    if (!x) continue;
    auto [it, inserted] = where.emplace(x->item, h.items.size());
    if (inserted) {
      h.items.push_back(std::move(x->item));
      h.weights.push_back(x->weight);
    } else {
      h.weights[it->second] += x->weight;
    }
  }
  std::reverse(h.items.begin(), h.items.end());
  std::reverse(h.weights.begin(), h.weights.end());
  return h;
}

}  // namespace tailor::recommenders
