#include "profile/profile.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "core/json_doc.h"
#include "core/random.h"
#include "profile/profile_store.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::profile {
namespace {

Profile Sample() {
  Profile p;
  p.id = "01JDABCDEFGHJKMNPQRSTVWXY1";
  p.user_ids = {"u1"};
  p.anonymous_ids = {"a1"};
  // Canonical (sorted, compact) like every traits_json MergeTraits/DecodeProfile write:
  // EncodeProfile embeds the text verbatim.
  p.traits_json = R"({"address":{"city":"Oslo"},"plan":"pro"})";
  p.consents["analytics"] = {true, 1000, "banner"};
  p.first_seen_ms = 1000;
  p.last_seen_ms = 5000;
  p.event_count = 3;
  p.session_count = 1;
  p.session_id = "s1";
  p.version = 4;
  return p;
}

TEST(Profile, EncodeDecodeRoundTrip) {
  Profile p = Sample();
  auto back = DecodeProfile(EncodeProfile(p));
  ASSERT_OK(back);
  EXPECT_EQ(EncodeProfile(*back), EncodeProfile(p));
  EXPECT_TRUE(back->HasConsent("analytics"));
  EXPECT_FALSE(back->HasConsent("marketing"));
  EXPECT_EQ(DecodeProfile("{").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeProfile("{\"id\":1}").status().code(), StatusCode::kCorruption);
}

TEST(Profile, MergeTraitsIsMergePatch) {
  std::string t = R"({"plan":"free","address":{"city":"Oslo","zip":"0150"},"old":1})";
  ASSERT_OK(MergeTraits(&t, R"({"plan":"pro","address":{"city":"Bergen"},"old":null})"));
  EXPECT_EQ(*ParseJson(t), *ParseJson(R"({"plan":"pro","address":{"city":"Bergen","zip":"0150"}})"));
  EXPECT_FALSE(MergeTraits(&t, "[1]").ok());
}

TEST(Profile, MergeProfileInto) {
  Profile anon;
  anon.id = "A";
  anon.anonymous_ids = {"a9"};
  anon.traits_json = R"({"theme":"dark","plan":"free"})";
  anon.consents["marketing"] = {true, 9000, "banner"};
  anon.first_seen_ms = 500;
  anon.last_seen_ms = 800;
  anon.event_count = 2;
  Profile user = Sample();
  MergeProfileInto(anon, &user);
  EXPECT_EQ(user.anonymous_ids, (std::vector<std::string>{"a1", "a9"}));
  EXPECT_EQ(*ParseJson(user.traits_json),
            *ParseJson(R"({"theme":"dark","plan":"pro","address":{"city":"Oslo"}})"));
  EXPECT_TRUE(user.HasConsent("marketing"));
  EXPECT_EQ(user.first_seen_ms, 500);
  EXPECT_EQ(user.last_seen_ms, 5000);
  EXPECT_EQ(user.event_count, 5u);
  EXPECT_EQ(user.merged_from, std::vector<std::string>{"A"});
}

// --- Stored-form round trip over randomized profiles -------------------------------

// The encoder before it was written by hand (an nlohmann tree): the reference for the
// stored format's meaning.
Json ReferenceEncode(const Profile& p) {
  Json consents = Json::object();
  for (const auto& [purpose, s] : p.consents) {
    consents[purpose] = {{"granted", s.granted}, {"source", s.source}, {"at_ms", s.at_ms}};
  }
  Json j = {{"id", p.id},
            {"user_ids", p.user_ids},
            {"anonymous_ids", p.anonymous_ids},
            {"traits", *ParseJson(p.traits_json)},
            {"consents", consents},
            {"first_seen_ms", p.first_seen_ms},
            {"last_seen_ms", p.last_seen_ms},
            {"created_at_ms", p.created_at_ms},
            {"updated_at_ms", p.updated_at_ms},
            {"event_count", p.event_count},
            {"session_count", p.session_count},
            {"session_id", p.session_id},
            {"session_start_ms", p.session_start_ms},
            {"session_last_ms", p.session_last_ms},
            {"merged_from", p.merged_from},
            {"version", p.version}};
  if (!p.features.empty()) {
    Json f = Json::object();
    for (const auto& [name, st] : p.features) f[name] = st.ToJson();
    j["features"] = std::move(f);
  }
  if (!p.segments.empty()) j["segments"] = p.segments;
  return j;
}

class ProfileGen {
 public:
  explicit ProfileGen(uint64_t seed) : rnd_(seed) {}

