// Each `tailor <command>` registers itself on the CLI11 app; its callback stores the
// process exit code in *exit_code (0 ok, 1 failed, 2 bad usage or invalid input).
#pragma once

#include <CLI/CLI.hpp>

namespace tailor::cli {

void RegisterServe(CLI::App& app, int* exit_code);
void RegisterImport(CLI::App& app, int* exit_code);
void RegisterConfig(CLI::App& app, int* exit_code);
void RegisterKeys(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
void RegisterDeadLetters(CLI::App& app, int* exit_code);
void RegisterProfiles(CLI::App& app, int* exit_code);
void RegisterSettings(CLI::App& app, int* exit_code);
void RegisterBackup(CLI::App& app, int* exit_code);
void RegisterJobs(CLI::App& app, int* exit_code);
void RegisterCondition(CLI::App& app, int* exit_code);
void RegisterCluster(CLI::App& app, int* exit_code);
void RegisterDecide(CLI::App& app, int* exit_code);
void RegisterReplay(CLI::App& app, int* exit_code);
void RegisterStats(CLI::App& app, int* exit_code);
void RegisterExperiment(CLI::App& app, int* exit_code);
void RegisterEvaluate(CLI::App& app, int* exit_code);
void RegisterModels(CLI::App& app, int* exit_code);

}  // namespace tailor::cli
