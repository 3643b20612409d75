// ProfileView must answer every condition exactly as the JSON profile document does.
#include "segments/profile_view.h"

#include <gtest/gtest.h>

#include <random>

#include "condition/condition.h"
#include "condition/json_document.h"
#include "segments/profile_document.h"
#include "segments/segment_set.h"
#include "testutil/testutil.h"

namespace tailor::segments {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

std::shared_ptr<const profile::FeatureSet> Features() {
  Json defs = {
      {"purchases_30d", {{"type", "count"}, {"events", {"purchase"}}, {"window", "30d"}}},
      {"revenue", {{"type", "sum"}, {"events", {"purchase"}}, {"field", "properties.price"}}},
      {"first_currency", {{"type", "first"}, {"events", {"purchase"}}, {"field", "properties.currency"}}},
      {"since_view", {{"type", "recency"}, {"events", {"page_view"}}}},
      {"never", {{"type", "max"}, {"events", {"refund"}}, {"field", "properties.price"}}},
      {"pages", {{"type", "decayed_top"}, {"events", {"page_view"}}, {"field", "properties.page"},
                 {"half_life", "7d"}, {"top", 3}}},
      {"rfm", {{"type", "rfm"}, {"events", {"purchase"}}, {"field", "properties.price"}}},
  };
  std::vector<profile::FeatureSpec> specs;
  for (const auto& [name, def] : defs.items()) {
    auto spec = profile::ParseFeatureSpec(name, def, nullptr);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    specs.push_back(std::move(spec).value());
  }
  auto set = profile::FeatureSet::Build(std::move(specs));
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return *set;
}

profile::Profile SampleProfile(const profile::FeatureSet& features) {
  profile::Profile p;
  p.id = "01JDABCDEFGHJKMNPQRSTVWXY1";
  p.traits_json = R"({"country":"NO","age":30,"tags":["a","b"],"address":{"city":"Oslo"}})";
  p.consents["analytics"] = profile::ConsentState{true, kNow - 5, "banner"};
  p.consents["ads"] = profile::ConsentState{false, kNow - 5, ""};
  p.segments["buyers"] = kNow - 1000;
  p.segments["gone"] = kNow - 1000;  // no longer defined
  p.event_count = 7;
  p.session_count = 2;
  p.first_seen_ms = kNow - 10 * 86'400'000LL;
  p.last_seen_ms = kNow - 3'600'000;
  p.created_at_ms = kNow - 10 * 86'400'000LL;
  for (int i = 0; i < 6; ++i) {
    int64_t ts = kNow - (6 - i) * 3'600'000LL;
    std::string type = i % 2 ? "purchase" : "page_view";
    Json doc = {{"type", type}, {"timestamp", ts},
                {"properties", {{"price", 20 + i}, {"currency", "EUR"}, {"page", "/p/" + std::to_string(i % 2)}}}};
    features.Apply(profile::EventFacts{type, ts, "s1", &doc}, &p.features);
  }
  return p;
}

const char* kConditions[] = {
    R"({"traits.country":"NO"})",
    R"({"traits.age":{"$gte":18,"$lt":40}})",
    R"({"traits.tags":"a"})",
    R"({"traits.tags":{"$size":2}})",
    R"({"traits.address":{"city":"Oslo"}})",
    R"({"traits.address.city":{"$regex":"^Os"}})",
    R"({"traits.missing":{"$exists":false}})",
    R"({"traits":{"$type":"object"}})",
    R"({"features.purchases_30d":{"$gte":3}})",
    R"({"features.purchases_30d":3})",
    R"({"features.revenue":{"$gt":60}})",
    R"({"features.first_currency":"EUR"})",
    R"({"features.since_view":{"$lt":86400000}})",
    R"({"features.never":null})",
    R"({"features.never":{"$exists":true}})",
    R"({"features.unknown":{"$exists":false}})",
    R"({"features.pages":{"$in":["/p/0"]}})",
    R"({"features.pages.0":"/p/0"})",
    R"({"features.rfm.code":{"$in":["555","554","545","455"]}})",
    R"({"features.rfm":{"$type":"object"}})",
    // Numbers, nulls and first/last values are not JSON in the view: deeper paths, types.
    R"({"features.purchases_30d.x":{"$exists":false}})",
    R"({"features.purchases_30d.0":{"$exists":true}})",
    R"({"features.never.x":{"$exists":false}})",
    R"({"features.never":{"$type":"null"}})",
    R"({"features.revenue":{"$type":"number"}})",
    R"({"features.revenue":{"$in":[63,64,65,66,67,68,69,70,71,72]}})",
    R"({"features.first_currency":{"$type":"string"}})",
    R"({"features.first_currency.length":{"$exists":true}})",
    R"({"features.first_currency":{"$regex":"^E"}})",
    R"({"features.since_view":{"$gt":"1"}})",
    R"({"features.purchases_30d":{"$size":0}})",
    R"({"features.purchases_30d":{"$elemMatch":{"$gt":0}}})",
    R"({"features.pages":{"$size":2}})",
    R"({"$or":[{"features.purchases_30d":{"$lt":1}},{"features.never":{"$gt":1}}]})",
    R"({"features":{"$exists":true}})",
    R"({"features":{"$size":7}})",
    R"({"consent.analytics":true})",
    R"({"consent.ads":false})",
    R"({"consent.email":{"$exists":false}})",
    R"({"segments":"buyers"})",
    R"({"segments":{"$size":2}})",
    R"({"segments":{"$all":["buyers","gone"]}})",
    R"({"segments":{"$elemMatch":{"$eq":"gone"}}})",
    R"({"segments.0":"buyers"})",
    R"({"profile.event_count":{"$gte":7}})",
    R"({"profile.days_since_last_seen":{"$lt":1}})",
    R"({"profile":{"$exists":true}})",
    R"({"context.channel":"web"})",
    R"({"context":{"$type":"object"}})",
    R"({"context.page.path":{"$exists":true}})",
    R"({"nothing.here":{"$exists":false}})",
    R"({"$or":[{"traits.country":"SE"},{"features.revenue":{"$gte":1}}]})",
    R"({"$and":[{"consent.analytics":true},{"segments":{"$nin":["vip"]}}]})",
    R"({"$not":{"traits.age":{"$type":"string"}}})",
};

// Parses and builds the segment definitions `defs` ({"name": {...}}).
Result<std::shared_ptr<const SegmentSet>> BuildSegments(const Json& defs,
                                                        const profile::FeatureSet* features) {
  std::vector<SegmentSpec> specs;
  for (const auto& [name, def] : defs.items()) {
    TAILOR_ASSIGN_OR_RETURN(SegmentSpec spec, ParseSegmentSpec(name, def));
    specs.push_back(std::move(spec));
  }
  return SegmentSet::Build(std::move(specs), features);
}

TEST(ProfileView, AnswersLikeTheJsonDocument) {
  auto features = Features();
  profile::Profile p = SampleProfile(*features);
  const std::string contexts[] = {R"({"channel":"web","page":{"path":"/"}})", "[1,2]", "not json"};
  for (const std::string* context : {&contexts[0], &contexts[1], &contexts[2],
                                     static_cast<const std::string*>(nullptr)}) {
    SCOPED_TRACE(context ? *context : "(no context)");
    Json parsed = Json::object();
    if (context) {
      auto j = ParseJson(*context);
      if (j.ok()) parsed = std::move(j).value();
    }
    for (const profile::FeatureSet* fs : {features.get(), static_cast<const profile::FeatureSet*>(nullptr)}) {
      Json doc = BuildProfileDocument(p, fs, kNow, context ? &parsed : nullptr);
      ProfileView view(p, fs, kNow, context);
      condition::JsonDocument json_view(doc);
      for (const char* text : kConditions) {
        SCOPED_TRACE(text);
        auto cond = condition::Condition::Compile(Json::parse(text));
        ASSERT_OK(cond.status());
        EXPECT_EQ(cond->Evaluate(view), cond->Evaluate(json_view));
      }
    }
  }
}

TEST(ProfileView, WrongKindNodesReadAsNullWithoutCrashing) {
  auto features = Features();
  profile::Profile p = SampleProfile(*features);
  ProfileView view(p, features.get(), kNow, nullptr);
  condition::Node bad = view.ArrayAt(view.Root(), 0);  // the root is no array
  EXPECT_EQ(view.Kind(bad), condition::ValueKind::kNull);
  EXPECT_EQ(view.Size(bad), 0u);
  condition::Node out;
  EXPECT_FALSE(view.Find(bad, "x", &out));
  EXPECT_EQ(view.GetString(bad), "");
  EXPECT_EQ(view.GetNumber(bad), 0);
  condition::Node segs;
  ASSERT_TRUE(view.Find(view.Root(), "segments", &segs));
  EXPECT_EQ(view.GetString(view.ArrayAt(segs, 99)), "");
}

TEST(ProfileView, SegmentSetEvaluatesLikeTheJsonDocument) {
  auto features = Features();
  Json defs = {
      {"buyers", {{"condition", {{"features.purchases_30d", {{"$gte", 1}}}}}}},
      {"big", {{"parent", "buyers"}, {"condition", {{"features.revenue", {{"$gte", 60}}}}}}},
      {"gold", {{"group", "tier"}, {"priority", 2}, {"condition", {{"features.purchases_30d", {{"$gte", 3}}}}}}},
      {"silver", {{"group", "tier"}, {"priority", 1}, {"condition", {{"features.purchases_30d", {{"$gte", 1}}}}}}},
      {"web", {{"condition", {{"context.channel", "web"}}}}},
      {"loyal", {{"condition", {{"segments", "big"}, {"consent.analytics", true}}}}},
      {"new", {{"fallback", {{"max_events", 3}}}, {"condition", {{"traits.country", "NO"}}}}},
      {"nordic", {{"condition", {{"traits.country", {{"$in", {"NO", "SE"}}}}}}}},
  };
  auto set = BuildSegments(defs, features.get());
  ASSERT_OK(set.status());
  profile::Profile p = SampleProfile(*features);
  const std::string context = R"({"channel":"web"})";
  for (uint64_t events : {uint64_t{2}, uint64_t{7}}) {
    p.event_count = events;
    for (bool has_context : {true, false}) {
      for (bool stored_web : {true, false}) {
        p.segments.erase("web");
        if (stored_web) p.segments["web"] = kNow;
        Json ctx = Json::parse(context);
        Json doc = BuildProfileDocument(p, features.get(), kNow, has_context ? &ctx : nullptr);
        auto want = (*set)->Evaluate(&doc, nullptr, has_context);
        ProfileView view(p, features.get(), kNow, has_context ? &context : nullptr);
        auto got = (*set)->Evaluate(&view, nullptr, has_context);
        EXPECT_EQ(got, want) << "events " << events << " context " << has_context;
        EXPECT_FALSE(got.empty());
      }
    }
  }
}

// Segments that compare one feature with numbers are answered from the feature's number
// (SegmentSet::Threshold); they must still answer exactly as their conditions do, also
// when the feature reads as null or a string (the condition then runs as usual) and when
// the view's FeatureSet is not the one the segments were built with.
TEST(ProfileView, ThresholdSegmentsAnswerLikeTheirConditions) {
  auto features = Features();
  Json defs = Json::object();
  for (int k = 0; k <= 4; ++k) {
    defs["buyers_" + std::to_string(k)] = {{"condition", {{"features.purchases_30d", {{"$gte", k}}}}}};
  }
  defs.update(Json::parse(R"({
    "exactly_3": {"condition": {"features.purchases_30d": 3}},
    "eq_3": {"condition": {"features.purchases_30d": {"$eq": 3}}},
    "few": {"condition": {"features.purchases_30d": {"$lt": 2}}},
    "revenue_gt": {"condition": {"features.revenue": {"$gt": 62.5}}},
    "revenue_lte": {"condition": {"features.revenue": {"$lte": 63}}},
    "revenue_range": {"condition": {"features.revenue": {"$gte": 20, "$lt": 70}}},
    "revenue_neg": {"condition": {"features.revenue": {"$gt": -1}}},
    "recent_view": {"condition": {"features.since_view": {"$lt": 86400000}}},
    "never_lt": {"condition": {"features.never": {"$lt": 5}}},
    "never_gte": {"condition": {"features.never": {"$gte": 0}}},
    "currency_gte": {"condition": {"features.first_currency": {"$gte": 1}}},
    "with_ne": {"condition": {"features.purchases_30d": {"$gte": 1, "$ne": 2}}},
    "rfm_code": {"condition": {"features.rfm.code": {"$gte": 100}}},
    "unknown": {"condition": {"features.nope": {"$lt": 1}}},
    "two": {"condition": {"features.revenue": {"$gt": 1}, "features.purchases_30d": {"$gt": 1}}}
  })"));
  // never_lt / never_gte: `never` reads as null, and null < 5 holds in JavaScript (null
  // is 0). currency_gte: a string. with_ne, rfm_code, unknown, two: not thresholds.
  auto set = BuildSegments(defs, features.get());
  ASSERT_OK(set.status());
  size_t thresholds = 0;
  for (size_t i = 0; i < (*set)->specs().size(); ++i) {
    const std::string& name = (*set)->specs()[i].name;
    bool expected = name != "with_ne" && name != "rfm_code" && name != "unknown" && name != "two";
    EXPECT_EQ((*set)->AnsweredAsThreshold(i), expected) << name;
    thresholds += expected;
  }
  EXPECT_EQ(thresholds, 16u);

  // The same features in another order: indexes differ from the ones the set resolved.
  std::vector<profile::FeatureSpec> reversed(features->specs().rbegin(), features->specs().rend());
  auto other = profile::FeatureSet::Build(std::move(reversed));
  ASSERT_OK(other.status());
  profile::Profile empty;
  for (const profile::FeatureSet* fs : {features.get(), other->get()}) {
    profile::Profile sample = SampleProfile(*fs);
    for (const profile::Profile* p : {&sample, &empty}) {
      for (int64_t days : {0, 2, 40}) {
        int64_t now = kNow + days * 86'400'000;
        Json doc = BuildProfileDocument(*p, fs, now, nullptr);
        auto want = (*set)->Evaluate(&doc, nullptr, false);
        ProfileView view(*p, fs, now, nullptr);
        auto got = (*set)->Evaluate(&view, nullptr, false);
        EXPECT_EQ(got, want) << "now + " << days << " days, other set " << (fs != features.get());
        if (p == &sample && days == 0) {  // both outcomes occur, or the test shows little
          EXPECT_NE(std::find(want.begin(), want.end(), "buyers_3"), want.end());
          EXPECT_EQ(std::find(want.begin(), want.end(), "buyers_4"), want.end());
          EXPECT_NE(std::find(want.begin(), want.end(), "never_lt"), want.end());
        }
      }
    }
  }
}

// With the paths an event changed, only the segments reading them are re-evaluated, with
// the segments joined to them by a parent link or an exclusive group; the others keep
// their membership on entry, except cold-start segments and `segments` readers (and the
// segments joined to them), which are always re-evaluated.
TEST(ProfileView, EvaluatesOnlySegmentsReadingWhatChanged) {
  auto features = Features();
  Json defs = {
      {"buyers", {{"condition", {{"features.purchases_30d", {{"$gte", 1}}}}}}},
      {"nordic", {{"condition", {{"traits.country", {{"$in", {"NO", "SE"}}}}}}}},
      {"viewer", {{"condition", {{"features.since_view", {{"$lt", 86'400'000}}}}}}},
      {"big", {{"parent", "nordic_parent"}, {"condition", {{"features.revenue", {{"$gte", 60}}}}}}},
      {"nordic_parent", {{"condition", {{"traits.country", "NO"}}}}},
      {"gold", {{"group", "tier"}, {"priority", 2}, {"condition", {{"traits.age", {{"$gte", 18}}}}}}},
      {"silver", {{"group", "tier"}, {"priority", 1}, {"condition", {{"features.purchases_30d", {{"$gte", 1}}}}}}},
      {"newcomer", {{"group", "entry"}, {"priority", 2}, {"fallback", {{"max_events", 1'000'000}}},
                    {"condition", {{"traits.country", "NO"}}}}},
      {"adult", {{"group", "entry"}, {"priority", 1}, {"condition", {{"traits.age", {{"$gte", 18}}}}}}},
      {"grown", {{"group", "size"}, {"condition", {{"traits.age", {{"$gte", 18}}}}}}},
  };
  auto set = BuildSegments(defs, features.get());
  ASSERT_OK(set.status());
  profile::Profile p = SampleProfile(*features);
  p.segments.clear();  // as if every condition had been false at the last evaluation
  ProfileView full_view(p, features.get(), kNow, nullptr);
  auto full = (*set)->Evaluate(&full_view, nullptr, false);
  EXPECT_EQ(full, (std::vector<std::string>{"big", "buyers", "gold", "grown", "newcomer", "nordic",
                                            "nordic_parent", "viewer"}));

  // A purchase changed purchases_30d and revenue: buyers is re-evaluated; nordic and
  // viewer (standalone, reading neither) keep "out"; big reads revenue, so its parent
  // nordic_parent is re-evaluated with it; silver reads purchases_30d, so gold, of its
  // group, is too (and wins it); newcomer is a cold-start segment, re-evaluated with its
  // group; grown, alone in its group and reading only traits, keeps "out".
  std::vector<std::string> changed = {"features.purchases_30d", "features.revenue", "profile"};
  ProfileView view(p, features.get(), kNow, nullptr);
  auto got = (*set)->Evaluate(&view, nullptr, false, &changed);
  EXPECT_EQ(got, (std::vector<std::string>{"big", "buyers", "gold", "newcomer", "nordic_parent"}));
  // A page view changes neither: the clusters of big and gold keep "out".
  std::vector<std::string> viewed = {"features.since_view", "profile"};
  ProfileView view1(p, features.get(), kNow, nullptr);
  got = (*set)->Evaluate(&view1, nullptr, false, &viewed);
  EXPECT_EQ(got, (std::vector<std::string>{"newcomer", "viewer"}));

  // A kept membership stays "in" too.
  p.segments["viewer"] = kNow;
  std::vector<std::string> traits = {"traits"};
  ProfileView view2(p, features.get(), kNow + 30LL * 86'400'000, nullptr);  // since_view now false
  got = (*set)->Evaluate(&view2, nullptr, false, &traits);
  EXPECT_TRUE(std::find(got.begin(), got.end(), "viewer") != got.end());
  EXPECT_TRUE(std::find(got.begin(), got.end(), "nordic") != got.end());
  EXPECT_TRUE(std::find(got.begin(), got.end(), "buyers") == got.end()) << "not re-evaluated: was out";

  // A changed path reaches readers below it and above it.
  for (const std::string& c : {"features", "features.purchases_30d"}) {
    std::vector<std::string> one = {c};
    ProfileView view3(p, features.get(), kNow, nullptr);
    got = (*set)->Evaluate(&view3, nullptr, false, &one);
    EXPECT_TRUE(std::find(got.begin(), got.end(), "buyers") != got.end()) << c;
  }
  std::vector<std::string> sibling = {"features.purchases_30"};  // a prefix, not a parent
  ProfileView view4(p, features.get(), kNow, nullptr);
  got = (*set)->Evaluate(&view4, nullptr, false, &sibling);
  EXPECT_TRUE(std::find(got.begin(), got.end(), "buyers") == got.end());
}

// A profile's segment_flags stand for its stored membership only when they are the
// evaluating set's: they are used then, and ignored for any other set. (Flags that
// disagree with the names, which ingest never lets happen, show which was read; debug
// builds assert they agree, so this runs in release builds only.)
TEST(ProfileView, StoredMembershipComesFromTheFlagsOfTheSameSetOnly) {
#ifndef NDEBUG
  GTEST_SKIP() << "debug builds assert that the flags agree with the names";
#endif
  auto features = Features();
  Json defs = Json::parse(R"({"a": {"condition": {"traits.x": 1}},
                              "b": {"condition": {"traits.x": 1}}})");
  auto set = BuildSegments(defs, features.get());
  ASSERT_OK(set);
  auto other = BuildSegments(defs, features.get());
  ASSERT_OK(other);
  EXPECT_NE((*set)->id(), (*other)->id());
  profile::Profile p;
  p.segments["a"] = kNow;
  p.segment_flags = SegmentFlags(2);
  p.segment_flags.set(1);  // "b", unlike the names
  SegmentSet::Reach none{false, SegmentFlags(2)};  // nothing re-evaluated: stored kept
  SegmentFlags stored;
  for (auto [owner, expected] : {std::pair{(*set)->id(), "b"}, std::pair{(*other)->id(), "a"},
                                 std::pair{uint64_t{0}, "a"}}) {
    p.segment_flags_of = owner;
    ProfileView view(p, features.get(), kNow, nullptr);
    SegmentFlags in = (*set)->ReevaluateFlags(&view, nullptr, false, &none, &stored);
    EXPECT_EQ(in, stored);
    ASSERT_EQ(stored.count(), 1u);
    EXPECT_EQ((*set)->specs()[stored.find_first()].name, expected) << owner;
  }
}

