// The model registry: every recommender by name, one line each in registry.cc.
//
// Thread safety: the table is constant; CreateModel may be called concurrently.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"
#include "recommenders/recommender.h"

namespace tailor::recommenders {

using ModelFactory = Result<std::unique_ptr<Recommender>> (*)(const ModelParams&);

struct ModelInfo {
  std::string_view name;
  std::string_view summary;  // one line for --help
  ModelFactory create;
};

// Every registered model, in a stable order.
std::span<const ModelInfo> RegisteredModels();

// Creates an unfitted model. kNotFound for an unknown name (the message lists the known
// ones), kInvalidArgument for bad parameters (path "<model>.<param>").
Result<std::unique_ptr<Recommender>> CreateModel(std::string_view name, const ModelParams& params);

}  // namespace tailor::recommenders
