// `tailor stats` and `tailor experiment assign` through the real binary: the printed
// numbers match the library (and the SciPy golden values), bad input exits 2 with a
// reason, and every new command has --help.
#include <gtest/gtest.h>

#include "core/json_doc.h"
#include "experiments/bucketing.h"
#include "integration/harness.h"

namespace tailor::integration {
namespace {

CommandResult Tailor(std::vector<std::string> args) {
  SpawnOptions o;
  o.args = {TailorBinary()};
  o.args.insert(o.args.end(), args.begin(), args.end());
  return RunCommand(o, std::chrono::seconds(30));
}

std::string Show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

Json RunJson(std::vector<std::string> args) {
  CommandResult r = Tailor(args);
  EXPECT_EQ(r.exit_code, 0) << Show(r);
  Result<Json> j = ParseJson(r.out);
  EXPECT_TRUE(j.ok()) << Show(r);
  return j.ok() ? *j : Json();
}

TEST(IntegrationStatsCli, CompareBinomial) {
  Json j = RunJson({"stats", "compare", "--metric", "binomial", "--control", "1000:120",
                    "--treatment", "1000:150", "--json"});
  // Two-sided z test of 12% vs 15% (SciPy: norm.sf(1.9649437) * 2).
  EXPECT_NEAR(j["p_value"].get<double>(), 0.0494207506595, 1e-9) << j.dump();
  EXPECT_NEAR(j["rel_lift"].get<double>(), 0.25, 1e-12);
  ASSERT_TRUE(j["ci"].is_array());
  EXPECT_NEAR(j["ci"][0].get<double>(), -0.0293378461565, 1e-9);
  EXPECT_NEAR(j["ci"][1].get<double>(), 0.5293378461565, 1e-9);
  EXPECT_GT(j["chance_to_win"].get<double>(), 0.97);
  EXPECT_LT(j["chance_to_win"].get<double>(), 0.98);
  EXPECT_GT(j["expected_loss"].get<double>(), 0);
  EXPECT_LT(j["expected_loss"].get<double>(), 0.001);
  EXPECT_EQ(j["validity"], "ok");
}

TEST(IntegrationStatsCli, CompareMeanOneSidedHasNullOpenEnd) {
  Json j = RunJson({"stats", "compare", "--metric", "mean", "--control", "1000:10:3", "--treatment",
                    "1000:10.4:3.2", "--sided", "greater", "--json"});
  EXPECT_TRUE(j["ci"][1].is_null()) << j.dump();
  EXPECT_TRUE(j["ci"][0].is_number());
  EXPECT_NEAR(j["p_value"].get<double>(), 0.003971950139891166 / 2, 1e-9);
}

TEST(IntegrationStatsCli, ZeroVarianceNeverPrintsNaN) {
  CommandResult r =
      Tailor({"stats", "compare", "--control", "100:0", "--treatment", "100:0", "--json"});
  ASSERT_EQ(r.exit_code, 0) << Show(r);
  EXPECT_EQ(r.out.find("NaN"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("nan"), std::string::npos) << r.out;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["validity"], "zero_variance");
  EXPECT_EQ(j["p_value"].get<double>(), 1.0);
  EXPECT_TRUE(j["ci"].is_null());
}

TEST(IntegrationStatsCli, PowerAndSrm) {
  Json p = RunJson({"stats", "power", "--baseline", "0.10", "--mde", "0.05", "--alpha", "0.05",
                    "--power", "0.8", "--json"});
  EXPECT_EQ(p["n_per_variation"].get<int64_t>(), 57763) << p.dump();  // SciPy golden value
  Json m = RunJson({"stats", "power", "--mean", "50", "--sd", "20", "--mde", "0.02", "--json"});
  EXPECT_EQ(m["n_per_variation"].get<int64_t>(), 6280) << m.dump();
  Json s = RunJson({"stats", "srm", "--observed", "1000,1200", "--weights", "0.5,0.5", "--json"});
  EXPECT_NEAR(s["p_value"].get<double>(), 2.0079e-05, 1e-9) << s.dump();
  EXPECT_EQ(s["srm"], true);
}

TEST(IntegrationStatsCli, ExperimentAssignMatchesGrowthBookHash) {
  Json j = RunJson({"experiment", "assign", "--experiment",
                    R"({"key": "my-test", "variations": ["a", "b"], "hashVersion": 2})",
                    "--attributes", R"({"id": "user-42"})"});
  const double n = *experiments::Hash("my-test", "user-42", 2);
  EXPECT_EQ(j["inExperiment"], true) << j.dump();
  EXPECT_EQ(j["hashUsed"], true);
  EXPECT_EQ(j["hashValue"], "user-42");
  EXPECT_DOUBLE_EQ(j["bucket"].get<double>(), n);
  EXPECT_EQ(j["variationId"].get<int>(), n < 0.5 ? 0 : 1);
  EXPECT_EQ(j["value"], n < 0.5 ? "a" : "b");

  Json out = RunJson({"experiment", "assign", "--experiment",
                      R"({"key": "k", "variations": [0, 1], "condition": {"country": "NO"}})",
                      "--attributes", R"({"id": "1", "country": "SE"})"});
  EXPECT_EQ(out["inExperiment"], false);
  EXPECT_EQ(out["reason"], "condition");
}

TEST(IntegrationStatsCli, BadInputExitsTwoWithReason) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"experiment", "assign", "--experiment",
        R"({"key": "k", "variations": [0, 1], "weights": [0.5, 0.6]})"},
       "weights: must sum to 1"},
      {{"experiment", "assign", "--experiment", R"({"key": "k", "variations": []})"}, "variations"},
      {{"experiment", "assign", "--experiment",
        R"({"key": "k", "variations": [0, 1], "coverage": 2})"},
       "coverage"},
      {{"experiment", "assign", "--experiment", R"({"key": "k", "variations": [0, 1]})",
        "--attributes", "[1"},
       "--attributes"},
      {{"stats", "compare", "--control", "1000:1200", "--treatment", "10:1"}, "conversions"},
      {{"stats", "compare", "--control", "abc", "--treatment", "10:1"}, "not a number"},
      {{"stats", "compare", "--metric", "median", "--control", "1:1", "--treatment", "1:1"},
       "--metric"},
      {{"stats", "compare", "--control", "10:1", "--treatment", "10:1", "--alpha", "2"}, "alpha"},
      {{"stats", "power", "--baseline", "0", "--mde", "0.05"}, "baseline"},
      {{"stats", "srm", "--observed", "5"}, "at least two"},
  };
  for (const Case& c : cases) {
    CommandResult r = Tailor(c.args);
    EXPECT_EQ(r.exit_code, 2) << Show(r);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << Show(r);
    EXPECT_TRUE(r.out.empty()) << Show(r);
  }
}

TEST(IntegrationStatsCli, HelpForEveryNewCommand) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"stats"},
                                             {"stats", "compare"},
                                             {"stats", "power"},
                                             {"stats", "srm"},
                                             {"experiment"},
                                             {"experiment", "assign"}}) {
    args.push_back("--help");
    CommandResult r = Tailor(args);
    EXPECT_EQ(r.exit_code, 0) << Show(r);
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << Show(r);
  }
}

}  // namespace
}  // namespace tailor::integration
