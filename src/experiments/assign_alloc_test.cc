// Checks the "no heap allocation on the hot path" claim of Assign: this binary replaces
// the global operator new/delete with counting versions and assigns users to experiments
// with a condition, a namespace, the global holdout, numeric and string ids, and a sticky
// store hit. (Recording a new sticky assignment is the documented exception.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "condition/json_document.h"
#include "core/json_doc.h"
#include "experiments/assign.h"
#include "experiments/experiment_parser.h"

// GCC pairs the malloc/free inside the replacements with new/delete and warns; replacing
// the global operators this way is what the standard allows.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> g_allocations{0};
volatile int g_sink = 0;
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace tailor::experiments {
namespace {

TEST(AssignAlloc, AssignDoesNotAllocate) {
  std::vector<Experiment> experiments;
  for (const char* text : {
           R"({"key": "a", "variations": [0, 1], "hashVersion": 2})",
           R"({"key": "b", "variations": [0, 1, 2], "weights": [0.2, 0.3, 0.5], "coverage": 0.8,
               "condition": {"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}}})",
           R"({"key": "c", "variations": [0, 1], "namespace": ["layer", 0, 0.5], "seed": "s"})",
           R"({"key": "d", "variations": [0, 1], "hashAttribute": "num"})",
           R"({"key": "e", "variations": [0, 1], "hashAttribute": "missing",
               "fallbackAttribute": "id", "forcedVariations": {"qa": 1}})",
       }) {
    auto e = ParseExperimentText(text);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    experiments.push_back(std::move(e).value());
  }
  const Json attrs = Json::parse(
      R"({"id": "user-with-a-fairly-long-identifier-0001", "num": 123456789, "country": "NO", "age": 30})");
  const condition::JsonDocument doc(attrs);
  GlobalHoldout holdout;
  holdout.fraction = 0.05;
  InMemoryStickyStore sticky;
  AssignContext ctx{.now_ms = 0, .holdout = &holdout, .sticky = &sticky};
  for (const Experiment& e : experiments) (void)Assign(e, doc, ctx);  // records sticky entries

  const long before = g_allocations.load();
  int in = 0;
  for (int rep = 0; rep < 100; ++rep) {
    for (const Experiment& e : experiments) {
      Assignment a = Assign(e, doc, ctx);  // sticky hits
      Assignment b = Assign(e, doc, AssignContext{.holdout = &holdout});
      in += a.in_experiment + b.in_experiment + static_cast<int>(a.hash_value().size());
    }
  }
  g_sink = in;
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(in, 0);
}

}  // namespace
}  // namespace tailor::experiments
