#include "ingest/event.h"

#include <gtest/gtest.h>

#include <limits>

#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

Event FullEvent() {
  Event e;
  e.event_id = "e-1";
  e.type = "purchase";
  e.user_id = "u\"1";
  e.anonymous_id = "a-1";
  e.timestamp_ms = 1795397896123;
  e.received_at_ms = 1795397897000;
  e.session_id = "s-1";
  e.decision_id = "d-1";
  e.context_json = R"({"channel":"web"})";
  e.properties_json = R"({"price":9.5})";
  return e;
}

TEST(EncodeEventJson, WritesAllMembersInOrder) {
  EXPECT_EQ(EncodeEventJson(FullEvent()),
            R"({"event_id":"e-1","type":"purchase","user_id":"u\"1","anonymous_id":"a-1",)"
            R"("timestamp":"2026-11-23T01:38:16.123Z","received_at":"2026-11-23T01:38:17.000Z",)"
            R"("session_id":"s-1","decision_id":"d-1","context":{"channel":"web"},)"
            R"("properties":{"price":9.5}})");
}

TEST(EncodeEventJson, OmitsEmptyMembers) {
  Event e;
  e.event_id = "e";
  e.type = "identify";
  e.user_id = "u";
  e.traits_json = R"({"plan":"pro"})";
  EXPECT_EQ(EncodeEventJson(e),
            R"({"event_id":"e","type":"identify","user_id":"u",)"
            R"("timestamp":"1970-01-01T00:00:00.000Z","received_at":"1970-01-01T00:00:00.000Z",)"
            R"("traits":{"plan":"pro"}})");
}

// `stored` decodes to `e` with an empty profile_id (it is the key, not the value).
void ExpectDecodesTo(const std::string& stored, Event e) {
  Result<Event> back = DecodeStoredEvent(stored);
  ASSERT_OK(back);
  EXPECT_EQ(back->profile_id, "");
  e.profile_id.clear();
  EXPECT_TRUE(*back == e);
}

TEST(DecodeStoredEvent, RoundTripsEverythingButProfileId) {
  Event e = FullEvent();
  e.profile_id = "p-1";
  ExpectDecodesTo(EncodeEventJson(e), e);

  Event c;
  c.event_id = "c";
  c.type = "consent";
  c.anonymous_id = "a";
  c.timestamp_ms = 5;
  c.received_at_ms = 6;
  c.consent_json = R"({"purposes":{"analytics":false}})";
  ExpectDecodesTo(EncodeEventJson(c), c);
}

TEST(EncodeStoredEvent, RoundTripsEverythingButProfileIdAndIsSmallerThanJson) {
  Event e = FullEvent();
  e.profile_id = "p-1";
  std::string stored = EncodeStoredEvent(e);
  EXPECT_EQ(stored.front(), kStoredEventV1);
  EXPECT_LT(stored.size(), EncodeEventJson(e).size() * 3 / 4);
  ExpectDecodesTo(stored, e);

  // Negative and far-apart times, empty members, bytes JSON would escape.
  Event c;
  c.event_id = "c";
  c.type = "consent";
  c.anonymous_id = std::string("a\0\x01\"", 4);
  c.timestamp_ms = -86'400'000;
  c.received_at_ms = 1795397897000;
  c.consent_json = R"({"purposes":{"analytics":false}})";
  ExpectDecodesTo(EncodeStoredEvent(c), c);

  // Any two times survive, however far apart (the delta wraps, defined, and unwraps).
  c.timestamp_ms = std::numeric_limits<int64_t>::max();
  c.received_at_ms = std::numeric_limits<int64_t>::min();
  ExpectDecodesTo(EncodeStoredEvent(c), c);
}

TEST(StoredEventJson, GivesTheJsonFormOfEitherStoredForm) {
  Event e = FullEvent();
  std::string json = EncodeEventJson(e);
  EXPECT_EQ(StoredEventJson(EncodeStoredEvent(e)).value(), json);
  EXPECT_EQ(StoredEventJson(json).value(), json);
  EXPECT_EQ(StoredEventJson("\x01").status().code(), StatusCode::kCorruption);
}

TEST(DecodeStoredEvent, IgnoresUnknownMembers) {
  Result<Event> e =
      DecodeStoredEvent(R"({"event_id":"e","type":"t","timestamp":"2026-11-23T01:38:16.123Z",)"
                        R"("received_at":1795397896124,"future_field":[1,2]})");
  ASSERT_OK(e);
  EXPECT_EQ(e->timestamp_ms, 1795397896123);
  EXPECT_EQ(e->received_at_ms, 1795397896124);
}

TEST(DecodeStoredEvent, ReportsCorruption) {
  for (const char* bad : {
           "",
           "not json",
           "[]",
           R"({"event_id":"e"})",
           R"({"event_id":1,"type":"t","timestamp":0,"received_at":0})",
           R"({"event_id":"e","type":"t","timestamp":"yesterday","received_at":0})",
           R"({"event_id":"e","type":"t","timestamp":0,"received_at":0,"properties":[1]})",
       }) {
    Result<Event> e = DecodeStoredEvent(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.status().code(), StatusCode::kCorruption) << bad;
  }
  // Binary: every truncation, a trailing byte, an unknown version, a missing id.
  const std::string good = EncodeStoredEvent(FullEvent());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(DecodeStoredEvent(good.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(DecodeStoredEvent(good + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeStoredEvent("\x02" + good.substr(1)).status().code(), StatusCode::kCorruption);
  Event no_id = FullEvent();
  no_id.event_id.clear();
  EXPECT_EQ(DecodeStoredEvent(EncodeStoredEvent(no_id)).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tailor::ingest
