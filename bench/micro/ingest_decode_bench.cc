// Decode throughput of a typical ingest batch: 100 purchase events of ~300 bytes each,
// with and without JSON Schema validation of `properties`. Linked with benchmark_main.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "ingest/event_codec.h"
#include "ingest/ingest_config.h"
#include "ingest/schema_registry.h"

namespace tailor::ingest {
namespace {

constexpr int64_t kNow = 1795397896123;  // 2026-11-23T01:38:16.123Z
constexpr int kEvents = 100;

constexpr char kPurchaseSchema[] = R"({
  "type": "object",
  "required": ["order_id", "price", "currency"],
  "properties": {
    "order_id": {"type": "string", "maxLength": 64},
    "price": {"type": "number", "minimum": 0},
    "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
    "items": {"type": "array", "maxItems": 100, "items": {
      "type": "object", "required": ["sku", "qty"],
      "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}}
  }
})";

std::string MakeBody() {
  std::string body = R"({"events":[)";
  for (int i = 0; i < kEvents; ++i) {
    if (i > 0) body += ',';
    std::string n = std::to_string(i);
    body += R"({"event_id":"evt-0001-)" + n + R"(","type":"purchase","user_id":"user-)" + n +
            R"(","anonymous_id":"anon-7f3a9c2e-)" + n +
            R"(","timestamp":"2026-11-23T01:37:16.123Z","context":{"channel":"web",)"
            R"("locale":"de-DE","page":{"url":"https://shop.example/checkout"}},)"
            R"("properties":{"order_id":"o-)" +
            n +
            R"(","price":49.9,"currency":"EUR","items":[{"sku":"SKU-123","qty":2},)"
            R"({"sku":"SKU-987","qty":1}]}})";
  }
  body += "]}";
  return body;
}

void BM_DecodeBatch(benchmark::State& state) {
  const std::string body = MakeBody();
  const DecodeOptions options;
  for (auto _ : state) {
    Result<DecodedBatch> batch = DecodeBatch(body, options, kNow);
    if (!batch.ok() || batch->events.size() != kEvents) std::abort();
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeBatch);

void BM_DecodeBatchWithSchema(benchmark::State& state) {
  const std::string body = MakeBody();
  const DecodeOptions options;
  IngestConfig config;
  config.schemas["purchase"] = kPurchaseSchema;
  Result<std::shared_ptr<const SchemaRegistry>> registry = SchemaRegistry::Compile(config);
  if (!registry.ok()) std::abort();
  for (auto _ : state) {
    Result<DecodedBatch> batch = DecodeBatch(body, options, kNow);
    if (!batch.ok() || batch->events.size() != kEvents) std::abort();
    for (const Event& e : batch->events) {
      if (!(*registry)->Validate(e).ok()) std::abort();
    }
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeBatchWithSchema);

}  // namespace
}  // namespace tailor::ingest
