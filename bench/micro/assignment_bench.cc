// Cost of assigning one user: to one experiment, and to 10 experiments (ns per user).
// Experiments are parsed once outside the timed loop, as in the engine. Linked with
// benchmark_main.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "condition/json_document.h"
#include "experiments/assign.h"
#include "experiments/bucketing.h"
#include "experiments/experiment_parser.h"

namespace tailor::experiments {
namespace {

const nlohmann::json& Attributes() {
  static const nlohmann::json kAttrs = nlohmann::json::parse(R"({
    "id": "u_8f3a2c91-4d7e-4b0a-9f12-6c5d8e7a1b23", "country": "NO", "age": 34,
    "plan": "pro", "app_version": "4.12.1"})");
  return kAttrs;
}

Experiment Parse(const std::string& text) {
  auto e = ParseExperimentText(text);
  if (!e.ok()) std::abort();
  return std::move(e).value();
}

std::vector<Experiment> TenExperiments() {
  std::vector<Experiment> out;
  for (int i = 0; i < 10; ++i) {
    const std::string k = std::to_string(i);
    std::string text = R"({"key": "exp-)" + k + R"(", "variations": [0, 1], "hashVersion": 2)";
    if (i % 2 == 0)
      text += R"(, "condition": {"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}})";
    if (i % 3 == 0) text += R"(, "namespace": ["layer", 0, 0.5])";
    if (i % 4 == 0) text += R"(, "coverage": 0.5, "weights": [0.3, 0.7])";
    out.push_back(Parse(text + "}"));
  }
  return out;
}

void BM_Hash(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(Hash("exp-seed", "u_8f3a2c91-4d7e-4b0a-9f12-6c5d8e7a1b23", 2));
  }
}
BENCHMARK(BM_Hash);

void BM_AssignOne(benchmark::State& state) {
  const Experiment e = Parse(R"({"key": "checkout", "variations": [0, 1], "hashVersion": 2})");
  condition::JsonDocument doc(Attributes());
  for (auto _ : state) benchmark::DoNotOptimize(Assign(e, doc).variation_id);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssignOne);

void BM_AssignOneWithCondition(benchmark::State& state) {
  const Experiment e = Parse(R"({"key": "checkout", "variations": [0, 1], "hashVersion": 2,
      "condition": {"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}}})");
  condition::JsonDocument doc(Attributes());
  GlobalHoldout holdout;
  holdout.fraction = 0.05;
  AssignContext ctx{.holdout = &holdout};
  for (auto _ : state) benchmark::DoNotOptimize(Assign(e, doc, ctx).variation_id);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssignOneWithCondition);

void BM_AssignTen(benchmark::State& state) {
  const std::vector<Experiment> experiments = TenExperiments();
  condition::JsonDocument doc(Attributes());
  for (auto _ : state) {
    int sum = 0;
    for (const Experiment& e : experiments) sum += Assign(e, doc).variation_id;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 10);  // items/s = experiment assignments/s
}
BENCHMARK(BM_AssignTen);

void BM_AssignOneSticky(benchmark::State& state) {
  const Experiment e = Parse(R"({"key": "checkout", "variations": [0, 1], "hashVersion": 2})");
  condition::JsonDocument doc(Attributes());
  InMemoryStickyStore sticky;
  AssignContext ctx{.sticky = &sticky};
  (void)Assign(e, doc, ctx);
  for (auto _ : state) benchmark::DoNotOptimize(Assign(e, doc, ctx).variation_id);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssignOneSticky);

}  // namespace
}  // namespace tailor::experiments
