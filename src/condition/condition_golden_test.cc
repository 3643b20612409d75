// The golden runner: every case in testdata/*.json (see operators.json for the format).
// A bug fix adds a case there first (STYLE.md rule 12).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "condition/condition.h"
#include "condition/json_document.h"
#include "core/json_doc.h"

namespace tailor::condition {
namespace {

int RunFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Json> parsed = ParseJson(ss.str());
  EXPECT_TRUE(parsed.ok()) << file << ": " << parsed.status().ToString();
  if (!parsed.ok()) return 0;
  int n = 0;
  for (const Json& c : parsed->at("cases")) {
    ++n;
    const std::string name = file.filename().string() + ": " + c.at("name").get<std::string>();
    CompileOptions options;
    if (c.value("dialect", "strict") == "growthbook") options.dialect = Dialect::kGrowthBook;
    Result<Condition> cond = Condition::Compile(c.at("condition"), options);
    if (c.contains("expected_error")) {
      const Json& want = c["expected_error"];
      if (cond.ok()) {
        ADD_FAILURE() << name << ": compiled, expected an error";
        continue;
      }
      EXPECT_EQ(cond.status().code(), StatusCode::kInvalidArgument) << name;
      EXPECT_EQ(cond.status().path(), want.at("path").get<std::string>()) << name;
      EXPECT_NE(cond.status().message().find(want.at("message").get<std::string>()),
                std::string::npos)
          << name << ": message was: " << cond.status().message();
      continue;
    }
    if (!cond.ok()) {
      ADD_FAILURE() << name << ": " << cond.status().ToString();
      continue;
    }
    Result<SavedGroups> groups = SavedGroups::FromJson(c.value("saved_groups", Json::object()));
    if (!groups.ok()) {
      ADD_FAILURE() << name << ": " << groups.status().ToString();
      continue;
    }
    const Json& attributes = c.at("attributes");
    JsonDocument doc(attributes);
    EXPECT_EQ(cond->Evaluate(doc, &*groups), c.at("expected").get<bool>())
        << name << "\n  condition:  " << c["condition"].dump()
        << "\n  attributes: " << attributes.dump();
  }
  return n;
}

TEST(ConditionGolden, AllTestdataFiles) {
  std::filesystem::path dir = TAILOR_CONDITION_TESTDATA_DIR;
  int files = 0, cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    cases += RunFile(entry.path());
  }
  std::printf("[golden] %d files, %d cases\n", files, cases);
  EXPECT_GE(files, 3);
  EXPECT_GT(cases, 100);
}

}  // namespace
}  // namespace tailor::condition
