#include "server/router.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace tailor::server {
namespace {

Route R(Method m, std::string pattern, std::string name) {
  return Route{m, std::move(pattern), kScopeNone, std::move(name),
               [](const HttpRequest&) { return HttpResponse::Json(200, "{}"); }};
}

Router MakeRouter() {
  auto r = Router::Create({
      R(Method::kGet, "/healthz", "health"),
      R(Method::kGet, "/v1/profiles/{id}", "profiles.get"),
      R(Method::kDelete, "/v1/profiles/{id}", "profiles.delete"),
      R(Method::kGet, "/v1/profiles/search", "profiles.search"),
      R(Method::kPost, "/v1/profiles/{id}/events", "profiles.events"),
      R(Method::kGet, "/", "root"),
  });
  EXPECT_OK(r);
  return std::move(r).value();
}

TEST(Router, MatchesLiteralAndParams) {
  Router router = MakeRouter();
  auto m = router.Find(Method::kGet, "/healthz");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "health");

  m = router.Find(Method::kPost, "/v1/profiles/u-42/events");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "profiles.events");
  EXPECT_EQ(m.path_params.at("id"), "u-42");

  m = router.Find(Method::kGet, "/");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "root");
}

TEST(Router, PathParamsArePercentDecodedPerSegment) {
  Router router = MakeRouter();
  auto m = router.Find(Method::kGet, "/v1/profiles/a%2Fb%20c+d");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "profiles.get");
  EXPECT_EQ(m.path_params.at("id"), "a/b c+d");  // '+' is literal in paths
}

TEST(Router, LiteralBeatsParameter) {
  Router router = MakeRouter();
  auto m = router.Find(Method::kGet, "/v1/profiles/search");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "profiles.search");
}

TEST(Router, NotFoundVersusMethodNotAllowed) {
  Router router = MakeRouter();
  EXPECT_EQ(router.Find(Method::kGet, "/nope").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(router.Find(Method::kGet, "/v1/profiles/").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(router.Find(Method::kGet, "/v1/profiles/x/events/y").kind,
            Router::Match::Kind::kNotFound);
  EXPECT_EQ(router.Find(Method::kGet, "healthz").kind, Router::Match::Kind::kNotFound);

  auto m = router.Find(Method::kPost, "/v1/profiles/x");
  ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "DELETE, GET, HEAD");

  m = router.Find(Method::kGet, "/v1/profiles/x/events");
  ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(Router, HeadFallsBackToGet) {
  Router router = MakeRouter();
  auto m = router.Find(Method::kHead, "/healthz");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->name, "health");
}

TEST(Router, CreateRejectsBadTables) {
  EXPECT_FALSE(Router::Create({R(Method::kGet, "nope", "a")}).ok());
  EXPECT_FALSE(Router::Create({R(Method::kGet, "/a/{}", "a")}).ok());
  EXPECT_FALSE(Router::Create({R(Method::kGet, "/a/x{id}", "a")}).ok());
  EXPECT_FALSE(Router::Create({R(Method::kGet, "/a/{id}/{id}", "a")}).ok());
  EXPECT_FALSE(Router::Create({R(Method::kGet, "/a", "")}).ok());
  auto dup = Router::Create({R(Method::kGet, "/a/{id}", "a"), R(Method::kGet, "/a/{x}", "b")});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicates"), std::string::npos);
  EXPECT_OK(Router::Create({R(Method::kGet, "/a/{id}", "a"), R(Method::kPut, "/a/{id}", "b")}));
  Route no_handler{Method::kGet, "/x", kScopeNone, "x", nullptr};
  EXPECT_FALSE(Router::Create({no_handler}).ok());
}

TEST(PercentDecode, DecodesAndRejectsMalformed) {
  EXPECT_EQ(*PercentDecode("a%20b%2fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%C3%A9", false), "\xC3\xA9");
  EXPECT_EQ(*PercentDecode("", false), "");
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%4", false).ok());
  EXPECT_FALSE(PercentDecode("%zz", false).ok());
  EXPECT_FALSE(PercentDecode("abc%2", false).ok());
}

TEST(QueryString, ParsesDecodesAndKeepsFirst) {
  auto q = ParseQueryString("a=1&b=x%20y+z&flag&&c=&a=2&%6Be%79=v");
  ASSERT_OK(q);
  EXPECT_EQ(q->at("a"), "1");
  EXPECT_EQ(q->at("b"), "x y z");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_EQ(q->at("c"), "");
  EXPECT_EQ(q->at("key"), "v");
  EXPECT_EQ(q->size(), 5u);
  EXPECT_TRUE(ParseQueryString("")->empty());

  auto bad = ParseQueryString("ok=1&limit=%zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().path(), "query.limit");
}

TEST(QueryString, SplitTarget) {
  EXPECT_EQ(SplitTarget("/a/b?x=1&y=2"),
            (std::pair<std::string_view, std::string_view>("/a/b", "x=1&y=2")));
  EXPECT_EQ(SplitTarget("/a"), (std::pair<std::string_view, std::string_view>("/a", "")));
  EXPECT_EQ(SplitTarget("/a?"), (std::pair<std::string_view, std::string_view>("/a", "")));
}

TEST(HttpTypes, ScopesAndAccessors) {
  EXPECT_EQ(ParseScope("events:write"), kScopeEventsWrite);
  EXPECT_EQ(ParseScope("profiles:read"), kScopeProfilesRead);
  EXPECT_EQ(ParseScope("decide"), kScopeDecide);
  EXPECT_EQ(ParseScope("admin"), kScopeAdmin);
  EXPECT_EQ(ParseScope("root"), std::nullopt);
  for (std::string_view name : AllScopeNames()) EXPECT_EQ(ScopeName(*ParseScope(name)), name);
  EXPECT_EQ(AllScopeNames().size(), 4u);
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");

  Principal admin{"k1", kScopeAdmin};
  EXPECT_TRUE(admin.Has(kScopeDecide));
  Principal writer{"k2", kScopeEventsWrite};
  EXPECT_TRUE(writer.Has(kScopeEventsWrite));
  EXPECT_FALSE(writer.Has(kScopeDecide));

  HttpRequest req;
  req.headers.emplace_back("content-type", "application/json");
  req.query["limit"] = "10";
  req.path_params["id"] = "u1";
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("x-missing"), "");
  EXPECT_EQ(req.Query("limit"), "10");
  EXPECT_EQ(req.Query("offset"), std::nullopt);
  EXPECT_EQ(req.PathParam("id"), "u1");

  HttpResponse t = HttpResponse::Text(200, "ok");
  EXPECT_EQ(t.content_type, "text/plain");
  HttpResponse j = HttpResponse::Json(201, "{}");
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/json");
}

}  // namespace
}  // namespace tailor::server

namespace tailor::server {
namespace {

TEST(PercentEncode, RoundTripsThroughDecode) {
  for (std::string s : {std::string("plain-id_1.~"), std::string("a b/c?d=e&f"),
                        std::string("user-\xF0\x9F\x8D\x95"), std::string("100%")}) {
    auto back = PercentDecode(PercentEncode(s), false);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(PercentEncode("a b/c"), "a%20b%2Fc");
}

}  // namespace
}  // namespace tailor::server
