// Cost of SchemaRegistry::Validate for one valid event of each type the ingest benchmarks
// send (the schemas and properties of bench/common/event_gen.cc): valijson alone
// (programs:0) against the compiled SchemaProgram fast path (programs:1). Both include
// the simdjson parse of `properties`, which BM_ParseProperties measures alone.
// Linked with benchmark_main; run with
//   schema_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "common/event_gen.h"
#include "ingest/event.h"
#include "ingest/ingest_config.h"
#include "ingest/schema_registry.h"

namespace tailor::bench {
namespace {

// The properties BatchTemplate writes for each type.
constexpr char kPurchaseProperties[] =
    R"({"order_id":"o-4711-0","price":49.9,"currency":"EUR",)"
    R"("items":[{"sku":"SKU-123","qty":2},{"sku":"SKU-987","qty":1}]})";
constexpr char kPageViewProperties[] =
    R"({"page":"/products/sku-1","referrer":"https://search.example/?q=shoes","scroll_pct":40})";

void Validate(benchmark::State& state, const char* type, const char* properties) {
  ingest::IngestConfig config;
  config.schemas = BenchSchemas();
  ingest::SchemaRegistryOptions options;
  options.compiled_programs = state.range(0) != 0;
  auto registry = ingest::SchemaRegistry::Compile(config, options);
  if (!registry.ok() || (*registry)->HasProgram(type) != options.compiled_programs) std::abort();
  ingest::Event event;
  event.event_id = "e";
  event.type = type;
  event.user_id = "user-4711";
  event.properties_json = properties;
  for (auto _ : state) {
    Status st = (*registry)->Validate(event);
    if (!st.ok()) std::abort();
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ValidatePurchase(benchmark::State& state) {
  Validate(state, "purchase", kPurchaseProperties);
}
BENCHMARK(BM_ValidatePurchase)->ArgName("programs")->Arg(0)->Arg(1);

void BM_ValidatePageView(benchmark::State& state) {
  Validate(state, "page_view", kPageViewProperties);
}
BENCHMARK(BM_ValidatePageView)->ArgName("programs")->Arg(0)->Arg(1);

// The parse both paths start with.
void BM_ParseProperties(benchmark::State& state) {
  simdjson::dom::parser parser;
  const std::string text = kPurchaseProperties;
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(text).get(root) != simdjson::SUCCESS) std::abort();
    benchmark::DoNotOptimize(root);
  }
}
BENCHMARK(BM_ParseProperties);

}  // namespace
}  // namespace tailor::bench
