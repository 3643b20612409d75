// hybrid: a weighted blend of other models' scores. Each component's scores are min-max
// normalized per query (over the items not in the history), then summed with weights
// that sum to 1. The weights are chosen by grid search (step `grid_step` over the
// simplex) maximizing nDCG@k on a validation split carved from the training data
// (per-user stratified, `validation` of each user's items held out); the components are
// then refitted on all training data. Components with weight 0 are dropped.
//
// Parameters for a component are passed with its name: "ease.lambda=300".
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/random.h"
#include "recommenders/metrics.h"
#include "recommenders/models.h"
#include "recommenders/params.h"
#include "recommenders/registry.h"
#include "recommenders/split.h"
#include "recommenders/topk.h"

namespace tailor::recommenders {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Min-max normalizes the finite scores to [0, 1]; -inf stays -inf.
void Normalize(std::span<float> s) {
  float lo = std::numeric_limits<float>::infinity(), hi = kNegInf;
  for (float x : s) {
    if (x == kNegInf) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const float range = hi - lo;
  for (float& x : s) {
    if (x == kNegInf) continue;
    x = range > 0 ? (x - lo) / range : 0.0f;
  }
}

// Every weight vector of `n` non-negative multiples of 1/steps summing to 1.
void Compositions(size_t n, int steps, std::vector<double>* cur,
                  std::vector<std::vector<double>>* out) {
  if (cur->size() + 1 == n) {
    double rest = 1.0;
    for (double w : *cur) rest -= w;
    cur->push_back(std::max(0.0, rest));
    out->push_back(*cur);
    cur->pop_back();
    return;
  }
  double used = 0;
  for (double w : *cur) used += w;
  const int left = static_cast<int>(std::lround((1.0 - used) * steps));
  for (int s = 0; s <= left; ++s) {
    cur->push_back(static_cast<double>(s) / steps);
    Compositions(n, steps, cur, out);
    cur->pop_back();
  }
}

class Hybrid final : public Recommender {
 public:
  std::string_view name() const override { return "hybrid"; }

  Status Parse(const ModelParams& params) {
    ModelParams own;
    for (const auto& [key, value] : params) {
      size_t dot = key.find('.');
      if (dot == std::string::npos) {
        own.emplace(key, value);
      } else {
        sub_params_[key.substr(0, dot)].emplace(key.substr(dot + 1), value);
      }
    }
    ParamReader r("hybrid", own);
    r.String("models", &models_);
    r.Double("validation", 0.01, 0.9, &validation_);
    r.Double("grid_step", 0.01, 1, &grid_step_);
    r.Int("k", 1, 1000, &k_);
    r.Int("max_validation_users", 1, 1'000'000, &max_validation_users_);
    TAILOR_RETURN_IF_ERROR(r.Finish());
    names_.clear();
    size_t start = 0;
    while (start <= models_.size()) {
      size_t end = std::min(models_.find(',', start), models_.size());
      std::string m = models_.substr(start, end - start);
      if (m == "hybrid" || m.empty())
        return InvalidArgument("invalid component '" + m + "'", "hybrid.models");
      names_.push_back(m);
      start = end + 1;
    }
    for (const auto& [sub, p] : sub_params_) {
      if (std::find(names_.begin(), names_.end(), sub) == names_.end()) {
        return InvalidArgument("parameters for '" + sub + "', which is not in hybrid.models",
                               "hybrid." + sub);
      }
    }
    for (const auto& m : names_) {  // fail early on unknown names and bad parameters
      TAILOR_RETURN_IF_ERROR(CreateModel(m, SubParams(m)).status());
    }
    return Status::OK();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    TAILOR_RETURN_IF_ERROR(options.Validate());
    num_items_ = train.num_items();
    // 1. Validation split from the training data (weights as values: no re-weighting).
    RawInteractions raw;
    raw.users = std::make_shared<IdMap>(train.users());
    raw.items = std::make_shared<IdMap>(train.items());
    raw.has_timestamps = train.has_timestamps();
    for (uint32_t u = 0; u < train.num_users(); ++u) {
      auto items = train.UserItems(u);
      for (size_t k = 0; k < items.size(); ++k) {
        raw.rows.push_back({u, items[k], train.UserWeights(u)[k], train.UserTimes(u)[k]});
      }
    }
    SeededRandom random(options.seed);
    TAILOR_ASSIGN_OR_RETURN(
        Split split,
        SplitInteractions(raw, {SplitSpec::Kind::kStratified, 1.0 - validation_}, random));
    TAILOR_ASSIGN_OR_RETURN(Interactions sub_train, Interactions::Build(split.train, {}));
    if (split.test.rows.empty())
      return InvalidArgument("hybrid: validation split is empty (too little data)");
    TAILOR_ASSIGN_OR_RETURN(Interactions val, Interactions::Build(split.test, {}));

    const size_t nc = names_.size();
    std::vector<std::unique_ptr<Recommender>> comps;
    for (size_t c = 0; c < nc; ++c) {
      TAILOR_ASSIGN_OR_RETURN(auto m, CreateModel(names_[c], SubParams(names_[c])));
      TAILOR_RETURN_IF_ERROR(m->Fit(sub_train, options, {}));
      comps.push_back(std::move(m));
      if (progress) progress("hybrid validation fit", 0.4 * (c + 1) / nc);
    }
    // 2. Grid search on validation users (a deterministic sample when there are many).
    std::vector<std::vector<double>> grid;
    std::vector<double> cur;
    Compositions(nc, std::max(1, static_cast<int>(std::lround(1.0 / grid_step_))), &cur, &grid);
    std::vector<double> total(grid.size(), 0.0);
    std::vector<uint32_t> users;
    for (uint32_t u = 0; u < val.num_users(); ++u) {
      if (!val.UserItems(u).empty() && !sub_train.UserItems(u).empty()) users.push_back(u);
    }
    const size_t stride =
        std::max<size_t>(1, users.size() / static_cast<size_t>(max_validation_users_));
    const auto k = static_cast<size_t>(k_);
    std::vector<std::vector<float>> scores(nc, std::vector<float>(num_items_));
    std::vector<float> blended(num_items_);
    size_t evaluated = 0;
    for (size_t n = 0; n < users.size(); n += stride) {
      const uint32_t u = users[n];
      UserQuery q = QueryFor(sub_train, u);
      // Candidates: the union of each component's top 10k; the blend's top k lies there
      // in practice, and blending only them keeps the grid cheap on large catalogs.
      std::vector<uint32_t> cand;
      for (size_t c = 0; c < nc; ++c) {
        TAILOR_RETURN_IF_ERROR(comps[c]->Score(q, scores[c]));
        for (uint32_t i : q.items) scores[c][i] = kNegInf;
        Normalize(scores[c]);
        for (const ScoredItem& s : TopK(scores[c], 10 * k)) cand.push_back(s.item);
      }
      std::sort(cand.begin(), cand.end());
      cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
      std::vector<uint32_t> relevant(val.UserItems(u).begin(), val.UserItems(u).end());
      std::sort(relevant.begin(), relevant.end());
      std::vector<float> cs(cand.size());
      std::vector<uint32_t> list;
      for (size_t g = 0; g < grid.size(); ++g) {
        for (size_t a = 0; a < cand.size(); ++a) {
          float s = 0;
          for (size_t c = 0; c < nc; ++c) s += static_cast<float>(grid[g][c]) * scores[c][cand[a]];
          cs[a] = s;
        }
        list.clear();
        for (const ScoredItem& s : TopK(cs, k)) list.push_back(cand[s.item]);
        total[g] += RankMetrics(list, relevant, k).ndcg;
      }
      ++evaluated;
      if (progress && (evaluated & 63) == 0) {
        progress("hybrid grid", 0.4 + 0.2 * static_cast<double>(n) / users.size());
      }
    }
    const size_t best =
        static_cast<size_t>(std::max_element(total.begin(), total.end()) - total.begin());
    validation_ndcg_ = evaluated ? total[best] / static_cast<double>(evaluated) : 0;
    // 3. Refit the components that carry weight on all training data.
    components_.clear();
    weights_.clear();
    chosen_.clear();
    for (size_t c = 0; c < nc; ++c) {
      if (grid[best][c] <= 0) continue;
      TAILOR_ASSIGN_OR_RETURN(auto m, CreateModel(names_[c], SubParams(names_[c])));
      TAILOR_RETURN_IF_ERROR(m->Fit(train, options, {}));
      components_.push_back(std::move(m));
      weights_.push_back(static_cast<float>(grid[best][c]));
      chosen_.push_back(names_[c]);
      if (progress) progress("hybrid fit", 0.6 + 0.4 * (c + 1) / nc);
    }
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, num_items_, 0));
    std::fill(scores.begin(), scores.end(), 0.0f);
    std::vector<float> s(num_items_);
    for (size_t c = 0; c < components_.size(); ++c) {
      TAILOR_RETURN_IF_ERROR(components_[c]->Score(query, s));
      for (uint32_t i : query.items) s[i] = kNegInf;
      Normalize(s);
      for (size_t i = 0; i < num_items_; ++i)
        scores[i] += s[i] == kNegInf ? 0.0f : weights_[c] * s[i];
    }
    return Status::OK();
  }

