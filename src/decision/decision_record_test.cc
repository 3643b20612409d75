#include "decision/decision_record.h"

#include <gtest/gtest.h>

#include "core/ids.h"
#include "core/time_util.h"
#include "testutil/testutil.h"

namespace tailor::decision {
namespace {

constexpr char kId[] = "01KB0Z7Q2N8W3J5RX6T4M9C1DE";

// Every field set, in both the answer and a shadow answer.
struct Full {
  ProfileView view;
  Answer answer, shadow;
  PendingDecision d;
  Full() {
    view.id = "01KB0Z6000SNAPSH0T00000000";
    view.pid = "01KAZZZZZZPR0F1LE000000000";
    answer.rule = "vip";
    answer.campaign = "winback";
    answer.action = ActionKind::kExperiment;
    answer.content = "vip_hero";
    answer.variant = "web";
    answer.value = Json{{"color", "red"}, {"n", 3}};
    answer.fallback = true;
    answer.reason = "no variant for \"sms\"";
    answer.propensity = 0.25;
    answer.version = "hero@seed";
    answer.trace = {{"big_spender", RuleOutcome::kCapped, "cap content:x 3/3 per 1d"},
                    {"vip", RuleOutcome::kMatched, ""}};
    shadow.rule = "candidate";
    shadow.content = "shoe_sale";
    shadow.served = true;
    shadow.personalized = false;
    shadow.trace = {{"candidate", RuleOutcome::kNotInRollout, ""}};
    d.at_ms = UlidTimeMs(kId) - 2;
    d.view = &view;
    d.user_id = "ada\nlovelace";
    d.anonymous_id = "anon-7";
    d.placement = "home_hero";
    d.config_version = 300;
    d.context_json = R"({"channel":"web","page":"/","geo":{"country":"NO"}})";
    d.answer = &answer;
    d.shadow = &shadow;
    d.cached = true;
    d.impressions_recorded = true;
    d.consented = false;
    d.latency_us = 1234;
  }
};

// What the version-1 encoder wrote for Full (one JSON line), and what any record reads as.
Json ExpectedFull() {
  return Json::parse(std::string(R"({"decision_id":")") + kId + R"(","at":")" +
                     FormatIso8601(UlidTimeMs(kId) - 2) + R"(","at_ms":)" +
                     std::to_string(UlidTimeMs(kId) - 2) +
                     R"(,"profile_id":"01KAZZZZZZPR0F1LE000000000","user_id":"ada\nlovelace",)"
                     R"("anonymous_id":"anon-7","placement":"home_hero","config_version":300,)"
                     R"("context":{"channel":"web","page":"/","geo":{"country":"NO"}},)"
                     R"("snapshot_id":"01KB0Z6000SNAPSH0T00000000","rule":"vip","campaign":"winback",)"
                     R"("action":"experiment","content":"vip_hero","variant":"web",)"
                     R"("value":{"color":"red","n":3},"served":true,"fallback":true,)"
                     R"("personalized":true,"reason":"no variant for \"sms\"","propensity":0.25,)"
                     R"("action_version":"hero@seed","trace":[{"rule":"big_spender","result":"capped",)"
                     R"("detail":"cap content:x 3/3 per 1d"},{"rule":"vip","result":"matched"}],)"
                     R"("shadow":{"rule":"candidate","action":"content","content":"shoe_sale",)"
                     R"("served":true,"fallback":false,"personalized":false,"propensity":1.0,)"
                     R"("trace":[{"rule":"candidate","result":"not_in_rollout"}],"differs":true},)"
                     R"("cached":true,"impressions_recorded":true,"consented":false,"latency_us":1234})");
}

std::vector<Json> ReadAll(std::string_view segment) {
  std::vector<Json> out;
  SegmentReader reader(segment);
  while (reader.Next()) {
    auto r = reader.Decode();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    EXPECT_EQ((*r)["decision_id"], std::string(reader.id()));
    out.push_back(std::move(r).value());
  }
  return out;
}

TEST(DecisionRecord, EveryFieldRoundTrips) {
  Full f;
  std::string segment(1, kSegmentV2);
  AppendRecordV2(&segment, kId, f.d);
  auto records = ReadAll(segment);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], ExpectedFull());
  // Well under the ≈ 1 KB of the JSON line.
  EXPECT_LT(segment.size(), ExpectedFull().dump().size() * 2 / 3);
}