// Ingest resolves what a change reaches once per changed-path list and ORs the results
// per profile; that must equal resolving the union of the paths at once.
TEST(ProfileView, ReachOfAUnionIsTheUnionOfReaches) {
  auto features = Features();
  Json defs = {
      {"buyers", {{"condition", {{"features.purchases_30d", {{"$gte", 1}}}}}}},
      {"nordic", {{"condition", {{"traits.country", {{"$in", {"NO", "SE"}}}}}}}},
      {"viewer", {{"condition", {{"features.since_view", {{"$lt", 86'400'000}}}}}}},
      {"web", {{"condition", {{"context.channel", "web"}}}}},
      {"champions", {{"condition", {{"features.rfm.code", {{"$in", {"555"}}}}}}}},
      {"gold", {{"group", "tier"}, {"priority", 2}, {"condition", {{"traits.age", {{"$gte", 18}}}}}}},
  };
  auto set = BuildSegments(defs, features.get());
  ASSERT_OK(set.status());
  EXPECT_TRUE((*set)->ReadsContext());
  profile::Profile p = SampleProfile(*features);
  p.segments.clear();
  const std::vector<std::vector<std::string>> lists = {
      features->ChangedPaths("purchase"), features->ChangedPaths("page_view"), {"traits"},
      {"context"}, {"profile"}, {"features"}, {}};
  for (size_t a = 0; a < lists.size(); ++a) {
    for (size_t b = 0; b < lists.size(); ++b) {
      std::vector<std::string> both = lists[a];
      both.insert(both.end(), lists[b].begin(), lists[b].end());
      SegmentSet::Reach reach = (*set)->ReachOf(lists[a]);
      reach.Add((*set)->ReachOf(lists[b]));
      SegmentSet::Reach whole = (*set)->ReachOf(both);
      EXPECT_EQ(reach.any, whole.any) << a << " " << b;
      EXPECT_EQ(reach.any, (*set)->DependsOnAny(both)) << a << " " << b;
      EXPECT_EQ(reach.reevaluate, whole.reevaluate) << a << " " << b;
      ProfileView v1(p, features.get(), kNow, nullptr);
      ProfileView v2(p, features.get(), kNow, nullptr);
      EXPECT_EQ((*set)->Reevaluate(&v1, nullptr, false, reach),
                (*set)->Evaluate(&v2, nullptr, false, &both));
    }
  }
}

