#include "experiments/fnv.h"

#include <gtest/gtest.h>

namespace tailor::experiments {
namespace {

TEST(Fnv1aUtf16, AsciiMatchesByteWiseFnv1a) {
  EXPECT_EQ(Fnv1aUtf16(""), kFnvOffsetBasis);
  // Published FNV-1a 32 test vectors.
  EXPECT_EQ(Fnv1aUtf16("a"), 0xE40C292Cu);
  EXPECT_EQ(Fnv1aUtf16("foobar"), 0xBF9CF968u);
}

TEST(Fnv1aUtf16, HashesUtf16CodeUnitsNotUtf8Bytes) {
  // "é😀a" is U+00E9, U+1F600 (surrogates D83D DE00) and 'a': code units
  // [233, 55357, 56832, 97]. Reference computed in Python:
  //   u = s.encode('utf-16-le'); fold h = ((h ^ unit) * 16777619) & 0xffffffff
  EXPECT_EQ(Fnv1aUtf16("\xC3\xA9\xF0\x9F\x98\x80"
                       "a"),
            228484416u);
  // The byte-wise (UTF-8) FNV-1a of the same string is 1573120343: must differ.
  EXPECT_NE(Fnv1aUtf16("\xC3\xA9\xF0\x9F\x98\x80"
                       "a"),
            1573120343u);
}

TEST(Fnv1aUtf16, PiecewiseEqualsConcatenation) {
  EXPECT_EQ(Fnv1aUtf16("def", Fnv1aUtf16("abc")), Fnv1aUtf16("abcdef"));
  EXPECT_EQ(Fnv1aUtf16("\xF0\x9F\x98\x80", Fnv1aUtf16("x\xC3\xA9")),
            Fnv1aUtf16("x\xC3\xA9\xF0\x9F\x98\x80"));
}

TEST(Fnv1aUtf16, InvalidUtf8HashesAsReplacementCharacter) {
  // A lone continuation byte and a truncated sequence each become U+FFFD.
  EXPECT_EQ(Fnv1aUtf16("\x80"), Fnv1aUtf16("\xEF\xBF\xBD"));
  EXPECT_EQ(Fnv1aUtf16("a\xC3"), Fnv1aUtf16("a\xEF\xBF\xBD"));
  EXPECT_NE(Fnv1aUtf16("\x80"), Fnv1aUtf16(""));
}

}  // namespace
}  // namespace tailor::experiments
