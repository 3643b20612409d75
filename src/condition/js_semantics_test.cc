#include "condition/js_semantics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "condition/json_document.h"

namespace tailor::condition::internal {
namespace {

std::string Fmt(double d) {
  char buf[kNumberBufferSize];
  return std::string(FormatJsNumber(d, buf));
}

TEST(JsSemantics, FormatNumberLikeJavaScript) {
  EXPECT_EQ(Fmt(0), "0");
  EXPECT_EQ(Fmt(-0.0), "0");
  EXPECT_EQ(Fmt(1), "1");
  EXPECT_EQ(Fmt(-42), "-42");
  EXPECT_EQ(Fmt(0.1), "0.1");
  EXPECT_EQ(Fmt(1.5e300), "1.5e+300");
  EXPECT_EQ(Fmt(1e21), "1e+21");
  EXPECT_EQ(Fmt(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(Fmt(1e-6), "0.000001");
  EXPECT_EQ(Fmt(1e-7), "1e-7");
  EXPECT_EQ(Fmt(1.2345e-7), "1.2345e-7");
  EXPECT_EQ(Fmt(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Fmt(5e-324), "5e-324");
  EXPECT_EQ(Fmt(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(Fmt(NAN), "NaN");
  EXPECT_EQ(Fmt(-INFINITY), "-Infinity");
}

TEST(JsSemantics, StringToNumber) {
  EXPECT_EQ(JsStringToNumber(""), 0);
  EXPECT_EQ(JsStringToNumber("  \t\n"), 0);
  EXPECT_EQ(JsStringToNumber(" 42 "), 42);
  EXPECT_EQ(JsStringToNumber("+1.5"), 1.5);
  EXPECT_EQ(JsStringToNumber("-.5"), -0.5);
  EXPECT_EQ(JsStringToNumber("5."), 5);
  EXPECT_EQ(JsStringToNumber("1e3"), 1000);
  EXPECT_EQ(JsStringToNumber("0x1F"), 31);
  EXPECT_EQ(JsStringToNumber("0b101"), 5);
  EXPECT_EQ(JsStringToNumber("0o17"), 15);
  EXPECT_EQ(JsStringToNumber("-Infinity"), -INFINITY);
  EXPECT_EQ(JsStringToNumber("1e400"), INFINITY);
  EXPECT_EQ(JsStringToNumber("1e-400"), 0);
  EXPECT_EQ(JsStringToNumber("\xC2\xA0"
                             "7"),
            7);  // NBSP is whitespace
  for (const char* nan : {"abc", "1,2", "-0x10", "inf", "nan", "1e", ".", "e5", "0x", "1_000"}) {
    EXPECT_TRUE(std::isnan(JsStringToNumber(nan))) << nan;
  }
}

TEST(JsSemantics, ToNumberAndStringOfValues) {
  nlohmann::json j = {
      {"a", {1, 2}}, {"b", {nullptr}}, {"c", {{"7"}}}, {"d", nlohmann::json::object()}};
  JsonDocument doc(j);
  Value root(&doc, doc.Root());
  Value v = root;
  ASSERT_TRUE(root.Find("a", &v));
  EXPECT_TRUE(std::isnan(JsToNumber(v)));
  EXPECT_TRUE(JsStringEquals(v, "1,2"));
  ASSERT_TRUE(root.Find("b", &v));
  EXPECT_EQ(JsToNumber(v), 0);
  EXPECT_TRUE(JsStringEquals(v, ""));
  ASSERT_TRUE(root.Find("c", &v));
  EXPECT_EQ(JsToNumber(v), 7);
  ASSERT_TRUE(root.Find("d", &v));
  EXPECT_TRUE(JsStringEquals(v, "[object Object]"));
  EXPECT_TRUE(JsStringEquals(Value::Missing(&doc), "null"));
  EXPECT_LT(CompareJsString(Value::Missing(&doc), "nulm"), 0);
  EXPECT_GT(CompareJsString(root, "[object"), 0);
}

}  // namespace
}  // namespace tailor::condition::internal