// Random configs of parents and exclusive groups over traits: after a change, a segment
// the change does not reach keeps its stored membership exactly, and when the config has
// no segment in a group with one of its ancestors (such configs can have no stable
// membership), the incremental answer equals a full evaluation.
TEST(ProfileView, IncrementalEvaluationOfClustersAgreesWithAFullOne) {
  std::mt19937 rng(42);
  int compared = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 7);
    Json defs = Json::object();
    std::vector<std::string> names, groups(n), parents(n);
    for (int i = 0; i < n; ++i) names.push_back("s" + std::to_string(rng() % 1000) + "_" + std::to_string(i));
    for (int i = 0; i < n; ++i) {
      Json d;
      d["condition"] = {{std::string("traits.") + char('a' + rng() % 5), {{"$gte", static_cast<int>(rng() % 3)}}}};
      if (rng() % 2) {
        groups[i] = std::string("g") + char('0' + rng() % 2);
        d["group"] = groups[i];
        d["priority"] = static_cast<int>(rng() % 3);
      }
      if (i > 0 && rng() % 3 == 0) parents[i] = names[rng() % i];
      if (!parents[i].empty()) d["parent"] = parents[i];
      defs[names[i]] = d;
    }
    bool settles = true;  // no segment shares a group with an ancestor
    for (int i = 0; i < n; ++i) {
      for (std::string a = parents[i]; !a.empty();) {
        size_t k = std::find(names.begin(), names.end(), a) - names.begin();
        if (!groups[i].empty() && groups[k] == groups[i]) settles = false;
        a = parents[k];
      }
    }
    auto set = BuildSegments(defs, nullptr);
    ASSERT_OK(set.status());
    Json before = Json::object();
    for (char c = 'a'; c < 'f'; ++c) before[std::string(1, c)] = static_cast<int>(rng() % 3);
    profile::Profile p0;
    p0.id = "x";
    p0.traits_json = before.dump();
    ProfileView v0(p0, nullptr, kNow, nullptr);
    const auto stored = (*set)->Evaluate(&v0, nullptr, false);
    Json after = before;
    std::vector<std::string> changed;
    for (char c = 'a'; c < 'f'; ++c) {
      if (rng() % 4 != 0) continue;
      after[std::string(1, c)] = static_cast<int>(rng() % 3);
      changed.push_back(std::string("traits.") + c);
    }
    profile::Profile p1 = p0;
    p1.traits_json = after.dump();
    for (const auto& s : stored) p1.segments[s] = kNow;
    ProfileView v1(p1, nullptr, kNow, nullptr);
    auto full = (*set)->Evaluate(&v1, nullptr, false);
    ProfileView v2(p1, nullptr, kNow, nullptr);
    auto incremental = (*set)->Evaluate(&v2, nullptr, false, &changed);
    SegmentSet::Reach reach = (*set)->ReachOf(changed);
    const auto& specs = (*set)->specs();
    for (size_t i = 0; i < specs.size(); ++i) {
      if (reach.reevaluate[i]) continue;
      auto in = [&](const std::vector<std::string>& v) {
        return std::find(v.begin(), v.end(), specs[i].name) != v.end();
      };
      ASSERT_EQ(in(incremental), in(stored)) << specs[i].name << " in " << defs.dump();
    }
    if (!settles) continue;
    ++compared;
    ASSERT_EQ(incremental, full) << defs.dump() << "\nbefore " << before.dump() << " after " << after.dump();
  }
  EXPECT_GT(compared, 10'000);
}

}  // namespace
}  // namespace tailor::segments
