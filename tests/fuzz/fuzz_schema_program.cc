// libFuzzer target for ingest::SchemaProgram, the compiled fast path of schema validation
// (schema_program.h). The bytes are an event's `properties` text, validated against a few
// schemas by two registries, one with programs and one with valijson alone: their
// statuses (verdict, message, path) must be identical, since a program may only ever
// answer "valid" where valijson does. A mismatch traps.
//
//   cmake -DTAILOR_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; ./fuzz_schema_program
//   corpus/schema_program
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/json_doc.h"
#include "ingest/event.h"
#include "ingest/schema_registry.h"

namespace {

using tailor::ingest::IngestConfig;
using tailor::ingest::SchemaRegistry;

// Every keyword the programs compile; `purchase` and `page_view` are the benchmark schemas.
IngestConfig Schemas() {
  IngestConfig config;
  config.schemas["purchase"] =
      R"({"type":"object","required":["order_id","price","currency"],"properties":{)"
      R"("order_id":{"type":"string","maxLength":64},"price":{"type":"number","minimum":0},)"
      R"("currency":{"type":"string","enum":["EUR","USD","GBP"]},)"
      R"("items":{"type":"array","maxItems":100,"items":{"type":"object","required":["sku","qty"],)"
      R"("properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}}}}}})";
  config.schemas["page_view"] =
      R"({"type":"object","required":["page"],"properties":{)"
      R"("page":{"type":"string","maxLength":2048},"referrer":{"type":"string"},)"
      R"("title":{"type":"string","maxLength":256},"scroll_pct":{"type":"integer","minimum":0,"maximum":100}}})";
  config.schemas["wide"] =
      R"({"additionalProperties":false,"minProperties":1,"maxProperties":6,"properties":{)"
      R"("a":{"type":["integer","null"],"exclusiveMinimum":-3,"exclusiveMaximum":9,"multipleOf":3},)"
      R"("b":{"type":"number","multipleOf":0.5,"maximum":1e6},"c":{"enum":["x",1,null,true]},)"
      R"("d":{"const":2},"e":{"type":"string","minLength":1,"maxLength":3},)"
      R"("f":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"object","required":["k"],)"
      R"("properties":{"k":true,"z":false}}}}})";
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const SchemaRegistry>* const registries = [] {
    static std::shared_ptr<const SchemaRegistry> both[2];
    auto fast = SchemaRegistry::Compile(Schemas());
    auto slow = SchemaRegistry::Compile(Schemas(), {.compiled_programs = false});
    if (!fast.ok() || !slow.ok()) std::abort();
    both[0] = *fast;
    both[1] = *slow;
    for (const char* type : {"purchase", "page_view", "wide"}) {
      if (!both[0]->HasProgram(type)) std::abort();
    }
    return both;
  }();
  tailor::ingest::Event event;
  event.type = "purchase";
  event.properties_json.assign(reinterpret_cast<const char*>(data), size);
  // Validate() expects what DecodeBatch passes on: a JSON object.
  if (!tailor::ParseJsonObject(event.properties_json).ok()) return 0;
  for (const char* type : {"purchase", "page_view", "wide"}) {
    event.type = type;
    tailor::Status fast = registries[0]->Validate(event);
    tailor::Status slow = registries[1]->Validate(event);
    if (fast.ok() != slow.ok() || fast.code() != slow.code() || fast.message() != slow.message() ||
        fast.path() != slow.path()) {
      std::abort();
    }
  }
  return 0;
}
