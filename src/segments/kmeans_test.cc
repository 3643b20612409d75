#include "segments/kmeans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "core/json_doc.h"
#include "testutil/testutil.h"

namespace tailor::segments {
namespace {

// Points around `centers` (one blob per center, `per_blob` points, N(0, spread) noise),
// in blob order; `truth` receives the blob of every row.
FeatureMatrix Blobs(const std::vector<std::vector<double>>& centers, size_t per_blob, double spread,
                    uint64_t seed, std::vector<uint32_t>* truth) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> noise(0.0, spread);
  size_t cols = centers[0].size();
  FeatureMatrix m(centers.size() * per_blob, cols);
  truth->clear();
  for (size_t b = 0; b < centers.size(); ++b) {
    for (size_t p = 0; p < per_blob; ++p) {
      size_t row = b * per_blob + p;
      for (size_t j = 0; j < cols; ++j) m.at(row, j) = centers[b][j] + noise(gen);
      truth->push_back(static_cast<uint32_t>(b));
    }
  }
  return m;
}

// True when `a` and `b` describe the same partition (equal up to renaming labels).
bool SamePartition(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return false;
  std::map<uint32_t, uint32_t> ab, ba;
  for (size_t i = 0; i < a.size(); ++i) {
    auto [it1, new1] = ab.emplace(a[i], b[i]);
    auto [it2, new2] = ba.emplace(b[i], a[i]);
    if (it1->second != b[i] || it2->second != a[i]) return false;
  }
  return true;
}

// Z-scores with the population std (what KMeans documents), computed independently.
std::vector<std::vector<double>> Standardize(const FeatureMatrix& m) {
  std::vector<std::vector<double>> z(m.rows, std::vector<double>(m.cols));
  for (size_t j = 0; j < m.cols; ++j) {
    double mean = 0, ss = 0;
    for (size_t i = 0; i < m.rows; ++i) mean += m.at(i, j);
    mean /= static_cast<double>(m.rows);
    for (size_t i = 0; i < m.rows; ++i) ss += (m.at(i, j) - mean) * (m.at(i, j) - mean);
    double sd = std::sqrt(ss / static_cast<double>(m.rows));
    for (size_t i = 0; i < m.rows; ++i) z[i][j] = sd > 0 ? (m.at(i, j) - mean) / sd : 0.0;
  }
  return z;
}

// The k-means objective of a labelling (centroids = cluster means).
double Inertia(const std::vector<std::vector<double>>& z, const std::vector<uint32_t>& labels, size_t k) {
  size_t cols = z[0].size();
  std::vector<std::vector<double>> sum(k, std::vector<double>(cols, 0.0));
  std::vector<size_t> n(k, 0);
  for (size_t i = 0; i < z.size(); ++i) {
    ++n[labels[i]];
    for (size_t j = 0; j < cols; ++j) sum[labels[i]][j] += z[i][j];
  }
  double total = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    for (size_t j = 0; j < cols; ++j) {
      double d = z[i][j] - sum[labels[i]][j] / static_cast<double>(n[labels[i]]);
      total += d * d;
    }
  }
  return total;
}

// The minimum objective over every partition into exactly k non-empty clusters.
double BruteForceOptimum(const std::vector<std::vector<double>>& z, size_t k) {
  size_t n = z.size();
  std::vector<uint32_t> labels(n, 0);
  double best = INFINITY;
  size_t total = 1;
  for (size_t i = 0; i < n; ++i) total *= k;
  for (size_t code = 0; code < total; ++code) {
    size_t c = code;
    std::vector<bool> used(k, false);
    for (size_t i = 0; i < n; ++i, c /= k) {
      labels[i] = static_cast<uint32_t>(c % k);
      used[labels[i]] = true;
    }
    if (std::find(used.begin(), used.end(), false) != used.end()) continue;
    best = std::min(best, Inertia(z, labels, k));
  }
  return best;
}