TEST(DecisionRecord, DefaultsAndEmptyFieldsReadAsVersion1WroteThem) {
  PendingDecision d;  // no view, no answer, no context
  d.at_ms = UlidTimeMs(kId) + 5;  // decided after its id's time: negative delta
  d.placement = "p";
  std::string segment(1, kSegmentV2);
  AppendRecordV2(&segment, kId, d);
  auto records = ReadAll(segment);
  ASSERT_EQ(records.size(), 1u);
  Json expected = {{"decision_id", kId},
                   {"at", FormatIso8601(d.at_ms)},
                   {"at_ms", d.at_ms},
                   {"profile_id", nullptr},
                   {"placement", "p"},
                   {"config_version", 0},
                   {"context", Json::object()},
                   {"snapshot_id", nullptr},
                   {"rule", nullptr},
                   {"action", "content"},
                   {"content", nullptr},
                   {"served", true},
                   {"fallback", false},
                   {"personalized", true},
                   {"propensity", 1.0},
                   {"trace", Json::array()},
                   {"cached", false},
                   {"impressions_recorded", false},
                   {"consented", true},
                   {"latency_us", 0}};
  EXPECT_EQ(records[0], expected);
}

TEST(DecisionRecord, ManyRecordsOfEverySizeSplitIntoSegments) {
  // Record lengths across the one-, two- and three-byte length prefixes.
  std::vector<std::string> ids, contexts;
  std::string records;
  FakeClock clock(1'795'000'000'000);
  SeededRandom random(9);
  MonotonicUlids ulids;
  for (size_t n : {0u, 10u, 60u, 100u, 200u, 5'000u, 20'000u, 70'000u, 3u}) {
    ids.push_back(ulids.Next(clock.NowMs(), random));
    contexts.push_back(R"({"pad":")" + std::string(n, 'x') + R"("})");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    PendingDecision d;
    d.at_ms = clock.NowMs();
    d.context_json = contexts[i];
    AppendRecordV2(&records, ids[i], d);
  }
  std::string_view rest = records;
  std::vector<std::string> seen;
  while (!rest.empty()) {
    std::string_view first;
    size_t bytes = LeadingRecords(rest, 4, &first);
    std::string segment = kSegmentV2 + std::string(rest.substr(0, bytes));
    auto got = ReadAll(segment);
    ASSERT_FALSE(got.empty());
    ASSERT_LE(got.size(), 4u);
    EXPECT_EQ(got[0]["decision_id"], std::string(first));
    for (const Json& r : got) {
      size_t i = seen.size();
      seen.push_back(r["decision_id"]);
      EXPECT_EQ(r["context"].dump(), Json::parse(contexts[i]).dump());
    }
    rest.remove_prefix(bytes);
  }
  EXPECT_EQ(seen, ids);
}

// A version-1 line: the decision_id first (scans read it at a fixed offset), then the
// other members.
std::string V1Line(Json record, const std::string& id) {
  record.erase("decision_id");
  return R"({"decision_id":")" + id + R"(",)" + record.dump().substr(1);
}

TEST(DecisionRecord, Version1LinesStillRead) {
  const std::string other_id = "01KB0Z7Q2N8W3J5RX6T4M9C1DF";
  std::string v1 = V1Line(ExpectedFull(), kId) + "\n" + V1Line(ExpectedFull(), other_id);
  auto records = ReadAll(v1);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], ExpectedFull());
  EXPECT_EQ(records[1]["decision_id"], other_id);
  EXPECT_EQ(records[1]["trace"], ExpectedFull()["trace"]);
}

TEST(DecisionRecord, DamagedRecordsAreCorruptionNotACrash) {
  Full f;
  std::string segment(1, kSegmentV2);
  AppendRecordV2(&segment, kId, f.d);
  // Every truncation: either no record or one that fails to decode.
  for (size_t len = 0; len < segment.size(); ++len) {
    SegmentReader reader(std::string_view(segment).substr(0, len));
    if (reader.Next()) {
      EXPECT_FALSE(reader.Decode().ok()) << len;
    }
  }
  // A record whose body is cut short inside its declared length.
  std::string body = segment.substr(3);  // after version byte and 2-byte length
  std::string shortened = std::string(1, kSegmentV2) + static_cast<char>(40) + body.substr(0, 40);
  SegmentReader reader(shortened);
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.id(), kId);
  EXPECT_EQ(reader.Decode().status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tailor::decision
