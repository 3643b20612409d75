// `tailor cluster`: discovered segments. Sends POST /v1/segments/cluster (over --url or
// in-process on --data-dir) and prints the report as tables: per-feature statistics,
// then one row per cluster with its size and centroid in original units.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "core/json_doc.h"

namespace tailor::cli {

namespace {

struct ClusterFlags {
  EndpointFlags endpoint;
  std::vector<std::string> features;
  size_t k = 0;
  std::string trait = "cluster";
  uint64_t seed = 1;
  size_t max_profiles = 0;  // 0 = the server default
  bool dry_run = false;
  bool json = false;
};

std::string Num(const Json& v) {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v.get<double>());
  return buf;
}

// Prints rows as left-aligned columns separated by two spaces.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::cout << line << "\n";
  }
}

void PrintReport(const Json& r) {
  std::cout << "Clustered " << r.value("profiles", 0) << " profiles into " << r.value("k", 0)
            << " clusters (seed " << r.value("seed", 0) << ", " << r.value("iterations", 0) << " iterations"
            << (r.value("converged", false) ? "" : ", not converged") << ", inertia " << Num(r["inertia"])
            << ").\n";
  if (!r.value("complete", true)) {
    std::cout << "Note: stopped at --max-profiles; the remaining profiles were not clustered.\n";
  }
  if (r.value("dry_run", false)) {
    std::cout << "Dry run: no trait stored.\n";
  } else {
    std::cout << "Stored trait '" << r.value("trait", "") << "' on " << r.value("written", 0) << " profiles.\n";
  }

  std::vector<std::vector<std::string>> stats = {{"FEATURE", "MEAN", "STD", "MISSING", ""}};
  std::vector<std::string> names;
  for (const Json& f : r["features"]) {
    names.push_back(f.value("name", ""));
    stats.push_back({names.back(), Num(f["mean"]), Num(f["std"]), std::to_string(f.value("missing", 0)),
                     f.value("constant", false) ? "constant (ignored)" : ""});
  }
  std::cout << "\n";
  PrintTable(stats);

  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header = {"CLUSTER", "SIZE", "SHARE"};
  header.insert(header.end(), names.begin(), names.end());
  table.push_back(std::move(header));
  for (const Json& c : r["clusters"]) {
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", 100.0 * c.value("share", 0.0));
    std::vector<std::string> row = {c.value("value", ""), std::to_string(c.value("size", 0)), share};
    for (const auto& n : names) row.push_back(Num(c["centroid"].value(n, Json())));
    table.push_back(std::move(row));
  }
  std::cout << "\nCentroids (original units):\n";
  PrintTable(table);
}

}  // namespace

void RegisterCluster(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "cluster",
      "Discover segments: k-means (k-means++ seeding, standardized features) over every "
      "profile, stored as a trait (\"c0\" = largest cluster) that segments can use. Prints "
      "cluster sizes and centroids.");
  auto f = std::make_shared<ClusterFlags>();
  cmd->add_option("--features", f->features,
                  "Comma-separated numeric inputs: configured feature names (purchases_30d), or "
                  "paths traits.<name>, features.<name>, profile.<field> (profile.event_count)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--k", f->k, "Number of clusters")->required()->check(CLI::Range(1, 1000));
  cmd->add_option("--trait", f->trait, "Trait that receives the label c0..c<k-1>")->capture_default_str();
  cmd->add_option("--seed", f->seed, "Random seed (same seed and data: same clusters)")->capture_default_str();
  cmd->add_option("--max-profiles", f->max_profiles, "Cluster at most this many profiles (default: 1000000)")
      ->check(CLI::Range(size_t{1}, size_t{100'000'000}));
  cmd->add_flag("--dry-run", f->dry_run, "Report only; store no trait");
  cmd->add_flag("--json", f->json, "Print the raw JSON response");
  f->endpoint.AddTo(cmd);
  cmd->callback([f, exit_code] {
    Json body = {{"features", f->features}, {"k", f->k}, {"trait", f->trait}, {"seed", f->seed},
                 {"dry_run", f->dry_run}};
    if (f->max_profiles > 0) body["max_profiles"] = f->max_profiles;
    auto endpoint = OpenEndpointOrReport(f->endpoint);
    if (!endpoint) {
      *exit_code = 1;
      return;
    }
    auto r = endpoint->Call(server::Method::kPost, "/v1/segments/cluster", body.dump());
    if (!r.ok() || r->status != 200 || f->json) {
      *exit_code = PrintResponse(r);
      if (*exit_code != 0 && r.ok() && r->status == 400) *exit_code = 2;  // invalid input
      return;
    }
    auto report = ParseJson(r->body);
    if (!report.ok()) {
      *exit_code = PrintResponse(r);
      return;
    }
    PrintReport(*report);
  });
}

}  // namespace tailor::cli
