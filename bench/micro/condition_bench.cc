// Evaluation cost of compiled conditions over a JsonDocument (ns per Evaluate call).
// Compilation happens once outside the timed loop, as in the engine. Linked with
// benchmark_main.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "condition/condition.h"
#include "condition/json_document.h"

namespace tailor::condition {
namespace {

const nlohmann::json& Profile() {
  static const nlohmann::json kProfile = nlohmann::json::parse(R"({
    "id": "u_8f3a", "country": "NO", "age": 34, "plan": "pro", "churned": false,
    "ltv": 1250.5, "app_version": "4.12.1", "email": "kari.nordmann@example.no",
    "ua": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
    "tags": ["newsletter", "vip", "android"],
    "orders": [{"total": 49.0, "status": "paid"}, {"total": 180.0, "status": "refunded"},
               {"total": 120.0, "status": "paid"}],
    "address": {"city": "Oslo", "zip": "0150"}
  })");
  return kProfile;
}

void Run(benchmark::State& state, const char* text, const SavedGroups* groups = nullptr) {
  Result<Condition> cond = Condition::Parse(text);
  if (!cond.ok()) {
    state.SkipWithError(cond.status().ToString().c_str());
    return;
  }
  JsonDocument doc(Profile());
  for (auto _ : state) benchmark::DoNotOptimize(cond->Evaluate(doc, groups));
  state.SetItemsProcessed(state.iterations());
}

void BM_Equality(benchmark::State& s) { Run(s, R"({"plan": "pro"})"); }
void BM_Typical(benchmark::State& s) {
  Run(s, R"({"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}})");
}
void BM_In10Strings(benchmark::State& s) {
  Run(s, R"({"country": {"$in": ["AT", "BE", "CH", "DE", "DK", "FI", "FR", "NL", "SE", "NO"]}})");
}
void BM_NumericRange(benchmark::State& s) { Run(s, R"({"ltv": {"$gte": 1000, "$lt": 5000}})"); }
void BM_NestedAndOr(benchmark::State& s) {
  Run(s, R"({"$and": [{"$or": [{"country": "SE"}, {"country": "NO"}]},
                      {"$or": [{"age": {"$lt": 18}}, {"$and": [{"plan": "pro"}, {"churned": false}]}]},
                      {"$nor": [{"address.city": "Bergen"}]}]})");
}
void BM_ElemMatch(benchmark::State& s) {
  Run(s, R"({"orders": {"$elemMatch": {"total": {"$gt": 100}, "status": "paid"}}})");
}
void BM_ElemMatchScalar(benchmark::State& s) {
  Run(s, R"({"tags": {"$elemMatch": {"$eq": "vip"}}})");
}
void BM_Version(benchmark::State& s) {
  Run(s, R"({"app_version": {"$vgte": "4.10.0", "$vlt": "5.0.0"}})");
}
void BM_Regex(benchmark::State& s) { Run(s, R"j({"ua": {"$regex": "(iPhone|iPad)"}})j"); }
void BM_RegexAnchored(benchmark::State& s) { Run(s, R"({"email": {"$regex": "@example\\.no$"}})"); }
void BM_InGroup(benchmark::State& s) {
  nlohmann::json ids = nlohmann::json::array();
  for (int i = 0; i < 10000; ++i) ids.push_back("u_" + std::to_string(i));
  ids.push_back("u_8f3a");
  static const SavedGroups groups = SavedGroups::FromJson(nlohmann::json{{"beta", ids}}).value();
  Run(s, R"({"id": {"$inGroup": "beta"}})", &groups);
}

BENCHMARK(BM_Equality);
BENCHMARK(BM_Typical);
BENCHMARK(BM_In10Strings);
BENCHMARK(BM_NumericRange);
BENCHMARK(BM_NestedAndOr);
BENCHMARK(BM_ElemMatch);
BENCHMARK(BM_ElemMatchScalar);
BENCHMARK(BM_Version);
BENCHMARK(BM_Regex);
BENCHMARK(BM_RegexAnchored);
BENCHMARK(BM_InGroup);

}  // namespace
}  // namespace tailor::condition
