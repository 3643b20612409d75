// The ingest pipeline with computed features and segments configured.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/json_doc.h"
#include "ingest/pipeline.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::ingest {
namespace {

class PipelineSegmentsTest : public ::testing::Test {
 protected:
  PipelineSegmentsTest() {
    Configure(R"({"purchases_1d": {"type": "count", "events": ["purchase"], "window": "1d"},
                  "purchases": {"type": "count", "events": ["purchase"]}})",
              R"({"recent_buyer": {"condition": {"features.purchases_1d": {"$gte": 1}}},
                  "pro": {"condition": {"traits.plan": "pro"}}})");
  }

  void Configure(const std::string& features_json, const std::string& segments_json) {
    std::vector<profile::FeatureSpec> fs;
    Json defs = Json::parse(features_json);
    for (auto it = defs.begin(); it != defs.end(); ++it) {
      auto spec = profile::ParseFeatureSpec(it.key(), it.value(), nullptr);
      ASSERT_OK(spec);
      fs.push_back(*spec);
    }
    auto features = profile::FeatureSet::Build(fs);
    ASSERT_OK(features);
    std::vector<segments::SegmentSpec> ss;
    Json segs_json = Json::parse(segments_json);
    for (auto it = segs_json.begin(); it != segs_json.end(); ++it) {
      auto spec = segments::ParseSegmentSpec(it.key(), it.value());
      ASSERT_OK(spec);
      ss.push_back(*spec);
    }
    auto segs = segments::SegmentSet::Build(ss, features->get());
    ASSERT_OK(segs);
    auto base = IngestSnapshot::Build(IngestConfig{}, 1000);
    ASSERT_OK(base);
    auto snap = std::make_shared<IngestSnapshot>(**base);
    snap->features = *features;
    snap->segments = *segs;
    snapshot_ = snap;
  }

  IngestOutcome Send(const std::string& events) {
    std::string body = "{\"events\":[" + events + "]}";
    auto r = pipeline_.IngestBody(&body, *snapshot_, "test");
    EXPECT_OK(r);
    return r.ok() ? *r : IngestOutcome{};
  }

  std::string Ev(const std::string& id, const std::string& type, const std::string& ids,
                 int64_t ts, const std::string& extra = "") {
    return "{\"event_id\":\"" + id + "\",\"type\":\"" + type + "\"," + ids +
           ",\"timestamp\":" + std::to_string(ts) + extra + "}";
  }

  profile::Profile ProfileOf(identity::IdKind kind, const std::string& id) {
    auto pid = identities_.Lookup(kind, id);
    EXPECT_OK(pid);
    auto p = profiles_.Load(pid->value_or(""));
    EXPECT_OK(p);
    return p->value_or(profile::Profile{});
  }

  std::vector<std::string> HistoryTypes(const std::string& pid) {
    auto page = profiles_.Events(pid, 100, std::nullopt);
    std::vector<std::string> types;
    for (const auto& e : page->stored) types.push_back((*ParseJson(*StoredEventJson(e)))["type"].get<std::string>());
    return types;
  }

  int64_t Feature(const profile::Profile& p, const std::string& name) {
    return snapshot_->features->Read(p.features, clock_.NowMs())[name].get<int64_t>();
  }

  FakeClock clock_{1'800'000'000'000};
  SeededRandom random_{3};
  storage::MemoryStore store_{clock_};
  profile::ProfileStore profiles_{store_};
  identity::IdentityIndex identities_{store_};
  Pipeline pipeline_{store_, profiles_, identities_, clock_, random_, PipelineOptions{}};
  std::shared_ptr<const IngestSnapshot> snapshot_;
  const int64_t t0_ = 1'800'000'000'000 - 60'000;
};