TEST(KMeans, RecoversWellSeparatedBlobs) {
  for (uint64_t seed : {1u, 2u, 3u, 42u, 2024u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::cout << "[ seed     ] RecoversWellSeparatedBlobs " << seed << "\n";
    // Columns on very different scales: standardization must make both count.
    std::vector<std::vector<double>> centers = {{0, 0, 0}, {20, 0, 2000}, {0, 20, 4000}, {20, 20, 0}};
    std::vector<uint32_t> truth;
    FeatureMatrix m = Blobs(centers, 60, 1.0, seed, &truth);
    SeededRandom random(seed);
    KMeansOptions o;
    o.k = 4;
    auto r = KMeans(m, o, random);
    ASSERT_OK(r);
    EXPECT_TRUE(SamePartition(truth, r->labels));
    EXPECT_EQ(r->sizes, (std::vector<size_t>{60, 60, 60, 60}));
    EXPECT_TRUE(r->converged);
    // Centroids in original units land near the generating centers.
    for (uint32_t c = 0; c < 4; ++c) {
      uint32_t blob = truth[std::find(r->labels.begin(), r->labels.end(), c) - r->labels.begin()];
      for (size_t j = 0; j < 3; ++j) EXPECT_NEAR(r->centroids_original[c][j], centers[blob][j], 0.5);
    }
  }
}

TEST(KMeans, DeterministicForAFixedSeed) {
  uint64_t seed = 7;
  std::cout << "[ seed     ] DeterministicForAFixedSeed " << seed << "\n";
  std::vector<uint32_t> truth;
  // Overlapping blobs, so the result depends on the seeding and restarts.
  FeatureMatrix m = Blobs({{0, 0}, {2, 1}, {1, 3}}, 40, 1.5, seed, &truth);
  KMeansOptions o;
  o.k = 5;
  o.n_init = 3;
  SeededRandom r1(seed), r2(seed);
  auto a = KMeans(m, o, r1);
  auto b = KMeans(m, o, r2);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->labels, b->labels);
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(a->inertia, b->inertia);
  EXPECT_EQ(a->iterations, b->iterations);
}

TEST(KMeans, KOneGivesTheMean) {
  FeatureMatrix m(5, 2);
  double xs[5][2] = {{1, 100}, {2, 300}, {3, 200}, {4, 500}, {10, 400}};
  for (size_t i = 0; i < 5; ++i) {
    for (size_t j = 0; j < 2; ++j) m.at(i, j) = xs[i][j];
  }
  SeededRandom random(1);
  KMeansOptions o;
  o.k = 1;
  auto r = KMeans(m, o, random);
  ASSERT_OK(r);
  EXPECT_NEAR(r->centroids_original[0][0], 4.0, 1e-12);
  EXPECT_NEAR(r->centroids_original[0][1], 300.0, 1e-12);
  EXPECT_NEAR(r->centroids[0][0], 0.0, 1e-12);
  EXPECT_NEAR(r->features[1].mean, 300.0, 1e-12);
  EXPECT_NEAR(r->features[1].std, std::sqrt(20000.0), 1e-9);
  // Each standardized column has variance 1: the inertia of one cluster is rows * cols.
  EXPECT_NEAR(r->inertia, 10.0, 1e-9);
  EXPECT_EQ(r->sizes, (std::vector<size_t>{5}));
}

TEST(KMeans, KAboveRowsIsAnError) {
  FeatureMatrix m(3, 1);
  for (size_t i = 0; i < 3; ++i) m.at(i, 0) = static_cast<double>(i);
  SeededRandom random(1);
  KMeansOptions o;
  o.k = 4;
  auto r = KMeans(m, o, random);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().path(), "k");
}

TEST(KMeans, OptionsValidate) {
  KMeansOptions o;
  EXPECT_OK(o.Validate(10));
  o.max_iterations = 0;
  EXPECT_EQ(o.Validate(10).path(), "max_iterations");
  o = {};
  o.n_init = 0;
  EXPECT_EQ(o.Validate(10).path(), "n_init");
  o = {};
  o.tolerance = -1;
  EXPECT_EQ(o.Validate(10).path(), "tolerance");
  o.tolerance = NAN;
  EXPECT_EQ(o.Validate(10).path(), "tolerance");
  o = {};
  o.k = 0;
  EXPECT_EQ(o.Validate(10).path(), "k");
}

TEST(KMeans, ConstantColumnIsReportedAndIgnored) {
  uint64_t seed = 11;
  std::cout << "[ seed     ] ConstantColumnIsReportedAndIgnored " << seed << "\n";
  std::vector<uint32_t> truth;
  FeatureMatrix m = Blobs({{0, 7}, {10, 7}}, 30, 0.5, seed, &truth);
  for (size_t i = 0; i < m.rows; ++i) m.at(i, 1) = 0.1;  // not exactly representable
  SeededRandom random(seed);
  KMeansOptions o;
  auto r = KMeans(m, o, random);
  ASSERT_OK(r);
  EXPECT_TRUE(r->features[1].constant);
  EXPECT_FALSE(r->features[0].constant);
  EXPECT_EQ(r->features[1].std, 0.0);
  EXPECT_EQ(r->features[1].mean, 0.1);
  EXPECT_TRUE(SamePartition(truth, r->labels));
  for (size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(r->centroids[c][1], 0.0);
    EXPECT_EQ(r->centroids_original[c][1], 0.1);
  }
}

