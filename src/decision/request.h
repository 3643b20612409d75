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
  // The request context as sent, always an object: flat for the rules and templates
  // that read it, and as compact JSON text (the request's member order) for the log and
  // the answer cache. The engine completes it (CompleteContext). Set both together:
  // SetContext, or ParseDecideRequest.
  FlatJson context;
  std::string context_text = "{}";
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

// The same for a decision: the completed context, flat and as text (the request's text
// with the added members appended), and its channel.
struct CompletedContext {
  FlatJson flat;
  std::string text;
  std::string channel;
};
CompletedContext CompleteContext(const FlatJson& context, std::string_view context_text,
                                 int64_t now_ms, bool with_time);

}  // namespace tailor::decision
