// Train/test splits for offline evaluation.
//
//   stratified:R  per user, that user's items are shuffled (Fisher-Yates from the injected
//                 Random) and the first round(R * n) go to training, the rest to test --
//                 the protocol of the Microsoft recommenders' python_stratified_split
//                 (round half to even, as Python's round()).
//   temporal:F    per user, the last round(F * n) items by timestamp go to test (ties by
//                 input order), the rest to training.
//
// All rows of one (user, item) pair land on the same side. Both parts share the IdMaps
// of the input, so indexes agree.
//
// Thread safety: pure functions (the Random is internally locked).
#pragma once

#include <string_view>

#include "core/random.h"
#include "core/status.h"
#include "recommenders/interactions.h"

namespace tailor::recommenders {

struct SplitSpec {
  enum class Kind { kStratified, kTemporal };
  Kind kind = Kind::kStratified;
  double fraction = 0.75;  // stratified: training share; temporal: test share

  // Parses "stratified:0.75" or "temporal:0.2". The fraction must be in (0, 1).
  static Result<SplitSpec> Parse(std::string_view text);
};

struct Split {
  RawInteractions train;
  RawInteractions test;
};

// Fails with kInvalidArgument for a temporal split of data without timestamps.
Result<Split> SplitInteractions(const RawInteractions& all, const SplitSpec& spec, Random& random);

}  // namespace tailor::recommenders
