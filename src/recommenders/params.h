// Reads a model's ModelParams into typed fields and rejects what is left over, so a typo
// ("factor=64") is an error rather than silently ignored.
//
// Thread safety: a ParamReader is used by one thread.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"
#include "recommenders/recommender.h"

namespace tailor::recommenders {

class ParamReader {
 public:
  ParamReader(std::string_view model, const ModelParams& params) : model_(model), params_(params) {}

  // Each reads `key` into *out when present (else leaves the default) and checks the
  // range [lo, hi]. Errors are remembered; Finish() returns the first one.
  void Int(std::string_view key, int64_t lo, int64_t hi, int64_t* out);
  void Double(std::string_view key, double lo, double hi, double* out);
  void Bool(std::string_view key, bool* out);
  void String(std::string_view key, std::string* out);

  // kInvalidArgument with path "<model>.<key>" for the first bad value or unknown key.
  Status Finish();

 private:
  const std::string* Find(std::string_view key);
  void Fail(std::string_view key, std::string message);

  std::string model_;
  const ModelParams& params_;
  std::set<std::string, std::less<>> used_;
  Status first_error_;
};

// Writes {"k": v, ...}; values are numbers, booleans or strings as given.
class ParamsJsonWriter {
 public:
  ParamsJsonWriter& Add(std::string_view key, double v);
  ParamsJsonWriter& Add(std::string_view key, int64_t v);
  ParamsJsonWriter& Add(std::string_view key, bool v);
  ParamsJsonWriter& Add(std::string_view key, std::string_view v);
  std::string Done();

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

}  // namespace tailor::recommenders
