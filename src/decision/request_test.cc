#include "decision/request.h"

#include <gtest/gtest.h>

#include "core/time_util.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

TEST(DecideRequest, ParsesAValidRequest) {
  auto r = ParseDecideRequest(R"({"user_id":"u1","placements":["a","b"],
                                 "context":{"channel":"email","geo":{"country":"NO"}},"dry_run":true})");
  ASSERT_OK(r);
  EXPECT_EQ(r->user_id, "u1");
  EXPECT_EQ(r->placements, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->context.ToJson(), Json::parse(R"({"channel":"email","geo":{"country":"NO"}})"));
  EXPECT_FALSE(r->channel_defaulted);
  EXPECT_EQ(r->context_text, R"({"channel":"email","geo":{"country":"NO"}})");
  EXPECT_TRUE(r->dry_run);
}

// The parser lays the context out flat and as text in one walk: both must hold what the
// request sent, for every kind of JSON value, with the request's member order kept in
// the text and members sorted by name in the flat copy.
TEST(DecideRequest, TheParsedContextIsWhatTheRequestSent) {
  for (
      const char* context : {
          R"({})",
          R"({"z":1,"a":"x","m":{"y":[1,2.5,-3,"s",true,false,null,{},[]],"b":{"c":"d"}}})",
          R"({"big":18446744073709551615,"neg":-9223372036854775808,"f":1e300,"tiny":5e-324})",
          R"({"esc":"quote \" backslash \\ tab \t nl \n u \u0001 é 🙂","":"empty name"})",
          // The members the server reads, well typed; below the root the names are free.
          R"({"device":"mobile","geo":{"country":"NO"},"utc_offset_minutes":-840,"locale":"nb","page":"/"})",
          R"({"m":{"time":1,"device":2,"geo":"NO","utc_offset_minutes":0.5}})",
      }) {
    SCOPED_TRACE(context);
    auto r = ParseDecideRequest(std::string(R"({"user_id":"u","placements":["a"],"context":)") +
                                context + "}");
    ASSERT_OK(r);
    const Json expected = Json::parse(context);
    EXPECT_EQ(Json::parse(r->context_text), expected);
    // The flat copy has the channel, defaulted.
    Json with_channel = expected;
    with_channel["channel"] = "web";
    EXPECT_EQ(r->context.ToJson(), with_channel);
    EXPECT_TRUE(r->channel_defaulted);
    // Member order as sent.
    std::string first_member = expected.empty() ? "" : std::string(context).substr(2, 1);
    if (!first_member.empty() && first_member != "\"") {
      EXPECT_EQ(r->context_text.substr(0, 3), "{\"" + first_member);
    }
    DecideRequest built;
    built.SetContext(expected);
    EXPECT_EQ(Json::parse(built.context_text), expected);
    EXPECT_EQ(built.context.ToJson(), with_channel);
  }
}

TEST(DecideRequest, CompletedContextAgreesWithTheJsonCompletion) {
  const int64_t now = *ParseIso8601("2026-11-23T23:30:00Z");
  for (const char* context : {R"({})", R"({"channel":"app","page":"/"})",
                              R"({"utc_offset_minutes":60,"geo":{"country":"NO"}})"}) {
    for (bool with_time : {false, true}) {
      SCOPED_TRACE(std::string(context) + (with_time ? " with time" : ""));
      auto r = ParseDecideRequest(std::string(R"({"user_id":"u","placements":["a"],"context":)") +
                                  context + "}");
      ASSERT_OK(r);
      Json expected = Json::parse(context);
      CompleteContext(&expected, now, with_time);
      CompletedContext c;
      CompleteContext(*r, now, with_time, &c);
      EXPECT_EQ(c.flat->ToJson(), expected);
      const std::string text = std::string(c.text) + std::string(c.text_tail);
      EXPECT_EQ(Json::parse(text), expected);
      EXPECT_EQ(c.channel, expected["channel"]);
      // The request's text comes first, unchanged; without the time nothing is copied.
      EXPECT_EQ(text.substr(0, r->context_text.size() - 1),
                r->context_text.substr(0, r->context_text.size() - 1));
      if (!with_time) {
        EXPECT_EQ(c.flat, &r->context);
      }
      // A request built in code completes the same.
      DecideRequest built;
      built.SetContext(Json::parse(context));
      CompletedContext b;
      CompleteContext(built, now, with_time, &b);
      EXPECT_EQ(b.flat->ToJson(), expected);
      EXPECT_EQ(Json::parse(std::string(b.text) + std::string(b.text_tail)), expected);
    }
  }
}

