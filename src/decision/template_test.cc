#include "decision/template.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

TEST(Template, RendersNestedNamesFromLayersAndEscapesHtml) {
  auto t = Template::Compile("Hi {{traits.first_name}} from {{context.geo.country}}{{#traits.vip}}, VIP{{/traits.vip}} {{traits.note}}");
  ASSERT_OK(t);
  Json profile = Json::parse(R"({"traits":{"first_name":"Ada","vip":true,"note":"<b>"}})");
  Json context = Json::parse(R"({"geo":{"country":"NO"}})");
  EXPECT_EQ((*t)->Render(profile, &context), "Hi Ada from NO, VIP &lt;b&gt;");
  Json empty = Json::object();
  EXPECT_EQ((*t)->Render(empty), "Hi  from  ");
}

TEST(Template, SectionsOverListsAndIndexes) {
  auto t = Template::Compile("{{#features.top}}[{{.}}]{{/features.top}} {{features.top.1}} {{^traits.vip}}not vip{{/traits.vip}}");
  ASSERT_OK(t);
  Json doc = Json::parse(R"({"features":{"top":["shoes","bags"]},"traits":{"vip":false}})");
  EXPECT_EQ((*t)->Render(doc), "[shoes][bags] bags not vip");
}

TEST(Template, NumbersRenderAsJsonText) {
  auto t = Template::Compile("{{features.score}} / {{features.count}}");
  ASSERT_OK(t);
  Json doc = Json::parse(R"({"features":{"score":2.5,"count":3}})");
  EXPECT_EQ((*t)->Render(doc), "2.5 / 3");
}

TEST(Template, VariableOnlyTemplatesRenderAsKainjowDoes) {
  // The text-and-variables fast path must agree with kainjow; an empty section in front
  // sends the same text through kainjow.
  const std::string text =
      "A {{ traits.name }} {{traits.n}}/{{traits.i}} [{{traits.missing}}|{{traits.nil}}|"
      "{{traits.flag}}|{{traits.list}}|{{context.x}}] }} {";
  auto fast = Template::Compile(text);
  auto slow = Template::Compile("{{#traits.none}}{{/traits.none}}" + text);
  ASSERT_OK(fast);
  ASSERT_OK(slow);
  Json doc = Json::parse(
      R"({"traits":{"name":"<a href='x'>&\"é","n":4.5,"i":-3,"nil":null,"flag":true,"list":[1]}})");
  Json context = Json::parse(R"({"x":"y"})");
  EXPECT_EQ((*fast)->Render(doc, &context), (*slow)->Render(doc, &context));
  Json plain = Json::parse(R"({"traits":{"name":"Ada","n":1}})");
  EXPECT_EQ((*fast)->Render(plain, &context), (*slow)->Render(plain, &context));
  EXPECT_EQ((*fast)->Render(plain, &context), "A Ada 1/ [||||y] }} {");
}

TEST(Template, RenderingFromTheFlatViewAgreesWithJson) {
  // Strings from the flat view; numbers, booleans, lists, the context and the
  // non-simple templates through JSON: every path must give the JSON rendering.
  const Json doc = Json::parse(
      R"({"traits":{"name":"<a href='x'>&\"é","n":4.5,"i":-3,"f":3.0,"nil":null,"flag":true,)"
      R"("list":["a","b"],"obj":{"k":"v"}},"features":{"top":["shoes","bags"]}})");
  const Json context = Json::parse(R"({"x":"y","n":2,"f":2.5,"b":true,"l":[1]})");
  const FlatJson flat(doc);
  const FlatJson flat_context(context);
  for (const char* text : {
           "Hi {{traits.name}}!", "{{traits.n}}/{{traits.i}}/{{traits.f}}", "[{{traits.nil}}]",
           "[{{traits.missing}}] [{{nothing.at.all}}]", "{{traits.flag}}", "{{traits.list}}",
           "{{traits.list.1}} {{traits.list.01}} {{traits.list.2}} {{features.top.0}}",
           "{{traits.obj.k}} {{traits.obj}}", "{{context.x}} {{context.n}} {{context.none}}",
           "{{context.f}} {{context.b}}", "{{context.l}}", "{{#context.b}}yes{{/context.b}}",
           "{{traits.name.x}}", "{{#features.top}}[{{.}}]{{/features.top}} {{traits.name}}",
           "plain text"}) {
    auto t = Template::Compile(text);
    ASSERT_OK(t);
    EXPECT_EQ((*t)->Render(flat, doc, &flat_context), (*t)->Render(doc, &context)) << text;
  }
}

TEST(Template, MalformedTemplatesAreErrors) {
  EXPECT_FALSE(Template::Compile("{{#open}} never closed").ok());
  EXPECT_FALSE(Template::Compile("{{unclosed").ok());
}

TEST(Template, ConcurrentRendersAgree) {
  auto t = Template::Compile("Hello {{traits.name}}!");
  ASSERT_OK(t);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Json doc = {{"traits", {{"name", "user" + std::to_string(i)}}}};
      for (int k = 0; k < 500; ++k) {
        if ((*t)->Render(doc) != "Hello user" + std::to_string(i) + "!") ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace tailor::decision