  Profile Make() {
    Profile p;
    p.id = Str();
    p.user_ids = Strs();
    p.anonymous_ids = Strs();
    Json traits = Json::object();
    for (int i = Below(5); i > 0; --i) traits[Str()] = Value(2);
    p.traits_json = traits.dump();  // canonical, as MergeTraits writes it
    for (int i = Below(3); i > 0; --i) p.consents[Str()] = {Below(2) == 1, Int64(), Str()};
    p.first_seen_ms = Int64();
    p.last_seen_ms = Int64();
    p.created_at_ms = Int64();
    p.updated_at_ms = Int64();
    p.event_count = rnd_.Next64();
    p.session_count = rnd_.Next64() >> Below(64);
    p.session_id = Str();
    p.session_start_ms = Int64();
    p.session_last_ms = Int64();
    p.merged_from = Strs();
    for (int i = Below(6); i > 0; --i) p.features[Str()] = Feature();
    for (int i = Below(6); i > 0; --i) p.segments[Str()] = Int64();
    p.version = rnd_.Next64();
    return p;
  }

 private:
  int Below(int n) { return static_cast<int>(rnd_.Next64() % static_cast<uint64_t>(n)); }
  int64_t Int64() {
    switch (Below(4)) {
      case 0: return static_cast<int64_t>(rnd_.Next64());  // any, negative included
      case 1: return Below(2) ? std::numeric_limits<int64_t>::min()
                              : std::numeric_limits<int64_t>::max();
      default: return 1700000000000 + Below(1000000000);  // a plausible timestamp
    }
  }
  // Any finite double: random bit patterns (subnormals, huge, -0.0) or "nice" values.
  double Double() {
    if (Below(2)) return Below(1000) / 8.0 - 20;
    for (;;) {
      double d = std::bit_cast<double>(rnd_.Next64());
      if (std::isfinite(d)) return d;
    }
  }
  // Valid UTF-8 with quotes, escapes, control characters and multi-byte characters.
  std::string Str() {
    static const char* const kParts[] = {"a", "Z", "0", "_", " ", "\"", "\\", "/", "\n", "\t",
                                         "\x01", "\x1f", "\x7f", "ø", "Zoë", "日本", "😀", "é"};
    std::string s;
    for (int i = Below(8); i > 0; --i) s += kParts[Below(std::size(kParts))];
    return s;
  }
  std::vector<std::string> Strs() {
    std::vector<std::string> v;
    for (int i = Below(4); i > 0; --i) v.push_back(Str());
    return v;
  }
  // A JSON value of any type; containers down to `depth`.
  Json Value(int depth) {
    switch (Below(depth > 0 ? 9 : 7)) {
      case 0: return nullptr;
      case 1: return Below(2) == 1;
      case 2: return Int64();
      case 3: return rnd_.Next64();
      case 4: return Double();
      case 5:
      case 6: return Str();
      case 7: {
        Json a = Json::array();
        for (int i = Below(4); i > 0; --i) a.push_back(Value(depth - 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (int i = Below(4); i > 0; --i) o[Str()] = Value(depth - 1);
        return o;
      }
    }
  }
  // Empty, or with any combination of the shapes the feature kinds use.
  FeatureState Feature() {
    FeatureState st;
    st.spec_digest = Str();
    if (Below(3) == 0) return st;
    if (Below(2)) {
      for (int i = Below(4); i > 0; --i) {
        st.buckets.push_back(Bucket{Int64(), Double(), Double(), Double(), Double()});
      }
    }
    if (Below(2)) {
      st.score = Double();
      st.ref_ms = Int64();
    }
    if (Below(2)) {
      for (int i = Below(4); i > 0; --i) st.top.emplace_back(Str(), Double());
    }
    if (Below(2)) {
      for (int i = Below(4); i > 0; --i) st.items.emplace_back(Str(), Int64());
    }
    if (Below(2)) {
      st.seen = true;
      st.first = Value(2);
      st.first_ms = Int64();
      st.last = Value(2);
      st.last_ms = Int64();
    }
    if (Below(2)) {
      for (int i = Below(4); i > 0; --i) {
        st.sessions.push_back(
            SessionStat{Str(), Int64(), Int64(), static_cast<uint32_t>(rnd_.Next64())});
      }
    }
    if (Below(2)) st.bad_field = rnd_.Next64();
    return st;
  }

  SeededRandom rnd_;
};

// Bit-exact, so -0.0 and every last digit count.
void ExpectSameDouble(double a, double b, const std::string& what) {
  EXPECT_EQ(std::bit_cast<uint64_t>(a), std::bit_cast<uint64_t>(b)) << what << ": " << a << " vs " << b;
}

void ExpectSameFeature(const FeatureState& a, const FeatureState& b) {
  EXPECT_EQ(a.spec_digest, b.spec_digest);
  ASSERT_EQ(a.buckets.size(), b.buckets.size());
  for (size_t i = 0; i < a.buckets.size(); ++i) {
    EXPECT_EQ(a.buckets[i].start_ms, b.buckets[i].start_ms);
    ExpectSameDouble(a.buckets[i].count, b.buckets[i].count, "count");
    ExpectSameDouble(a.buckets[i].sum, b.buckets[i].sum, "sum");
    ExpectSameDouble(a.buckets[i].min, b.buckets[i].min, "min");
    ExpectSameDouble(a.buckets[i].max, b.buckets[i].max, "max");
  }
  ExpectSameDouble(a.score, b.score, "score");
  EXPECT_EQ(a.ref_ms, b.ref_ms);
  ASSERT_EQ(a.top.size(), b.top.size());
  for (size_t i = 0; i < a.top.size(); ++i) {
    EXPECT_EQ(a.top[i].first, b.top[i].first);
    ExpectSameDouble(a.top[i].second, b.top[i].second, "top");
  }
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.seen, b.seen);
  // nlohmann compares numbers by value (and reads a non-negative int64 back as uint64);
  // a double turning into an integer shows up as a float-ness change here and as a text
  // change in the re-encoding the caller compares.
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.first.is_number_float(), b.first.is_number_float());
  EXPECT_EQ(a.last, b.last);
  EXPECT_EQ(a.last.is_number_float(), b.last.is_number_float());
  EXPECT_EQ(a.first_ms, b.first_ms);
  EXPECT_EQ(a.last_ms, b.last_ms);
  ASSERT_EQ(a.sessions.size(), b.sessions.size());
  for (size_t i = 0; i < a.sessions.size(); ++i) {
    EXPECT_EQ(a.sessions[i].id, b.sessions[i].id);
    EXPECT_EQ(a.sessions[i].start_ms, b.sessions[i].start_ms);
    EXPECT_EQ(a.sessions[i].last_ms, b.sessions[i].last_ms);
    EXPECT_EQ(a.sessions[i].events, b.sessions[i].events);
  }
  EXPECT_EQ(a.bad_field, b.bad_field);
}

void ExpectSameProfile(const Profile& a, const Profile& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.user_ids, b.user_ids);
  EXPECT_EQ(a.anonymous_ids, b.anonymous_ids);
  EXPECT_EQ(a.traits_json, b.traits_json);
  ASSERT_EQ(a.consents.size(), b.consents.size());
  for (const auto& [purpose, s] : a.consents) {
    ASSERT_EQ(b.consents.count(purpose), 1u) << purpose;
    const ConsentState& t = b.consents.at(purpose);
    EXPECT_EQ(s.granted, t.granted);
    EXPECT_EQ(s.at_ms, t.at_ms);
    EXPECT_EQ(s.source, t.source);
  }
  EXPECT_EQ(a.first_seen_ms, b.first_seen_ms);
  EXPECT_EQ(a.last_seen_ms, b.last_seen_ms);
  EXPECT_EQ(a.created_at_ms, b.created_at_ms);
  EXPECT_EQ(a.updated_at_ms, b.updated_at_ms);
  EXPECT_EQ(a.event_count, b.event_count);
  EXPECT_EQ(a.session_count, b.session_count);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.session_start_ms, b.session_start_ms);
  EXPECT_EQ(a.session_last_ms, b.session_last_ms);
  EXPECT_EQ(a.merged_from, b.merged_from);
  ASSERT_EQ(a.features.size(), b.features.size());
  for (const auto& [name, st] : a.features) {
    SCOPED_TRACE("feature " + name);
    ASSERT_EQ(b.features.count(name), 1u);
    ExpectSameFeature(st, b.features.find(name)->second);
  }
  EXPECT_EQ(a.segments, b.segments);
  EXPECT_EQ(a.version, b.version);
}

