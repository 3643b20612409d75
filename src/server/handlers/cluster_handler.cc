// POST /v1/segments/cluster: discovered segments. Scans profiles, clusters them with
// k-means over numeric values of their profile documents as of now (segments/kmeans.h)
// and, unless dry_run, stores the cluster as a trait ("c0" = the largest cluster).
// Request and response are documented in docs/segments.md ("Discovered segments").
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "segments/kmeans.h"
#include "segments/profile_document.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"
#include "storage/key_codec.h"

namespace tailor::server::handlers {

namespace {

constexpr size_t kMaxFeatures = 64;
constexpr size_t kMaxK = 1000;
constexpr size_t kDefaultMaxProfiles = 1'000'000;
constexpr size_t kMaxProfilesCap = 100'000'000;
// Profiles per MergeTraits call: each call is one atomic write batch.
constexpr size_t kWriteChunk = 500;

struct ClusterRequest {
  std::vector<std::string> names;  // as given, for the report
  std::vector<std::string> paths;  // resolved dot paths into the profile document
  size_t k = 0;
  std::string trait = "cluster";
  uint64_t seed = 1;
  size_t max_profiles = kDefaultMaxProfiles;
  bool dry_run = false;
};

bool IsTraitName(const std::string& s) {
  if (s.empty() || s.size() > 64 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool IsConfigured(const profile::FeatureSet* features, std::string_view name) {
  if (features == nullptr) return false;
  for (const auto& spec : features->specs()) {
    if (spec.name == name) return true;
  }
  return false;
}

// Resolves one entry of "features": a bare name is a configured feature; a dot path must
// start with features.<configured>, traits.<any> or profile.<field of the document>.
Result<std::string> ResolveFeature(const std::string& name, const profile::FeatureSet* features,
                                   const Json& profile_fields) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) {
    if (IsConfigured(features, name)) return "features." + name;
    return InvalidArgument("unknown feature '" + name +
                           "': use a configured feature name, or a path traits.<name> or profile.<field>");
  }
  std::string root = name.substr(0, dot);
  std::string rest = name.substr(dot + 1);
  if (rest.empty()) return InvalidArgument("empty path after '" + root + ".'");
  if (root == "traits") return name;
  if (root == "features") {
    std::string feature = rest.substr(0, rest.find('.'));
    if (IsConfigured(features, feature)) return name;
    return InvalidArgument("unknown feature '" + feature + "'");
  }
  if (root == "profile") {
    if (profile_fields.contains(rest)) return name;
    std::string known;
    for (const auto& [field, value] : profile_fields.items()) known += (known.empty() ? "" : ", ") + field;
    return InvalidArgument("unknown profile field '" + rest + "' (one of: " + known + ")");
  }
  return InvalidArgument("a path must start with features., traits. or profile.");
}

Result<size_t> UnsignedMember(const Json& body, const char* name, size_t fallback, size_t min, size_t max) {
  auto it = body.find(name);
  if (it == body.end()) return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() < min || it->get<uint64_t>() > max) {
    return InvalidArgument("must be an integer between " + std::to_string(min) + " and " + std::to_string(max),
                           name);
  }
  return it->get<size_t>();
}

Result<ClusterRequest> DecodeRequest(const HttpRequest& req, const profile::FeatureSet* features) {
  TAILOR_ASSIGN_OR_RETURN(Json body, BodyObject(req));
  TAILOR_RETURN_IF_ERROR(OnlyMembers(body, {"features", "k", "trait", "seed", "max_profiles", "dry_run"}));
  ClusterRequest r;
  auto f = body.find("features");
  if (f == body.end() || !f->is_array() || f->empty()) {
    return InvalidArgument("required: a non-empty array of feature names or paths", "features");
  }
  if (f->size() > kMaxFeatures) {
    return InvalidArgument("at most " + std::to_string(kMaxFeatures) + " features", "features");
  }
  // The fields of the "profile" part, taken from the document builder itself so the
  // accepted names cannot drift from what BuildProfileDocument writes.
  Json profile_fields = segments::BuildProfileDocument(profile::Profile{}, nullptr, 0, nullptr)["profile"];
  for (size_t i = 0; i < f->size(); ++i) {
    std::string at = "features[" + std::to_string(i) + "]";
    const Json& v = (*f)[i];
    if (!v.is_string()) return InvalidArgument("must be a string", at);
    auto path = ResolveFeature(v.get<std::string>(), features, profile_fields);
    if (!path.ok()) return Status(path.status().code(), path.status().message(), at);
    if (std::find(r.paths.begin(), r.paths.end(), *path) != r.paths.end()) {
      return InvalidArgument("listed twice", at);
    }
    r.names.push_back(v.get<std::string>());
    r.paths.push_back(std::move(path).value());
  }
  if (!body.contains("k")) return InvalidArgument("required: the number of clusters", "k");
  TAILOR_ASSIGN_OR_RETURN(r.k, UnsignedMember(body, "k", 0, 1, kMaxK));
  if (auto t = body.find("trait"); t != body.end()) {
    if (!t->is_string() || !IsTraitName(t->get<std::string>())) {
      return InvalidArgument("must be a trait name: letters, digits and _, not starting with a digit, "
                             "at most 64 characters",
                             "trait");
    }
    r.trait = t->get<std::string>();
  }
  if (auto s = body.find("seed"); s != body.end()) {
    if (!s->is_number_unsigned()) return InvalidArgument("must be a non-negative integer", "seed");
    r.seed = s->get<uint64_t>();
  }
  TAILOR_ASSIGN_OR_RETURN(r.max_profiles, UnsignedMember(body, "max_profiles", kDefaultMaxProfiles, 1, kMaxProfilesCap));
  if (auto d = body.find("dry_run"); d != body.end()) {
    if (!d->is_boolean()) return InvalidArgument("must be true or false", "dry_run");
    r.dry_run = d->get<bool>();
  }
  return r;
}

std::string LabelValue(uint32_t label) { return "c" + std::to_string(label); }

}  // namespace