TEST_F(PipelineSegmentsTest, FeaturesUpdateAndSegmentsEnterWithHistoryEvents) {
  Send(Ev("e1", "page_view", "\"user_id\":\"u1\"", t0_));
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_TRUE(p.segments.empty());
  Send(Ev("e2", "purchase", "\"user_id\":\"u1\"", t0_ + 1));
  p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(Feature(p, "purchases"), 1);
  ASSERT_EQ(p.segments.count("recent_buyer"), 1u);
  EXPECT_EQ(p.segments["recent_buyer"], clock_.NowMs());
  auto types = HistoryTypes(p.id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_entered"), 1);
  EXPECT_TRUE(store_.Get(storage::Keyspace::kSegmentMembers,
                         storage::SegmentMemberKey("recent_buyer", p.id))->has_value());
  EXPECT_EQ(p.event_count, 2u) << "internal events do not count as the person's events";
}

TEST_F(PipelineSegmentsTest, TraitChangeExitsSegment) {
  Send(Ev("i1", "identify", "\"user_id\":\"u1\"", t0_, ",\"traits\":{\"plan\":\"pro\"}"));
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").segments.count("pro"), 1u);
  Send(Ev("i2", "identify", "\"user_id\":\"u1\"", t0_ + 1, ",\"traits\":{\"plan\":\"free\"}"));
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(p.segments.count("pro"), 0u);
  auto types = HistoryTypes(p.id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_exited"), 1);
  EXPECT_FALSE(store_.Get(storage::Keyspace::kSegmentMembers,
                          storage::SegmentMemberKey("pro", p.id))->has_value());
}

TEST_F(PipelineSegmentsTest, MergeRecomputesFeaturesFromBothHistories) {
  Send(Ev("a1", "purchase", "\"anonymous_id\":\"anon\"", t0_) + "," +
       Ev("a2", "purchase", "\"anonymous_id\":\"anon\"", t0_ + 1));
  Send(Ev("u1", "purchase", "\"user_id\":\"alice\"", t0_ + 2));
  Send(Ev("i1", "identify", "\"user_id\":\"alice\",\"anonymous_id\":\"anon\"", t0_ + 3) + "," +
       Ev("u2", "purchase", "\"user_id\":\"alice\"", t0_ + 4));
  auto p = ProfileOf(identity::IdKind::kUser, "alice");
  EXPECT_EQ(Feature(p, "purchases"), 4);
  EXPECT_EQ(p.event_count, 5u);
}

TEST_F(PipelineSegmentsTest, RefreshExpiresTimeBasedSegmentsAndBackfillsNewFeatures) {
  Send(Ev("e1", "purchase", "\"user_id\":\"u1\"", t0_));
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  ASSERT_EQ(p.segments.count("recent_buyer"), 1u);
  clock_.AdvanceMs(2 * 86'400'000LL);
  ASSERT_OK(pipeline_.Refresh({p.id}, *snapshot_, false));
  p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(p.segments.count("recent_buyer"), 0u) << "a 1-day window expired without events";
  auto types = HistoryTypes(p.id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_exited"), 1);

  // A new feature definition: the stored state is stale until the backfill rebuilds it.
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"], "window": "30d"}})",
            R"({"buyer": {"condition": {"features.purchases": {"$gte": 1}}}})");
  EXPECT_EQ(snapshot_->features->Stale(p.features), std::vector<std::string>{"purchases"});
  ASSERT_OK(pipeline_.Refresh({p.id, "01UNKNOWNPROFILEID00000000"}, *snapshot_, true));
  p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_TRUE(snapshot_->features->Stale(p.features).empty());
  EXPECT_EQ(Feature(p, "purchases"), 1);
  EXPECT_EQ(p.segments.count("buyer"), 1u);
}

// Entries and exits come from one merged walk of the stored membership and the (sorted)
// segment definitions: segments no longer defined exit wherever their names sort, kept
// ones keep their entry time, new ones enter.
TEST_F(PipelineSegmentsTest, MembershipFollowsConfigChangesOnEveryName) {
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"]}})",
            R"({"a_gone": {"condition": {"features.purchases": {"$gte": 1}}},
                "k_kept": {"condition": {"features.purchases": {"$gte": 1}}},
                "m_gone": {"condition": {"features.purchases": {"$gte": 1}}},
                "p_out": {"condition": {"features.purchases": {"$lt": 5}}},
                "z_gone": {"condition": {"features.purchases": {"$gte": 1}}}})");
  Send(Ev("e1", "purchase", "\"user_id\":\"u1\"", t0_));
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  const int64_t entered_at = clock_.NowMs();
  EXPECT_EQ(p.segments.size(), 5u);
  clock_.AdvanceMs(1000);
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"]}})",
            R"({"b_new": {"condition": {"features.purchases": {"$gte": 2}}},
                "k_kept": {"condition": {"features.purchases": {"$gte": 1}}},
                "p_out": {"condition": {"features.purchases": {"$lt": 2}}},
                "q_never": {"condition": {"features.purchases": {"$gte": 9}}},
                "zz_new": {"condition": {"features.purchases": 2}}})");
  Send(Ev("e2", "purchase", "\"user_id\":\"u1\"", t0_ + 1));
  p = ProfileOf(identity::IdKind::kUser, "u1");
  std::vector<std::string> names;
  for (const auto& [name, at] : p.segments) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"b_new", "k_kept", "zz_new"}));
  EXPECT_EQ(p.segments["k_kept"], entered_at);
  EXPECT_EQ(p.segments["b_new"], clock_.NowMs());
  for (const char* gone : {"a_gone", "m_gone", "p_out", "z_gone"}) {
    EXPECT_FALSE(store_.Get(storage::Keyspace::kSegmentMembers,
                            storage::SegmentMemberKey(gone, p.id))->has_value()) << gone;
  }
  for (const char* in : {"b_new", "k_kept", "zz_new"}) {
    EXPECT_TRUE(store_.Get(storage::Keyspace::kSegmentMembers,
                           storage::SegmentMemberKey(in, p.id))->has_value()) << in;
  }
  auto types = HistoryTypes(p.id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_entered"), 5 + 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_exited"), 4);
}

