#include "experiments/exposure_codec.h"

#include <cstring>

#include "core/json_doc.h"
#include "storage/key_codec.h"

namespace tailor::experiments {

namespace {

constexpr char kVersion = 1;

template <typename T>
void Append(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

template <typename T>
bool Read(std::string_view* in, T* v) {
  if (in->size() < sizeof(T)) return false;
  std::memcpy(v, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return true;
}

bool ReadString(std::string_view* in, std::string* s) {
  uint16_t len = 0;
  if (!Read(in, &len) || in->size() < len) return false;
  s->assign(in->data(), len);
  in->remove_prefix(len);
  return true;
}

void AppendString(std::string* out, std::string_view s) {
  Append<uint16_t>(out, static_cast<uint16_t>(std::min<size_t>(s.size(), 0xFFFF)));
  out->append(s.substr(0, 0xFFFF));
}

}  // namespace

std::string ExpUnitKey(std::string_view experiment, std::string_view unit) {
  std::string k;
  k.reserve(experiment.size() + unit.size() + 1);
  k.append(experiment);
  k.push_back('\0');
  k.append(unit);
  return k;
}

std::optional<std::pair<std::string_view, std::string_view>> SplitExpUnitKey(std::string_view key) {
  size_t z = key.find('\0');
  if (z == std::string_view::npos) return std::nullopt;
  return std::make_pair(key.substr(0, z), key.substr(z + 1));
}

std::string ExpProfileKey(std::string_view pid, std::string_view experiment) {
  std::string k = storage::ProfilePrefix(pid);
  k.append(experiment);
  return k;
}

std::string ExpStickyKey(std::string_view attribute, std::string_view value,
                         std::string_view experiment, std::string_view seed) {
  std::string k;
  k.reserve(attribute.size() + value.size() + experiment.size() + seed.size() + 3);
  for (std::string_view part : {attribute, value, experiment}) {
    k.append(part);
    k.push_back('\0');
  }
  k.append(seed);
  return k;
}

// Little-endian fixed-width fields (the engine's own hosts; not a wire format):
// version u8, variation u16, first_exposure_ms i64, pid (u16 len + bytes), metric count
// u16, then per metric: name (u16 len + bytes), value f64, covariate f64.
std::string EncodeUnitRecord(const UnitRecord& r) {
  std::string out;
  out.push_back(kVersion);
  Append<uint16_t>(&out, r.variation);
  Append<int64_t>(&out, r.first_exposure_ms);
  AppendString(&out, r.pid);
  Append<uint16_t>(&out, static_cast<uint16_t>(r.metrics.size()));
  for (const auto& m : r.metrics) {
    AppendString(&out, m.name);
    Append<double>(&out, m.value);
    Append<double>(&out, m.covariate);
  }
  return out;
}

Result<UnitRecord> DecodeUnitRecord(std::string_view in) {
  UnitRecord r;
  uint16_t count = 0;
  if (in.empty() || in[0] != kVersion) return Corruption("unknown exposure record version");
  in.remove_prefix(1);
  if (!Read(&in, &r.variation) || !Read(&in, &r.first_exposure_ms) || !ReadString(&in, &r.pid) ||
      !Read(&in, &count)) {
    return Corruption("truncated exposure record");
  }
  for (uint16_t i = 0; i < count; ++i) {
    UnitRecord::Metric m;
    if (!ReadString(&in, &m.name) || !Read(&in, &m.value) || !Read(&in, &m.covariate)) {
      return Corruption("truncated exposure record");
    }
    r.metrics.push_back(std::move(m));
  }
  return r;
}

std::string EncodeAggregates(const ExperimentAggregates& a) {
  Json j = Json::object();
  j["units"] = a.units;
  Json metrics = Json::object();
  for (const auto& [name, per_variation] : a.metrics) {
    Json arr = Json::array();
    for (const auto& s : per_variation) {
      arr.push_back(Json::array({s.sum, s.sum_sq, s.x_sum, s.x_sum_sq, s.xy_sum}));
    }
    metrics[name] = std::move(arr);
  }
  j["metrics"] = std::move(metrics);
  return std::string(1, kVersion) + j.dump();
}

Result<ExperimentAggregates> DecodeAggregates(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kVersion) return Corruption("unknown aggregate record version");
  auto j = ParseJson(bytes.substr(1));
  if (!j.ok()) return Corruption("malformed aggregate record");
  ExperimentAggregates a;
  try {
    a.units = (*j)["units"].get<std::vector<double>>();
    for (const auto& [name, arr] : (*j)["metrics"].items()) {
      auto& out = a.metrics[name];
      for (size_t v = 0; v < arr.size(); ++v) {
        stats::MetricStats s;
        s.n = v < a.units.size() ? a.units[v] : 0;
        s.sum = arr[v][0].get<double>();
        s.sum_sq = arr[v][1].get<double>();
        s.x_sum = arr[v][2].get<double>();
        s.x_sum_sq = arr[v][3].get<double>();
        s.xy_sum = arr[v][4].get<double>();
        out.push_back(s);
      }
    }
  } catch (const nlohmann::json::exception&) {
    return Corruption("malformed aggregate record");
  }
  return a;
}

}  // namespace tailor::experiments
