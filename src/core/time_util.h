// Time parsing and formatting. Timestamps on the wire are either ISO 8601 strings
// ("2026-11-23T01:38:16.123Z", "2026-11-23T02:38:16+01:00") or integers of epoch
// milliseconds. Durations in config are "<n><unit>" with unit ms, s, m, h, d, w.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tailor {

// Parses an ISO 8601 date-time with a mandatory time zone (Z or +hh:mm / -hh:mm) and
// optional fraction (up to nanoseconds, truncated to ms). Returns epoch milliseconds.
Result<int64_t> ParseIso8601(std::string_view text);

// Formats epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatIso8601(int64_t epoch_ms);

// Parses a duration such as "30d", "10m", "250ms", "1h". Returns milliseconds.
Result<int64_t> ParseDurationMs(std::string_view text);

// Formats milliseconds as the shortest exact duration ("30d", "90s", "250ms").
std::string FormatDurationMs(int64_t ms);

}  // namespace tailor
