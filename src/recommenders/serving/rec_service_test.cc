#include "recommenders/serving/rec_service.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "ingest/event.h"
#include "profile/profile.h"
#include "recommenders/registry.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

// A store with users u0..u5 (pids P0..P5): everyone viewed "a"; even users also bought
// "b", odd users "c"; u0 also viewed "d".
class RecServiceTest : public ::testing::Test {
 protected:
  RecServiceTest()
      : store_(clock_),
        profiles_(store_),
        identities_(store_),
        catalog_(store_),
        service_(store_, profiles_, identities_, catalog_, clock_) {}

  static std::string Pid(int u) {
    std::string p(storage::kPidBytes, 'Z');
    p.back() = static_cast<char>('0' + u);
    return p;
  }

  void AddEvent(int user, const std::string& type, const std::string& item, int64_t t) {
    storage::WriteBatch b;
    identity::IdentityIndex::Stage(identity::IdKind::kUser, "u" + std::to_string(user), Pid(user),
                                   &b);
    ingest::Event e;
    e.event_id = "e" + std::to_string(next_id_++);
    e.type = type;
    e.user_id = "u" + std::to_string(user);
    e.timestamp_ms = t;
    e.received_at_ms = t;
    e.properties_json = Json{{"item_id", item}}.dump();
    b.Put(storage::Keyspace::kEvents, storage::EventKey(Pid(user), t, e.event_id),
          ingest::EncodeStoredEvent(e));
    ASSERT_OK(store_.Write(b));
    // As the ingest pipeline does: every identity written is told to the index.
    identities_.Remember(identity::IdKind::kUser, "u" + std::to_string(user), Pid(user));
  }

  // A config with recommender "m" defined by `model_json`.
  static std::shared_ptr<RecConfig> ConfigOf(const std::string& model_json) {
    auto config = std::make_shared<RecConfig>();
    auto spec = ParseModelSpec("m", Json::parse(model_json));
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    if (spec.ok()) config->models["m"] = std::make_shared<const ModelSpec>(std::move(spec).value());
    return config;
  }

  void Configure(const std::string& model_json) { service_.Configure(ConfigOf(model_json)); }

  // A second service over the same store (a restart), configured and loaded.
  std::unique_ptr<RecService> Restarted(const std::string& model_json) {
    auto restarted = std::make_unique<RecService>(store_, profiles_, identities_, catalog_, clock_);
    restarted->Configure(ConfigOf(model_json));
    EXPECT_OK(restarted->LoadLive());
    return restarted;
  }

  void Populate() {
    int64_t t = 1'700'000'000'000;
    for (int u = 0; u < 6; ++u) {
      AddEvent(u, "view", "a", t++);
      AddEvent(u, "purchase", u % 2 == 0 ? "b" : "c", t++);
    }
    AddEvent(0, "view", "d", t++);
  }

  std::vector<std::string> Ids(const RecList& l) {
    std::vector<std::string> out;
    for (const auto& i : l.items) out.push_back(i.id);
    return out;
  }

  FakeClock clock_;
  storage::MemoryStore store_;
  profile::ProfileStore profiles_;
  identity::IdentityIndex identities_;
  CatalogStore catalog_;
  RecService service_;
  int next_id_ = 0;
};

TEST_F(RecServiceTest, TrainPromoteRecommendExcludesSeenAndFilters) {
  Populate();
  Configure(R"({"model": "popularity"})");
  RecRequest req{.model = "m", .user_id = "u1", .k = 5};
  EXPECT_EQ(service_.Recommend(req).status().code(), StatusCode::kUnavailable);
  auto trained = service_.Train("m", false);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  EXPECT_EQ((*trained)["version"], 1);
  EXPECT_EQ((*trained)["data"]["users"], 6);
  ASSERT_TRUE(service_.Promote("m", 1).ok());
  auto list = service_.Recommend(req);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  // u1 saw a and c: b (3 buyers) then d (1 viewer).
  EXPECT_EQ(Ids(*list), (std::vector<std::string>{"b", "d"}));
  req.exclude_seen = false;
  EXPECT_EQ(Ids(*service_.Recommend(req)).front(), "a");
  req.exclude_seen = true;
  std::vector<Json> items = {Json{{"id", "b"}, {"attributes", {{"in_stock", false}}}}};
  ASSERT_TRUE(catalog_.Upsert(items).ok());
  req.filter = R"({"attributes.in_stock": {"$ne": false}})";
  EXPECT_EQ(Ids(*service_.Recommend(req)), (std::vector<std::string>{"d"}));
  req.filter = R"({"x": {"$gtt": 1}})";
  EXPECT_EQ(service_.Recommend(req).status().path().rfind("filter", 0), 0u);
}

