#include "config/config_diff.h"

#include <gtest/gtest.h>

namespace tailor::config {
namespace {

TEST(ConfigDiff, LinesOfChangedText) {
  std::vector<DiffLine> lines = DiffLines("a\nb\nc\nd\n", "a\nc\nx\nd\ne\n");
  std::vector<DiffLine> expected = {{'-', 2, "b"}, {'+', 3, "x"}, {'+', 5, "e"}};
  EXPECT_EQ(lines, expected);
  EXPECT_TRUE(DiffLines("same\n", "same\n").empty());
  EXPECT_TRUE(DiffLines("x\r\n", "x\n").empty());
}

TEST(ConfigDiff, ReplacedLineIsRemoveThenAdd) {
  std::vector<DiffLine> lines = DiffLines("events:\n  strict: false\n", "events:\n  strict: true\n");
  std::vector<DiffLine> expected = {{'-', 2, "  strict: false"}, {'+', 2, "  strict: true"}};
  EXPECT_EQ(lines, expected);
}

TEST(ConfigDiff, FilesAddedRemovedChanged) {
  ConfigFiles from = {{"a.yaml", "x: 1\n"}, {"b.yaml", "y: 1\n"}, {"same.yaml", "z\n"}};
  ConfigFiles to = {{"b.yaml", "y: 2\n"}, {"c.yaml", "w: 1\nv: 2\n"}, {"same.yaml", "z\n"}};
  ConfigDiff diff{1, 2, DiffFiles(from, to)};
  ASSERT_EQ(diff.files.size(), 3u);
  EXPECT_EQ(diff.ToText(),
            "--- v1\n+++ v2\n"
            "removed a.yaml\n-1: x: 1\n"
            "changed b.yaml\n-1: y: 1\n+1: y: 2\n"
            "added c.yaml\n+1: w: 1\n+2: v: 2\n");
}

TEST(ConfigDiff, HugeInputsFallBackToReplace) {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) {
    a += "a" + std::to_string(i) + "\n";
    b += "b" + std::to_string(i) + "\n";
  }
  std::vector<DiffLine> lines = DiffLines(a, b);
  EXPECT_EQ(lines.size(), 6000u);
  EXPECT_EQ(lines.front().op, '-');
  EXPECT_EQ(lines.back().op, '+');
}

}  // namespace
}  // namespace tailor::config