uint64_t TestSeed() {
  const char* env = std::getenv("TAILOR_TEST_SEED");
  uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261123;
  std::cout << "[ seed " << seed << " (set TAILOR_TEST_SEED to change) ]\n";
  return seed;
}

TEST(Profile, RandomizedStoredFormRoundTrip) {
  const uint64_t seed = TestSeed();
  ProfileGen gen(seed);
  for (int i = 0; i < 500; ++i) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", profile " + std::to_string(i));
    const Profile p = gen.Make();
    const std::string stored = EncodeProfile(p);
    Result<Json> parsed = ParseJsonObject(stored);
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, ReferenceEncode(p)) << stored;  // same members, same values
    Result<Profile> back = DecodeProfile(stored);
    ASSERT_OK(back);
    ExpectSameProfile(p, *back);
    EXPECT_EQ(EncodeProfile(*back), stored);
    if (HasFatalFailure() || HasFailure()) break;  // one bad profile is enough output
  }
}

TEST(Profile, NonFiniteFeatureDoublesStayValidJson) {
  Profile p = Sample();
  FeatureState st;
  st.spec_digest = "d";
  const double inf = std::numeric_limits<double>::infinity();
  st.buckets.push_back(Bucket{1, std::nan(""), inf, -inf, 2.5});
  st.score = inf;
  st.top = {{"x", -inf}};
  p.features["f"] = st;
  const std::string stored = EncodeProfile(p);
  ASSERT_OK(ParseJsonObject(stored));
  Result<Profile> back = DecodeProfile(stored);
  ASSERT_OK(back);
  const FeatureState& b = back->features.at("f");
  EXPECT_EQ(b.buckets[0].count, 0);
  EXPECT_EQ(b.buckets[0].max, 2.5);
  EXPECT_EQ(b.score, 0);
  EXPECT_EQ(b.top[0].second, 0);
}

