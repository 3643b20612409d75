#include "ingest/event_codec.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "core/status.h"
#include "ingest/ingest_config.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

using OJson = nlohmann::ordered_json;

constexpr int64_t kNow = 1795397896123;  // 2026-11-23T01:38:16.123Z

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// Builds the request body of a case: "body" (string verbatim, object dumped) or
// "body_hex", then "expand" placeholders {"@X@": [text, count]} replaced by text*count.
std::string CaseBody(const OJson& c) {
  std::string body;
  if (c.contains("body_hex")) {
    body = FromHex(c["body_hex"].get<std::string>());
  } else if (c["body"].is_string()) {
    body = c["body"].get<std::string>();
  } else {
    body = c["body"].dump();
  }
  if (c.contains("expand")) {
    for (const auto& [placeholder, spec] : c["expand"].items()) {
      std::string repeated;
      std::string unit = spec[0].get<std::string>();
      for (int i = 0; i < spec[1].get<int>(); ++i) repeated += unit;
      size_t pos;
      while ((pos = body.find(placeholder)) != std::string::npos) {
        body.replace(pos, placeholder.size(), repeated);
      }
    }
  }
  return body;
}

DecodeOptions CaseOptions(const OJson& c) {
  DecodeOptions o;
  if (!c.contains("options")) return o;
  const OJson& j = c["options"];
  if (j.contains("max_batch_events")) o.max_batch_events = j["max_batch_events"].get<size_t>();
  if (j.contains("max_age_ms")) o.max_age_ms = j["max_age_ms"].get<int64_t>();
  if (j.contains("max_future_skew_ms")) o.max_future_skew_ms = j["max_future_skew_ms"];
  if (j.contains("consent_purposes")) {
    o.consent_purposes = j["consent_purposes"].get<std::vector<std::string>>();
  }
  return o;
}

void ExpectEventFields(const OJson& want, const Event& e, const std::string& name) {
  for (const auto& [k, v] : want.items()) {
    if (k == "event_id")
      EXPECT_EQ(e.event_id, v.get<std::string>()) << name;
    else if (k == "type")
      EXPECT_EQ(e.type, v.get<std::string>()) << name;
    else if (k == "user_id")
      EXPECT_EQ(e.user_id, v.get<std::string>()) << name;
    else if (k == "anonymous_id")
      EXPECT_EQ(e.anonymous_id, v.get<std::string>()) << name;
    else if (k == "decision_id")
      EXPECT_EQ(e.decision_id, v.get<std::string>()) << name;
    else if (k == "timestamp_ms")
      EXPECT_EQ(e.timestamp_ms, v.get<int64_t>()) << name;
    else if (k == "received_at_ms")
      EXPECT_EQ(e.received_at_ms, v.get<int64_t>()) << name;
    else if (k == "context_json")
      EXPECT_EQ(e.context_json, v.get<std::string>()) << name;
    else if (k == "properties_json")
      EXPECT_EQ(e.properties_json, v.get<std::string>()) << name;
    else if (k == "traits_json")
      EXPECT_EQ(e.traits_json, v.get<std::string>()) << name;
    else if (k == "consent_json")
      EXPECT_EQ(e.consent_json, v.get<std::string>()) << name;
    else
      ADD_FAILURE() << name << ": unknown expected field " << k;
  }
}