TEST(KMeans, MissingValuesAreImputedAndCounted) {
  FeatureMatrix m(6, 2);
  double xs[6][2] = {{0, 0}, {1, NAN}, {0, 1}, {10, 10}, {NAN, 11}, {11, 10}};
  for (size_t i = 0; i < 6; ++i) {
    for (size_t j = 0; j < 2; ++j) m.at(i, j) = xs[i][j];
  }
  m.at(2, 0) = INFINITY;  // any non-finite value counts as missing
  SeededRandom random(3);
  KMeansOptions o;
  auto r = KMeans(m, o, random);
  ASSERT_OK(r);
  EXPECT_EQ(r->features[0].missing, 2u);
  EXPECT_EQ(r->features[1].missing, 1u);
  EXPECT_NEAR(r->features[0].mean, 22.0 / 4, 1e-12);  // present values only
  EXPECT_NEAR(r->features[1].mean, 32.0 / 5, 1e-12);
  // Population std of the imputed column: imputed cells sit at the mean.
  double m0 = 5.5;
  double ss0 = m0 * m0 + (1 - m0) * (1 - m0) + (10 - m0) * (10 - m0) + (11 - m0) * (11 - m0);
  EXPECT_NEAR(r->features[0].std, std::sqrt(ss0 / 6), 1e-12);
  EXPECT_EQ(r->sizes.size(), 2u);
  EXPECT_EQ(r->sizes[0] + r->sizes[1], 6u);
  EXPECT_EQ(r->labels[0], r->labels[2]);
  EXPECT_EQ(r->labels[3], r->labels[5]);
  EXPECT_NE(r->labels[0], r->labels[3]);
}

TEST(KMeans, MatchesBruteForceOptimumOnTinyInputs) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(-5, 5);
    size_t k = seed % 3 == 0 ? 3 : 2;
    size_t rows = k == 3 ? 7 : 6;
    FeatureMatrix m(rows, 2);
    for (double& v : m.values) v = u(gen);
    SeededRandom random(seed);
    KMeansOptions o;
    o.k = k;
    auto r = KMeans(m, o, random);
    ASSERT_OK(r);
    auto z = Standardize(m);
    double optimum = BruteForceOptimum(z, k);
    EXPECT_NEAR(r->inertia, optimum, 1e-9 * std::max(1.0, optimum));
    // The reported inertia is the objective of the reported labels.
    EXPECT_NEAR(r->inertia, Inertia(z, r->labels, k), 1e-9);
  }
  std::cout << "[ seed     ] MatchesBruteForceOptimumOnTinyInputs 1..30\n";
}

TEST(KMeans, CaseFiles) {
  std::ifstream in(std::string(TAILOR_SEGMENTS_TESTDATA) + "/kmeans_cases.json");
  ASSERT_TRUE(in) << "missing kmeans_cases.json";
  std::stringstream text;
  text << in.rdbuf();
  auto doc = ParseJson(text.str());
  ASSERT_OK(doc);
  for (const Json& c : (*doc)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const Json& rows = c["rows"];
    FeatureMatrix m(rows.size(), rows[0].size());
    for (size_t i = 0; i < m.rows; ++i) {
      for (size_t j = 0; j < m.cols; ++j) m.at(i, j) = rows[i][j].is_number() ? rows[i][j].get<double>() : kMissing;
    }
    KMeansOptions o;
    o.k = c["k"].get<size_t>();
    SeededRandom random(c.value("seed", uint64_t{1}));
    auto r = KMeans(m, o, random);
    if (c.contains("error")) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(StatusCodeName(r.status().code()), c["error"]["code"].get<std::string>());
      EXPECT_EQ(r.status().path(), c["error"]["path"].get<std::string>());
      continue;
    }
    ASSERT_OK(r);
    const Json& e = c["expect"];
    size_t total = 0;
    for (size_t s : r->sizes) {
      EXPECT_GT(s, 0u);
      total += s;
    }
    EXPECT_EQ(total, m.rows);
    if (e.contains("sizes")) {
      EXPECT_EQ(r->sizes, e["sizes"].get<std::vector<size_t>>());
    }
    if (e.contains("inertia")) {
      EXPECT_NEAR(r->inertia, e["inertia"].get<double>(), 1e-9);
    }
    if (e.contains("centroids_original")) {
      auto want = e["centroids_original"].get<std::vector<std::vector<double>>>();
      ASSERT_EQ(want.size(), r->centroids_original.size());
      for (size_t l = 0; l < want.size(); ++l) {
        for (size_t j = 0; j < want[l].size(); ++j) EXPECT_NEAR(r->centroids_original[l][j], want[l][j], 1e-9);
      }
    }
    for (size_t j = 0; j < m.cols; ++j) {
      if (e.contains("missing")) {
        EXPECT_EQ(r->features[j].missing, e["missing"][j].get<size_t>());
      }
      if (e.contains("constant")) {
        EXPECT_EQ(r->features[j].constant, e["constant"][j].get<bool>());
      }
    }
  }
}

}  // namespace
}  // namespace tailor::segments
