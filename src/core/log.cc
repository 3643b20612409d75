#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_util.h"

namespace tailor {

namespace {

spdlog::logger& Logger() {
  static auto* logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* l = new spdlog::logger("tailor", sink);  // process-lifetime, never freed
    l->set_pattern("{\"ts\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",%v}", spdlog::pattern_time_type::utc);
    return l;
  }();
  return *logger;
}

}  // namespace

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  static constexpr spdlog::level::level_enum kMap[] = {spdlog::level::debug, spdlog::level::info,
                                                       spdlog::level::warn, spdlog::level::err};
  auto lvl = kMap[static_cast<int>(level)];
  if (!Logger().should_log(lvl)) return;
  std::string line = "\"msg\":";
  AppendJsonString(&line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(',');
    AppendJsonString(&line, k);
    line.push_back(':');
    AppendJsonString(&line, v);
  }
  Logger().log(lvl, line);
}

void SetLogLevel(std::string_view level) {
  Logger().set_level(spdlog::level::from_str(std::string(level)));
}

}  // namespace tailor
