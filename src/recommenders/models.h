// Factories of the registered models, one per file (popularity.cc, als.cc, ...). Only
// registry.cc and tests include this; everyone else goes through CreateModel().
#pragma once

#include <memory>

#include "recommenders/recommender.h"

namespace tailor::recommenders {

Result<std::unique_ptr<Recommender>> NewPopularity(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewTrending(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewItemKnn(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewAls(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewEase(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewContent(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewHybrid(const ModelParams& params);
Result<std::unique_ptr<Recommender>> NewSession(const ModelParams& params);

}  // namespace tailor::recommenders