TEST_F(RecServiceTest, NewEventsCountBeforeRetraining) {
  Populate();
  Configure(R"({"model": "itemknn"})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  // u7 is new: cold start gets popularity.
  RecRequest req{.model = "m", .user_id = "u7", .k = 2};
  auto cold = service_.Recommend(req);
  ASSERT_TRUE(cold.ok());
  EXPECT_EQ(cold->source, "cold_start");
  // After viewing "d" (co-viewed only with a and b by u0), their list follows it.
  AddEvent(7, "view", "d", 1'800'000'000'000);
  auto warm = service_.Recommend(req);
  ASSERT_TRUE(warm.ok()) << warm.status().ToString();
  EXPECT_EQ(warm->source, "model");
  // Co-viewed with d: a (by u0) and b (u0's purchase, weight 5); never d itself.
  EXPECT_EQ(Ids(*warm), (std::vector<std::string>{"b", "a"}));
  auto similar = service_.Similar("m", "b", 2, "");
  ASSERT_TRUE(similar.ok()) << similar.status().ToString();
  EXPECT_FALSE(similar->items.empty());
  EXPECT_EQ(service_.Similar("m", "zzz", 2, "").status().path(), "id");
}

TEST_F(RecServiceTest, ColdStartIsSegmentAware) {
  Populate();
  // Odd users (who bought c) form the segment "odd"; u9 is in it but has no history.
  storage::WriteBatch b;
  for (int u : {1, 3, 5}) {
    b.Put(storage::Keyspace::kSegmentMembers, storage::SegmentMemberKey("odd", Pid(u)), "1");
  }
  profile::Profile p;
  p.id = Pid(9);
  p.segments["odd"] = 1;
  profile::ProfileStore::Stage(p, &b);
  identity::IdentityIndex::Stage(identity::IdKind::kUser, "u9", Pid(9), &b);
  ASSERT_OK(store_.Write(b));
  Configure(R"({"model": "popularity", "cold_start_segments": ["odd"]})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  RecRequest req{.model = "m", .user_id = "u9", .k = 3};
  auto list = service_.Recommend(req);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->source, "cold_start:odd");
  // Every odd user has a and c: those first (a is more popular overall), then b.
  EXPECT_EQ(Ids(*list), (std::vector<std::string>{"a", "c", "b"}));
  req.user_id = "u8";  // unknown: global popularity
  auto global = service_.Recommend(req);
  ASSERT_TRUE(global.ok());
  EXPECT_EQ(global->source, "cold_start");
  EXPECT_EQ(Ids(*global), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(RecServiceTest, RollbackRestoresThePreviousVersion) {
  Populate();
  Configure(R"({"model": "popularity"})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  EXPECT_EQ(service_.Rollback("m").status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(service_.Train("m", true).ok());
  auto list = service_.List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["models"][0]["live_version"], 2);
  EXPECT_GT((*list)["models"][0]["memory_bytes"].get<size_t>(), 0u);
  ASSERT_TRUE(service_.Rollback("m").ok());
  EXPECT_EQ((*service_.List())["models"][0]["live_version"], 1);
  RecRequest req{.model = "m", .user_id = "u1", .k = 1};
  EXPECT_EQ(service_.Recommend(req)->version, 1u);
}

TEST_F(RecServiceTest, EmptyTrainingSetIsAClearError) {
  Configure(R"({"model": "popularity"})");
  auto r = service_.Train("m", false);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().path(), "events");
  EXPECT_EQ(service_.Train("nope", false).status().code(), StatusCode::kNotFound);
}

TEST_F(RecServiceTest, LoadLiveServesThePromotedVersion) {
  Populate();
  Configure(R"({"model": "popularity"})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  auto restarted_service = Restarted(R"({"model": "popularity"})");
  RecService& restarted = *restarted_service;
  RecRequest req{.model = "m", .user_id = "u1", .k = 5};
  EXPECT_EQ(Ids(*restarted.Recommend(req)), (std::vector<std::string>{"b", "d"}));
}

// A restart serves the live version as trained: its stored model data is loaded, not a
// refit on the events stored since.
TEST_F(RecServiceTest, RestartServesTheStoredModelWithoutRetraining) {
  Populate();
  Configure(R"({"model": "itemknn"})");
  auto trained = service_.Train("m", true);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  EXPECT_GT((*trained)["model_data_bytes"].get<size_t>(), 0u);
  AddEvent(7, "view", "d", 1'800'000'000'000);
  RecRequest req{.model = "m", .user_id = "u7", .k = 3};
  auto before = service_.Recommend(req);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(Ids(*before), (std::vector<std::string>{"b", "a", "c"}));
  // After training: d is co-viewed with c (and a new item "e") by many users; a refit
  // would put c first and know "e".
  int64_t t = 1'800'000'000'100;
  for (int u = 10; u < 16; ++u) {
    AddEvent(u, "view", "d", t++);
    AddEvent(u, "purchase", "c", t++);
    AddEvent(u, "purchase", "e", t++);
  }
  auto restarted_service = Restarted(R"({"model": "itemknn"})");
  RecService& restarted = *restarted_service;
  auto after = restarted.Recommend(req);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->version, 1u);
  EXPECT_EQ(Ids(*after), Ids(*before));
  for (size_t i = 0; i < after->items.size(); ++i)
    EXPECT_EQ(after->items[i].score, before->items[i].score);
  EXPECT_EQ(restarted.Similar("m", "e", 2, "").status().path(), "id");  // unknown at training
  // Cold start keeps the training-time popularity (a, b, c), not today's (a, c, ...).
  RecRequest cold{.model = "m", .user_id = "u99", .k = 3};
  EXPECT_EQ(Ids(*restarted.Recommend(cold)), (std::vector<std::string>{"a", "b", "c"}));
  // A refit (what loading did before) would differ: check the test data shows it.
  ASSERT_TRUE(restarted.Train("m", true).ok());
  EXPECT_NE(Ids(*restarted.Recommend(req)), Ids(*before));
}

// Unusable stored data (corrupt chunk) falls back to a refit instead of failing.
TEST_F(RecServiceTest, CorruptStoredModelDataFallsBackToRetraining) {
  Populate();
  Configure(R"({"model": "popularity"})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  std::string key = std::string("m") + '\2' + std::string(7, '\0') + '\1' + std::string(4, '\0');
  auto stored = store_.Get(storage::Keyspace::kModels, key);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  storage::WriteBatch b;
  b.Put(storage::Keyspace::kModels, key, stored->value().substr(0, stored->value().size() / 2));
  ASSERT_OK(store_.Write(b));
  auto restarted_service = Restarted(R"({"model": "popularity"})");
  RecService& restarted = *restarted_service;
  RecRequest req{.model = "m", .user_id = "u1", .k = 5};
  EXPECT_EQ(Ids(*restarted.Recommend(req)), (std::vector<std::string>{"b", "d"}));
}

// Models that are not persistable store no data and are refit at load, as before.
TEST_F(RecServiceTest, NotPersistableModelsAreRefitAtLoad) {
  Populate();
  Configure(R"({"model": "session"})");
  auto trained = service_.Train("m", true);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  EXPECT_EQ((*trained)["model_data_bytes"].get<size_t>(), 0u);
  auto restarted_service = Restarted(R"({"model": "session"})");
  RecService& restarted = *restarted_service;
  RecRequest req{.model = "m", .user_id = "u1", .k = 5};
  auto list = restarted.Recommend(req);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->version, 1u);
}

// Training reports progress through its stages and records its memory; a training
// whose estimate is over the budget fails before fitting, naming the setting.
TEST_F(RecServiceTest, TrainingReportsProgressAndRespectsTheMemoryBudget) {
  Populate();
  Configure(R"({"model": "als", "params": {"factors": 8, "iterations": 2}})");
  std::vector<std::pair<std::string, double>> seen;
  auto trained = service_.Train("m", true, [&](std::string_view stage, double f) {
    seen.emplace_back(std::string(stage), f);
  });
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().first, "read events");
  EXPECT_EQ(seen.back().first, "promote");
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].second, seen[i - 1].second) << i;
  const size_t peak = (*trained)["training_peak_estimate_bytes"].get<size_t>();
  // At least the factors: 8 x (6 users + 4 items) floats.
  EXPECT_GE(peak, 8u * 10u * 4u);
  EXPECT_GT((*trained)["model_bytes"].get<size_t>(), 0u);
  auto memory = service_.Memory();
  ASSERT_EQ(memory.size(), 1u);
  EXPECT_EQ(memory[0].role, "live");
  EXPECT_EQ(memory[0].training_peak_bytes, peak);
  EXPECT_GT(memory[0].bytes, 0u);
  auto info = service_.Info("m");
  ASSERT_OK(info);
  EXPECT_EQ((*info)["training_peak_estimate_bytes"], peak);
  EXPECT_EQ(service_.Info("zz").status().code(), StatusCode::kNotFound);

  RecServiceOptions tight;
  tight.train_memory_budget_bytes = peak - 1;
  RecService small(store_, profiles_, identities_, catalog_, clock_, tight);
  auto config = std::make_shared<RecConfig>();
  config->models["m"] = std::make_shared<const ModelSpec>(*ParseModelSpec(
      "m", Json::parse(R"({"model": "als", "params": {"factors": 8, "iterations": 2}})")));
  small.Configure(config);
  auto refused = small.Train("m", false);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().path(), "model_train_memory_budget");
  EXPECT_NE(refused.status().message().find("MiB"), std::string::npos)
      << refused.status().message();
  // Nothing was stored for the refused training.
  EXPECT_EQ(ModelVersions(store_).List("m")->size(), 1u);
}

