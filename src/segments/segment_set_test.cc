#include "segments/segment_set.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "segments/profile_document.h"
#include "testutil/testutil.h"

namespace tailor::segments {
namespace {

TEST(SegmentGolden, AllCases) {
  std::ifstream in(std::string(TAILOR_SEGMENTS_TESTDATA) + "/segment_cases.json");
  std::stringstream ss;
  ss << in.rdbuf();
  Json cases = Json::parse(ss.str());
  ASSERT_GT(cases.size(), 10u);
  for (const Json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::vector<SegmentSpec> specs;
    Status error;
    for (const auto& [name, def] : c["segments"].items()) {
      auto spec = ParseSegmentSpec(name, def);
      if (!spec.ok()) {
        error = spec.status();
        break;
      }
      specs.push_back(std::move(spec).value());
    }
    std::shared_ptr<const SegmentSet> set;
    if (error.ok()) {
      auto built = SegmentSet::Build(std::move(specs), nullptr);
      if (built.ok()) set = *built; else error = built.status();
    }
    if (c.contains("expect_error")) {
      ASSERT_FALSE(error.ok());
      EXPECT_EQ(error.path(), c["expect_error"]["path"].get<std::string>()) << error.ToString();
      continue;
    }
    ASSERT_OK(error);
    Json doc = c["doc"];
    auto got = set->Evaluate(&doc, nullptr);
    EXPECT_EQ(Json(got), c["expect"]);
    EXPECT_EQ(doc["segments"], c["expect"]);
  }
}

TEST(SegmentSet, TimeDependenceFollowsWindowedFeatures) {
  auto count = profile::ParseFeatureSpec("purchases_30d", Json{{"type", "count"}, {"window", "30d"}}, nullptr);
  auto total = profile::ParseFeatureSpec("purchases", Json{{"type", "count"}}, nullptr);
  auto features = profile::FeatureSet::Build({*count, *total});
  ASSERT_OK(features);
  auto a = ParseSegmentSpec("recent", Json::parse(R"({"condition":{"features.purchases_30d":{"$gte":2}}})"));
  auto b = ParseSegmentSpec("ever", Json::parse(R"({"condition":{"features.purchases":{"$gte":2}}})"));
  auto set = SegmentSet::Build({*a, *b}, features->get());
  ASSERT_OK(set);
  EXPECT_TRUE((*set)->TimeDependent(1) || (*set)->TimeDependent(0));
  EXPECT_TRUE((*set)->TimeDependent(&*(*set)->Find("recent") - (*set)->specs().data()));
  EXPECT_FALSE((*set)->TimeDependent(&*(*set)->Find("ever") - (*set)->specs().data()));
  EXPECT_TRUE((*set)->DependsOnAny({"features.purchases"}));
  EXPECT_FALSE((*set)->DependsOnAny({"traits"}));
}

TEST(ProfileDocument, ReadsFeaturesAsOfNow) {
  auto count = profile::ParseFeatureSpec("n", Json{{"type", "count"}, {"window", "1d"}}, nullptr);
  auto features = profile::FeatureSet::Build({*count});
  profile::Profile p;
  p.traits_json = R"({"plan":"pro"})";
  p.consents["analytics"] = {true, 1, ""};
  p.segments["x"] = 5;
  Json ev = {{"type", "e"}};
  (*features)->Apply(profile::EventFacts{"e", 1000, "s", &ev}, &p.features);
  Json doc = BuildProfileDocument(p, features->get(), 2000, nullptr);
  EXPECT_EQ(doc["features"]["n"], 1);
  EXPECT_EQ(doc["traits"]["plan"], "pro");
  EXPECT_EQ(doc["consent"]["analytics"], true);
  EXPECT_EQ(doc["segments"], Json::array({"x"}));
  Json later = BuildProfileDocument(p, features->get(), 1000 + 2 * 86'400'000LL, nullptr);
  EXPECT_EQ(later["features"]["n"], 0);
}

}  // namespace
}  // namespace tailor::segments
