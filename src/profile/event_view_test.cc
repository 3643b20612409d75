// EventView must answer as the JSON event document does, and features applied through it
// must end in the same states as through the document (odd inputs included).
#include "profile/event_view.h"

#include <gtest/gtest.h>

#include "condition/condition.h"
#include "condition/json_document.h"
#include "profile/features.h"
#include "testutil/testutil.h"

namespace tailor::profile {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

// Properties texts: nested objects, arrays, unicode escapes, numbers as strings, wrong
// types, duplicate keys, negative zero, integer edges, and text simdjson rejects.
const char* kProperties[] = {
    R"({"price":49.9,"currency":"EUR","page":"/p/1","items":[{"sku":"A","qty":2}]})",
    R"({"price":"49.9","currency":7,"page":["/p/1"],"items":{}})",
    R"({"price":null,"currency":null,"page":null})",
    R"({"price":true,"currency":false,"page":{"path":"/x"}})",
    R"({"price":-0,"currency":"\u00e9\ud83d\ude00","page":"a\"b\\c\n"})",
    R"({"price":-0.0,"page":1e2,"currency":1.0})",
    R"({"price":18446744073709551615,"page":-9223372036854775808,"currency":12345678901234567890})",
    R"({"price":1,"price":2,"page":"first","page":"second"})",
    R"({"price":123456789012345678901234567890,"page":"big integer: simdjson rejects it"})",
    R"({"price":1e400,"page":"out of range"})",
    R"({"nested":{"deep":{"price":5,"page":"/deep"}},"":{"x":1}})",
    R"({})",
    "",
    "not json",
    R"([1,2,3])",
    R"("a string")",
};

const char* kConditions[] = {
    R"({"properties.price":{"$gte":40}})",
    R"({"properties.price":{"$exists":true}})",
    R"({"properties.price":{"$type":"number"}})",
    R"({"properties.price":"49.9"})",
    R"({"properties.price":2})",
    R"({"properties.price":0})",
    R"({"properties.currency":{"$in":["EUR","USD"]}})",
    R"({"properties.currency":{"$regex":"^\\u00e9"}})",
    R"({"properties.page":{"$size":1}})",
    R"({"properties.page":"second"})",
    R"({"properties.page.path":"/x"})",
    R"({"properties.page.0":"/p/1"})",
    R"({"properties.items.0.sku":"A"})",
    R"({"properties.items":{"$elemMatch":{"qty":{"$gt":1}}}})",
    R"({"properties.items":{"$size":0}})",
    R"({"properties":{"$size":3}})",
    R"({"properties":{"$type":"object"}})",
    R"({"properties":{"$exists":false}})",
    R"({"properties.nested.deep.price":5})",
    R"({"properties..x":1})",
    R"({"type":"purchase","timestamp":{"$gt":0}})",
    R"({"session_id":"s1"})",
    R"({"context.channel":"web"})",
    R"({"context":{"$exists":true}})",
    R"({"$or":[{"properties.price":{"$lt":0}},{"properties.page":{"$type":"string"}}]})",
    R"({"$not":{"properties.currency":{"$exists":true}}})",
};

