#include "profile/feature_state.h"

#include "core/json_util.h"

namespace tailor::profile {


Json FeatureState::ToJson() const {
  Json j = Json::object();
  j["d"] = spec_digest.str();
  if (!buckets.empty()) {
    Json b = Json::array();
    for (const auto& x : buckets) b.push_back({x.start_ms, x.count, x.sum, x.min, x.max});
    j["b"] = std::move(b);
  }
  if (score != 0 || ref_ms != 0) j["s"] = {score, ref_ms};
  if (!top.empty()) j["t"] = top;
  if (!items.empty()) j["i"] = items;
  if (seen) j["f"] = {first, first_ms, last, last_ms};
  if (!sessions.empty()) {
    Json s = Json::array();
    for (const auto& x : sessions) s.push_back({x.id, x.start_ms, x.last_ms, x.events});
    j["ss"] = std::move(s);
  }
  if (bad_field) j["e"] = bad_field;
  return j;
}

// Members in the order nlohmann's (sorted) object writes them, so both forms match byte
// for byte except for the spelling of some doubles.
void FeatureState::AppendJson(std::string* out) const {
  out->push_back('{');
  if (!buckets.empty()) {
    out->append("\"b\":[");
    for (size_t i = 0; i < buckets.size(); ++i) {
      const Bucket& x = buckets[i];
      out->append(i ? ",[" : "[");
      AppendJsonInt(out, x.start_ms);
      for (double v : {x.count, x.sum, x.min, x.max}) {
        out->push_back(',');
        AppendJsonDouble(out, v);
      }
      out->push_back(']');
    }
    out->append("],");
  }
  out->append("\"d\":");
  AppendJsonString(out, spec_digest);
  if (bad_field) {
    out->append(",\"e\":");
    AppendJsonInt(out, bad_field);
  }
  if (seen) {
    out->append(",\"f\":[");
    AppendJsonValue(out, first);
    out->push_back(',');
    AppendJsonInt(out, first_ms);
    out->push_back(',');
    AppendJsonValue(out, last);
    out->push_back(',');
    AppendJsonInt(out, last_ms);
    out->push_back(']');
  }
  if (!items.empty()) {
    out->append(",\"i\":[");
    for (size_t i = 0; i < items.size(); ++i) {
      out->append(i ? ",[" : "[");
      AppendJsonString(out, items[i].first);
      out->push_back(',');
      AppendJsonInt(out, items[i].second);
      out->push_back(']');
    }
    out->push_back(']');
  }
  if (score != 0 || ref_ms != 0) {
    out->append(",\"s\":[");
    AppendJsonDouble(out, score);
    out->push_back(',');
    AppendJsonInt(out, ref_ms);
    out->push_back(']');
  }
  if (!sessions.empty()) {
    out->append(",\"ss\":[");
    for (size_t i = 0; i < sessions.size(); ++i) {
      const SessionStat& x = sessions[i];
      out->append(i ? ",[" : "[");
      AppendJsonString(out, x.id);
      out->push_back(',');
      AppendJsonInt(out, x.start_ms);
      out->push_back(',');
      AppendJsonInt(out, x.last_ms);
      out->push_back(',');
      AppendJsonInt(out, x.events);
      out->push_back(']');
    }
    out->push_back(']');
  }
  if (!top.empty()) {
    out->append(",\"t\":[");
    for (size_t i = 0; i < top.size(); ++i) {
      out->append(i ? ",[" : "[");
      AppendJsonString(out, top[i].first);
      out->push_back(',');
      AppendJsonDouble(out, top[i].second);
      out->push_back(']');
    }
    out->push_back(']');
  }
  out->push_back('}');
}

Result<FeatureState> FeatureState::FromJson(const Json& j) {
  try {
    FeatureState st;
    st.spec_digest = j.at("d").get<std::string>();
    if (auto it = j.find("b"); it != j.end()) {
      for (const auto& x : *it) {
        st.buckets.push_back(Bucket{x.at(0).get<int64_t>(), x.at(1).get<double>(), x.at(2).get<double>(),
                                    x.at(3).get<double>(), x.at(4).get<double>()});
      }
    }
    if (auto it = j.find("s"); it != j.end()) {
      st.score = it->at(0).get<double>();
      st.ref_ms = it->at(1).get<int64_t>();
    }
    if (auto it = j.find("t"); it != j.end()) {
      st.top = it->get<std::vector<std::pair<std::string, double>>>();
    }
    if (auto it = j.find("i"); it != j.end()) {
      st.items = it->get<std::vector<std::pair<std::string, int64_t>>>();
    }
    if (auto it = j.find("f"); it != j.end()) {
      st.seen = true;
      st.first = it->at(0);
      st.first_ms = it->at(1).get<int64_t>();
      st.last = it->at(2);
      st.last_ms = it->at(3).get<int64_t>();
    }
    if (auto it = j.find("ss"); it != j.end()) {
      for (const auto& x : *it) {
        st.sessions.push_back(SessionStat{x.at(0).get<std::string>(), x.at(1).get<int64_t>(),
                                          x.at(2).get<int64_t>(), x.at(3).get<uint32_t>()});
      }
    }
    if (auto it = j.find("e"); it != j.end()) st.bad_field = it->get<uint64_t>();
    return st;
  } catch (const Json::exception& e) {
    return Corruption(std::string("feature state: ") + e.what());
  }
}

}  // namespace tailor::profile
