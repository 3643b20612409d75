// DeadLetterStore: rejected events with the reason, so nothing a client sent is
// silently lost. Entries expire after the dead-letter retention (a storage setting).
// Replay (after a schema fix) lives in the pipeline, which re-ingests the raw JSON.
//
// Thread safety: safe for concurrent use (stateless over the KvStore).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "ingest/event.h"
#include "storage/kv_store.h"

namespace tailor::ingest {

struct DeadLetter {
  std::string id;           // ULID, sorts by time of rejection
  int64_t received_at_ms = 0;
  std::string source;       // API key id, "import", "replay"
  size_t index = 0;         // position in the original batch
  std::string event_id;     // when readable
  std::string code;         // status code name
  std::string message;
  std::string path;
  std::string raw_json;     // the event as the client sent it (one JSON object)
};

class DeadLetterStore {
 public:
  DeadLetterStore(storage::KvStore& store, const Clock& clock, Random& random)
      : store_(store), clock_(clock), random_(random) {}

  // Adds a dead letter for `raw_json` rejected with `error` to `batch`.
  void Stage(std::string_view raw_json, const Status& error, size_t index,
             std::string_view event_id, std::string_view source, storage::WriteBatch* batch);

  // Oldest first, starting after `after_id` (exclusive) when given.
  Result<std::vector<DeadLetter>> List(size_t limit, std::string_view after_id = {});

  Result<std::optional<DeadLetter>> Get(std::string_view id);

  static void StageDelete(std::string_view id, storage::WriteBatch* batch);

 private:
  storage::KvStore& store_;
  const Clock& clock_;
  Random& random_;
};

// The event in the shape a client sends it (for dead letters of events that decoded
// but failed later checks): event_id, type, user_id, anonymous_id, timestamp (epoch
// ms), decision_id, context, properties, traits, consent.
std::string EncodeWireEventJson(const Event& e);

std::string DeadLetterToJson(const DeadLetter& d);

}  // namespace tailor::ingest
