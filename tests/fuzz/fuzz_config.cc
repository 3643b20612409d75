// libFuzzer target: the bytes are one YAML file fed to the pure config loader.
// The loader must never crash or throw, whatever the input; yaml-cpp exceptions are
// caught inside config/ (yaml_util.cc), so any exception escaping here is a bug and
// aborts the run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tailor::config::ConfigFiles files;
  files.emplace("fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size));
  std::vector<tailor::config::ConfigError> errors;
  tailor::Result<tailor::config::ConfigSnapshot> loaded =
      tailor::config::LoadConfig(files, {}, &errors);
  if (loaded.ok()) {
    // Exercise the canonical form too; it must not throw on anything the loader accepts.
    std::string canonical = tailor::config::CanonicalJson(*loaded);
    if (canonical.empty()) __builtin_trap();
  } else if (errors.empty()) {
    __builtin_trap();  // a failure must always come with at least one located error
  }
  return 0;
}
