// Every registered model on a synthetic catalog with two taste groups: items 0-19 (group
// A) and 20-39 (B); A users interact mostly with A items. A trained model must fill an A
// user's list mostly with unseen A items.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>

#include "recommenders/item_catalog.h"
#include "recommenders/registry.h"
#include "testutil/testutil.h"

namespace tailor::recommenders {
namespace {

constexpr uint64_t kSeed = 99;

struct Toy {
  Interactions train;
  ItemCatalog catalog;
};

Toy MakeToy() {
  std::printf("seed %llu\n", static_cast<unsigned long long>(kSeed));
  std::mt19937_64 rng(kSeed);
  RawInteractions raw;
  raw.has_timestamps = true;
  raw.has_values = true;
  for (int i = 0; i < 40; ++i) raw.items->Intern("i" + std::to_string(i));
  for (int u = 0; u < 200; ++u) {
    const int group = u % 2;
    std::uniform_int_distribution<int> own(group * 20, group * 20 + 19), any(0, 39);
    std::uniform_real_distribution<double> p(0, 1);
    int64_t t = 1'000'000 + u * 10;
    for (int n = 0; n < 12; ++n) {
      int item = p(rng) < 0.9 ? own(rng) : any(rng);
      raw.Add("u" + std::to_string(u), "i" + std::to_string(item), 1 + (n % 5), t + n * 60);
    }
  }
  Toy toy{Interactions::Build(raw, {}).value(), {}};
  for (int i = 0; i < 40; ++i) {
    toy.catalog.Add({"i" + std::to_string(i),
                     i < 20 ? "space robot " + std::to_string(i) : "love story",
                     {i < 20 ? "SciFi" : "Romance"},
                     {}});
  }
  return toy;
}

const Toy& GetToy() {
  static const Toy toy = MakeToy();
  return toy;
}

std::unique_ptr<Recommender> Fitted(const std::string& name, const ModelParams& params = {}) {
  auto m = CreateModel(name, params);
  EXPECT_OK(m);
  TrainOptions o;
  o.threads = 2;
  o.catalog = &GetToy().catalog;
  std::vector<double> fractions;
  Status st =
      (*m)->Fit(GetToy().train, o, [&](std::string_view, double f) { fractions.push_back(f); });
  EXPECT_OK(st);
  return std::move(m).value();
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, RecommendsUnseenItemsOfTheUsersTaste) {
  auto model = Fitted(GetParam());
  EXPECT_EQ(model->name(), GetParam());
  EXPECT_EQ(model->num_items(), 40u);
  EXPECT_GT(model->MemoryBytes(), 0u);
  EXPECT_EQ(model->ParamsJson().front(), '{');
  const Interactions& train = GetToy().train;
  int same_group = 0, total = 0;
  for (uint32_t u = 0; u < 20; ++u) {
    RecommendOptions o;
    o.k = 5;
    auto recs = model->Recommend(QueryFor(train, u), o);
    ASSERT_OK(recs);
    ASSERT_EQ(recs->size(), 5u);
    std::set<uint32_t> seen(train.UserItems(u).begin(), train.UserItems(u).end());
    const int group = std::stoi(train.users().Id(u).substr(1)) % 2;
    for (const auto& s : *recs) {
      EXPECT_FALSE(seen.contains(s.item)) << "seen item recommended";
      const int item_group = std::stoi(train.items().Id(s.item).substr(1)) >= 20 ? 1 : 0;
      same_group += item_group == group;
      ++total;
    }
  }
  const double share = static_cast<double>(same_group) / total;
  std::printf("%s: same-group share %.2f\n", GetParam().c_str(), share);
  if (GetParam() != "popularity" && GetParam() != "trending") {
    EXPECT_GE(share, 0.8) << GetParam();
  }
}

TEST_P(EveryModel, ConcurrentRecommendMatchesSequential) {
  auto model = Fitted(GetParam());
  const Interactions& train = GetToy().train;
  RecommendOptions o;
  o.k = 10;
  o.filter = [](uint32_t item) { return item % 3 != 0; };
  std::vector<std::vector<ScoredItem>> want(train.num_users());
  for (uint32_t u = 0; u < train.num_users(); ++u)
    want[u] = model->Recommend(QueryFor(train, u), o).value();
  for (const auto& list : want) {
    for (const auto& s : list) EXPECT_NE(s.item % 3, 0u);
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (uint32_t u = 0; u < train.num_users(); ++u) {
        auto got = model->Recommend(QueryFor(train, u), o);
        if (!got.ok() || *got != want[u]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_P(EveryModel, ScoresFromAHistoryAloneAndRejectsBadIndexes) {
  auto model = Fitted(GetParam());
  std::vector<uint32_t> history = {1, 2, 3};  // an unknown user who viewed three A items
  UserQuery q;
  q.items = history;
  auto recs = model->Recommend(q, {});
  ASSERT_OK(recs);
  EXPECT_FALSE(recs->empty());
  std::vector<uint32_t> bad = {1000};
  q.items = bad;
  EXPECT_FALSE(model->Recommend(q, {}).ok());
  auto similar = model->SimilarItems(5, 3);
  ASSERT_OK(similar);
  for (const auto& s : *similar) EXPECT_NE(s.item, 5u);
  EXPECT_FALSE(model->SimilarItems(1000, 3).ok());
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryModel,
                         ::testing::Values("popularity", "trending", "itemknn", "als", "ease",
                                           "content", "hybrid", "session"),
                         [](const auto& info) { return info.param; });

TEST(Registry, UnknownModelsAndParameters) {
  auto m = CreateModel("bpr", {});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("als"), std::string::npos);
  auto typo = CreateModel("als", {{"factor", "8"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().path(), "als.factor");
  auto range = CreateModel("als", {{"factors", "0"}});
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().path(), "als.factors");
  EXPECT_FALSE(CreateModel("ease", {{"lambda", "abc"}}).ok());
  EXPECT_FALSE(CreateModel("content", {{"weighting", "bm42"}}).ok());
  EXPECT_FALSE(CreateModel("hybrid", {{"models", "ease,hybrid"}}).ok());
  EXPECT_FALSE(CreateModel("hybrid", {{"models", "ease"}, {"als.factors", "8"}}).ok());
  EXPECT_OK(CreateModel("hybrid", {{"models", "ease,als"}, {"als.factors", "8"}}));
  EXPECT_EQ(RegisteredModels().size(), 8u);
}

TEST(Ease, RefusesCatalogsAboveTheLimit) {
  auto m = CreateModel("ease", {{"max_items", "10"}});
  ASSERT_OK(m);
  Status st = (*m)->Fit(GetToy().train, {}, {});
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("ease.max_items=10"), std::string::npos) << st.message();
}

TEST(Content, NeedsACatalog) {
  auto m = CreateModel("content", {});
  ASSERT_OK(m);
  Status st = (*m)->Fit(GetToy().train, {}, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("catalog"), std::string::npos);
  auto bm25 = Fitted("content", {{"weighting", "bm25"}});
  UserQuery q;
  std::vector<uint32_t> h = {GetToy().train.items().Find("i25")};
  q.items = h;
  auto recs = bm25->Recommend(q, {});
  ASSERT_OK(recs);
  EXPECT_GE(std::stoi(GetToy().train.items().Id(recs->front().item).substr(1)), 20);
}

TEST(Trending, NeedsTimestamps) {
  RawInteractions raw;
  raw.Add("u", "i", 1, 0);
  auto train = Interactions::Build(raw, {});
  auto m = CreateModel("trending", {});
  EXPECT_EQ((*m)->Fit(*train, {}, {}).code(), StatusCode::kInvalidArgument);
}

TEST(Als, RejectsNegativeWeights) {
  RawInteractions raw;
  raw.Add("u", "i", -1, 0);
  raw.Add("u", "j", 1, 0);
  auto train = Interactions::Build(raw, {});
  auto m = CreateModel("als", {});
  Status st = (*m)->Fit(*train, {}, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("non-negative"), std::string::npos) << st.message();
  auto b = CreateModel("als", {{"binary", "true"}});
  EXPECT_OK((*b)->Fit(*train, {}, {}));
}

TEST(Als, FoldInAgreesWithTrainedUserVectors) {
  auto model = Fitted("als", {{"factors", "16"}, {"iterations", "10"}});
  const Interactions& train = GetToy().train;
  size_t overlap = 0, total = 0;
  for (uint32_t u = 0; u < 50; ++u) {
    UserQuery trained = QueryFor(train, u);
    UserQuery folded = trained;
    folded.user = kNoIndex;
    RecommendOptions o;
    o.k = 5;
    auto a = model->Recommend(trained, o).value();
    auto b = model->Recommend(folded, o).value();
    std::set<uint32_t> sa;
    for (const auto& s : a) sa.insert(s.item);
    for (const auto& s : b) overlap += sa.count(s.item);
    total += a.size();
  }
  std::printf("fold-in overlap %.2f\n", static_cast<double>(overlap) / total);
  EXPECT_GE(static_cast<double>(overlap) / total, 0.7);
}

TEST(Als, HnswPathForLargeCatalogsAgreesWithExact) {
  auto exact = Fitted("als", {{"factors", "16"}});
  auto approx = Fitted("als", {{"factors", "16"}, {"hnsw_min_items", "1"}});
  const Interactions& train = GetToy().train;
  size_t overlap = 0, total = 0;
  for (uint32_t u = 0; u < 50; ++u) {
    RecommendOptions o;
    o.k = 5;
    auto a = exact->Recommend(QueryFor(train, u), o).value();
    auto b = approx->Recommend(QueryFor(train, u), o).value();
    std::set<uint32_t> sa;
    for (const auto& s : a) sa.insert(s.item);
    for (const auto& s : b) {
      overlap += sa.count(s.item);
      EXPECT_FALSE(std::count(train.UserItems(u).begin(), train.UserItems(u).end(), s.item));
    }
    total += a.size();
  }
  EXPECT_GE(static_cast<double>(overlap) / total, 0.9);
}

TEST(Hybrid, ReportsChosenWeights) {
  auto model = Fitted("hybrid", {{"models", "ease,popularity"}, {"grid_step", "0.25"}});
  std::string p = model->ParamsJson();
  EXPECT_NE(p.find("\"validation_ndcg\""), std::string::npos) << p;
  EXPECT_NE(p.find("\"weight."), std::string::npos) << p;
}

TEST(Session, ScoresFromTheLastItems) {
  auto model = Fitted("session", {{"last_n", "1"}});
  // Only the newest item counts: a B item last means B items come first.
  const IdMap& ids = GetToy().train.items();
  std::vector<uint32_t> h = {ids.Find("i1"), ids.Find("i2"), ids.Find("i3"), ids.Find("i30")};
  UserQuery q;
  q.items = h;
  RecommendOptions o;
  o.k = 3;
  auto recs = model->Recommend(q, o).value();
  ASSERT_EQ(recs.size(), 3u);
  for (const auto& s : recs) EXPECT_GE(std::stoi(GetToy().train.items().Id(s.item).substr(1)), 20);
}

}  // namespace
}  // namespace tailor::recommenders

namespace tailor::recommenders {
namespace {

// Persistable models: Serialize -> Deserialize into a fresh instance answers identically.
class PersistableModel : public ::testing::TestWithParam<std::string> {};

TEST_P(PersistableModel, RoundTripServesIdenticalLists) {
  const ModelParams params = GetParam() == "als" ? ModelParams{{"factors", "8"}} : ModelParams{};
  auto model = Fitted(GetParam(), params);
  auto blob = model->Serialize();
  ASSERT_OK(blob);
  auto restored = CreateModel(GetParam(), params);
  ASSERT_OK(restored);
  ASSERT_OK((*restored)->Deserialize(*blob));
  EXPECT_EQ((*restored)->num_items(), model->num_items());
  EXPECT_EQ((*restored)->ParamsJson(), model->ParamsJson());
  EXPECT_EQ(*(*restored)->Serialize(), *blob);
  const Interactions& train = GetToy().train;
  for (uint32_t u = 0; u < train.num_users(); u += 7) {
    for (uint32_t user : {u, kNoIndex}) {
      UserQuery q = QueryFor(train, u);
      q.user = user;
      RecommendOptions o;
      o.k = 10;
      auto a = model->Recommend(q, o);
      auto b = (*restored)->Recommend(q, o);
      ASSERT_OK(a);
      ASSERT_OK(b);
      EXPECT_EQ(*a, *b) << "user " << u;
    }
  }
  for (uint32_t i = 0; i < 40; i += 5) {
    auto a = model->SimilarItems(i, 5);
    auto b = (*restored)->SimilarItems(i, 5);
    ASSERT_EQ(a.ok(), b.ok());
    if (a.ok()) {
      EXPECT_EQ(*a, *b);
    }
  }
}

TEST_P(PersistableModel, CorruptOrTruncatedDataIsRejected) {
  auto model = Fitted(GetParam());
  std::string blob = *model->Serialize();
  auto fresh = [&] { return std::move(CreateModel(GetParam(), {})).value(); };
  // Every truncation (a sample of lengths for big blobs) fails with kCorruption.
  const size_t step = std::max<size_t>(1, blob.size() / 500);
  for (size_t n = 0; n < blob.size(); n += step) {
    EXPECT_EQ(fresh()->Deserialize(std::string_view(blob).substr(0, n)).code(),
              StatusCode::kCorruption)
        << "length " << n;
  }
  EXPECT_EQ(fresh()->Deserialize(blob + "x").code(), StatusCode::kCorruption);
  std::string bad_magic = blob;
  bad_magic[0] = 'X';
  EXPECT_EQ(fresh()->Deserialize(bad_magic).code(), StatusCode::kCorruption);
  std::string bad_version = blob;
  bad_version[4] = 9;
  EXPECT_EQ(fresh()->Deserialize(bad_version).code(), StatusCode::kCorruption);
  // A huge element count right after the header must not allocate or crash.
  std::string huge = blob;
  for (size_t i = 12 + GetParam().size(); i < huge.size(); ++i) huge[i] = '\xff';
  EXPECT_EQ(fresh()->Deserialize(huge).code(), StatusCode::kCorruption);
  // Data of another model.
  const std::string other = GetParam() == "popularity" ? "itemknn" : "popularity";
  EXPECT_EQ(fresh()->Deserialize(*Fitted(other)->Serialize()).code(), StatusCode::kCorruption);
}

INSTANTIATE_TEST_SUITE_P(Registry, PersistableModel,
                         ::testing::Values("popularity", "itemknn", "als", "ease"),
                         [](const auto& info) { return info.param; });

TEST(Persistence, OtherModelsAreNotPersistable) {
  for (std::string name : {"trending", "content", "hybrid", "session"}) {
    auto m = Fitted(name);
    EXPECT_EQ(m->Serialize().status().code(), StatusCode::kFailedPrecondition) << name;
    EXPECT_EQ(std::move(CreateModel(name, {})).value()->Deserialize("TLRM").code(),
              StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(std::move(CreateModel("als", {})).value()->Serialize().status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tailor::recommenders
