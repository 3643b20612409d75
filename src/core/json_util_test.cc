#include "core/json_util.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/json_doc.h"

namespace tailor {
namespace {

TEST(JsonUtil, QuoteRoundTripsThroughParser) {
  for (std::string s : {std::string("plain"), std::string("q\"b\\s"), std::string("\x01\n\t"),
                        std::string("ünï ✓ 🙂")}) {
    auto parsed = ParseJson(JsonQuote(s));
    ASSERT_TRUE(parsed.ok()) << JsonQuote(s);
    EXPECT_EQ(parsed->get<std::string>(), s);
  }
}

TEST(JsonUtil, QuoteEscapesExactlyLikeTheSpec) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("abc"), "\"abc\"");
  EXPECT_EQ(JsonQuote(std::string("a\"b\\c\nd\re\tf\bg\fh\x01i\x1f", 18)),
            "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001f\"");
  EXPECT_EQ(JsonQuote("\"x"), "\"\\\"x\"");
  EXPECT_EQ(JsonQuote("x\\"), "\"x\\\\\"");
  EXPECT_EQ(JsonQuote("ü/✓"), "\"ü/✓\"");
}

TEST(JsonUtil, NumbersRoundTrip) {
  std::string out;
  AppendJsonInt(&out, int64_t{-9223372036854775807LL - 1});
  out += ' ';
  AppendJsonInt(&out, uint64_t{18446744073709551615ULL});
  out += ' ';
  AppendJsonDouble(&out, 2.0);
  out += ' ';
  AppendJsonDouble(&out, 0.1);
  out += ' ';
  AppendJsonDouble(&out, 1e300);
  out += ' ';
  AppendJsonDouble(&out, std::nan(""));
  EXPECT_EQ(out, "-9223372036854775808 18446744073709551615 2.0 0.1 1e+300 0");
  for (double d : {0.1, 1.0 / 3.0, 123456.789, -2.5e-8, 18446744073709551616.0}) {
    std::string text;
    AppendJsonDouble(&text, d);
    EXPECT_EQ(ParseJson(text)->get<double>(), d) << text;
  }
}

TEST(JsonUtil, Paths) {
  std::string p;
  AppendPathMember(&p, "events");
  AppendPathIndex(&p, 3);
  AppendPathMember(&p, "properties");
  AppendPathMember(&p, "a.b");
  EXPECT_EQ(p, "events[3].properties[\"a.b\"]");
}

TEST(JsonDoc, ErrorsNameTheOffset) {
  auto r = ParseJson("{\"a\": }");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("byte"), std::string::npos);
  EXPECT_FALSE(ParseJsonObject("[1]").ok());
  EXPECT_FALSE(ParseJson("7e997").ok()) << "overflowing numbers are an error, not an abort";
}

}  // namespace
}  // namespace tailor

namespace tailor {
namespace {

TEST(JsonDoc, AppendJsonValueMatchesDump) {
  const char* docs[] = {
      R"({"a":[1,-2,3.5,true,false,null],"b":{"c":"x\"y\n","d":{}},"e":[],"f":18446744073709551615})",
      R"("plain")", "0", "-7", "1e300", R"([{"k":"é😀"}])",
  };
  for (const char* text : docs) {
    Json j = Json::parse(text);
    std::string out = "prefix:";
    AppendJsonValue(&out, j);
    EXPECT_EQ(out, "prefix:" + j.dump()) << text;
  }
}

}  // namespace
}  // namespace tailor
