#include "recommenders/params.h"

#include <charconv>
#include <cmath>

#include "core/json_util.h"

namespace tailor::recommenders {

const std::string* ParamReader::Find(std::string_view key) {
  auto it = params_.find(key);
  if (it == params_.end()) return nullptr;
  used_.emplace(key);
  return &it->second;
}

void ParamReader::Fail(std::string_view key, std::string message) {
  if (first_error_.ok())
    first_error_ = InvalidArgument(std::move(message), model_ + "." + std::string(key));
}

void ParamReader::Int(std::string_view key, int64_t lo, int64_t hi, int64_t* out) {
  const std::string* v = Find(key);
  if (!v) return;
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size())
    return Fail(key, "not an integer: '" + *v + "'");
  if (x < lo || x > hi) {
    return Fail(key,
                "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + *v);
  }
  *out = x;
}

void ParamReader::Double(std::string_view key, double lo, double hi, double* out) {
  const std::string* v = Find(key);
  if (!v) return;
  double x = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(x)) {
    return Fail(key, "not a number: '" + *v + "'");
  }
  if (x < lo || x > hi) {
    std::string range;
    AppendJsonDouble(&range, lo);
    range += ", ";
    AppendJsonDouble(&range, hi);
    return Fail(key, "must be in [" + range + "], got " + *v);
  }
  *out = x;
}

void ParamReader::Bool(std::string_view key, bool* out) {
  const std::string* v = Find(key);
  if (!v) return;
  if (*v == "true" || *v == "1") {
    *out = true;
  } else if (*v == "false" || *v == "0") {
    *out = false;
  } else {
    Fail(key, "expected true or false, got '" + *v + "'");
  }
}

void ParamReader::String(std::string_view key, std::string* out) {
  if (const std::string* v = Find(key)) *out = *v;
}

Status ParamReader::Finish() {
  if (!first_error_.ok()) return first_error_;
  for (const auto& [key, value] : params_) {
    if (!used_.contains(key)) {
      return InvalidArgument("unknown parameter for model " + model_, model_ + "." + key);
    }
  }
  return Status::OK();
}

void ParamsJsonWriter::Key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  AppendJsonString(&out_, key);
  out_ += ':';
}
ParamsJsonWriter& ParamsJsonWriter::Add(std::string_view key, double v) {
  Key(key);
  AppendJsonDouble(&out_, v);
  return *this;
}
ParamsJsonWriter& ParamsJsonWriter::Add(std::string_view key, int64_t v) {
  Key(key);
  AppendJsonInt(&out_, v);
  return *this;
}
ParamsJsonWriter& ParamsJsonWriter::Add(std::string_view key, bool v) {
  Key(key);
  out_ += v ? "true" : "false";
  return *this;
}
ParamsJsonWriter& ParamsJsonWriter::Add(std::string_view key, std::string_view v) {
  Key(key);
  AppendJsonString(&out_, v);
  return *this;
}
std::string ParamsJsonWriter::Done() { return out_ + "}"; }

}  // namespace tailor::recommenders