HttpResponse Cluster(Services& s, const HttpRequest& req) {
  auto rt = s.runtime();
  const profile::FeatureSet* features = rt->config->features.get();
  auto decoded = DecodeRequest(req, features);
  if (!decoded.ok()) return Error(decoded.status());
  const ClusterRequest& r = *decoded;

  // Scan: one row per decodable profile, values as of one `now` for every profile. The
  // scan reads stored profiles: write the write-behind ones first.
  if (auto flushed = s.pipeline->FlushProfiles(); !flushed.ok()) return Error(flushed.status());
  int64_t now = s.clock->NowMs();
  std::vector<std::string> pids;
  std::vector<double> values;
  std::vector<size_t> present(r.paths.size(), 0);
  auto it = s.store->NewIterator(storage::Keyspace::kProfiles, "", "");
  for (it->SeekToFirst(); it->Valid() && pids.size() < r.max_profiles; it->Next()) {
    auto p = profile::DecodeProfile(it->value());
    if (!p.ok()) continue;
    Json doc = segments::BuildProfileDocument(*p, features, now, nullptr);
    for (size_t j = 0; j < r.paths.size(); ++j) {
      const Json* v = profile::LookupPath(doc, r.paths[j]);
      // Only JSON numbers count; null, strings, booleans, arrays and absent are missing.
      if (v != nullptr && v->is_number()) {
        values.push_back(v->get<double>());
        ++present[j];
      } else {
        values.push_back(segments::kMissing);
      }
    }
    pids.push_back(std::move(p->id));
  }
  if (!it->status().ok()) return Error(it->status());
  bool complete = !it->Valid();

  if (pids.size() < r.k) {
    return Error(InvalidArgument("k (" + std::to_string(r.k) + ") exceeds the number of profiles (" +
                                     std::to_string(pids.size()) + ")",
                                 "k"));
  }
  for (size_t j = 0; j < r.paths.size(); ++j) {
    if (present[j] == 0) {
      return Error(InvalidArgument("no profile has a numeric value for '" + r.names[j] + "'",
                                   "features[" + std::to_string(j) + "]"));
    }
  }
  segments::FeatureMatrix matrix;
  matrix.rows = pids.size();
  matrix.cols = r.paths.size();
  matrix.values = std::move(values);
  segments::KMeansOptions options;
  options.k = r.k;
  // The seed comes from the request (default 1) and is echoed, so a run can be repeated.
  SeededRandom random(r.seed);
  auto result = segments::KMeans(matrix, options, random);
  if (!result.ok()) return Error(result.status());

  size_t written = 0;
  if (!r.dry_run) {
    std::vector<std::pair<std::string, std::string>> chunk;
    chunk.reserve(kWriteChunk);
    for (size_t i = 0; i < pids.size(); ++i) {
      chunk.emplace_back(pids[i], Json{{r.trait, LabelValue(result->labels[i])}}.dump());
      if (chunk.size() == kWriteChunk || i + 1 == pids.size()) {
        // Profiles deleted or merged away since the scan are skipped by MergeTraits.
        Status st = s.pipeline->MergeTraits(chunk, *rt->ingest);
        if (!st.ok()) {
          return Error(Status(st.code(),
                              "stored the trait on " + std::to_string(written) + " of " +
                                  std::to_string(pids.size()) + " profiles, then: " + st.message(),
                              st.path()));
        }
        written += chunk.size();
        chunk.clear();
      }
    }
  }

  Json feature_list = Json::array();
  for (size_t j = 0; j < r.names.size(); ++j) {
    const auto& f = result->features[j];
    feature_list.push_back({{"name", r.names[j]}, {"path", r.paths[j]}, {"mean", f.mean}, {"std", f.std},
                            {"missing", f.missing}, {"constant", f.constant}});
  }
  Json clusters = Json::array();
  for (uint32_t l = 0; l < result->k; ++l) {
    Json centroid = Json::object(), z = Json::object();
    for (size_t j = 0; j < r.names.size(); ++j) {
      centroid[r.names[j]] = result->centroids_original[l][j];
      z[r.names[j]] = result->centroids[l][j];
    }
    clusters.push_back({{"label", l}, {"value", LabelValue(l)}, {"size", result->sizes[l]},
                        {"share", static_cast<double>(result->sizes[l]) / static_cast<double>(pids.size())},
                        {"centroid", centroid}, {"centroid_z", z}});
  }
  return JsonOk({{"k", result->k}, {"profiles", pids.size()}, {"complete", complete},
                 {"trait", r.trait}, {"seed", r.seed}, {"dry_run", r.dry_run}, {"written", written},
                 {"features", feature_list}, {"clusters", clusters}, {"inertia", result->inertia},
                 {"iterations", result->iterations}, {"converged", result->converged}});
}

}  // namespace tailor::server::handlers
