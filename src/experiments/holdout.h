// The global holdout: a fixed fraction of users who see no experiment at all, so the
// combined effect of all experiments can be measured against them.
//
// Membership is a hash check that does not depend on any experiment: user u is held out
// when Hash(seed, value of u's hash attribute, 2) < fraction (bucketing.h, hash v2). The
// same user is therefore held out of every experiment that takes part in the holdout
// (Experiment::in_global_holdout, JSON `excludeFromHoldout`), and changing an experiment's
// key, seed or weights never moves a user in or out of it. Changing the holdout's seed
// draws a new holdout group; raising `fraction` only adds users.
//
// Thread safety: immutable value; pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tailor::experiments {

struct GlobalHoldout {
  // Seed of the holdout hash; independent of every experiment's seed.
  std::string seed = "tailor-global-holdout";
  // Fraction of users held out, in [0, 1). 0 disables the holdout.
  double fraction = 0;
  // Attribute whose value is hashed.
  std::string hash_attribute = "id";

  // OK when 0 <= fraction < 1 and seed and hash_attribute are non-empty.
  Status Validate() const;
};

// True when `hash_value` is in the holdout. Never allocates.
bool InGlobalHoldout(const GlobalHoldout& holdout, std::string_view hash_value);

}  // namespace tailor::experiments
