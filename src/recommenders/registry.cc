#include "recommenders/registry.h"

#include <string>

#include "recommenders/models.h"

namespace tailor::recommenders {

namespace {

constexpr ModelInfo kModels[] = {
    {"popularity", "most interacted items (baseline)", NewPopularity},
    {"trending", "popularity with exponential time decay", NewTrending},
    {"itemknn", "item-item cosine k-nearest neighbours with shrinkage", NewItemKnn},
    {"als", "implicit-feedback matrix factorization (ALS, conjugate gradient)", NewAls},
    {"ease", "closed-form linear item-item autoencoder (EASE)", NewEase},
    {"content", "TF-IDF/BM25 item text matched to the user's profile (needs a catalog)",
     NewContent},
    {"hybrid", "blend of normalized model scores, weights tuned on a validation split", NewHybrid},
    {"session", "because you just viewed: co-occurrence of consecutive items", NewSession},
};

}  // namespace

std::span<const ModelInfo> RegisteredModels() { return kModels; }

Result<std::unique_ptr<Recommender>> CreateModel(std::string_view name, const ModelParams& params) {
  for (const ModelInfo& m : kModels) {
    if (m.name == name) return m.create(params);
  }
  std::string known;
  for (const ModelInfo& m : kModels) known += (known.empty() ? "" : ", ") + std::string(m.name);
  return NotFound("unknown model '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace tailor::recommenders
