#include "ingest/schema_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

using OJson = nlohmann::ordered_json;

constexpr char kPurchaseSchema[] =
    R"({"type":"object","required":["price"],"properties":{"price":{"type":"number"}}})";

Event MakeEvent(std::string type, std::string properties_json) {
  Event e;
  e.event_id = "e";
  e.type = std::move(type);
  e.user_id = "u";
  e.properties_json = std::move(properties_json);
  return e;
}

std::shared_ptr<const SchemaRegistry> MustCompile(const IngestConfig& config) {
  Result<std::shared_ptr<const SchemaRegistry>> r = SchemaRegistry::Compile(config);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

TEST(SchemaRegistry, GoldenCases) {
  std::ifstream in(std::string(TAILOR_INGEST_TESTDATA) + "/schema_cases.json");
  std::stringstream ss;
  ss << in.rdbuf();
  OJson cases = OJson::parse(ss.str());
  ASSERT_GE(cases.size(), 20u);
  for (const OJson& c : cases) {
    const std::string name = c["name"].get<std::string>();
    SCOPED_TRACE("case " + name);
    const std::string type = c.value("type", std::string("purchase"));
    const std::string schema =
        c["schema"].is_string() ? c["schema"].get<std::string>() : c["schema"].dump();
    IngestConfig config;
    config.schemas[type] = schema;
    Result<std::shared_ptr<const SchemaRegistry>> reg = SchemaRegistry::Compile(config);
    Status text_status = ValidateSchemaText(type, schema);
    EXPECT_EQ(reg.ok(), text_status.ok());
    if (c.value("compile_error", false)) {
      ASSERT_FALSE(reg.ok());
      EXPECT_EQ(reg.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(reg.status().path(), "events.schemas." + type);
      EXPECT_NE(reg.status().message().find(c["message_contains"].get<std::string>()),
                std::string::npos)
          << reg.status().ToString();
      continue;
    }
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    const std::string props = c["properties"].is_null() ? "" : c["properties"].dump();
    Status st = (*reg)->Validate(MakeEvent(type, props));
    if (c["valid"].get<bool>()) {
      EXPECT_OK(st);
      continue;
    }
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(st.path(), c["error_path"].get<std::string>()) << st.ToString();
    if (c.contains("message_contains")) {
      EXPECT_NE(st.message().find(c["message_contains"].get<std::string>()), std::string::npos)
          << st.ToString();
    }
  }
  std::cout << "[ schema_cases.json: " << cases.size() << " cases ]\n";
}

TEST(SchemaRegistry, TypesWithoutSchemaPassUnlessStrict) {
  IngestConfig config;
  config.schemas["purchase"] = kPurchaseSchema;
  auto lax = MustCompile(config);
  ASSERT_NE(lax, nullptr);
  EXPECT_TRUE(lax->HasSchema("purchase"));
  EXPECT_FALSE(lax->HasSchema("page_view"));
  EXPECT_OK(lax->Validate(MakeEvent("page_view", R"({"x":1})")));

  config.strict = true;
  auto strict = MustCompile(config);
  ASSERT_NE(strict, nullptr);
  Status st = strict->Validate(MakeEvent("page_view", ""));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.path(), "type");
  EXPECT_EQ(st.message(),
            "unknown event type 'page_view': add a schema under events.schemas or turn off "
            "events.strict");
  for (const char* builtin : {"identify", "consent", "alias"}) {
    EXPECT_OK(strict->Validate(MakeEvent(builtin, "")));
  }
  EXPECT_OK(strict->Validate(MakeEvent("purchase", R"({"price":1})")));
}

TEST(SchemaRegistry, CompileNamesTheFailingType) {
  IngestConfig config;
  config.schemas["purchase"] = kPurchaseSchema;
  config.schemas["signup"] = R"({"type":"object","properties":{"plan":{"enum":"pro"}}})";
  Result<std::shared_ptr<const SchemaRegistry>> r = SchemaRegistry::Compile(config);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().path(), "events.schemas.signup");
  EXPECT_NE(r.status().message().find("'signup'"), std::string::npos) << r.status().ToString();
}

