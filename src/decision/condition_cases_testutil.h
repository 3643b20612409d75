// Test helper for decision/ tests that run the condition module's data-file cases (and
// GrowthBook's conformance cases) through decision code: one reading of the two case
// formats instead of one per test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "condition/condition.h"
#include "condition/saved_groups.h"
#include "core/json_doc.h"

namespace tailor::decision {

struct ConditionCase {
  Json condition;
  Json attributes;  // an object without "context" (decision documents supply their own)
  condition::SavedGroups groups;
  condition::CompileOptions options;
};

// The cases of `cases` (data-file objects, or GrowthBook's [name, condition, attributes,
// expected, groups?] arrays when `growthbook`) that compile and whose attributes are an
// object without "context".
inline std::vector<ConditionCase> UsableConditionCases(const Json& cases, bool growthbook) {
  std::vector<ConditionCase> out;
  for (const Json& c : cases) {
    ConditionCase k;
    Json groups_json = Json::object();
    bool gb = growthbook;
    if (c.is_array()) {
      k.condition = c[1];
      k.attributes = c[2];
      if (c.size() >= 5) groups_json = c[4];
    } else {
      if (c.contains("expected_error")) continue;
      k.condition = c.at("condition");
      k.attributes = c.at("attributes");
      groups_json = c.value("saved_groups", Json::object());
      gb = c.value("dialect", "strict") == "growthbook";
    }
    if (!k.attributes.is_object() || k.attributes.contains("context")) continue;
    if (gb) k.options.dialect = condition::Dialect::kGrowthBook;
    auto groups = condition::SavedGroups::FromJson(groups_json);
    if (!groups.ok() || !condition::Condition::Compile(k.condition, k.options).ok()) continue;
    k.groups = std::move(groups).value();
    out.push_back(std::move(k));
  }
  return out;
}

// Every data file of the condition module (TAILOR_CONDITION_TESTDATA): name and its
// "cases". A file that does not parse is a failure of the calling test.
inline std::vector<std::pair<std::string, Json>> ConditionCaseFiles() {
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& entry : std::filesystem::directory_iterator(TAILOR_CONDITION_TESTDATA)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto file = ParseJson(ss.str());
    if (!file.ok()) {
      ADD_FAILURE() << entry.path() << ": " << file.status().ToString();
      continue;
    }
    out.emplace_back(entry.path().filename().string(), file->at("cases"));
  }
  return out;
}

}  // namespace tailor::decision
