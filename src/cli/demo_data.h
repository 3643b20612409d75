// The generated demo data set: a small shop's month of behaviour (page views, carts,
// purchases, identifies, consents) for `tailor serve --demo` and `tailor demo`.
// Deterministic for a seed; unit tests and benchmarks use it too (no external data).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tailor::cli {

struct DemoOptions {
  int users = 500;          // distinct people
  int days = 30;            // history length, ending at `now_ms`
  uint64_t seed = 42;
  int64_t now_ms = 0;
};

// Calls `emit` with one event JSON object per call, in time order per user. Returns the
// number of events generated.
uint64_t GenerateDemoEvents(const DemoOptions& options,
                            const std::function<void(const std::string& event_json)>& emit);

// The demo config directory's files (event schemas, consent purposes), name -> YAML.
std::string DemoSchemasYaml();

}  // namespace tailor::cli
