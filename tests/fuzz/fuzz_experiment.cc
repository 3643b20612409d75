// libFuzzer target: the bytes are experiment JSON (GrowthBook shape). It is parsed in
// both condition dialects; a parsed experiment is assigned for a fixed set of attribute
// documents. Parsing must fail with a Status that says why or succeed; Assign must return
// an in-range variation. Nothing may crash, throw or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "condition/json_document.h"
#include "experiments/assign.h"
#include "experiments/experiment_parser.h"

namespace {

const nlohmann::json& Attributes(int i) {
  static const nlohmann::json kAttrs[] = {
      nlohmann::json::parse(R"({"id": "u1", "country": "NO", "age": 30, "anonymous_id": "a1"})"),
      nlohmann::json::parse(R"({"id": 123.5, "company": "acme", "tags": ["x"]})"),
      nlohmann::json::parse(R"({"id": "", "anonymous_id": "\u00fcn\u00efc\u00f8d\u00e9"})"),
      nlohmann::json::parse(R"([1, 2, 3])"),
  };
  return kAttrs[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto dialect :
       {tailor::condition::Dialect::kStrict, tailor::condition::Dialect::kGrowthBook}) {
    tailor::experiments::ParseOptions options;
    options.condition_dialect = dialect;
    auto e = tailor::experiments::ParseExperimentText(text, options);
    if (!e.ok()) {
      if (e.status().message().empty()) __builtin_trap();  // errors must say why
      continue;
    }
    tailor::experiments::InMemoryStickyStore sticky;
    tailor::experiments::GlobalHoldout holdout;
    holdout.fraction = 0.1;
    tailor::experiments::AssignContext ctx{
        .now_ms = 1'700'000'000'000, .holdout = &holdout, .sticky = &sticky};
    for (int i = 0; i < 4; ++i) {
      tailor::condition::JsonDocument doc(Attributes(i));
      for (int rep = 0; rep < 2; ++rep) {  // the second pass hits the sticky store
        auto a = tailor::experiments::Assign(*e, doc, ctx);
        if (a.variation_id < 0 || a.variation_id >= e->num_variations()) __builtin_trap();
        if (a.bucket < 0 || a.bucket >= 1) __builtin_trap();
      }
    }
  }
  return 0;
}