// Ingest keeps each profile's membership as flags of the current segment set beside the
// names (Profile::segment_flags), and the next batch reads them instead of the names:
// after every batch, entries, exits and a config change alike, they must agree.
TEST_F(PipelineSegmentsTest, TheMembershipFlagsAgreeWithTheNamesAfterEveryBatch) {
  auto check = [&](const std::string& when) {
    auto p = ProfileOf(identity::IdKind::kUser, "u1");
    ASSERT_EQ(p.segment_flags_of, snapshot_->segments->id()) << when;
    std::vector<std::string> from_flags, from_names;
    const auto& specs = snapshot_->segments->specs();
    for (size_t i = 0; i < specs.size(); ++i) {
      if (p.segment_flags.size() == specs.size() && p.segment_flags[i]) from_flags.push_back(specs[i].name);
    }
    for (const auto& [name, at] : p.segments) from_names.push_back(name);
    EXPECT_EQ(from_flags, from_names) << when;
  };
  Send(Ev("e1", "purchase", "\"user_id\":\"u1\"", t0_));
  check("entered recent_buyer");
  Send(Ev("i1", "identify", "\"user_id\":\"u1\"", t0_ + 1, ",\"traits\":{\"plan\":\"pro\"}"));
  check("entered pro");
  Send(Ev("i2", "identify", "\"user_id\":\"u1\"", t0_ + 2, ",\"traits\":{\"plan\":\"free\"}"));
  check("left pro");
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"]}})",
            R"({"a_new": {"condition": {"features.purchases": {"$gte": 2}}},
                "pro": {"condition": {"traits.plan": "free"}}})");
  Send(Ev("e2", "purchase", "\"user_id\":\"u1\"", t0_ + 3));
  check("after a config change");
  // (pro, reading traits only, is not re-evaluated by a purchase: it keeps "out".)
  auto p = ProfileOf(identity::IdKind::kUser, "u1");
  EXPECT_EQ(p.segments.size(), 1u);
  EXPECT_EQ(p.segments.count("a_new"), 1u);
}

TEST_F(PipelineSegmentsTest, ClientsCannotSendInternalEventTypes) {
  auto o = Send(Ev("x", "segment_entered", "\"user_id\":\"u1\"", t0_));
  ASSERT_EQ(o.rejected.size(), 1u);
  EXPECT_EQ(o.rejected[0].error.path(), "events[0].type");
}

// Interlocking exclusive groups and parents can have no stable membership: a full
// evaluation flips it every round. An event that reaches none of them keeps what is
// stored rather than flipping it (which would exit and re-enter on every event).
TEST_F(PipelineSegmentsTest, AnUnreachedClusterKeepsItsMembershipEvenWithoutAFixedPoint) {
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"]}})",
            R"({"a": {"group": "g0", "priority": 0, "condition": {"traits.x": 1}},
                "b": {"group": "g1", "priority": 0, "parent": "a", "condition": {"traits.x": 1}},
                "c": {"group": "g1", "priority": 0, "condition": {"traits.x": 1}},
                "d": {"group": "g0", "priority": 1, "parent": "c", "condition": {"traits.x": 1}}})");
  auto names = [&] {
    std::string s;
    for (const auto& [name, at] : ProfileOf(identity::IdKind::kUser, "u1").segments) s += name;
    return s;
  };
  Send(Ev("i1", "identify", "\"user_id\":\"u1\"", t0_, ",\"traits\":{\"x\":1}"));
  const std::string stored = names();
  for (int i = 0; i < 3; ++i) {
    Send(Ev("v" + std::to_string(i), "page_view", "\"user_id\":\"u1\"", t0_ + 1 + i));
    EXPECT_EQ(names(), stored) << "after page view " << i;
  }
  auto types = HistoryTypes(ProfileOf(identity::IdKind::kUser, "u1").id);
  EXPECT_EQ(std::count(types.begin(), types.end(), "segment_exited"), 0);
}

// A cold-start segment reads the event count even when its condition reads nothing.
TEST_F(PipelineSegmentsTest, AColdStartSegmentWithAnEmptyConditionEntersAtIngest) {
  Configure(R"({"purchases": {"type": "count", "events": ["purchase"]}})",
            R"({"new_visitors": {"fallback": {"max_events": 2}, "condition": {}}})");
  Send(Ev("v1", "page_view", "\"user_id\":\"u1\"", t0_));
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").segments.count("new_visitors"), 1u);
  Send(Ev("v2", "page_view", "\"user_id\":\"u1\"", t0_ + 1));
  EXPECT_EQ(ProfileOf(identity::IdKind::kUser, "u1").segments.count("new_visitors"), 0u)
      << "left once the profile has max_events events";
}

}  // namespace
}  // namespace tailor::ingest
