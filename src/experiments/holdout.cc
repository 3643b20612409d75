#include "experiments/holdout.h"

#include "experiments/bucketing.h"

namespace tailor::experiments {

Status GlobalHoldout::Validate() const {
  if (!(fraction >= 0 && fraction < 1)) {
    return InvalidArgument("must be in [0, 1)", "holdout.fraction");
  }
  if (seed.empty()) return InvalidArgument("must not be empty", "holdout.seed");
  if (hash_attribute.empty()) return InvalidArgument("must not be empty", "holdout.hash_attribute");
  return Status::OK();
}

bool InGlobalHoldout(const GlobalHoldout& holdout, std::string_view hash_value) {
  if (holdout.fraction <= 0 || hash_value.empty()) return false;
  return *Hash(holdout.seed, hash_value, kHashV2) < holdout.fraction;
}

}  // namespace tailor::experiments
