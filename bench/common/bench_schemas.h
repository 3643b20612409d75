// The JSON Schemas of the synthetic ingest events (event_gen.h): `purchase` and
// `page_view` properties. Header-only, so the schema program's tests check the exact
// schemas the benchmarks validate against without linking the benchmark library (which
// is not built with TAILOR_BUILD_BENCH=OFF).
#pragma once

namespace tailor::bench {

inline constexpr char kPurchaseSchema[] =
    R"({"type":"object","required":["order_id","price","currency"],"properties":{)"
    R"("order_id":{"type":"string","maxLength":64},"price":{"type":"number","minimum":0},)"
    R"("currency":{"type":"string","enum":["EUR","USD","GBP"]},)"
    R"("items":{"type":"array","maxItems":100,"items":{"type":"object","required":["sku","qty"],)"
    R"("properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}}}}}})";

inline constexpr char kPageViewSchema[] =
    R"({"type":"object","required":["page"],"properties":{)"
    R"("page":{"type":"string","maxLength":2048},"referrer":{"type":"string"},)"
    R"("title":{"type":"string","maxLength":256},"scroll_pct":{"type":"integer","minimum":0,"maximum":100}}})";

}  // namespace tailor::bench
