// tailor: the one binary. `tailor --help` lists the commands.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Tailor — a self-hosted, real-time personalization engine.\n"
               "Run `tailor <command> --help` for the options of a command.",
               "tailor"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tailor 0.1.0");
  int exit_code = 0;
  tailor::cli::RegisterServe(app, &exit_code);
  tailor::cli::RegisterImport(app, &exit_code);
  tailor::cli::RegisterConfig(app, &exit_code);
  tailor::cli::RegisterKeys(app, &exit_code);
  tailor::cli::RegisterProfiles(app, &exit_code);
  tailor::cli::RegisterDeadLetters(app, &exit_code);
  tailor::cli::RegisterDemo(app, &exit_code);
  tailor::cli::RegisterSettings(app, &exit_code);
  tailor::cli::RegisterBackup(app, &exit_code);
  tailor::cli::RegisterJobs(app, &exit_code);
  tailor::cli::RegisterCondition(app, &exit_code);
  tailor::cli::RegisterCluster(app, &exit_code);
  tailor::cli::RegisterDecide(app, &exit_code);
  tailor::cli::RegisterReplay(app, &exit_code);
  tailor::cli::RegisterStats(app, &exit_code);
  tailor::cli::RegisterExperiment(app, &exit_code);
  tailor::cli::RegisterEvaluate(app, &exit_code);
  tailor::cli::RegisterModels(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // The edge of the process: e.g. the OS refusing a thread (std::system_error).
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
