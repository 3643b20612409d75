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

namespace tailor::decision {

struct DecideRequest {
  std::string user_id;
  std::string anonymous_id;
  std::vector<std::string> placements;
  Json context = Json::object();  // always an object; "channel" defaults to "web"
  // `context` as compact JSON text, as the request sent it (member order kept): set by
  // ParseDecideRequest so a decision logs and hashes the context without re-encoding
  // it. Empty when the request was built in code; then `context` is encoded. Whoever
  // changes `context` after parsing must clear it.
  std::string context_text;
  // Answer and log, but record no impressions (previews, QA).
  bool dry_run = false;
};

inline constexpr size_t kMaxPlacementsPerRequest = 32;
inline constexpr size_t kMaxContextBytes = 16 * 1024;

// Parses and validates a request body. kInvalidArgument with the path of the problem.
Result<DecideRequest> ParseDecideRequest(std::string_view body);

// Adds what the server knows to the context: "channel" (default "web") and, with
// `with_time`, "time" ({"hour": 0-23, "weekday": "monday".., "minute_of_day"} at `now_ms`,
// in the zone of "utc_offset_minutes" when given, else UTC).
void CompleteContext(Json* context, int64_t now_ms, bool with_time = true);

}  // namespace tailor::decision