void RunCase(const OJson& c) {
  const std::string name = c["name"].get<std::string>();
  SCOPED_TRACE("case " + name);
  const std::string body = CaseBody(c);
  const DecodeOptions options = CaseOptions(c);
  const int64_t now = c.value("now_ms", kNow);
  const OJson& expect = c["expect"];

  Result<DecodedBatch> r = DecodeBatch(body, options, now);
  if (std::getenv("TAILOR_GOLDEN_VERBOSE") != nullptr) {  // for reviewing messages
    std::cout << name << ": ";
    if (!r.ok())
      std::cout << "BATCH " << r.status().ToString() << "\n";
    else {
      std::cout << r->events.size() << " accepted\n";
      for (const EventError& e : r->errors) std::cout << "   " << e.status.ToString() << "\n";
    }
  }
  // The in-place variant must agree exactly.
  std::string copy = body;
  Result<DecodedBatch> r2 = DecodeBatchInPlace(&copy, options, now);
  EXPECT_EQ(copy, body);
  EXPECT_EQ(r.ok(), r2.ok());

  if (expect.contains("batch_error")) {
    const OJson& be = expect["batch_error"];
    ASSERT_FALSE(r.ok()) << "expected a batch error";
    EXPECT_EQ(StatusCodeName(r.status().code()), be["code"].get<std::string>())
        << r.status().ToString();
    EXPECT_EQ(r.status().path(), be["path"].get<std::string>()) << r.status().ToString();
    if (be.contains("message_contains")) {
      EXPECT_NE(r.status().message().find(be["message_contains"].get<std::string>()),
                std::string::npos)
          << r.status().ToString();
    }
    return;
  }
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const DecodedBatch& b = *r;
  ASSERT_EQ(b.events.size(), b.indexes.size());
  EXPECT_EQ(b.events.size(), expect["accepted_count"].get<size_t>());
  EXPECT_EQ(b.events.size(), r2->events.size());
  if (expect.contains("indexes")) {
    EXPECT_EQ(b.indexes, expect["indexes"].get<std::vector<size_t>>());
  }
  const OJson& want_errors = expect["errors"];
  ASSERT_EQ(b.errors.size(), want_errors.size()) << [&] {
    std::string all;
    for (const EventError& e : b.errors) all += e.status.ToString() + "\n";
    return all;
  }();
  for (size_t i = 0; i < b.errors.size(); ++i) {
    const EventError& got = b.errors[i];
    const OJson& want = want_errors[i];
    EXPECT_EQ(got.index, want["index"].get<size_t>());
    EXPECT_EQ(StatusCodeName(got.status.code()), want["code"].get<std::string>());
    EXPECT_EQ(got.status.path(), want["path"].get<std::string>()) << got.status.ToString();
    if (want.contains("message_contains")) {
      EXPECT_NE(got.status.message().find(want["message_contains"].get<std::string>()),
                std::string::npos)
          << got.status.ToString();
    }
    if (want.contains("event_id")) {
      EXPECT_EQ(got.event_id, want["event_id"].get<std::string>());
    }
    // The raw element must itself be valid JSON (it goes to the dead-letter store).
    EXPECT_TRUE(OJson::accept(got.raw_json)) << got.raw_json;
  }
  if (expect.contains("events")) {
    ASSERT_LE(expect["events"].size(), b.events.size());
    for (size_t i = 0; i < expect["events"].size(); ++i) {
      ExpectEventFields(expect["events"][i], b.events[i], name);
    }
  }
  // Every accepted event survives both stored forms unchanged.
  for (const Event& e : b.events) {
    for (const std::string& stored : {EncodeStoredEvent(e), EncodeEventJson(e)}) {
      Result<Event> back = DecodeStoredEvent(stored);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(*back == e) << EncodeEventJson(e);
    }
  }
}

TEST(DecodeBatch, GoldenCases) {
  const std::string path = std::string(TAILOR_INGEST_TESTDATA) + "/decode_cases.json";
  OJson cases = OJson::parse(ReadFile(path));
  ASSERT_TRUE(cases.is_array());
  ASSERT_GE(cases.size(), 40u);
  for (const OJson& c : cases) RunCase(c);
  std::cout << "[ decode_cases.json: " << cases.size() << " cases ]\n";
}

TEST(DecodeOptions, DefaultsMatchIngestConfig) {
  IngestConfig config;
  DecodeOptions defaults;
  DecodeOptions from = DecodeOptions::FromConfig(config);
  EXPECT_EQ(defaults.max_age_ms, config.max_age_ms);
  EXPECT_EQ(defaults.max_future_skew_ms, config.max_future_skew_ms);
  EXPECT_EQ(defaults.consent_purposes, config.consent_purposes);
  EXPECT_EQ(from.max_age_ms, config.max_age_ms);
  EXPECT_OK(defaults.Validate());
  DecodeOptions bad;
  bad.max_batch_events = 0;
  EXPECT_FALSE(bad.Validate().ok());
}

TEST(DecodeBatch, ErrorCarriesRawElementForDeadLetter) {
  Result<DecodedBatch> r =
      DecodeBatch(R"({"events":[ {"event_id":"x1", "type":"BAD", "user_id":"u", "timestamp":1} ]})",
                  DecodeOptions(), kNow);
  ASSERT_OK(r);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].raw_json, R"({"event_id":"x1","type":"BAD","user_id":"u","timestamp":1})");
  EXPECT_EQ(r->errors[0].event_id, "x1");
}

TEST(DecodeBatch, ConcurrentCallsAreIndependent) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        std::string body = R"({"events":[{"event_id":")" + id +
                           R"(","type":"t","user_id":"u","timestamp":1795397896123}]})";
        Result<DecodedBatch> r = DecodeBatch(body, DecodeOptions(), kNow);
        if (!r.ok() || r->events.size() != 1 || r->events[0].event_id != id) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(IsValidEventType, FollowsThePattern) {
  EXPECT_TRUE(IsValidEventType("a"));
  EXPECT_TRUE(IsValidEventType("page_view2"));
  EXPECT_FALSE(IsValidEventType(""));
  EXPECT_FALSE(IsValidEventType("_x"));
  EXPECT_FALSE(IsValidEventType("pageView"));
  EXPECT_FALSE(IsValidEventType("page-view"));
  EXPECT_TRUE(IsValidEventType(std::string(64, 'a')));
  EXPECT_FALSE(IsValidEventType(std::string(65, 'a')));
}

}  // namespace
}  // namespace tailor::ingest
