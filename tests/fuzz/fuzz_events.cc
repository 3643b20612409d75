// libFuzzer target for the ingest decoder: arbitrary bytes go to DecodeBatch; every event
// it accepts must survive both stored forms (EncodeStoredEvent, EncodeEventJson) ->
// DecodeStoredEvent unchanged; and the bytes themselves, read as a stored value, must
// decode or fail cleanly, and every
// rejected element must carry a parsable raw_json for the dead-letter store.
//
//   cmake -DTAILOR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; ./fuzz_events corpus/events
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/event.h"
#include "ingest/event_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tailor::ingest::DecodeBatch;
  using tailor::ingest::DecodedBatch;
  using tailor::ingest::DecodeOptions;
  using tailor::ingest::DecodeStoredEvent;
  using tailor::ingest::EncodeEventJson;
  using tailor::ingest::EncodeStoredEvent;
  using tailor::ingest::Event;

  // A fixed "now" keeps runs reproducible; the seeds use timestamps around it.
  constexpr int64_t kNow = 1795397896123;  // 2026-11-23T01:38:16.123Z
  static const DecodeOptions options = [] {
    DecodeOptions o;
    o.max_batch_events = 100;
    return o;
  }();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)DecodeStoredEvent(body);  // a damaged value must be an error, not a crash
  tailor::Result<DecodedBatch> batch = DecodeBatch(body, options, kNow);
  if (!batch.ok()) return 0;
  if (batch->events.size() != batch->indexes.size()) std::abort();
  for (const Event& e : batch->events) {
    for (const std::string& stored : {EncodeStoredEvent(e), EncodeEventJson(e)}) {
      tailor::Result<Event> back = DecodeStoredEvent(stored);
      if (!back.ok() || !(*back == e)) std::abort();
    }
  }
  for (const auto& error : batch->errors) {
    if (error.status.ok() || error.status.path().empty()) std::abort();
    // The raw element must parse as a one-element batch body again (dead-letter replay).
    std::string replay = "{\"events\":[" + error.raw_json + "]}";
    tailor::Result<DecodedBatch> again = DecodeBatch(replay, options, kNow);
    if (!again.ok() || again->errors.size() != 1) std::abort();
  }
  return 0;
}
