// Runs testdata/feature_cases.json: feature definitions, a list of events relative to
// "now", and the expected values read as of now (or read_at).
#include "profile/features.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/time_util.h"
#include "testutil/testutil.h"

namespace tailor::profile {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

int64_t Offset(const std::string& s) {
  bool neg = !s.empty() && s[0] == '-';
  std::string body = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  int64_t ms = *ParseDurationMs(body);
  return neg ? -ms : ms;
}

Json LoadCases() {
  std::ifstream in(std::string(TAILOR_PROFILE_TESTDATA) + "/feature_cases.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

TEST(FeatureGolden, AllCases) {
  Json cases = LoadCases();
  ASSERT_GT(cases.size(), 10u);
  for (const Json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::vector<FeatureSpec> specs;
    Status error;
    for (const auto& [name, def] : c["features"].items()) {
      auto spec = ParseFeatureSpec(name, def, nullptr);
      if (!spec.ok()) {
        error = spec.status();
        break;
      }
      specs.push_back(std::move(spec).value());
    }
    if (c.contains("expect_error")) {
      ASSERT_FALSE(error.ok());
      EXPECT_EQ(error.path(), c["expect_error"]["path"].get<std::string>());
      EXPECT_NE(error.message().find(c["expect_error"]["contains"].get<std::string>()),
                std::string::npos)
          << error.message();
      continue;
    }
    ASSERT_OK(error);
    auto set = FeatureSet::Build(specs);
    ASSERT_OK(set);
    FeatureStates states;
    for (const Json& e : c.value("events", Json::array())) {
      int64_t ts = kNow + Offset(e["at"].get<std::string>()) + e.value("plus_ms", int64_t{0});
      Json doc = {{"type", e["type"]}, {"timestamp", ts},
                  {"properties", e.value("properties", Json::object())}};
      std::string session = e.value("session", "s");
      const std::string type = e["type"].get<std::string>();  // facts keep a view of it
      EventFacts facts{type, ts, session, &doc};
      (*set)->Apply(facts, &states);
    }
    int64_t read_at = kNow + (c.contains("read_at") ? Offset(c["read_at"].get<std::string>()) : 0);
    Json got = (*set)->Read(states, read_at);
    for (const auto& [name, want] : c["expect"].items()) {
      EXPECT_EQ(got[name], want) << name << " = " << got[name].dump();
    }
    if (c.contains("expect_bad_field")) {
      for (const auto& [name, want] : c["expect_bad_field"].items()) {
        EXPECT_EQ(states[name].bad_field, want.get<uint64_t>());
      }
    }
  }
}

TEST(FeatureSet, StateSurvivesEncodingAndResetsWhenDefinitionChanges) {
  auto v1 = ParseFeatureSpec("f", Json{{"type", "count"}, {"window", "30d"}}, nullptr);
  auto v2 = ParseFeatureSpec("f", Json{{"type", "count"}, {"window", "7d"}}, nullptr);
  ASSERT_OK(v1);
  ASSERT_OK(v2);
  auto set1 = FeatureSet::Build({*v1});
  auto set2 = FeatureSet::Build({*v2});
  FeatureStates states;
  Json doc = {{"type", "x"}};
  (*set1)->Apply(EventFacts{"x", kNow - 1000, "s", &doc}, &states);
  (*set1)->Apply(EventFacts{"x", kNow - 2000, "s", &doc}, &states);
  auto round = FeatureState::FromJson(states["f"].ToJson());
  ASSERT_OK(round);
  FeatureStates decoded{{"f", *round}};
  EXPECT_EQ((*set1)->Read(decoded, kNow)["f"], 2);
  EXPECT_EQ((*set2)->Stale(decoded), std::vector<std::string>{"f"});
  EXPECT_EQ((*set2)->Read(decoded, kNow)["f"], 0) << "stale state is not served";
  (*set2)->Apply(EventFacts{"x", kNow, "s", &doc}, &decoded);
  EXPECT_EQ((*set2)->Read(decoded, kNow)["f"], 0)
      << "a state rebuilt from new events only is partial until the backfill";
  EXPECT_EQ((*set2)->Stale(decoded), std::vector<std::string>{"f"});
  FeatureStates rebuilt;  // what the backfill does: replay the whole history
  for (int64_t ts : {kNow - 2000, kNow - 1000, kNow}) {
    (*set2)->Apply(EventFacts{"x", ts, "s", &doc}, &rebuilt);
  }
  EXPECT_EQ((*set2)->Read(rebuilt, kNow)["f"], 3);
  EXPECT_TRUE((*set2)->Stale(rebuilt).empty());
}

TEST(FeatureSet, WindowedStateStaysBounded) {
  auto spec = ParseFeatureSpec("f", Json{{"type", "sum"}, {"field", "v"}, {"window", "1d"}}, nullptr);
  ASSERT_OK(spec);
  auto set = FeatureSet::Build({*spec});
  FeatureStates states;
  for (int i = 0; i < 100'000; ++i) {
    int64_t ts = kNow - 30LL * 86'400'000 + i * 60'000LL;
    Json doc = {{"v", 1}};
    (*set)->Apply(EventFacts{"x", ts, "s", &doc}, &states);
  }
  EXPECT_LE(states["f"].buckets.size(), static_cast<size_t>(kBucketsPerWindow + 2));
}

// A set of count features (every event type) with these names.
Result<std::shared_ptr<const FeatureSet>> CountFeatures(std::initializer_list<const char*> names) {
  std::vector<FeatureSpec> specs;
  for (const char* name : names) {
    TAILOR_ASSIGN_OR_RETURN(FeatureSpec spec, ParseFeatureSpec(name, Json{{"type", "count"}}, nullptr));
    specs.push_back(std::move(spec));
  }
  return FeatureSet::Build(std::move(specs));
}

TEST(FeatureSet, ApplyUpdatesEachMatchingStateAmongOthers) {
  // States of features no longer defined sort before, between and after the defined
  // ones; Apply must update exactly the defined ones and keep the others as they are.
  auto set = CountFeatures({"y", "b", "n"});
  ASSERT_OK(set);
  const std::vector<FeatureSpec>& specs = (*set)->specs();
  FeatureStates states;
  for (const char* old : {"a_old", "m_old", "z_old"}) states[old].bad_field = 7;
  Json doc = {{"type", "x"}};
  for (int i = 0; i < 3; ++i) (*set)->Apply(EventFacts{"x", kNow - i, "s", &doc}, &states);
  Json read = (*set)->Read(states, kNow);
  EXPECT_EQ(read, (Json{{"b", 3}, {"n", 3}, {"y", 3}}));
  EXPECT_EQ(states.size(), 6u);
  for (const char* old : {"a_old", "m_old", "z_old"}) EXPECT_EQ(states[old].bad_field, 7u);
  // One feature's value: found at its rank in name order when the states are exactly the
  // defined ones, by search when others shift them.
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "with old states" : "defined states only");
    for (size_t i = 0; i < specs.size(); ++i) {
      EXPECT_EQ((*set)->ReadValue(i, states, kNow), 3) << specs[i].name;
      EXPECT_EQ((*set)->ReadScalar(i, states, kNow).i, 3) << specs[i].name;
    }
    for (const char* old : {"a_old", "m_old", "z_old"}) states.erase(old);
  }
}

TEST(FeatureSet, PrefetchReadsOnlyWithinTheStatesAndChangesNothing) {
  // Prefetch addresses states by rank without checking names: with fewer states than
  // features (a new profile) or none, it must stay inside `states` (asan-ubsan checks).
  auto set = CountFeatures({"c", "a", "b"});
  ASSERT_OK(set);
  FeatureStates states;
  for (bool contents : {false, true}) (*set)->Prefetch("x", states, contents);
  EXPECT_TRUE(states.empty());
  states["a"].buckets.push_back(Bucket{kNow, 1, 0, 0, 0});
  for (bool contents : {false, true}) (*set)->Prefetch("x", states, contents);
  Json doc = {{"type", "x"}};
  (*set)->Apply(EventFacts{"x", kNow, "s", &doc}, &states);
  const Json before = (*set)->Read(states, kNow);
  for (bool contents : {false, true}) (*set)->Prefetch("x", states, contents);
  EXPECT_EQ((*set)->Read(states, kNow), before);
  EXPECT_EQ(before["b"], 1);
  EXPECT_EQ(before["c"], 1);
}

class AcceptAll : public EventFilter {
 public:
  bool Matches(const condition::Document&) const override { return true; }
};

TEST(FeatureSet, ReadsContextOnlyWhenAFieldOrFilterMayReadIt) {
  auto plain = ParseFeatureSpec("p", Json{{"type", "sum"}, {"field", "properties.price"}}, nullptr);
  auto ctx = ParseFeatureSpec("c", Json{{"type", "last"}, {"field", "context.channel"}}, nullptr);
  ASSERT_OK(plain);
  ASSERT_OK(ctx);
  EXPECT_FALSE((*FeatureSet::Build({*plain}))->ReadsContext());
  EXPECT_TRUE((*FeatureSet::Build({*plain, *ctx}))->ReadsContext());
  FeatureSpec filtered = *plain;
  filtered.name = "f";
  filtered.where = std::make_shared<AcceptAll>();
  filtered.where_json = R"({"properties.price":{"$gt":1}})";
  EXPECT_FALSE((*FeatureSet::Build({filtered}))->ReadsContext());
  filtered.where_json = R"({"context.channel":"web"})";
  EXPECT_TRUE((*FeatureSet::Build({filtered}))->ReadsContext());
  filtered.where_json.clear();  // unknown: assume it may
  EXPECT_TRUE((*FeatureSet::Build({filtered}))->ReadsContext());
}

TEST(FeatureSet, DuplicateNamesRejected) {
  auto a = ParseFeatureSpec("f", Json{{"type", "count"}}, nullptr);
  EXPECT_FALSE(FeatureSet::Build({*a, *a}).ok());
}

}  // namespace
}  // namespace tailor::profile