// Valid events are checked on a simdjson DOM, invalid ones re-checked (for the error) on
// an nlohmann tree: both must agree on number kinds and on the array walks valijson does
// (uniqueItems steps back from end(), tuple `items` seeks with advance()). A DOM that
// wrongly fails only costs time (the tree decides); one that wrongly passes shows here.
TEST(SchemaRegistry, SimdjsonFastPathAgreesWithNlohmann) {
  struct Case {
    const char* schema;
    const char* properties;
    bool valid;
    const char* error_path;  // when invalid
  };
  const Case cases[] = {
      {R"({"properties":{"n":{"type":"integer"}}})", R"({"n":-0})", true, ""},
      {R"({"properties":{"n":{"type":"integer"}}})", R"({"n":18446744073709551615})", true, ""},
      {R"({"properties":{"n":{"type":"integer","maximum":5}}})", R"({"n":-9223372036854775808})",
       true, ""},
      {R"({"properties":{"n":{"type":"integer"}}})", R"({"n":1.0})", false, "properties.n"},
      {R"({"properties":{"n":{"type":"integer"}}})", R"({"n":1e2})", false, "properties.n"},
      {R"({"properties":{"n":{"type":"number","minimum":0}}})", R"({"n":-0.5})", false,
       "properties.n"},
      {R"({"properties":{"a":{"uniqueItems":true}}})", R"({"a":[1,2,3]})", true, ""},
      {R"({"properties":{"a":{"uniqueItems":true}}})", R"({"a":[]})", true, ""},
      {R"({"properties":{"a":{"uniqueItems":true}}})", R"({"a":[5]})", true, ""},
      {R"({"properties":{"a":{"uniqueItems":true}}})", R"({"a":[1,2,1]})", false, "properties.a"},
      {R"({"properties":{"a":{"uniqueItems":true}}})", R"({"a":[{"x":[1]},{"x":[1]}]})", false,
       "properties.a"},
      {R"({"properties":{"t":{"items":[{"type":"string"},{"type":"integer"}],"additionalItems":{"type":"boolean"}}}})",
       R"({"t":["a",1,true,false]})", true, ""},
      {R"({"properties":{"t":{"items":[{"type":"string"},{"type":"integer"}],"additionalItems":{"type":"boolean"}}}})",
       R"({"t":["a",1,true,3]})", false, "properties.t[3]"},
      {R"({"properties":{"c":{"const":{"k":[1,"x"]}},"e":{"enum":["A",2,null]}}})",
       R"({"c":{"k":[1,"x"]},"e":null})", true, ""},
      {R"({"properties":{"c":{"const":{"k":[1,"x"]}},"e":{"enum":["A",2,null]}}})",
       R"({"c":{"k":[1,"y"]}})", false, "properties.c"},
      {R"({"properties":{"e":{"enum":["A",2,null]}}})", R"({"e":3})", false, "properties.e"},
      {R"({"required":["x"],"maxProperties":1})", "", false, "properties"},
      {R"({"maxProperties":1})", "", true, ""},
      {R"({"properties":{"s":{"type":"string","maxLength":2}}})", R"({"s":"ø😀"})", true, ""},
      {R"({"additionalProperties":false,"properties":{"a":{}}})", R"({"a":1,"b\u00e9":2})", false,
       "properties"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.schema) + " / " + c.properties);
    IngestConfig config;
    config.schemas["purchase"] = c.schema;
    auto reg = MustCompile(config);
    ASSERT_NE(reg, nullptr);
    Status st = reg->Validate(MakeEvent("purchase", c.properties));
    EXPECT_EQ(st.ok(), c.valid) << st.ToString();
    if (!c.valid && !st.ok()) {
      EXPECT_EQ(st.path(), c.error_path) << st.ToString();
    }
  }
}

TEST(SchemaRegistry, ConcurrentValidateIsSafe) {
  IngestConfig config;
  config.schemas["purchase"] =
      R"({"type":"object","required":["sku"],"properties":{"sku":{"type":"string","pattern":"^[A-Z]+-[0-9]+$"}}})";
  auto reg = MustCompile(config);
  ASSERT_NE(reg, nullptr);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        bool good = (i + t) % 2 == 0;
        Status st =
            reg->Validate(MakeEvent("purchase", good ? R"({"sku":"AB-12"})" : R"({"sku":"ab"})"));
        if (st.ok() != good) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tailor::ingest