// An item added to the catalog after training has no interactions: /similar answers its
// content neighbours, and a user whose history holds only such items gets a content list.
TEST_F(RecServiceTest, NewItemsGetContentNeighbours) {
  Populate();
  std::vector<Json> known = {
      Json{{"id", "a"}, {"title", "Red running shoe"}, {"categories", {"shoes"}}},
      Json{{"id", "b"}, {"title", "Coffee mug"}, {"categories", {"kitchen"}}},
      Json{{"id", "c"}, {"title", "Wool running sock"}, {"categories", {"socks"}}}};
  ASSERT_OK(catalog_.Upsert(known));
  Configure(R"({"model": "itemknn"})");
  ASSERT_TRUE(service_.Train("m", true).ok());
  std::vector<Json> added = {
      Json{{"id", "n1"},
           {"title", "Blue running shoe"},
           {"categories", {"shoes"}},
           {"attributes", {{"in_stock", true}}}},
      Json{{"id", "n2"}, {"title", "Espresso cup"}, {"categories", {"kitchen"}}}};
  ASSERT_OK(catalog_.Upsert(added));
  auto sim = service_.Similar("m", "n1", 5, "");
  ASSERT_TRUE(sim.ok()) << sim.status().ToString();
  EXPECT_EQ(sim->source, "content");
  ASSERT_FALSE(sim->items.empty());
  EXPECT_EQ(sim->items[0].id, "a");  // same title words and category
  for (const auto& i : sim->items) EXPECT_TRUE(i.id != "n1" && i.id != "n2") << i.id;
  // The filter applies to content neighbours too.
  auto filtered = service_.Similar("m", "n2", 5, R"({"categories": "kitchen"})");
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  EXPECT_EQ(Ids(*filtered), (std::vector<std::string>{"b"}));
  // Known items still answer from the model; unknown everywhere is 404 naming "id".
  EXPECT_EQ(service_.Similar("m", "a", 2, "")->source, "similar");
  EXPECT_EQ(service_.Similar("m", "zzz", 2, "").status().code(), StatusCode::kNotFound);
  // u8 viewed only n1 (unknown to the model): content candidates, never n1 itself.
  AddEvent(8, "view", "n1", 1'800'000'000'000);
  RecRequest req{.model = "m", .user_id = "u8", .k = 3};
  auto list = service_.Recommend(req);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->source, "content");
  ASSERT_FALSE(list->items.empty());
  EXPECT_EQ(list->items[0].id, "a");
  for (const auto& i : list->items) EXPECT_NE(i.id, "n1");
}

