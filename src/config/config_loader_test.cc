#include "config/config_loader.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "testutil/testutil.h"

namespace tailor::config {
namespace {

TEST(ConfigLoader, NoFilesGivesDefaults) {
  Result<ConfigSnapshot> loaded = LoadConfig({});
  ASSERT_OK(loaded);
  ConfigSnapshot defaults;
  EXPECT_EQ(loaded->version, 0u);
  EXPECT_EQ(loaded->ingest.max_age_ms, defaults.ingest.max_age_ms);
  EXPECT_EQ(loaded->ingest.consent_purposes, defaults.ingest.consent_purposes);
  EXPECT_EQ(loaded->digest, DefaultSnapshot().digest);
  EXPECT_EQ(loaded->digest, Sha256Hex(CanonicalJson(*loaded)));
  EXPECT_EQ(loaded->digest.size(), 64u);
}

TEST(ConfigLoader, FillsIngestAndRateLimits) {
  Result<ConfigSnapshot> loaded = LoadConfig({{"t.yaml", R"(
events:
  strict: true
  schemas:
    purchase: {type: object, required: [order_id]}
  sampling: {page_view: 0.5}
sessions: {inactivity_gap: 10m}
consent: {purposes: [analytics], required_for_storage: analytics}
rate_limits:
  default: {rate: 1000, burst: 2000}
  keys: {k: {rate: 50, burst: 100}}
)"}});
  ASSERT_OK(loaded);
  EXPECT_TRUE(loaded->ingest.strict);
  EXPECT_EQ(loaded->ingest.schemas.at("purchase"),
            R"({"required":["order_id"],"type":"object"})");
  EXPECT_DOUBLE_EQ(loaded->ingest.sampling.at("page_view"), 0.5);
  EXPECT_EQ(loaded->ingest.session_gap_ms, 600'000);
  EXPECT_EQ(loaded->ingest.storage_purpose, "analytics");
  EXPECT_DOUBLE_EQ(loaded->rate_limits.default_bucket.rate_per_second, 1000);
  EXPECT_DOUBLE_EQ(loaded->rate_limits.default_bucket.burst, 2000);
  EXPECT_DOUBLE_EQ(loaded->rate_limits.per_key.at("k").rate_per_second, 50);
  EXPECT_EQ(loaded->files.size(), 1u);
}

TEST(ConfigLoader, DigestIgnoresFormattingAndFileSplit) {
  Result<ConfigSnapshot> a = LoadConfig({{"a.yaml", "events: {strict: true}\nsessions: {inactivity_gap: 1h}\n"}});
  Result<ConfigSnapshot> b = LoadConfig({{"x.yaml", "# comment\nevents:\n  strict: true\n"},
                                         {"y.json", R"({"sessions": {"inactivity_gap": "60m"}})"}});
  Result<ConfigSnapshot> c = LoadConfig({{"a.yaml", "events: {strict: false}\n"}});
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(c);
  EXPECT_EQ(a->digest, b->digest);
  EXPECT_NE(a->digest, c->digest);
}

TEST(ConfigLoader, SummaryStatusListsEveryError) {
  std::vector<ConfigError> errors;
  Result<ConfigSnapshot> loaded = LoadConfig(
      {{"events.yaml", "events:\n  strict: 1\n  sampling: {page_view: 2}\n"}}, {}, &errors);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().path(), "events.strict");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].ToString(),
            "events.yaml:3: events.sampling.page_view: must be a number between 0 and 1");
  EXPECT_EQ(loaded.status().message(),
            "2 configuration errors:\n"
            "  events.yaml:2: events.strict: must be true or false, got an integer\n"
            "  events.yaml:3: events.sampling.page_view: must be a number between 0 and 1");
}

TEST(ConfigLoader, InjectedSchemaValidatorIsUsed) {
  LoadOptions options;
  std::vector<std::string> seen;
  options.validate_schema = [&](std::string_view type, std::string_view json) -> Status {
    seen.push_back(std::string(type) + "=" + std::string(json));
    if (type == "bad") return InvalidArgument("'type' must be a string or array", "type");
    return Status::OK();
  };
  std::vector<ConfigError> errors;
  Result<ConfigSnapshot> loaded = LoadConfig({{"e.yaml", R"(events:
  schemas:
    good: {type: object}
    bad: {type: 5}
)"}}, options, &errors);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(seen, (std::vector<std::string>{R"(bad={"type":5})", R"(good={"type":"object"})"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "e.yaml:4: events.schemas.bad: invalid JSON Schema: 'type' must be a string or array "
            "(at type)");
}

TEST(ConfigLoader, OversizedFileIsRejected) {
  std::vector<ConfigError> errors;
  Result<ConfigSnapshot> loaded =
      LoadConfig({{"big.yaml", std::string(kMaxConfigFileBytes + 1, '#')}}, {}, &errors);
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "big.yaml");
}

TEST(ConfigLoader, FileNames) {
  EXPECT_TRUE(IsConfigFileName("a.yaml"));
  EXPECT_TRUE(IsConfigFileName("a.yml"));
  EXPECT_TRUE(IsConfigFileName("a.json"));
  EXPECT_FALSE(IsConfigFileName(".yaml"));
  EXPECT_FALSE(IsConfigFileName("a.yaml~"));
  EXPECT_FALSE(IsConfigFileName("README.md"));
}

TEST(ConfigError, SuggestAndFormat) {
  constexpr std::string_view kNames[] = {"strict", "max_age", "schemas"};
  EXPECT_EQ(Suggest("strcit", kNames), "strict");
  EXPECT_EQ(Suggest("schema", kNames), "schemas");
  EXPECT_EQ(Suggest("banana", kNames), "");
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ((ConfigError{"a.yaml", 3, "events.strict", "bad"}).ToString(),
            "a.yaml:3: events.strict: bad");
  EXPECT_EQ((ConfigError{"a.yaml", 0, "", "bad"}).ToString(), "a.yaml: bad");
  EXPECT_EQ((ConfigError{"", 0, "x", "bad"}).ToString(), "x: bad");
  EXPECT_OK(SummarizeErrors({}));
}

}  // namespace
}  // namespace tailor::config
