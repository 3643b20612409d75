#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/demo_data.h"
#include "core/clock.h"

namespace tailor::cli {

void RegisterDemo(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "demo", "Write the generated demo data set as JSON Lines (for `tailor import`), and its "
              "config with --config-out.");
  struct State {
    std::string out = "-";
    std::string config_out;
    DemoOptions options;
  };
  auto st = std::make_shared<State>();
  cmd->add_option("--out", st->out, "Events file ('-' = standard output)");
  cmd->add_option("--config-out", st->config_out, "Also write the demo config YAML to this file");
  cmd->add_option("--users", st->options.users, "People")->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--days", st->options.days, "Days of history")->check(CLI::Range(1, 390));
  cmd->add_option("--seed", st->options.seed, "Random seed (same seed, same data)");
  cmd->callback([st, exit_code] {
    st->options.now_ms = SystemClock().NowMs();
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (st->out != "-") {
      file.open(st->out);
      if (!file) {
        std::cerr << "error: cannot write " << st->out << "\n";
        *exit_code = 2;
        return;
      }
      out = &file;
    }
    uint64_t n = GenerateDemoEvents(st->options, [&](const std::string& e) { *out << e << '\n'; });
    if (!st->config_out.empty()) std::ofstream(st->config_out) << DemoSchemasYaml();
    std::cerr << "wrote " << n << " events for " << st->options.users << " people\n";
  });
}

}  // namespace tailor::cli
