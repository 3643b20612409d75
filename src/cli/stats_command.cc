// `tailor stats`: the offline statistics calculator. `compare` runs the frequentist
// (proportions z test or Welch t test, optionally sequential) and Bayesian comparison of
// a treatment against the control from summary numbers; `power` sizes an experiment;
// `srm` checks a sample ratio. The numbers are those the results API computes from the
// same sufficient statistics (experiments/stats/). Exit 2 on invalid input.
#include <charconv>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/json_doc.h"
#include "experiments/stats/bayesian.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/power.h"
#include "experiments/stats/sequential.h"
#include "experiments/stats/srm.h"

namespace tailor::cli {

namespace {

namespace st = experiments::stats;

int Fail(std::string_view what, const Status& s) {
  std::cerr << "error: " << what << ": ";
  if (!s.path().empty()) std::cerr << s.path() << ": ";
  std::cerr << s.message() << "\n";
  return 2;
}

Result<double> ParseNumber(std::string_view text, const std::string& what) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return InvalidArgument("not a number: '" + std::string(text) + "'", what);
  }
  return v;
}

// "a:b:c" or "a,b,c" -> numbers.
Result<std::vector<double>> ParseList(const std::string& text, char sep, const std::string& what) {
  std::vector<double> out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    TAILOR_ASSIGN_OR_RETURN(
        double v,
        ParseNumber(std::string_view(text).substr(
                        start, end == std::string::npos ? std::string::npos : end - start),
                    what));
    out.push_back(v);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// JSON has no NaN or infinity: such values (the open end of a one-sided interval) are null.
Json Num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
Json Range(const std::optional<st::Interval>& i) {
  if (!i) return nullptr;
  return Json::array({Num(i->lower), Num(i->upper)});
}
Json Opt(const std::optional<double>& v) { return v ? Num(*v) : Json(nullptr); }

void Print(const Json& j, bool json) {
  if (json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  for (const auto& [k, v] : j.items()) {
    std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  }
}

struct CompareFlags {
  std::string metric = "binomial";
  std::string control, treatment;
  double alpha = 0.05;
  std::string sided = "two";
  double sequential_tuning = 0;
  bool json = false;
};

Result<st::MetricStats> ParseArm(const CompareFlags& f, const std::string& text,
                                 const std::string& flag) {
  const bool binomial = f.metric == "binomial";
  TAILOR_ASSIGN_OR_RETURN(std::vector<double> v, ParseList(text, ':', flag));
  if (binomial) {
    if (v.size() != 2) return InvalidArgument("expected units:conversions, e.g. 1000:120", flag);
    if (v[0] < 0 || v[1] < 0 || v[1] > v[0]) {
      return InvalidArgument("need 0 <= conversions <= units", flag);
    }
    return st::FromConversions(v[0], v[1]);
  }
  if (v.size() != 3) return InvalidArgument("expected units:mean:sd, e.g. 1000:12.5:4.2", flag);
  if (v[0] < 0 || v[2] < 0) return InvalidArgument("units and sd must be >= 0", flag);
  return st::FromMeanSd(v[0], v[1], v[2]);
}

int RunCompare(const CompareFlags& f) {
  if (f.metric != "binomial" && f.metric != "mean") {
    return Fail("invalid --metric", InvalidArgument("must be binomial or mean"));
  }
  const bool binomial = f.metric == "binomial";
  Result<st::MetricStats> c = ParseArm(f, f.control, "--control");
  if (!c.ok()) return Fail("invalid input", c.status());
  Result<st::MetricStats> t = ParseArm(f, f.treatment, "--treatment");
  if (!t.ok()) return Fail("invalid input", t.status());
  Result<st::Sided> sided = st::ParseSided(f.sided);
  if (!sided.ok()) return Fail("invalid --sided", sided.status());
  st::TestOptions options;
  options.alpha = f.alpha;
  options.sided = *sided;
  if (Status s = options.Validate(); !s.ok()) return Fail("invalid --alpha", s);

  Result<st::Comparison> freq = Status();
  const bool sequential = f.sequential_tuning > 0;
  if (sequential) {
    if (*sided != st::Sided::kTwo) {
      return Fail("invalid --sided", InvalidArgument("sequential tests are two-sided"));
    }
    st::SequentialOptions so;
    so.alpha = f.alpha;
    so.tuning = f.sequential_tuning;
    freq = st::SequentialCompare(*c, *t, binomial, so);
  } else {
    freq = binomial ? st::CompareProportions(*c, *t, options) : st::WelchTTest(*c, *t, options);
  }
  if (!freq.ok()) return Fail("cannot compare", freq.status());
  st::BayesianOptions bo;
  bo.ci_level = 1 - f.alpha;
  Result<st::BayesianResult> bayes =
      binomial ? st::BayesianBinomial(*c, *t, bo) : st::BayesianGaussian(*c, *t, bo);
  if (!bayes.ok()) return Fail("cannot compare", bayes.status());

  Json out = Json::object();
  out["metric"] = f.metric;
  out["test"] = sequential ? "sequential" : binomial ? "z_proportions" : "welch_t";
  out["sided"] = std::string(st::SidedName(*sided));
  out["alpha"] = f.alpha;
  out["control"] = {{"n", Num(c->n)}, {"mean", Num(freq->control_mean)}};
  out["treatment"] = {{"n", Num(t->n)}, {"mean", Num(freq->treatment_mean)}};
  out["validity"] = std::string(st::ValidityName(freq->validity));
  out["p_value"] = Num(freq->p_value);
  out["significant"] = freq->validity == st::Validity::kOk && freq->p_value < f.alpha;
  out["rel_lift"] = Opt(freq->rel_lift);
  out["ci"] = Range(freq->rel_ci);
  out["abs_lift"] = Num(freq->abs_lift);
  out["abs_ci"] = Range(freq->abs_ci);
  out["statistic"] = Num(freq->statistic);
  if (!binomial && !sequential) out["df"] = Num(freq->df);
  out["chance_to_win"] = Num(bayes->chance_to_win);
  out["expected_loss"] = Num(bayes->expected_loss);
  out["expected_loss_control"] = Num(bayes->expected_loss_control);
  out["credible_interval"] = Range(bayes->rel_ci);
  Print(out, f.json);
  return 0;
}

struct PowerFlags {
  double baseline = 0;
  double mean = 0, sd = 0;
  double mde = 0;
  double alpha = 0.05;
  double power = 0.8;
  std::string sided = "two";
  bool json = false;
};

int RunPower(const PowerFlags& f, bool means) {
  Result<st::Sided> sided = st::ParseSided(f.sided);
  if (!sided.ok()) return Fail("invalid --sided", sided.status());
  st::PowerOptions o;
  o.alpha = f.alpha;
  o.power = f.power;
  o.sided = *sided;
  Result<int64_t> n = means ? st::SampleSizeMeans(f.mean, f.sd, f.mde, o)
                            : st::SampleSizeProportions(f.baseline, f.mde, o);
  if (!n.ok()) return Fail("invalid input", n.status());
  Json out = Json::object();
  out["metric"] = means ? "mean" : "binomial";
  if (means) {
    out["mean"] = f.mean;
    out["sd"] = f.sd;
  } else {
    out["baseline"] = f.baseline;
  }
  out["mde"] = f.mde;
  out["alpha"] = f.alpha;
  out["power"] = f.power;
  out["sided"] = std::string(st::SidedName(*sided));
  out["n_per_variation"] = *n;
  out["n_total"] = 2 * *n;
  Print(out, f.json);
  return 0;
}

struct SrmFlags {
  std::string observed, weights;
  double threshold = 0.001;
  bool json = false;
};

int RunSrm(const SrmFlags& f) {
  Result<std::vector<double>> observed = ParseList(f.observed, ',', "--observed");
  if (!observed.ok()) return Fail("invalid input", observed.status());
  std::vector<double> weights;
  if (!f.weights.empty()) {
    Result<std::vector<double>> w = ParseList(f.weights, ',', "--weights");
    if (!w.ok()) return Fail("invalid input", w.status());
    weights = std::move(w).value();
  }
  Result<st::SrmResult> r = st::SampleRatioMismatch(*observed, weights);
  if (!r.ok()) return Fail("invalid input", r.status());
  Json out = Json::object();
  out["chi_squared"] = Num(r->chi_squared);
  out["df"] = Num(r->df);
  out["p_value"] = Num(r->p_value);
  out["threshold"] = f.threshold;
  out["srm"] = r->p_value < f.threshold;
  Print(out, f.json);
  return 0;
}

}  // namespace

void RegisterStats(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "stats", "Offline experiment statistics: compare two variations, size a test, check SRM.");
  cmd->require_subcommand(1);

  auto cf = std::make_shared<CompareFlags>();
  auto* compare = cmd->add_subcommand(
      "compare",
      "Compare a treatment with the control: p-value, confidence intervals of the absolute and "
      "relative lift, Bayesian chance to win, expected loss and credible interval. Exits 2 on "
      "invalid input.");
  compare->add_option("--metric", cf->metric, "binomial (conversions) or mean")
      ->capture_default_str();
  compare
      ->add_option("--control", cf->control,
                   "binomial: UNITS:CONVERSIONS (1000:120); mean: UNITS:MEAN:SD (1000:12.5:4)")
      ->required();
  compare->add_option("--treatment", cf->treatment, "Same format as --control")->required();
  compare->add_option("--alpha", cf->alpha, "Significance level; intervals are 1 - alpha")
      ->capture_default_str();
  compare->add_option("--sided", cf->sided, "two, greater (treatment > control) or less")
      ->capture_default_str();
  compare
      ->add_option("--sequential", cf->sequential_tuning,
                   "Always-valid (sequential) intervals with this tuning parameter, about "
                   "the expected total units (e.g. 5000); 0 = fixed-horizon test")
      ->capture_default_str();
  compare->add_flag("--json", cf->json, "Print JSON");
  compare->callback([cf, exit_code] { *exit_code = RunCompare(*cf); });

  auto pf = std::make_shared<PowerFlags>();
  auto* power = cmd->add_subcommand(
      "power",
      "Units needed per variation to detect a relative MDE. Conversions: --baseline RATE; means: "
      "--mean M --sd SD. Exits 2 on invalid input.");
  auto* baseline =
      power->add_option("--baseline", pf->baseline, "Control conversion rate, e.g. 0.10");
  auto* mean = power->add_option("--mean", pf->mean, "Control mean (for a mean metric)");
  power->add_option("--sd", pf->sd, "Standard deviation of the metric (with --mean)");
  power->add_option("--mde", pf->mde, "Relative minimum detectable effect, e.g. 0.05 for +5%")
      ->required();
  power->add_option("--alpha", pf->alpha, "Significance level")->capture_default_str();
  power->add_option("--power", pf->power, "Power (1 - beta)")->capture_default_str();
  power->add_option("--sided", pf->sided, "two, greater or less")->capture_default_str();
  power->add_flag("--json", pf->json, "Print JSON");
  baseline->excludes(mean);
  power->callback([pf, exit_code, mean, baseline] {
    if (!*mean && !*baseline) {
      *exit_code = Fail("invalid input", InvalidArgument("give --baseline or --mean and --sd"));
      return;
    }
    *exit_code = RunPower(*pf, static_cast<bool>(*mean));
  });

  auto sf = std::make_shared<SrmFlags>();
  auto* srm = cmd->add_subcommand(
      "srm",
      "Sample ratio mismatch: chi-squared test of units per variation against the weights. "
      "Exits 2 on invalid input.");
  srm->add_option("--observed", sf->observed, "Units per variation, e.g. 1000,1200")->required();
  srm->add_option("--weights", sf->weights, "Configured weights, e.g. 0.5,0.5 (default equal)");
  srm->add_option("--threshold", sf->threshold, "p-value below which SRM is flagged")
      ->capture_default_str();
  srm->add_flag("--json", sf->json, "Print JSON");
  srm->callback([sf, exit_code] { *exit_code = RunSrm(*sf); });
}

}  // namespace tailor::cli
