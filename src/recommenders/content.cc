// content: content-based filtering. Each item with a catalog entry becomes a sparse,
// L2-normalized term vector (ItemTerms: title words, categories, tags) weighted by TF-IDF
// (1 + ln tf) * ln(N / df) or by BM25 (Robertson idf, k1, b). Category and tag terms are
// multiplied by `category_weight`. A user's affinity profile is the weighted sum of their
// history's vectors; items score by the inner product with it, computed through an
// inverted index. New items (no interactions yet) score as soon as they are in the
// catalog, which is what cold-start needs.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "recommenders/item_catalog.h"
#include "recommenders/models.h"
#include "recommenders/params.h"

namespace tailor::recommenders {

namespace {

struct Posting {
  uint32_t item;
  float weight;
};

class Content final : public Recommender {
 public:
  std::string_view name() const override { return "content"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("content", params);
    r.String("weighting", &weighting_);
    r.Double("k1", 0, 100, &k1_);
    r.Double("b", 0, 1, &b_);
    r.Double("category_weight", 0, 1000, &category_weight_);
    TAILOR_RETURN_IF_ERROR(r.Finish());
    if (weighting_ != "tfidf" && weighting_ != "bm25") {
      return InvalidArgument("expected tfidf or bm25, got '" + weighting_ + "'",
                             "content.weighting");
    }
    return Status::OK();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    if (options.catalog == nullptr || options.catalog->size() == 0) {
      return InvalidArgument("the content model needs an item catalog (--catalog)", "content");
    }
    const size_t ni = train.num_items();
    num_items_ = ni;
    std::unordered_map<std::string, uint32_t> term_index;
    std::vector<std::vector<std::pair<uint32_t, float>>> tf(ni);  // term, count
    std::vector<uint32_t> df;
    size_t with_text = 0;
    double total_len = 0;
    for (uint32_t i = 0; i < ni; ++i) {
      const CatalogItem* ci = options.catalog->Find(train.items().Id(i));
      if (!ci) continue;
      ++with_text;
      std::unordered_map<uint32_t, float> counts;
      for (const std::string& t : ItemTerms(*ci)) {
        auto [it, added] = term_index.emplace(t, static_cast<uint32_t>(term_index.size()));
        if (added) df.push_back(0);
        const bool meta = t.starts_with("cat:") || t.starts_with("tag:");
        counts[it->second] += meta ? static_cast<float>(category_weight_) : 1.0f;
      }
      for (const auto& [term, c] : counts) {
        ++df[term];
        tf[i].push_back({term, c});
        total_len += c;
      }
    }
    if (with_text == 0) {
      return InvalidArgument("no training item has a catalog entry (check the catalog's ids)",
                             "content");
    }
    const double n = static_cast<double>(with_text);
    const double avg_len = total_len / n;
    postings_.assign(df.size(), {});
    for (uint32_t i = 0; i < ni; ++i) {
      if (tf[i].empty()) continue;
      double len = 0, norm = 0;
      for (const auto& [t, c] : tf[i]) len += c;
      std::vector<std::pair<uint32_t, float>> w;
      for (const auto& [t, c] : tf[i]) {
        double d = df[t], x;
        if (weighting_ == "bm25") {
          const double idf = std::log(1.0 + (n - d + 0.5) / (d + 0.5));
          x = idf * c * (k1_ + 1) / (c + k1_ * (1 - b_ + b_ * len / avg_len));
        } else {
          x = (1.0 + std::log(c)) * std::log(n / d);
        }
        w.push_back({t, static_cast<float>(x)});
        norm += x * x;
      }
      norm = std::sqrt(norm);
      for (auto& [t, x] : w)
        postings_[t].push_back({i, norm > 0 ? static_cast<float>(x / norm) : 0.0f});
    }
    // The forward vectors are the postings regrouped per item.
    item_ptr_.assign(ni + 1, 0);
    for (const auto& plist : postings_) {
      for (const Posting& p : plist) ++item_ptr_[p.item + 1];
    }
    for (size_t i = 0; i < ni; ++i) item_ptr_[i + 1] += item_ptr_[i];
    item_terms_.resize(item_ptr_[ni]);
    std::vector<uint64_t> fill(item_ptr_.begin(), item_ptr_.end() - 1);
    for (uint32_t t = 0; t < postings_.size(); ++t) {
      for (const Posting& p : postings_[t]) item_terms_[fill[p.item]++] = {t, p.weight};
    }
    if (progress) progress("content", 1.0);
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, num_items_, 0));
    std::unordered_map<uint32_t, float> profile;
    for (size_t k = 0; k < query.items.size(); ++k) {
      const uint32_t j = query.items[k];
      const float w = query.weights.empty() ? 1.0f : query.weights[k];
      for (uint64_t e = item_ptr_[j]; e < item_ptr_[j + 1]; ++e) {
        profile[item_terms_[e].item] += w * item_terms_[e].weight;
      }
    }
    std::fill(scores.begin(), scores.end(), 0.0f);
    for (const auto& [term, pw] : profile) {
      for (const Posting& p : postings_[term]) scores[p.item] += pw * p.weight;
    }
    return Status::OK();
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter()
        .Add("weighting", std::string_view(weighting_))
        .Add("k1", k1_)
        .Add("b", b_)
        .Add("category_weight", category_weight_)
        .Done();
  }
  size_t MemoryBytes() const override {
    size_t n = item_terms_.size() * sizeof(Posting) + item_ptr_.size() * 8;
    for (const auto& p : postings_) n += p.size() * sizeof(Posting) + sizeof(std::vector<Posting>);
    return n;
  }
  size_t num_items() const override { return num_items_; }

 private:
  std::string weighting_ = "tfidf";  // tfidf or bm25
  double k1_ = 1.2;                  // BM25 term-frequency saturation
  double b_ = 0.75;                  // BM25 length normalization
  double category_weight_ = 2.0;     // term count of a category/tag relative to a title word

  size_t num_items_ = 0;
  std::vector<std::vector<Posting>> postings_;  // term -> (item, weight)
  std::vector<uint64_t> item_ptr_;
  std::vector<Posting> item_terms_;  // per item: (term, weight), `item` holds the term
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewContent(const ModelParams& params) {
  auto m = std::make_unique<Content>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
