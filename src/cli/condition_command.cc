// `tailor condition eval`: compiles a condition and evaluates it against attributes given
// on the command line; prints `true` or `false`. For trying out and debugging the
// condition language (docs/conditions.md) without a server.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "condition/condition.h"
#include "condition/json_document.h"
#include "core/json_doc.h"

namespace tailor::cli {

namespace {

struct EvalFlags {
  std::string condition;
  std::string attributes = "{}";
  std::string saved_groups;
  bool growthbook = false;
};

// ParseJson, also stopping the out_of_range nlohmann throws for overflowing numbers.
Result<Json> ParseArg(const std::string& text) {
  try {
    return ParseJson(text);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
}

// Returns the exit code: 0 evaluated, 2 bad input (reason on stderr).
int RunEval(const EvalFlags& f) {
  auto fail = [](std::string_view what, const Status& st) {
    std::cerr << "error: " << what << ": ";
    if (!st.path().empty()) std::cerr << st.path() << ": ";
    std::cerr << st.message() << "\n";
    return 2;
  };
  condition::CompileOptions options;
  if (f.growthbook) options.dialect = condition::Dialect::kGrowthBook;
  Result<condition::Condition> cond = condition::Condition::Parse(f.condition, options);
  if (!cond.ok()) return fail("invalid condition", cond.status());
  Result<Json> attrs = ParseArg(f.attributes);
  if (!attrs.ok()) return fail("invalid --attributes", attrs.status());
  condition::SavedGroups groups;
  if (!f.saved_groups.empty()) {
    Result<Json> g = ParseArg(f.saved_groups);
    if (!g.ok()) return fail("invalid --saved-groups", g.status());
    Result<condition::SavedGroups> compiled = condition::SavedGroups::FromJson(*g);
    if (!compiled.ok()) return fail("invalid --saved-groups", compiled.status());
    groups = std::move(compiled).value();
  }
  bool match = cond->Evaluate(condition::JsonDocument(*attrs), &groups);
  std::cout << (match ? "true" : "false") << "\n";
  return 0;
}

}  // namespace

void RegisterCondition(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "condition", "Work with the condition language used by segments, rules and targeting.");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<EvalFlags>();
  auto* eval = cmd->add_subcommand(
      "eval",
      "Evaluate a condition against attributes and print true or false. Exits 2 with the "
      "reason on stderr when the condition, attributes or saved groups are invalid.");
  eval->add_option(
          "--condition", flags->condition,
          R"(Condition JSON, e.g. '{"country": {"$in": ["NO", "SE"]}, "age": {"$gte": 18}}')")
      ->required();
  eval->add_option(
          "--attributes", flags->attributes,
          R"(Attributes JSON object the condition reads, e.g. '{"country": "NO", "age": 30}')")
      ->capture_default_str();
  eval->add_option("--saved-groups", flags->saved_groups,
                   R"(Saved groups for $inGroup/$notInGroup, e.g. '{"beta": ["u1", "u7"]}')");
  eval->add_flag("--growthbook", flags->growthbook,
                 "Use the GrowthBook dialect: unknown operators and invalid regexes evaluate "
                 "to false instead of being errors");
  eval->callback([flags, exit_code] { *exit_code = RunEval(*flags); });
}

}  // namespace tailor::cli
