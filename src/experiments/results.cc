#include "experiments/results.h"

#include <cmath>

#include "experiments/stats/bayesian.h"
#include "experiments/stats/cuped.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/multiple_testing.h"
#include "experiments/stats/sequential.h"
#include "experiments/stats/srm.h"

namespace tailor::experiments {

namespace {

namespace st = stats;

Json Num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
Json Opt(const std::optional<double>& v) { return v ? Num(*v) : Json(nullptr); }
Json Range(const std::optional<st::Interval>& i) {
  if (!i) return nullptr;
  return Json::array({Num(i->lower), Num(i->upper)});
}

// A ratio metric (y = numerator, x = denominator per unit) as the mean-metric summary the
// tests read: mean Σy/Σx and the delta-method unit variance
// (Var(y) - 2R Cov(x, y) + R² Var(x)) / x̄².
st::MetricStats RatioAsMean(const st::MetricStats& s) {
  if (s.n < 1 || s.x_sum == 0) return st::FromMeanSd(s.n, 0, 0);
  const double r = s.sum / s.x_sum, mx = s.XMean();
  double var = (s.Variance() - 2 * r * s.Covariance() + r * r * s.XVariance()) / (mx * mx);
  if (!(var > 0)) var = 0;
  return st::FromMeanSd(s.n, r, std::sqrt(var));
}

double MeanOf(const MetricDef& m, const st::MetricStats& s) {
  if (m.is_ratio()) return s.x_sum != 0 ? s.sum / s.x_sum : 0;
  return s.Mean();
}

Result<st::Comparison> Compare(const MetricDef& m, const st::MetricStats& c,
                               const st::MetricStats& t, const ResultsOptions& o, bool* cuped_used) {
  *cuped_used = false;
  st::TestOptions to;
  to.alpha = o.alpha;
  if (o.method == ResultsMethod::kSequential) {
    st::SequentialOptions so;
    so.alpha = o.alpha;
    so.tuning = o.sequential_tuning;
    return st::SequentialCompare(c, t, m.is_binomial(), so);
  }
  if (m.is_binomial()) {
    if (o.cuped && !m.cuped_feature.empty()) {
      *cuped_used = true;
      return st::CupedWelchTTest(c, t, to);
    }
    return st::CompareProportions(c, t, to);
  }
  if (o.cuped && !m.cuped_feature.empty()) {
    *cuped_used = true;
    return st::CupedWelchTTest(c, t, to);
  }
  return st::WelchTTest(c, t, to);
}

}  // namespace

Result<ResultsMethod> ParseResultsMethod(std::string_view text) {
  if (text == "frequentist") return ResultsMethod::kFrequentist;
  if (text == "sequential") return ResultsMethod::kSequential;
  if (text == "bayesian") return ResultsMethod::kBayesian;
  return InvalidArgument("must be frequentist, sequential or bayesian", "method");
}

std::string_view ResultsMethodName(ResultsMethod m) {
  switch (m) {
    case ResultsMethod::kFrequentist:
      return "frequentist";
    case ResultsMethod::kSequential:
      return "sequential";
    case ResultsMethod::kBayesian:
      return "bayesian";
  }
  return "frequentist";
}

Json ExperimentSummary(const ConfiguredExperiment& e, const ExperimentAggregates& a) {
  Json out = Json::object();
  out["key"] = e.key();
  out["status"] = std::string(ExperimentStatusName(e.experiment.status));
  Json vars = Json::array();
  for (size_t v = 0; v < e.variations.size(); ++v) {
    vars.push_back({{"id", v},
                    {"name", e.variations[v].name},
                    {"weight", Num(e.experiment.weights[v])},
                    {"units", Num(v < a.units.size() ? a.units[v] : 0)}});
  }
  out["variations"] = std::move(vars);
  out["metrics"] = e.metrics;
  out["guardrails"] = e.guardrails;
  return out;
}

Result<Json> ComputeResults(const ConfiguredExperiment& e, const ExperimentSet& set,
                            const ExperimentAggregates& agg, const ResultsOptions& o) {
  if (!(o.alpha > 0 && o.alpha < 1)) return InvalidArgument("must be in (0, 1)", "alpha");
  const size_t nv = e.variations.size();
  std::vector<double> units(nv, 0);
  for (size_t v = 0; v < nv && v < agg.units.size(); ++v) units[v] = agg.units[v];

  Json out = ExperimentSummary(e, agg);
  out["method"] = std::string(ResultsMethodName(o.method));
  out["cuped"] = o.cuped;
  out["alpha"] = o.alpha;

  TAILOR_ASSIGN_OR_RETURN(st::SrmResult srm, st::SampleRatioMismatch(units, e.experiment.weights));
  out["srm"] = {{"chi_squared", Num(srm.chi_squared)},
                {"p_value", Num(srm.p_value)},
                {"threshold", o.srm_threshold},
                {"ok", !(srm.p_value < o.srm_threshold)}};

  st::BayesianOptions bo;
  bo.ci_level = 1 - o.alpha;
  std::vector<double> p_values;
  std::vector<Json*> rows;
  Json metrics = Json::array();
  for (const std::string& name : e.AllMetrics()) {
    const MetricDef* m = set.FindMetric(name);
    if (m == nullptr) continue;
    const bool guardrail =
        std::find(e.metrics.begin(), e.metrics.end(), name) == e.metrics.end();
    std::vector<st::MetricStats> per_v(nv);
    if (auto it = agg.metrics.find(name); it != agg.metrics.end()) {
      for (size_t v = 0; v < nv && v < it->second.size(); ++v) per_v[v] = it->second[v];
    }
    for (size_t v = 0; v < nv; ++v) per_v[v].n = units[v];
    Json mj = {{"metric", name},
               {"type", std::string(MetricKindName(m->kind))},
               {"guardrail", guardrail}};
    Json vars = Json::array();
    for (size_t v = 0; v < nv; ++v) {
      vars.push_back({{"id", v},
                      {"name", e.variations[v].name},
                      {"units", Num(units[v])},
                      {"mean", Num(MeanOf(*m, per_v[v]))},
                      {"total", Num(per_v[v].sum)}});
    }
    mj["variations"] = std::move(vars);
    mj["comparisons"] = Json::array();
    const st::MetricStats control = m->is_ratio() ? RatioAsMean(per_v[0]) : per_v[0];
    for (size_t v = 1; v < nv; ++v) {
      const st::MetricStats treat = m->is_ratio() ? RatioAsMean(per_v[v]) : per_v[v];
      bool cuped_used = false;
      TAILOR_ASSIGN_OR_RETURN(st::Comparison c, Compare(*m, control, treat, o, &cuped_used));
      auto b = m->is_binomial() ? st::BayesianBinomial(control, treat, bo)
                                : st::BayesianGaussian(control, treat, bo);
      if (!b.ok()) return b.status();
      Json cj = {{"variation", v},
                 {"name", e.variations[v].name},
                 {"validity", std::string(st::ValidityName(c.validity))},
                 {"abs_lift", Num(c.abs_lift)},
                 {"abs_ci", Range(c.abs_ci)},
                 {"rel_lift", Opt(c.rel_lift)},
                 {"rel_ci", Range(c.rel_ci)},
                 {"p_value", Num(c.p_value)},
                 {"cuped", cuped_used},
                 {"chance_to_beat_control", Num(b->chance_to_win)},
                 {"expected_loss", Num(b->expected_loss)},
                 {"credible_interval", Range(b->rel_ci)}};
      const bool significant = o.method == ResultsMethod::kBayesian
                                   ? (b->chance_to_win > 1 - o.alpha / 2 ||
                                      b->chance_to_win < o.alpha / 2)
                                   : c.p_value < o.alpha;
      cj["significant"] = significant;
      mj["comparisons"].push_back(std::move(cj));
      p_values.push_back(std::isfinite(c.p_value) ? c.p_value : 1);
    }
    metrics.push_back(std::move(mj));
  }
  // Adjust over every variation × metric comparison, in output order.
  if (!p_values.empty()) {
    TAILOR_ASSIGN_OR_RETURN(auto holm, st::HolmAdjust(p_values));
    TAILOR_ASSIGN_OR_RETURN(auto bh, st::BenjaminiHochbergAdjust(p_values));
    size_t i = 0;
    for (Json& mj : metrics) {
      for (Json& cj : mj["comparisons"]) {
        cj["p_value_holm"] = Num(holm[i]);
        cj["p_value_bh"] = Num(bh[i]);
        ++i;
      }
    }
  }
  out["results"] = std::move(metrics);
  return out;
}

}  // namespace tailor::experiments
