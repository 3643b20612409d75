#include "recommenders/evaluate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "recommenders/parallel.h"

namespace tailor::recommenders {

namespace {

// Cosine of two items' training user sets (sorted user lists).
double Cosine(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.empty() || b.empty()) return 0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  return static_cast<double>(common) /
         std::sqrt(static_cast<double>(a.size()) * static_cast<double>(b.size()));
}

// Mean over lists of 1 - mean pairwise cosine of the items' category sets.
double CategoryDiversity(const std::vector<std::vector<uint32_t>>& lists, const IdMap& items,
                         const ItemCatalog& catalog) {
  std::unordered_map<uint32_t, std::vector<std::string>> cats;  // sorted, per item seen
  auto categories = [&](uint32_t item) -> const std::vector<std::string>& {
    auto it = cats.find(item);
    if (it != cats.end()) return it->second;
    std::vector<std::string> c;
    if (const CatalogItem* ci = catalog.Find(items.Id(item))) c = ci->categories;
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    return cats.emplace(item, std::move(c)).first->second;
  };
  double total = 0;
  size_t n = 0;
  for (const auto& list : lists) {
    if (list.size() < 2) continue;
    double sum = 0;
    size_t pairs = 0;
    for (size_t a = 0; a < list.size(); ++a) {
      for (size_t b = a + 1; b < list.size(); ++b) {
        const auto& x = categories(list[a]);
        const auto& y = categories(list[b]);
        if (!x.empty() && !y.empty()) {
          std::vector<std::string> common;
          std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(common));
          sum += static_cast<double>(common.size()) /
                 std::sqrt(static_cast<double>(x.size()) * static_cast<double>(y.size()));
        }
        ++pairs;
      }
    }
    total += 1.0 - sum / static_cast<double>(pairs);
    ++n;
  }
  return n ? total / static_cast<double>(n) : 0;
}

}  // namespace

Result<EvalMetrics> EvaluateModel(const Recommender& model, const Interactions& train,
                                  const Interactions& test, const EvalOptions& options,
                                  const ProgressFn& progress) {
  if (options.k == 0) return InvalidArgument("k must be >= 1", "k");
  if (train.num_items() != test.num_items() || train.num_users() != test.num_users()) {
    return InvalidArgument("train and test do not come from one split");
  }
  std::vector<uint32_t> users;
  for (uint32_t u = 0; u < test.num_users(); ++u) {
    if (!test.UserItems(u).empty()) users.push_back(u);
  }
  if (users.empty()) return InvalidArgument("no user has test interactions");
  const size_t k = options.k;
  std::vector<std::vector<uint32_t>> lists(users.size());
  std::vector<UserRankMetrics> per_user(users.size());
  std::atomic<size_t> done{0};
  std::mutex error_mu;
  Status error;
  ParallelFor(users.size(), options.threads, 16, [&](size_t begin, size_t end, int) {
    for (size_t n = begin; n < end; ++n) {
      const uint32_t u = users[n];
      RecommendOptions ro;
      ro.k = k;
      auto recs = model.Recommend(QueryFor(train, u), ro);
      if (!recs.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (error.ok()) error = recs.status();
        return;
      }
      for (const ScoredItem& s : *recs) lists[n].push_back(s.item);
      std::vector<uint32_t> relevant(test.UserItems(u).begin(), test.UserItems(u).end());
      std::sort(relevant.begin(), relevant.end());
      per_user[n] = RankMetrics(lists[n], relevant, k);
      size_t d = done.fetch_add(1) + 1;
      if (progress && (d & 63) == 0) progress("evaluate", static_cast<double>(d) / users.size());
    }
  });
  if (!error.ok()) return error;

  EvalMetrics m;
  m.k = k;
  m.users = users.size();
  for (const auto& r : per_user) {
    m.precision += r.precision;
    m.recall += r.recall;
    m.ndcg += r.ndcg;
    m.map += r.ap;
    m.mrr += r.rr;
    m.hit_rate += r.hit;
  }
  const double nu = static_cast<double>(users.size());
  for (double* x : {&m.precision, &m.recall, &m.ndcg, &m.map, &m.mrr, &m.hit_rate}) *x /= nu;

  const size_t ni = train.num_items();
  const double train_users = std::max<double>(1.0, static_cast<double>(train.ActiveUsers()));
  std::vector<double> rec_count(ni, 0.0);
  double novelty = 0, pop = 0, diversity = 0;
  size_t slots = 0, diverse_lists = 0;
  for (const auto& list : lists) {
    for (uint32_t i : list) {
      rec_count[i] += 1;
      const double users_i = static_cast<double>(train.ItemUsers(i).size());
      novelty += -std::log2(std::max(users_i, 1.0) / train_users);
      pop += users_i;
      ++slots;
    }
    if (list.size() >= 2) {
      double sum = 0;
      size_t pairs = 0;
      for (size_t a = 0; a < list.size(); ++a) {
        for (size_t b = a + 1; b < list.size(); ++b) {
          sum += Cosine(train.ItemUsers(list[a]), train.ItemUsers(list[b]));
          ++pairs;
        }
      }
      diversity += 1.0 - sum / static_cast<double>(pairs);
      ++diverse_lists;
    }
  }
  size_t distinct = 0;
  for (double c : rec_count) distinct += c > 0;
  m.coverage = ni ? static_cast<double>(distinct) / static_cast<double>(ni) : 0;
  m.novelty = slots ? novelty / static_cast<double>(slots) : 0;
  m.avg_popularity = slots ? pop / static_cast<double>(slots) : 0;
  m.diversity = diverse_lists ? diversity / static_cast<double>(diverse_lists) : 0;
  m.gini = Gini(std::move(rec_count));
  if (options.catalog != nullptr) {
    m.has_category_diversity = true;
    m.category_diversity = CategoryDiversity(lists, train.items(), *options.catalog);
  }
  if (progress) progress("evaluate", 1.0);
  return m;
}

}  // namespace tailor::recommenders
