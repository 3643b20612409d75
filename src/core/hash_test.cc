#include "core/hash.h"

#include <gtest/gtest.h>

namespace tailor {
namespace {

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, UnitIntervalIsStableAndUniform) {
  EXPECT_EQ(UnitInterval("user-1", "page_view"), UnitInterval("user-1", "page_view"));
  EXPECT_NE(UnitInterval("user-1", "page_view"), UnitInterval("user-1", "purchase"));
  int below = 0;
  for (int i = 0; i < 10000; ++i) below += UnitInterval("u" + std::to_string(i), "s") < 0.3;
  EXPECT_NEAR(below / 10000.0, 0.3, 0.02);
}

}  // namespace
}  // namespace tailor