TEST(EventView, AnswersLikeTheJsonDocument) {
  EventView view;
  const std::string contexts[] = {R"({"channel":"web","page":{"url":"/"}})", "", "[1]"};
  for (const char* props : kProperties) {
    for (const std::string& context : contexts) {
      for (bool with_context : {true, false}) {
        SCOPED_TRACE(std::string(props) + " | " + context + (with_context ? " +ctx" : ""));
        Json doc = EventDocumentJson("purchase", kNow, "s1", props, context, with_context);
        bool viewed = view.Reset("purchase", kNow, "s1", props, context, with_context);
        auto bad = [](std::string_view t) { return !t.empty() && !ParseJson(t).ok(); };
        // simdjson and nlohmann accept the same texts, except numbers beyond 64 bits.
        if (!viewed) {
          EXPECT_TRUE(std::string(props).find("1234567890123456789012") != std::string::npos ||
                      std::string(props).find("1e400") != std::string::npos || bad(props) ||
                      (with_context && bad(context)));
          continue;
        }
        condition::JsonDocument json_view(doc);
        for (const char* text : kConditions) {
          SCOPED_TRACE(text);
          auto cond = condition::Condition::Compile(Json::parse(text));
          ASSERT_OK(cond.status());
          EXPECT_EQ(cond->Evaluate(view), cond->Evaluate(json_view));
        }
        for (const char* path : {"properties.price", "properties.currency", "properties.page",
                                 "properties.items", "properties.nested.deep.page", "properties",
                                 "timestamp", "type", "properties..x", "properties.items.0",
                                 "context.channel", "missing.path"}) {
          std::vector<std::string> steps;
          std::string p = path;
          for (size_t pos = 0;;) {
            size_t dot = p.find('.', pos);
            steps.push_back(p.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
            if (dot == std::string::npos) break;
            pos = dot + 1;
          }
          const Json* want = LookupPath(doc, path);
          condition::Node got = view.Field(steps);
          ASSERT_EQ(EventView::Present(got), want != nullptr) << path;
          if (want == nullptr || want->is_array() || want->is_object()) continue;
          Json value = view.ToJson(got);
          EXPECT_EQ(value, *want) << path;
          // Only "-0" differs: nlohmann types it a signed 0, the view (which cannot tell
          // it from "0") an unsigned 0. Equal values and text, so no feature can differ.
          if (*want != 0) EXPECT_EQ(value.type(), want->type()) << path;
          EXPECT_EQ(value.dump(), want->dump()) << path;
        }
      }
    }
  }
}

// Every kind reading a field, plus a `where` filter compiled from its text: the states
// after events applied through the view equal those through the JSON document.
TEST(EventView, FeaturesApplyAsOverTheJsonDocument) {
  Json defs = {
      {"sum", {{"type", "sum"}, {"field", "properties.price"}, {"window", "30d"}}},
      {"avg", {{"type", "avg"}, {"field", "properties.price"}}},
      {"min", {{"type", "min"}, {"field", "properties.price"}}},
      {"max", {{"type", "max"}, {"field", "properties.price"}, {"window", "7d"}}},
      {"first", {{"type", "first"}, {"field", "properties.currency"}}},
      {"last", {{"type", "last"}, {"field", "properties.page"}}},
      {"last_ts", {{"type", "last"}, {"field", "timestamp"}}},
      {"distinct", {{"type", "distinct_count"}, {"field", "properties.page"}}},
      {"negative", {{"type", "negative"}, {"field", "properties.currency"}}},
      {"top", {{"type", "decayed_top"}, {"field", "properties.page"}, {"top", 3}}},
      {"rfm", {{"type", "rfm"}, {"field", "properties.price"}}},
      {"deep", {{"type", "last"}, {"field", "properties.nested.deep.page"}}},
      {"count", {{"type", "count"}}},
      {"big", {{"type", "count"}, {"where", {{"properties.price", {{"$gte", 40}}}}}}},
      {"web", {{"type", "count"}, {"where", {{"context.channel", "web"}}}}},
  };
  auto compile_where = [](const Json& where) -> Result<std::shared_ptr<const EventFilter>> {
    struct Filter : EventFilter {
      condition::Condition c;
      bool Matches(const condition::Document& doc) const override { return c.Evaluate(doc); }
    };
    auto f = std::make_shared<Filter>();
    TAILOR_ASSIGN_OR_RETURN(f->c, condition::Condition::Compile(where));
    return std::shared_ptr<const EventFilter>(std::move(f));
  };
  std::vector<FeatureSpec> specs;
  for (const auto& [name, def] : defs.items()) {
    auto spec = ParseFeatureSpec(name, def, compile_where);
    ASSERT_OK(spec.status());
    specs.push_back(std::move(spec).value());
  }
  auto set = FeatureSet::Build(std::move(specs));
  ASSERT_OK(set.status());
  ASSERT_TRUE((*set)->ReadsContext());
  FeatureStates via_json, via_view;
  EventView view;
  const std::string context = R"({"channel":"web"})";
  int64_t ts = kNow - 20 * 86'400'000LL;
  for (int round = 0; round < 3; ++round) {
    for (const char* props : kProperties) {
      ts += 3'600'000;
      Json doc = EventDocumentJson("purchase", ts, "s1", props, context, true);
      (*set)->Apply(EventFacts{"purchase", ts, "s1", &doc}, &via_json);
      (*set)->Apply(EventFacts{"purchase", ts, "s1", nullptr, props, context}, &via_view, &view);
      // After every event, not only at the end: `last` is overwritten in place when both
      // values are strings, and each step (string -> number -> string ...) must match.
      ASSERT_EQ(via_json.size(), via_view.size());
      for (const auto& [name, st] : via_json) {
        std::string want, got;
        st.AppendJson(&want);
        via_view.at(name).AppendJson(&got);
        ASSERT_EQ(got, want) << name << " after " << props;
      }
    }
  }
  ASSERT_EQ(via_json.size(), via_view.size());
  for (const auto& [name, st] : via_json) {
    SCOPED_TRACE(name);
    std::string want, got;
    st.AppendJson(&want);
    via_view.at(name).AppendJson(&got);
    EXPECT_EQ(got, want);
    EXPECT_GT(st.seen + st.bad_field, 0u);
  }
  EXPECT_EQ((*set)->Read(via_view, kNow), (*set)->Read(via_json, kNow));
}

}  // namespace
}  // namespace tailor::profile
