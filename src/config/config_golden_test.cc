// Data-driven loader tests: every testdata/*.test file is one case.
//
// Case format (lines starting with "=== " separate blocks; "#" lines before the first
// block are comments):
//   === file events.yaml      a config file, its text follows verbatim (any number)
//   === expect                a JSON object: every member must equal the same member
//                             of CanonicalJson(snapshot) (recursively; a subset match)
//   === errors                the exact list of ConfigError::ToString(), one per line
// A case has either `expect` or `errors`. Bug fixes add a case first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_loader.h"
#include "core/json_doc.h"
#include "testutil/testutil.h"

namespace tailor::config {
namespace {

struct GoldenCase {
  std::string name;
  ConfigFiles files;
  std::optional<std::string> expect;
  std::optional<std::vector<std::string>> errors;
};

GoldenCase ParseCase(const std::filesystem::path& path) {
  std::ifstream in(path);
  GoldenCase c;
  c.name = path.stem().string();
  std::string line;
  std::string block;  // "file NAME", "expect", "errors" or "" before the first block
  std::string* text = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      block = line.substr(4);
      if (block.rfind("file ", 0) == 0) {
        text = &c.files[block.substr(5)];
      } else if (block == "expect") {
        c.expect.emplace();
        text = &*c.expect;
      } else if (block == "errors") {
        c.errors.emplace();
        text = nullptr;
      } else {
        ADD_FAILURE() << path << ": unknown block '" << block << "'";
      }
      continue;
    }
    if (block == "errors") {
      if (!line.empty()) c.errors->push_back(line);
    } else if (text != nullptr) {
      *text += line + "\n";
    }
  }
  return c;
}

// True when every member of `expected` equals the member of `actual` at the same place.
bool SubsetMatches(const Json& expected, const Json& actual, const std::string& path,
                   std::string* why) {
  if (expected.is_object() && actual.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) {
        *why = path + "." + key + " is missing";
        return false;
      }
      if (!SubsetMatches(value, actual.at(key), path + "." + key, why)) return false;
    }
    return true;
  }
  if (expected != actual) {
    *why = path + ": expected " + expected.dump() + ", got " + actual.dump();
    return false;
  }
  return true;
}

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(TAILOR_CONFIG_TESTDATA)) {
    if (entry.path().extension() == ".test") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ConfigGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigGolden, Case) {
  GoldenCase c = ParseCase(GetParam());
  ASSERT_TRUE(c.expect.has_value() != c.errors.has_value())
      << GetParam() << ": needs exactly one of '=== expect' and '=== errors'";
  std::vector<ConfigError> errors;
  Result<ConfigSnapshot> loaded = LoadConfig(c.files, {}, &errors);
  std::vector<std::string> actual_errors;
  for (const ConfigError& e : errors) actual_errors.push_back(e.ToString());
  if (c.errors) {
    ASSERT_FALSE(loaded.ok()) << "expected errors, got canonical form "
                              << CanonicalJson(*loaded);
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(actual_errors, *c.errors) << ::testing::PrintToString(actual_errors);
    EXPECT_EQ(loaded.status().path(), errors.front().path);
    return;
  }
  ASSERT_OK(loaded);
  Result<Json> expected = ParseJsonObject(*c.expect);
  ASSERT_OK(expected);
  Json actual = Json::parse(CanonicalJson(*loaded));
  std::string why;
  EXPECT_TRUE(SubsetMatches(*expected, actual, "", &why)) << why << "\nactual: " << actual.dump(2);
}

INSTANTIATE_TEST_SUITE_P(Testdata, ConfigGolden, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace tailor::config
