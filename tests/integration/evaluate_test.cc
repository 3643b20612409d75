// `tailor evaluate` end to end: the real binary on a generated interactions file, as a
// table and as JSON, plus malformed rows, an all-bad file and argument errors.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "core/json_doc.h"
#include "integration/harness.h"
#include "testutil/testutil.h"

namespace tailor::integration {
namespace {

CommandResult Tailor(std::vector<std::string> args) {
  SpawnOptions o;
  o.args = {TailorBinary(), "evaluate"};
  o.args.insert(o.args.end(), args.begin(), args.end());
  return RunCommand(o, std::chrono::seconds(60));
}

std::string Show(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out.substr(0, 3000) +
         "\nstderr:\n" + r.err.substr(0, 3000);
}

// 120 users in two taste groups over 40 items, 15 interactions each, with timestamps.
std::string WriteInteractions(const testutil::TempDir& dir, const std::string& extra_lines = {}) {
  const uint64_t seed = 5;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::string path = (dir.path() / "interactions.csv").string();
  std::ofstream out(path);
  out << extra_lines;
  for (int u = 0; u < 120; ++u) {
    std::uniform_int_distribution<int> own((u % 2) * 20, (u % 2) * 20 + 19);
    for (int n = 0; n < 15; ++n) {
      out << "user" << u << ",item" << own(rng) << "," << 1 + n % 3 << ","
          << 1'700'000'000 + u * 100 + n << "\n";
    }
  }
  return path;
}

TEST(IntegrationEvaluate, JsonHasAnObjectPerModelWithTheBaseline) {
  testutil::TempDir dir;
  std::string file = WriteInteractions(dir);
  CommandResult r = Tailor({"--interactions", file, "--columns", "user,item,weight,timestamp",
                            "--model", "ease,itemknn", "--k", "5", "--json", "--seed", "3",
                            "--threads", "2", "--param", "ease.lambda=50"});
  ASSERT_EQ(r.exit_code, 0) << Show(r);
  auto doc = ParseJson(r.out);
  ASSERT_OK(doc);
  const Json& models = (*doc)["models"];
  for (const char* name : {"popularity", "ease", "itemknn"}) {
    ASSERT_TRUE(models.contains(name)) << name << "\n" << r.out;
    const Json& m = models[name];
    for (const char* metric :
         {"ndcg@5", "precision@5", "recall@5", "map@5", "mrr@5", "hit_rate@5", "coverage",
          "novelty", "diversity", "gini", "avg_popularity", "train_seconds"}) {
      ASSERT_TRUE(m.contains(metric)) << name << " lacks " << metric;
    }
    EXPECT_GE(m["ndcg@5"].get<double>(), 0.0);
    EXPECT_LE(m["ndcg@5"].get<double>(), 1.0);
    EXPECT_EQ(m["users"].get<int>(), 120);
  }
  EXPECT_EQ(models["ease"]["params"]["lambda"].get<double>(), 50.0);
  // Taste groups are easy: EASE must beat the popularity baseline clearly.
  EXPECT_GT(models["ease"]["ndcg@5"].get<double>(),
            models["popularity"]["ndcg@5"].get<double>() + 0.1);
  EXPECT_EQ((*doc)["train_interactions"].get<int>() + (*doc)["test_interactions"].get<int>() > 0,
            true);
}

TEST(IntegrationEvaluate, TableAndTemporalSplit) {
  testutil::TempDir dir;
  std::string file = WriteInteractions(dir);
  CommandResult r = Tailor({"--interactions", file, "--columns", "user,item,weight,timestamp",
                            "--model", "als,session", "--split", "temporal:0.2", "--k", "10"});
  ASSERT_EQ(r.exit_code, 0) << Show(r);
  EXPECT_NE(r.out.find("ndcg@10"), std::string::npos) << Show(r);
  EXPECT_NE(r.out.find("\npopularity "), std::string::npos) << Show(r);
  EXPECT_NE(r.out.find("\nals "), std::string::npos) << Show(r);
  EXPECT_NE(r.out.find("\nsession "), std::string::npos) << Show(r);
  EXPECT_EQ(r.err.find("\r"), std::string::npos) << "no progress bar when stderr is not a terminal";
}

TEST(IntegrationEvaluate, MalformedRowsAreReportedWithLineNumbers) {
  testutil::TempDir dir;
  std::string file = WriteInteractions(dir, "user0,item1,oops,1700000000\nonly-one-field\n");
  CommandResult r =
      Tailor({"--interactions", file, "--columns", "user,item,weight,timestamp", "--json"});
  ASSERT_EQ(r.exit_code, 0) << Show(r);
  EXPECT_NE(r.err.find("2 of 1802 rows are malformed"), std::string::npos) << Show(r);
  EXPECT_NE(r.err.find("line 1: weight is not a finite number: 'oops'"), std::string::npos)
      << Show(r);
  EXPECT_NE(r.err.find("line 2: expected 4 fields, found 1"), std::string::npos) << Show(r);
  auto doc = ParseJson(r.out);
  ASSERT_OK(doc);
  EXPECT_EQ((*doc)["bad_rows"].get<int>(), 2);
}

TEST(IntegrationEvaluate, BadInputExitsTwoWithTheReason) {
  testutil::TempDir dir;
  std::string bad = (dir.path() / "bad.tsv").string();
  std::ofstream(bad) << "a\tb\tx\nc\td\ty\n";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::string good = WriteInteractions(dir);
  const std::vector<Case> cases = {
      {{"--interactions", bad, "--columns", "user,item,weight", "--sep", "TAB"},
       "every row is malformed (2 bad rows)"},
      {{"--interactions", (dir.path() / "missing.csv").string()}, "cannot open"},
      {{"--interactions", good, "--split", "random:0.5"}, "unknown split 'random'"},
      {{"--interactions", good, "--model", "bpr"}, "unknown model 'bpr'"},
      {{"--interactions", good, "--model", "als", "--param", "als.factor=8"}, "unknown parameter"},
      {{"--interactions", good, "--model", "ease", "--param", "als.factors=8"}, "not in --model"},
      {{"--interactions", good, "--columns", "user,item,price"}, "unknown column 'price'"},
      {{"--interactions", good, "--columns", "user,item,weight,timestamp", "--model", "ease",
        "--param", "ease.max_items=5"},
       "exceed ease.max_items=5"},
      {{"--interactions", good, "--model", "content"}, "needs an item catalog"},
      {{"--interactions", good, "--split", "temporal:0.2"},
       "temporal split needs a timestamp column"},
      {{"--interactions", good, "--columns", "user,item,weight,timestamp", "--min-value", "99"},
       "empty training set"},
  };
  for (const Case& c : cases) {
    CommandResult r = Tailor(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message << "\n" << Show(r);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << Show(r);
  }
}

TEST(IntegrationEvaluate, HelpSaysTheStoreIsNotReadYet) {
  CommandResult r = Tailor({"--help"});
  ASSERT_EQ(r.exit_code, 0) << Show(r);
  EXPECT_NE(r.out.find("not supported yet"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hybrid"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tailor::integration
