// Checks the "no heap allocation on the hot path" claim: this binary replaces the global
// operator new/delete with counting versions and evaluates compiled conditions of every
// non-regex operator. (Regex matching is the documented exception: std::regex allocates
// its matcher state.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "condition/condition.h"
#include "condition/json_document.h"
#include "testutil/testutil.h"

// GCC pairs the malloc/free inside the replacements with new/delete and warns; replacing
// the global operators this way is what the standard allows.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> g_allocations{0};
volatile bool g_sink = false;  // keeps results observable
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

namespace tailor::condition {
namespace {

using nlohmann::json;

TEST(ConditionAlloc, EvaluateDoesNotAllocate) {
  const char* kConditions[] = {
      R"({"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}})",
      R"({"country": {"$ini": ["no", "se", "dk", "fi", "is", "de", "at", "ch", "nl", "be", "fr"]}})",
      R"({"$or": [{"age": {"$lt": 18}}, {"$and": [{"plan": "pro"}, {"$nor": [{"churned": true}]}]}]})",
      R"({"$not": {"age": {"$gt": "17"}}, "zip": "150", "score": 0.5, "flag": false, "none": null})",
      R"({"orders": {"$elemMatch": {"total": {"$gt": 100}, "status": "paid"}}})",
      R"({"tags": {"$elemMatch": {"$eq": "vip"}}, "tags2": {"$all": ["a", "b"]}, "tags3": {"$alli": ["A"]}})",
      R"({"tags": {"$size": {"$gte": 1}}, "tags2": {"$size": 2}, "tags3": {"$nin": ["x"]}})",
      R"({"app": {"$vgte": "2.10.0", "$vlt": "3.0.0"}, "n": {"$vne": "1.0.0"}, "m": {"$veq": 2}})",
      R"({"id": {"$inGroup": "beta"}, "id2": {"$notInGroup": "beta"}, "a": {"$exists": true}})",
      R"({"obj": {"k": [1, 2]}, "arr": [1, "x"], "age": {"$type": "number"}, "x": {"$ne": 3}})",
      R"({"tags": "vip,new", "age": "30", "orders.0.total": {"$lte": 150}, "tags.1": "new"})",
  };
  json attrs = json::parse(R"({
    "country": "NO", "age": 30, "plan": "pro", "churned": false, "zip": 150, "score": 0.5,
    "orders": [{"total": 50, "status": "paid"}, {"total": 150, "status": "paid"}],
    "tags": ["vip", "new"], "tags2": ["a", "b"], "tags3": ["a"], "app": "2.11.3", "n": "1.0.1",
    "m": "2", "id": "u1", "id2": "u2", "a": 1, "obj": {"k": [1, 2]}, "arr": [1, "x"], "x": 4.25
  })");
  Result<SavedGroups> groups = SavedGroups::FromJson(json{{"beta", {"u1", "u3"}}});
  ASSERT_OK(groups);
  JsonDocument doc(attrs);
  for (const char* text : kConditions) {
    Result<Condition> c = Condition::Parse(text);
    ASSERT_OK(c);
    bool result = c->Evaluate(doc, &*groups);  // warm-up
    long before = g_allocations.load();
    for (int i = 0; i < 100; ++i) result ^= c->Evaluate(doc, &*groups);
    long after = g_allocations.load();
    EXPECT_EQ(after - before, 0) << text;
    g_sink = result;
  }
}

// Guards the test above against a counter that counts nothing: regex matching is the
// documented exception and does allocate.
TEST(ConditionAlloc, CounterSeesRegexAllocations) {
  Result<Condition> c = Condition::Parse(R"j({"ua": {"$regex": "(Mobile|Tablet)"}})j");
  ASSERT_OK(c);
  json attrs = {{"ua", "Android Mobile Browser"}};
  JsonDocument doc(attrs);
  long before = g_allocations.load();
  g_sink = c->Evaluate(doc);
  EXPECT_GT(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace tailor::condition