// Stored model data is pruned to the live, rollback and newest N versions; a pruned
// version keeps its record and is refit when promoted.
TEST_F(RecServiceTest, PrunesModelDataOutsideTheKeptVersions) {
  Populate();
  RecServiceOptions o;
  o.keep_versions = 1;
  RecService service(store_, profiles_, identities_, catalog_, clock_, o);
  auto config = std::make_shared<RecConfig>();
  config->models["m"] = std::make_shared<const ModelSpec>(
      *ParseModelSpec("m", Json::parse(R"({"model": "popularity"})")));
  service.Configure(config);
  ASSERT_TRUE(service.Train("m", true).ok());   // v1 live
  ASSERT_TRUE(service.Train("m", true).ok());   // v2 live, v1 rollback target
  ASSERT_TRUE(service.Train("m", false).ok());  // v3 newest
  ASSERT_TRUE(service.Train("m", false).ok());  // v4 newest: v3 pruned
  ModelVersions versions(store_);
  auto has_data = [&](uint64_t v) { return versions.GetData("m", v)->has_value(); };
  EXPECT_TRUE(has_data(1));   // rollback target
  EXPECT_TRUE(has_data(2));   // live
  EXPECT_FALSE(has_data(3));  // neither
  EXPECT_TRUE(has_data(4));   // newest
  auto v3 = versions.Get("m", 3);
  ASSERT_OK(v3);
  EXPECT_EQ((*v3)["pruned"], true);
  EXPECT_EQ((*v3)["version"], 3);
  EXPECT_FALSE(versions.Get("m", 4)->contains("pruned"));
  // Promoting v4 makes v2 the rollback target: v1's data goes.
  ASSERT_TRUE(service.Promote("m", 4).ok());
  EXPECT_FALSE(has_data(1));
  EXPECT_TRUE(has_data(2));
  // A pruned version still promotes (refit from the stored events) and serves.
  RecService other(store_, profiles_, identities_, catalog_, clock_, o);
  other.Configure(config);
  ASSERT_TRUE(other.Promote("m", 3).ok());
  RecRequest req{.model = "m", .user_id = "u1", .k = 5};
  auto list = other.Recommend(req);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->version, 3u);
  EXPECT_EQ(versions.List("m")->size(), 4u);  // every record stays
}