// Digests up to SpecDigest::kInline characters live inside the state, longer ones on the
// heap; either way they read, compare and survive the stored form as the text assigned.
TEST(FeatureState, SpecDigestKeepsAnyTextInlineOrOnTheHeap) {
  SpecDigest d;
  EXPECT_TRUE(d.empty());
  for (size_t len : {size_t{0}, size_t{15}, size_t{16}, size_t{24}, SpecDigest::kInline,
                     SpecDigest::kInline + 1, size_t{100}, size_t{3}}) {
    std::string text;
    for (size_t i = 0; i < len; ++i) text.push_back(static_cast<char>('a' + i % 26));
    d = text;  // reassigned in place: inline -> heap -> inline
    EXPECT_EQ(d.view(), text) << len;
    EXPECT_EQ(d.size(), len);
    EXPECT_TRUE(d == text);
    EXPECT_FALSE(d == text + "x");
    SpecDigest copy = d;
    EXPECT_TRUE(copy == d);
    Profile p = Sample();
    p.features["f"].spec_digest = text;
    Result<Profile> back = DecodeProfile(EncodeProfile(p));
    ASSERT_OK(back);
    EXPECT_EQ(back->features.at("f").spec_digest, text) << len;
  }
}

TEST(FeatureState, AppendJsonMatchesToJson) {
  FeatureState st;
  st.spec_digest = "abc";
  std::string out;
  st.AppendJson(&out);
  EXPECT_EQ(out, st.ToJson().dump());  // the empty state: {"d":"abc"}
  st.buckets = {{60000, 1, 2.5, 0.25, 1e300}};
  st.score = 0.1;
  st.ref_ms = -5;
  st.top = {{"a", 1}};
  st.items = {{"b", 7}};
  st.seen = true;
  st.first = Json{{"k", {1, "x", nullptr}}};
  st.last = 3.5;
  st.sessions = {{"s", 1, 2, 3}};
  st.bad_field = 9;
  out.clear();
  st.AppendJson(&out);
  EXPECT_EQ(*ParseJson(out), st.ToJson());
  // Doubles keep a fraction or exponent, so readers never see an integer.
  EXPECT_NE(out.find("[60000,1.0,2.5,0.25,1e+300]"), std::string::npos) << out;
}

TEST(ProfileStore, EventPagesAreNewestFirstWithoutGapsOnTies) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ProfileStore profiles(store);
  std::string pid = "01JDABCDEFGHJKMNPQRSTVWXY1";
  storage::WriteBatch b;
  for (int i = 0; i < 7; ++i) {
    int64_t ts = 1000 + (i / 2) * 10;  // pairs share a timestamp
    b.Put(storage::Keyspace::kEvents, storage::EventKey(pid, ts, "e" + std::to_string(i)),
          "{\"i\":" + std::to_string(i) + "}");
  }
  ASSERT_OK(store.Write(b));
  std::vector<std::string> all;
  std::optional<EventCursor> cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = profiles.Events(pid, 3, cursor);
    ASSERT_OK(page);
    for (auto& e : page->stored) all.push_back(e);
    if (!page->next) break;
    cursor = page->next;
  }
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.front(), "{\"i\":6}");
  EXPECT_EQ(all.back(), "{\"i\":0}");
}

TEST(ProfileStore, LoadCachesAndEraseRemovesEverything) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ProfileStore profiles(store);
  Profile p = Sample();
  storage::WriteBatch b;
  ProfileStore::Stage(p, &b);
  b.Put(storage::Keyspace::kEvents, storage::EventKey(p.id, 1, "e"), "{}");
  ASSERT_OK(store.Write(b));
  auto loaded = profiles.Load(p.id);
  ASSERT_OK(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->user_ids, p.user_ids);
  storage::WriteBatch erase;
  ProfileStore::StageErase(p.id, &erase);
  ASSERT_OK(store.Write(erase));
  profiles.Forget(p.id);
  EXPECT_FALSE(profiles.Load(p.id)->has_value());
  EXPECT_EQ(store.CountKeys(storage::Keyspace::kEvents), 0u);
}

}  // namespace
}  // namespace tailor::profile