  std::string ParamsJson() const override {
    ParamsJsonWriter w;
    w.Add("models", std::string_view(models_))
        .Add("validation", validation_)
        .Add("grid_step", grid_step_)
        .Add("k", k_)
        .Add("max_validation_users", max_validation_users_)
        .Add("validation_ndcg", validation_ndcg_);
    for (size_t c = 0; c < chosen_.size(); ++c)
      w.Add("weight." + chosen_[c], static_cast<double>(weights_[c]));
    return w.Done();
  }
  size_t EstimateFitBytes(size_t users, size_t items, size_t nnz, int threads) const override {
    // Components are fitted one after another, twice (validation split, then all data),
    // and the fitted ones kept: the sum over components bounds the peak.
    size_t n = 0;
    for (const std::string& m : names_) {
      auto c = CreateModel(m, SubParams(m));
      n += c.ok() ? (*c)->EstimateFitBytes(users, items, nnz, threads)
                  : Recommender::EstimateFitBytes(users, items, nnz, threads);
    }
    return n + nnz * 8;  // the validation split's copy of the data
  }

  size_t MemoryBytes() const override {
    size_t n = 0;
    for (const auto& c : components_) n += c->MemoryBytes();
    return n;
  }
  size_t num_items() const override { return num_items_; }

 private:
  ModelParams SubParams(const std::string& model) const {
    auto it = sub_params_.find(model);
    return it == sub_params_.end() ? ModelParams{} : it->second;
  }

  std::string models_ = "ease,itemknn,als";  // components, comma-separated
  double validation_ = 0.2;              // share of each user's training items held out for tuning
  double grid_step_ = 0.1;               // weight grid resolution
  int64_t k_ = 10;                       // list length of the validation nDCG
  int64_t max_validation_users_ = 2000;  // cap on users scored during the grid search
  std::map<std::string, ModelParams> sub_params_;
  std::vector<std::string> names_;

  size_t num_items_ = 0;
  double validation_ndcg_ = 0;
  std::vector<std::unique_ptr<Recommender>> components_;
  std::vector<float> weights_;
  std::vector<std::string> chosen_;
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewHybrid(const ModelParams& params) {
  auto m = std::make_unique<Hybrid>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
