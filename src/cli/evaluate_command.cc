// `tailor evaluate`: offline evaluation of recommenders on an interactions file. Reads
// the file, splits it per user (stratified or temporal), trains each model on the
// training part and prints ranking, coverage, novelty, diversity and popularity-bias
// metrics against the held-out part, always next to the popularity baseline. The
// protocol and metric definitions are in docs/recommendations.md.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/clock.h"
#include "core/json_util.h"
#include "core/random.h"
#include "recommenders/evaluate.h"
#include "recommenders/interactions_csv.h"
#include "recommenders/item_catalog.h"
#include "recommenders/registry.h"
#include "recommenders/split.h"

namespace tailor::cli {

namespace {

namespace rec = tailor::recommenders;

struct EvaluateFlags {
  std::string interactions;
  std::string columns = "user,item";
  std::string sep = ",";
  bool header = false;
  std::string split = "stratified:0.75";
  uint64_t seed = 42;
  std::string models = "popularity";
  size_t k = 10;
  bool json = false;
  int threads = 1;
  std::vector<std::string> params;
  std::vector<std::string> event_weights;
  bool binary = false;
  double min_value = -1e300;
  double decay_half_life_days = 0;
  std::string catalog;
  std::string catalog_format = "tsv";
  size_t show_errors = 5;
};

// Reports progress of one step on stderr, only on a terminal. Thread-safe: training and
// evaluation call back from worker threads.
class StepProgress {
 public:
  explicit StepProgress(std::string label) {
    if (isatty(STDERR_FILENO) == 1) bar_.emplace(std::move(label), 1000, "‰");
  }
  rec::ProgressFn Fn() {
    if (!bar_) return {};
    return [this](std::string_view stage, double fraction) {
      std::lock_guard<std::mutex> lock(mu_);
      bar_->Update(static_cast<uint64_t>(fraction * 1000), std::string(stage));
    };
  }
  void Finish() {
    if (bar_) bar_->Finish();
  }

