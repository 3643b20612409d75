// libFuzzer target: the bytes are condition JSON. It is parsed, compiled in both dialects
// and evaluated against a fixed attribute document with saved groups. Compiling must fail
// with a Status or succeed; evaluating must return. Nothing may crash, throw or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "condition/condition.h"
#include "condition/json_document.h"

namespace {

const nlohmann::json& Attributes() {
  static const nlohmann::json kAttributes = nlohmann::json::parse(R"({
    "id": "u1", "country": "NO", "age": 30, "score": 0.25, "vip": true, "none": null,
    "version": "2.10.3-beta.1+build", "ua": "Mozilla/5.0 (iPhone) Mobile",
    "tags": ["a", "b", "", 0, null, [1, [2]], {"k": "v"}],
    "orders": [{"total": 150, "status": "paid"}, {"total": 5, "status": "refunded"}],
    "address": {"city": "Oslo", "zip": "0150", "geo": {"lat": 59.9, "lon": 10.7}},
    "nested": [[[[[["deep"]]]]]], "empty": [], "obj": {}
  })");
  return kAttributes;
}

const tailor::condition::SavedGroups& Groups() {
  static const tailor::condition::SavedGroups kGroups =
      tailor::condition::SavedGroups::FromJson(
          nlohmann::json::parse(R"({"beta": ["u1", 2, true, null], "empty": []})"))
          .value();
  return kGroups;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tailor::condition::JsonDocument doc(Attributes());
  for (auto dialect :
       {tailor::condition::Dialect::kStrict, tailor::condition::Dialect::kGrowthBook}) {
    tailor::condition::CompileOptions options;
    options.dialect = dialect;
    auto cond = tailor::condition::Condition::Parse(text, options);
    if (!cond.ok()) {
      if (cond.status().message().empty()) __builtin_trap();  // errors must say why
      continue;
    }
    (void)cond->Evaluate(doc, &Groups());
    (void)cond->Evaluate(doc, nullptr);
    (void)cond->Paths();
  }
  return 0;
}
