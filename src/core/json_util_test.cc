#include "core/json_util.h"

#include <gtest/gtest.h>

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