 private:
  std::mutex mu_;
  std::optional<ProgressBar> bar_;
};

int Fail(const std::string& what, const Status& st, int code) {
  std::cerr << "error: " << what << (what.empty() ? "" : ": ") << st.message();
  if (!st.path().empty()) std::cerr << " (" << st.path() << ")";
  std::cerr << "\n";
  return code;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = std::min(s.find(',', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct ModelRun {
  std::string name;
  rec::EvalMetrics metrics;
  double train_seconds = 0;
  std::string params_json;
  size_t memory_bytes = 0;
};

int Run(const EvaluateFlags& f) {
  // Flags -> options.
  rec::CsvOptions csv;
  csv.columns = f.columns;
  csv.header = f.header;
  csv.max_reported_errors = f.show_errors;
  auto sep = rec::ParseSeparator(f.sep);
  if (!sep.ok()) return Fail("invalid --sep", sep.status(), 2);
  csv.separator = *sep;
  for (const std::string& ew : f.event_weights) {
    size_t eq = ew.find('=');
    double w = 0;
    if (eq == std::string::npos || eq == 0 || std::sscanf(ew.c_str() + eq + 1, "%lf", &w) != 1) {
      return Fail("invalid --event-weight",
                  InvalidArgument("expected TYPE=WEIGHT, got '" + ew + "'"), 2);
    }
    csv.interaction.event_weights[ew.substr(0, eq)] = w;
  }
  rec::InteractionOptions iopts = csv.interaction;
  iopts.binary = f.binary;
  iopts.min_value = f.min_value;
  iopts.decay_half_life_seconds = f.decay_half_life_days * 86400.0;
  if (Status st = iopts.Validate(); !st.ok()) return Fail("invalid options", st, 2);
  auto spec = rec::SplitSpec::Parse(f.split);
  if (!spec.ok()) return Fail("invalid --split", spec.status(), 2);
  if (f.k < 1 || f.k > 10000)
    return Fail("invalid --k", InvalidArgument("must be in [1, 10000]"), 2);

  std::vector<std::string> names = SplitList(f.models);
  if (names.empty()) return Fail("invalid --model", InvalidArgument("no model given"), 2);
  if (std::find(names.begin(), names.end(), "popularity") == names.end()) {
    names.insert(names.begin(), "popularity");  // the baseline, always on the same split
  }
  std::map<std::string, rec::ModelParams> params;
  for (const std::string& p : f.params) {
    size_t dot = p.find('.'), eq = p.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq || dot == 0) {
      return Fail("invalid --param", InvalidArgument("expected MODEL.NAME=VALUE, got '" + p + "'"),
                  2);
    }
    std::string model = p.substr(0, dot);
    if (std::find(names.begin(), names.end(), model) == names.end()) {
      return Fail(
          "invalid --param",
          InvalidArgument("'" + p + "' is for model " + model + ", which is not in --model"), 2);
    }
    params[model][p.substr(dot + 1, eq - dot - 1)] = p.substr(eq + 1);
  }
  std::vector<std::unique_ptr<rec::Recommender>> models;
  for (const std::string& n : names) {
    auto m = rec::CreateModel(n, params[n]);
    if (!m.ok()) return Fail("invalid --model/--param", m.status(), 2);
    models.push_back(std::move(m).value());
  }
  std::optional<rec::ItemCatalog> catalog;
  if (!f.catalog.empty()) {
    auto c = f.catalog_format == "movielens" ? rec::ItemCatalog::LoadMovieLens(f.catalog)
                                             : rec::ItemCatalog::LoadTsv(f.catalog);
    if (!c.ok()) return Fail("cannot read --catalog", c.status(), 2);
    catalog = std::move(c).value();
  }

  // Read and split.
  rec::RawInteractions raw;
  rec::CsvReport report;
  Status st = rec::ReadInteractionsCsvFile(f.interactions, csv, &raw, &report);
  if (report.bad > 0) {
    std::cerr << "warning: " << report.bad << " of " << report.lines << " rows are malformed";
    std::cerr << (report.bad > report.errors.size()
                      ? " (first " + std::to_string(report.errors.size()) + " shown)"
                      : "")
              << "\n";
    for (const auto& e : report.errors) std::cerr << "  " << e << "\n";
  }
  if (!st.ok()) return Fail("cannot read " + f.interactions, st, 2);
  SeededRandom random(f.seed);
  auto split = rec::SplitInteractions(raw, *spec, random);
  if (!split.ok()) return Fail("cannot split", split.status(), 2);
  auto train = rec::Interactions::Build(split->train, iopts);
  if (!train.ok()) return Fail("training set", train.status(), 2);
  auto test = rec::Interactions::Build(split->test, iopts);
  if (!test.ok()) return Fail("test set", test.status(), 2);
  if (!f.json) {
    std::cerr << "read " << report.accepted << " interactions (" << raw.users->size() << " users, "
              << raw.items->size() << " items); split " << f.split << " seed " << f.seed << ": "
              << train->nnz() << " train, " << test->nnz() << " test\n";
  }

  rec::TrainOptions topts;
  topts.threads = f.threads;
  topts.seed = f.seed;
  topts.catalog = catalog ? &*catalog : nullptr;
  if (Status v = topts.Validate(); !v.ok()) return Fail("invalid --threads", v, 2);
  rec::EvalOptions eopts;
  eopts.k = f.k;
  eopts.threads = f.threads;
  eopts.catalog = topts.catalog;
  SystemClock clock;
  std::vector<ModelRun> runs;
  for (auto& model : models) {
    ModelRun run;
    run.name = std::string(model->name());
    const int64_t t0 = clock.MonotonicNs();
    {
      StepProgress p("train " + run.name);
      Status fit = model->Fit(*train, topts, p.Fn());
      p.Finish();
      if (!fit.ok())
        return Fail("training " + run.name, fit, fit.code() == StatusCode::kInternal ? 1 : 2);
    }
    run.train_seconds = static_cast<double>(clock.MonotonicNs() - t0) / 1e9;
    StepProgress p("evaluate " + run.name);
    auto m = rec::EvaluateModel(*model, *train, *test, eopts, p.Fn());
    p.Finish();
    if (!m.ok()) return Fail("evaluating " + run.name, m.status(), 1);
    run.metrics = *m;
    run.params_json = model->ParamsJson();
    run.memory_bytes = model->MemoryBytes();
    runs.push_back(std::move(run));
    model.reset();  // free before the next model trains
  }

  if (f.json) {
    std::string out = "{\"split\":";
    AppendJsonString(&out, f.split);
    out += ",\"seed\":";
    AppendJsonInt(&out, f.seed);
    out += ",\"k\":";
    AppendJsonInt(&out, f.k);
    out += ",\"users\":";
    AppendJsonInt(&out, raw.users->size());
    out += ",\"items\":";
    AppendJsonInt(&out, raw.items->size());
    out += ",\"train_interactions\":";
    AppendJsonInt(&out, train->nnz());
    out += ",\"test_interactions\":";
    AppendJsonInt(&out, test->nnz());
    out += ",\"bad_rows\":";
    AppendJsonInt(&out, report.bad);
    out += ",\"models\":{";
    for (size_t r = 0; r < runs.size(); ++r) {
      if (r) out += ',';
      AppendJsonString(&out, runs[r].name);
      out += ":{";
      for (const auto& [name, v] : runs[r].metrics.Named()) {
        AppendJsonString(&out, name);
        out += ':';
        AppendJsonDouble(&out, v);
        out += ',';
      }
      out += "\"users\":";
      AppendJsonInt(&out, runs[r].metrics.users);
      out += ",\"train_seconds\":";
      AppendJsonDouble(&out, runs[r].train_seconds);
      out += ",\"memory_bytes\":";
      AppendJsonInt(&out, runs[r].memory_bytes);
      out += ",\"params\":" + runs[r].params_json + "}";
    }
    out += "}}";
    std::cout << out << "\n";
    return 0;
  }
  // Table.
  std::vector<std::string> header = {"model"};
  for (const auto& [name, v] : runs[0].metrics.Named()) header.push_back(name);
  header.push_back("train_s");
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    std::vector<std::string> row = {r.name};
    char buf[32];
    for (const auto& [name, v] : r.metrics.Named()) {
      std::snprintf(buf, sizeof(buf), name == "avg_popularity" ? "%.1f" : "%.4f", v);
      row.push_back(buf);
    }
    std::snprintf(buf, sizeof(buf), "%.2f", r.train_seconds);
    row.push_back(buf);
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      if (c == 0) {
        cell.append(width[c] - cell.size(), ' ');
      } else {
        cell.insert(0, width[c] - cell.size(), ' ');
      }
      std::cout << (c ? "  " : "") << cell;
    }
    std::cout << "\n";
  };
  print(header);
  for (const auto& row : rows) print(row);
  std::cout << "(" << runs[0].metrics.users << " users evaluated, k=" << f.k
            << ", training items excluded)\n";
  return 0;
}

}  // namespace

void RegisterEvaluate(CLI::App& app, int* exit_code) {
  std::string models_help =
      "Models to evaluate, comma-separated; popularity is always added as the baseline. Known:";
  for (const auto& m : rec::RegisteredModels()) {
    models_help += "\n  " + std::string(m.name) + ": " + std::string(m.summary);
  }
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Train recommenders on a split of an interactions file and print precision, recall, "
      "nDCG, MAP, MRR, hit rate, coverage, novelty, diversity and popularity bias at k, "
      "next to the popularity baseline. Reads a CSV/TSV file (reading from the store is "
      "not supported yet). Exits 2 on invalid input, 1 when training fails.");
  auto f = std::make_shared<EvaluateFlags>();
  cmd->add_option("--interactions", f->interactions,
                  "Interactions file (CSV/TSV, one interaction per line)")
      ->required();
  cmd->add_option("--columns", f->columns,
                  "Column names in file order: user,item[,weight|rating][,timestamp][,event]; "
                  "_ skips a column")
      ->capture_default_str();
  cmd->add_option("--sep", f->sep, "Field separator: ',' TAB ';' '|' '::' ...")
      ->capture_default_str();
  cmd->add_flag("--header", f->header, "The first line is a header");
  cmd->add_option(
         "--split", f->split,
         "stratified:TRAIN_RATIO (per-user random) or temporal:TEST_FRACTION (per-user latest)")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "Seed of the split and of model training")
      ->capture_default_str();
  cmd->add_option("--model", f->models, models_help)->capture_default_str();
  cmd->add_option("--k", f->k, "List length")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print one JSON object (an object per model under \"models\")");
  cmd->add_option("--threads", f->threads, "Threads for training and evaluation")
      ->capture_default_str();
  cmd->add_option(
      "--param", f->params,
      "Model parameter MODEL.NAME=VALUE, repeatable (e.g. als.factors=64, ease.lambda=300, "
      "hybrid.ease.lambda=300); see docs/recommendations.md");
  cmd->add_option("--event-weight", f->event_weights,
                  "Weight of an event type for an `event` column, TYPE=WEIGHT, repeatable "
                  "(defaults view=1 add_to_cart=3 purchase=5)");
  cmd->add_flag("--binary", f->binary,
                "Every interaction weighs 1 (ratings become positive interactions)");
  cmd->add_option("--min-value", f->min_value, "Drop rows whose weight/rating is below this");
  cmd->add_option("--decay-half-life-days", f->decay_half_life_days,
                  "Time-decay interaction weights with this half-life (0 = off)")
      ->capture_default_str();
  cmd->add_option("--catalog", f->catalog, "Item catalog for the content model");
  cmd->add_option("--catalog-format", f->catalog_format,
                  "tsv (id, title, categories|..., tags|...) or movielens (u.item)")
      ->check(CLI::IsMember({"tsv", "movielens"}))
      ->capture_default_str();
  cmd->add_option("--show-errors", f->show_errors, "How many malformed rows to describe")
      ->capture_default_str();
  cmd->callback([f, exit_code] { *exit_code = Run(*f); });
}

}  // namespace tailor::cli
