// libFuzzer target: the bytes are a POST /v1/decide body. It is parsed; a valid request
// is decided by an engine over an in-memory store with a small fixed configuration.
// Parsing must fail with a Status or succeed; deciding must return. Nothing may crash,
// throw or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "decision/engine.h"
#include "storage/memory_store.h"

namespace {

using namespace tailor;

std::shared_ptr<const decision::DecisionConfig> Config() {
  static const auto kConfig = [] {
    auto c = std::make_shared<decision::DecisionConfig>();
    c->settings.consent_purpose.clear();
    c->content.emplace("hi", decision::ParseContent("hi", nlohmann::json::parse(
        R"({"variants":{"web":"Hi {{context.name}} {{traits.x}}","default":{"value":{"a":1}}}})")).value());
    c->placements.emplace("p", decision::ParsePlacement("p", nlohmann::json::parse(R"({
        "rules":[{"name":"a","when":{"context.geo.country":{"$in":["NO","SE"]}},"serve":{"content":"hi"}},
                 {"name":"b","when":{"context.time.hour":{"$lt":12}},"serve":{"flag":true}}],
        "default":{"flag":false}})"), *c).value());
    return std::shared_ptr<const decision::DecisionConfig>(c);
  }();
  return kConfig;
}

struct Env {
  FakeClock clock{1'795'000'000'000};
  storage::MemoryStore store{clock};
  profile::ProfileStore profiles{store};
  identity::IdentityIndex identities{store};
  SeededRandom random{1};
  decision::DecisionEngine engine{store, profiles, identities, clock, random};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = new Env();  // leaked on purpose: lives for the whole fuzzing run
  auto request = decision::ParseDecideRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!request.ok()) return 0;
  auto out = env->engine.Decide(*request, decision::DecisionInputs{Config(), nullptr, nullptr, nullptr, 1, nullptr});
  (void)out;
  return 0;
}
