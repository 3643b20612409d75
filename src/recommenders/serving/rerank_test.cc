#include "recommenders/serving/rerank.h"

#include <gtest/gtest.h>

#include "recommenders/serving/rec_config.h"

namespace tailor::recommenders {
namespace {

Json Item(const std::string& id, std::vector<std::string> cats, const std::string& provider = "") {
  Json attrs = Json::object();
  if (!provider.empty()) attrs["provider"] = provider;
  return Json{{"id", id}, {"categories", cats}, {"attributes", attrs}};
}

std::vector<uint32_t> Ids(const std::vector<Candidate>& c) {
  std::vector<uint32_t> out;
  for (const auto& x : c) out.push_back(x.item);
  return out;
}

TEST(Rerank, WithoutOptionsKeepsScoreOrderAndCutsAtK) {
  std::vector<Candidate> c = {{0, 3}, {1, 5}, {2, 4}};
  EXPECT_EQ(Ids(Rerank(c, {}, 2)), (std::vector<uint32_t>{1, 2}));
}

TEST(Rerank, BoostAndBuryFollowConditions) {
  Json a = Item("a", {"x"}, "acme"), b = Item("b", {"x"}, "other");
  auto spec = ParseModelSpec("m", Json::parse(R"({"model": "popularity", "serving": {"boosts": [
      {"when": {"attributes.provider": "acme"}, "multiplier": 3},
      {"when": {"id": "b"}, "multiplier": 0.1}]}})"));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  std::vector<Candidate> c = {{0, 1.0f, &b}, {1, 0.5f, &a}};
  auto out = Rerank(c, spec->serving, 2);
  EXPECT_EQ(Ids(out), (std::vector<uint32_t>{1, 0}));
  EXPECT_FLOAT_EQ(out[0].score, 1.5f);
  EXPECT_FLOAT_EQ(out[1].score, 0.1f);
}

TEST(Rerank, InversePropensityFavoursTheLongTail) {
  ServingOptions o;
  o.popularity_exponent = 1;
  std::vector<Candidate> c = {{0, 1.0f, nullptr, 100}, {1, 0.5f, nullptr, 2}};
  EXPECT_EQ(Ids(Rerank(c, o, 2)), (std::vector<uint32_t>{1, 0}));
}

TEST(Rerank, CategoryCapAndMmrDiversify) {
  Json s1 = Item("s1", {"shoes"}), s2 = Item("s2", {"shoes"}), h = Item("h", {"hats"});
  std::vector<Candidate> c = {{0, 1.0f, &s1}, {1, 0.9f, &s2}, {2, 0.5f, &h}};
  ServingOptions cap;
  cap.category_cap = 1;
  EXPECT_EQ(Ids(Rerank(c, cap, 3)), (std::vector<uint32_t>{0, 2}));
  ServingOptions mmr;
  mmr.mmr_lambda = 0.3;
  EXPECT_EQ(Ids(Rerank(c, mmr, 3)), (std::vector<uint32_t>{0, 2, 1}));
}

TEST(Rerank, ProviderCapLimitsOneProvidersShare) {
  Json a1 = Item("a1", {}, "acme"), a2 = Item("a2", {}, "acme"), a3 = Item("a3", {}, "acme"),
       b = Item("b", {}, "bolt");
  std::vector<Candidate> c = {{0, 4, &a1}, {1, 3, &a2}, {2, 2, &a3}, {3, 1, &b}};
  ServingOptions o;
  o.provider_cap = 0.5;
  EXPECT_EQ(Ids(Rerank(c, o, 4)), (std::vector<uint32_t>{0, 1, 3}));
}

TEST(RecConfig, ErrorsNameThePath) {
  auto bad_model = ParseModelSpec("m", Json::parse(R"({"model": "nope"})"));
  EXPECT_EQ(bad_model.status().path(), "model");
  auto bad_param = ParseModelSpec("m", Json::parse(R"({"model": "als", "params": {"factor": 3}})"));
  EXPECT_EQ(bad_param.status().path(), "params.factor") << bad_param.status().ToString();
  auto bad_boost = ParseModelSpec(
      "m",
      Json::parse(
          R"({"model": "popularity", "serving": {"boosts": [{"when": {"a": {"$gtt": 1}}, "multiplier": 2}]}})"));
  EXPECT_EQ(bad_boost.status().path().rfind("serving.boosts[0].when", 0), 0u)
      << bad_boost.status().ToString();
  auto bad_every =
      ParseModelSpec("m", Json::parse(R"({"model": "popularity", "retrain_every": "5s"})"));
  EXPECT_EQ(bad_every.status().path(), "retrain_every");
  EXPECT_EQ(ParseItemDoc("x", Json::parse(R"({"price": 3})")).status().path(), "price");
}

}  // namespace
}  // namespace tailor::recommenders