TEST(ModelVersionsData, PruneDeletesDataOutsideKeepAndMarksRecords) {
  FakeClock clock(1000);
  storage::MemoryStore store(clock);
  ModelVersions versions(store);
  for (uint64_t v = 1; v <= 3; ++v) ASSERT_OK(versions.Put("m", Json{{"version", v}}, "data"));
  ASSERT_OK(versions.Put("m", Json{{"version", 4}}));  // no data
  ASSERT_OK(versions.Put("other", Json{{"version", 1}}, "x"));
  auto pruned = versions.PruneData("m", {2}, 1234);
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, (std::vector<uint64_t>{1, 3}));
  EXPECT_FALSE(versions.GetData("m", 1)->has_value());
  EXPECT_TRUE(versions.GetData("m", 2)->has_value());
  EXPECT_EQ((*versions.Get("m", 1))["pruned_at_ms"], 1234);
  EXPECT_FALSE(versions.Get("m", 4)->contains("pruned"));    // had no data
  EXPECT_TRUE(versions.GetData("other", 1)->has_value());    // another model: untouched
  EXPECT_TRUE(versions.PruneData("m", {2}, 1300)->empty());  // nothing left to prune
}

// A shadow version answers the same requests off the response path; its lists are
// compared with the live ones and never served.
TEST_F(RecServiceTest, ShadowRunsBesideLiveAndIsCompared) {
  Populate();
  Configure(R"({"model": "itemknn"})");
  ASSERT_TRUE(service_.Train("m", true).ok());                       // v1 live
  AddEvent(1, "view", "d", 1'800'000'000'000);                       // changes what v2 learns
  ASSERT_TRUE(service_.Train("m", false).ok());                      // v2
  EXPECT_EQ(service_.SetShadow("m", 1).status().path(), "version");  // the live one
  EXPECT_EQ(service_.SetShadow("m", 9).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.SetShadow("zz", 2).status().code(), StatusCode::kNotFound);
  auto set = service_.SetShadow("m", 2);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ((*set)["shadow_version"], 2);
  for (int u = 0; u < 6; ++u) {
    RecRequest req{.model = "m", .user_id = "u" + std::to_string(u), .k = 3};
    auto list = service_.Recommend(req);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    EXPECT_EQ(list->version, 1u);  // the live version answers
  }
  service_.DrainShadow();
  auto report = service_.ShadowReport("m");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ((*report)["shadow_version"], 2);
  EXPECT_EQ((*report)["live_version"], 1);
  EXPECT_EQ((*report)["sampled"], 6);
  EXPECT_EQ((*report)["compared"], 6) << report->dump();
  const double overlap = (*report)["overlap_at_k"].get<double>();
  EXPECT_GT(overlap, 0.0);
  EXPECT_LE(overlap, 1.0);
  EXPECT_EQ((*report)["live_latency_us"]["n"], 6);
  auto memory = service_.Memory();
  ASSERT_EQ(memory.size(), 2u);
  EXPECT_EQ(memory[1].role, "shadow");
  EXPECT_EQ(memory[1].version, 2u);
  // The shadow pointer is stored: a restarted service runs it again.
  {
    auto restarted_service = Restarted(R"({"model": "itemknn", "shadow_sample": 0.5})");
    RecService& restarted = *restarted_service;
    EXPECT_EQ((*restarted.ShadowReport("m"))["shadow_version"], 2);
    // shadow_sample 0.5: every second request is compared.
    for (int i = 0; i < 4; ++i) {
      RecRequest req{.model = "m", .user_id = "u0", .k = 3};
      ASSERT_TRUE(restarted.Recommend(req).ok());
    }
    restarted.DrainShadow();
    EXPECT_EQ((*restarted.ShadowReport("m"))["sampled"], 2);
  }
  // Promoting the shadow version ends the shadow; 0 removes a shadow.
  ASSERT_TRUE(service_.Promote("m", 2).ok());
  EXPECT_TRUE((*service_.ShadowReport("m"))["shadow_version"].is_null());
  EXPECT_EQ(*ModelVersions(store_).Shadow("m"), 0u);
  ASSERT_TRUE(service_.SetShadow("m", 1).ok());
  ASSERT_TRUE(service_.SetShadow("m", 0).ok());
  EXPECT_TRUE((*service_.ShadowReport("m"))["shadow_version"].is_null());
}

