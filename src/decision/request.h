// The POST /v1/decide request:
//   {"user_id" | "anonymous_id": "...", "placements": ["home_hero", ...],
//    "context": {"channel": "web", "device": "mobile", "locale": "nb-NO", "page": "/",
//                "geo": {"country": "NO"}, "utc_offset_minutes": 60},
//    "dry_run": false}
// Parsing checks types, sizes and unknown members, naming the JSON path of a problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"
#include "decision/flat_json.h"

namespace tailor::decision {

struct DecideRequest {
  std::string user_id;
  std::string anonymous_id;
  std::vector<std::string> placements;
  // The request context, always an object: flat for the rules and templates that read
  // it, with "channel" set ("web" when the request named none), and as compact JSON
  // text exactly as the request sent it (its member order), for the log and the answer
  // cache. The engine completes both (CompleteContext). Set them together: SetContext,
  // or ParseDecideRequest.
  FlatJson context;
  std::string context_text = "{}";
  bool channel_defaulted = true;  // "channel" is in `context` but not in `context_text`
  // Answer and log, but record no impressions (previews, QA).
  bool dry_run = false;

  // REQUIRES: `object` is a JSON object.
  void SetContext(const Json& object);
};

inline constexpr size_t kMaxPlacementsPerRequest = 32;
inline constexpr size_t kMaxContextBytes = 16 * 1024;

// Parses and validates a request body. kInvalidArgument with the path of the problem.
Result<DecideRequest> ParseDecideRequest(std::string_view body);

// Adds what the server knows to the context: "channel" (default "web") and, with
// `with_time`, "time" ({"hour": 0-23, "weekday": "monday".., "minute_of_day"} at `now_ms`,
// in the zone of "utc_offset_minutes" when given, else UTC).
void CompleteContext(Json* context, int64_t now_ms, bool with_time = true);

// The same for a decision: the completed context, flat, and as the text the log keeps
// (`text` followed by `text_tail`), and its channel. Without the time of day (and with
// a channel in the flat context, as parsed or SetContext requests have) nothing is
// copied: `flat` is the request's own and the text the request's, with the channel
// appended when it was defaulted.
struct CompletedContext {
  const FlatJson* flat = nullptr;  // the request's context, or `owned`
  std::string_view text;
  std::string_view text_tail;
  std::string channel;
  FlatJson owned;
  std::string owned_text;
};
// `request` must outlive `out`.
void CompleteContext(const DecideRequest& request, int64_t now_ms, bool with_time,
                     CompletedContext* out);

}  // namespace tailor::decision
