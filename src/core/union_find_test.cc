#include "core/union_find.h"

#include <gtest/gtest.h>

namespace tailor {
namespace {

TEST(UnionFind, JoinsSetsTransitivelyAndKeepsOthersApart) {
  UnionFind uf(6);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(uf.Find(i), i);
  uf.Join(0, 1);
  uf.Join(2, 3);
  uf.Join(1, 3);  // {0, 1, 2, 3}
  uf.Join(4, 4);  // a no-op
  for (size_t i : {1, 2, 3}) EXPECT_EQ(uf.Find(i), uf.Find(0)) << i;
  EXPECT_NE(uf.Find(4), uf.Find(0));
  EXPECT_NE(uf.Find(5), uf.Find(4));
  EXPECT_EQ(uf.Find(4), 4u);
}

TEST(UnionFind, ALongChainEndsInOneSet) {
  constexpr size_t kN = 10'000;
  UnionFind uf(kN);
  for (size_t i = 1; i < kN; ++i) uf.Join(i, i - 1);
  for (size_t i = 0; i < kN; ++i) ASSERT_EQ(uf.Find(i), uf.Find(kN - 1)) << i;
}

}  // namespace
}  // namespace tailor
