#include "recommenders/content_index.h"

#include <gtest/gtest.h>

#include "recommenders/interactions.h"

namespace tailor::recommenders {
namespace {

ItemCatalog Shop() {
  ItemCatalog c;
  c.Add({"run1", "Trail running shoe", {"shoes"}, {"running"}});
  c.Add({"run2", "Road running shoe", {"shoes"}, {"running"}});
  c.Add({"boot", "Leather boot", {"shoes"}, {"winter"}});
  c.Add({"cap", "Running cap", {"hats"}, {"running"}});
  c.Add({"mug", "Coffee mug", {"kitchen"}, {}});
  return c;
}

std::vector<std::string> Ids(const ContentIndex& index, const std::vector<ContentNeighbour>& n) {
  std::vector<std::string> out;
  for (const auto& x : n) out.push_back(index.id(x.item));
  return out;
}

TEST(ContentIndex, NeighboursShareTermsBestFirst) {
  ContentIndex index = ContentIndex::Build(Shop());
  ASSERT_EQ(index.size(), 5u);
  const uint32_t run1 = index.Find("run1");
  ASSERT_NE(run1, kNoIndex);
  EXPECT_EQ(index.Find("nope"), kNoIndex);
  auto n = index.Similar(std::span<const uint32_t>(&run1, 1), {}, 10, {});
  // run2 shares title words, category and tag; then the other running or shoe items;
  // the mug shares nothing and is left out, as is run1 itself.
  EXPECT_EQ(Ids(index, n), (std::vector<std::string>{"run2", "cap", "boot"}));
  for (size_t i = 1; i < n.size(); ++i) EXPECT_GE(n[i - 1].score, n[i].score);
  EXPECT_LE(n[0].score, 1.0001f);
  EXPECT_GT(n[0].score, 0.5f);
  // k and the filter.
  EXPECT_EQ(index.Similar(std::span<const uint32_t>(&run1, 1), {}, 1, {}).size(), 1u);
  auto no_cap = index.Similar(std::span<const uint32_t>(&run1, 1), {}, 10,
                              [&](uint32_t i) { return index.id(i) != "cap"; });
  EXPECT_EQ(Ids(index, no_cap), (std::vector<std::string>{"run2", "boot"}));
}

TEST(ContentIndex, ProfileOfSeveralItemsAndEmptyCases) {
  ContentIndex index = ContentIndex::Build(Shop());
  const std::vector<uint32_t> history = {index.Find("boot"), index.Find("mug")};
  const std::vector<float> weights = {1.0f, 3.0f};
  auto n = index.Similar(history, weights, 10, {});
  // Neither history item comes back; shoes follow the boot.
  for (const auto& id : Ids(index, n)) EXPECT_TRUE(id != "boot" && id != "mug") << id;
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(index.id(n[0].item).substr(0, 3), "run");
  EXPECT_TRUE(index.Similar({}, {}, 10, {}).empty());
  ItemCatalog empty;
  EXPECT_EQ(ContentIndex::Build(empty).size(), 0u);
  // An item without any term has no neighbours.
  ItemCatalog bare;
  bare.Add({"x", "", {}, {}});
  bare.Add({"y", "Yak wool", {}, {}});
  ContentIndex b = ContentIndex::Build(bare);
  const uint32_t x = b.Find("x");
  EXPECT_TRUE(b.Similar(std::span<const uint32_t>(&x, 1), {}, 5, {}).empty());
  EXPECT_GT(b.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace tailor::recommenders