// The schedule: a model is due when retrain_every has elapsed since its last training
// or attempt; an attempt is not repeated before the next interval.
TEST_F(RecServiceTest, DueForRetrainingFollowsTheInterval) {
  Populate();
  Configure(R"({"model": "popularity", "retrain_every": "1h"})");
  EXPECT_EQ(service_.DueForRetraining(), std::vector<std::string>{"m"});  // never trained
  EXPECT_TRUE(service_.DueForRetraining().empty());                       // attempted just now
  clock_.AdvanceMs(3'600'000);
  EXPECT_EQ(service_.DueForRetraining(), std::vector<std::string>{"m"});
  ASSERT_TRUE(service_.Train("m", true).ok());
  clock_.AdvanceMs(1'800'000);
  EXPECT_TRUE(service_.DueForRetraining().empty());
  clock_.AdvanceMs(1'800'000);
  EXPECT_EQ(service_.DueForRetraining(), std::vector<std::string>{"m"});
  Configure(R"({"model": "popularity"})");  // no schedule
  clock_.AdvanceMs(7'200'000);
  EXPECT_TRUE(service_.DueForRetraining().empty());
}

// EASE's estimate grows with items squared: the budget refuses a large catalog early.
TEST(TrainingEstimate, EaseGrowsWithItemsSquared) {
  auto ease = CreateModel("ease", {});
  ASSERT_OK(ease);
  const size_t small = (*ease)->EstimateFitBytes(1000, 1000, 10'000, 1);
  const size_t large = (*ease)->EstimateFitBytes(1000, 10'000, 10'000, 1);
  EXPECT_GE(large, 99 * small);
  EXPECT_GE(large, size_t{8} * 10'000 * 10'000);
  auto als = CreateModel("als", {{"factors", "64"}});
  ASSERT_OK(als);
  EXPECT_GE((*als)->EstimateFitBytes(50'000, 20'000, 2'000'000, 2), size_t{4} * 64 * 70'000);
}

}  // namespace
}  // namespace tailor::recommenders

namespace tailor::recommenders {
namespace {

TEST(ModelVersionsData, ChunkedRoundTripAbsentAndMissingChunk) {
  FakeClock clock;
  storage::MemoryStore store(clock);
  ModelVersions versions(store);
  std::string data(2 * kModelDataChunk + 5, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + (i >> 20));
  ASSERT_OK(versions.Put("m", Json{{"version", 1}}, data));
  ASSERT_OK(versions.Put("m", Json{{"version", 2}}));
  auto got = versions.GetData("m", 1);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE(**got == data);
  EXPECT_FALSE(versions.GetData("m", 2)->has_value());
  EXPECT_FALSE(versions.GetData("other", 1)->has_value());
  // The records are unaffected by the data keys.
  EXPECT_EQ(versions.List("m")->size(), 2u);
  EXPECT_EQ(*versions.NextVersion("m"), 3u);
  // A missing middle chunk is corruption.
  std::string key = std::string("m") + '\2' + std::string(7, '\0') + '\1';
  key += std::string("\0\0\0\1", 4);
  storage::WriteBatch b;
  b.Delete(storage::Keyspace::kModels, key);
  ASSERT_OK(store.Write(b));
  EXPECT_EQ(versions.GetData("m", 1).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace tailor::recommenders
