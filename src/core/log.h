// Structured logging: one JSON object per line on stderr
// {"ts":"...","level":"info","msg":"server started","listen":"127.0.0.1:8080"}.
// Backed by spdlog (kept out of this header).
//
// Thread safety: all functions are safe for concurrent use.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tailor {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, msg, f);
}
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, msg, f);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, msg, f);
}

// Messages below `level` are dropped. Accepts "debug", "info", "warn", "error", "off".
void SetLogLevel(std::string_view level);

}  // namespace tailor