TEST(DecideRequest, BadInputNamesThePath) {
  struct Case {
    const char* body;
    const char* path;
  };
  const Case cases[] = {
      {R"({"user_id":"u","placements":[]})", "placements"},
      {R"({"user_id":"u","placements":["a",3]})", "placements[1]"},
      {R"({"user_id":"u","placements":["a","a"]})", "placements[1]"},
      {R"({"placements":["a"]})", "user_id"},
      {R"({"user_id":7,"placements":["a"]})", "user_id"},
      {R"({"user_id":"","placements":["a"]})", "user_id"},
      {R"({"user_id":"u"})", "placements"},
      {R"({"user_id":"u","placements":["a"],"context":[1]})", "context"},
      {R"({"user_id":"u","placements":["a"],"context":{"channel":5}})", "context.channel"},
      {R"({"user_id":"u","placements":["a"],"context":{"geo":"NO"}})", "context.geo"},
      {R"({"user_id":"u","placements":["a"],"context":{"time":{}}})", "context.time"},
      {R"({"user_id":"u","placements":["a"],"context":{"utc_offset_minutes":9999}})",
       "context.utc_offset_minutes"},
      {R"({"user_id":"u","placements":["a"],"context":{"utc_offset_minutes":60.5}})",
       "context.utc_offset_minutes"},
      {R"({"user_id":"u","placements":["a"],"context":{"utc_offset_minutes":"60"}})",
       "context.utc_offset_minutes"},
      {R"({"user_id":"u","placements":["a"],"context":{"page":"/","device":["mobile"]}})",
       "context.device"},
      {R"({"user_id":"u","placements":["a"],"context":{"locale":null}})", "context.locale"},
      {R"({"user_id":"u","placements":["a"],"context":{"page":{"path":"/"}}})", "context.page"},
      {R"({"user_id":"u","placements":["a"],"context":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}})",
       "context.a.b.c.d.e.f.g.h"},
      {R"({"user_id":"u","placements":["a"],"context":{"a":[{"b":1,"c":2,"b":3}]}})",
       "context.a[0].b"},
      {R"({"user_id":"u","placements":["a"],"colour":1})", "colour"},
      {R"({"user_id":"u","placements":["a"],"dry_run":"yes"})", "dry_run"},
  };
  for (const Case& c : cases) {
    auto r = ParseDecideRequest(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(r.status().path(), c.path) << c.body << " " << r.status().message();
  }
  std::string big = R"({"user_id":"u","placements":["a"],"context":{"blob":")" +
                    std::string(kMaxContextBytes, 'x') + "\"}}";
  EXPECT_EQ(ParseDecideRequest(big).status().path(), "context");
  // Too many elements or members: refused before their slots are reserved.
  std::string many_elements = R"({"user_id":"u","placements":["a"],"context":{"l":[0)";
  for (size_t i = 0; i < kMaxContextBytes / 2; ++i) many_elements += ",0";
  EXPECT_EQ(ParseDecideRequest(many_elements + "]}}").status().path(), "context");
  std::string many_members = R"({"user_id":"u","placements":["a"],"context":{"o":{"m0":0)";
  for (size_t i = 1; i <= kMaxContextBytes / 4; ++i)
    many_members += ",\"m" + std::to_string(i) + "\":0";
  EXPECT_EQ(ParseDecideRequest(many_members + "}}}").status().path(), "context");
  // An empty container may sit at the 8th level; a non-empty one may not.
  EXPECT_OK(ParseDecideRequest(
      R"({"user_id":"u","placements":["a"],"context":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}}})"));
  EXPECT_OK(ParseDecideRequest(
      R"({"user_id":"u","placements":["a"],"context":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":[]}}}}}}}}})"));
  EXPECT_FALSE(ParseDecideRequest("{not json").ok());
  EXPECT_FALSE(ParseDecideRequest("[]").ok());
  std::string many = R"({"user_id":"u","placements":[)";
  for (int i = 0; i < 40; ++i) many += (i ? ",\"p" : "\"p") + std::to_string(i) + "\"";
  EXPECT_EQ(ParseDecideRequest(many + "]}").status().path(), "placements");
}

TEST(DecideRequest, CompleteContextAddsChannelAndLocalTime) {
  Json ctx = Json::object();
  CompleteContext(&ctx, *ParseIso8601("2026-11-23T23:30:00Z"));  // a Monday
  EXPECT_EQ(ctx["channel"], "web");
  EXPECT_EQ(ctx["time"]["hour"], 23);
  EXPECT_EQ(ctx["time"]["weekday"], "monday");
  Json oslo = {{"utc_offset_minutes", 60}, {"channel", "app"}};
  CompleteContext(&oslo, *ParseIso8601("2026-11-23T23:30:00Z"));
  EXPECT_EQ(oslo["channel"], "app");
  EXPECT_EQ(oslo["time"]["hour"], 0);
  EXPECT_EQ(oslo["time"]["weekday"], "tuesday");
  EXPECT_EQ(oslo["time"]["minute_of_day"], 30);
}

}  // namespace
}  // namespace tailor::decision
