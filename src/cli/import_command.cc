#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/endpoint.h"
#include "cli/progress.h"
#include "core/json_doc.h"

namespace tailor::cli {

namespace {

struct ImportTotals {
  uint64_t lines = 0, accepted = 0, duplicates = 0, rejected = 0, sampled = 0, no_consent = 0;
};

}  // namespace

void RegisterImport(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "import",
      "Import events from a JSON Lines file (one event object per line), to a running server "
      "(--url) or straight into a stopped data directory (--data-dir).");
  struct State {
    EndpointFlags endpoint;
    std::string file;
    size_t batch = 500;
    int max_errors = 20;
  };
  auto st = std::make_shared<State>();
  cmd->add_option("FILE", st->file, "Events file (.jsonl); '-' reads standard input")->required();
  cmd->add_option("--batch-size", st->batch, "Events per request")->check(CLI::Range(1, 10000));
  cmd->add_option("--show-errors", st->max_errors, "How many rejected events to print");
  st->endpoint.AddTo(cmd);
  cmd->callback([st, exit_code] {
    std::ifstream file_in;
    std::istream* in = &std::cin;
    uint64_t total_bytes = 0;
    if (st->file != "-") {
      file_in.open(st->file, std::ios::binary);
      if (!file_in) {
        std::cerr << "error: cannot open " << st->file << "\n";
        *exit_code = 2;
        return;
      }
      in = &file_in;
      std::error_code ec;
      total_bytes = std::filesystem::file_size(st->file, ec);
    }
    auto endpoint = OpenEndpointOrReport(st->endpoint);
    if (!endpoint) {
      *exit_code = 1;
      return;
    }
    ProgressBar bar("import", total_bytes, "bytes");
    ImportTotals t;
    uint64_t bytes = 0;
    int shown = 0;
    std::vector<uint64_t> line_of;  // line number of each event in the pending batch
    std::string body;
    auto flush = [&]() -> bool {
      if (line_of.empty()) return true;
      body += "]}";
      for (int attempt = 0;; ++attempt) {
        auto r = endpoint->Call(server::Method::kPost, "/v1/events", body);
        if (!r.ok()) {
          std::cerr << "\nerror: " << r.status().message() << "\n";
          return false;
        }
        if (r->status == 429 && attempt < 20) {  // rate limited: wait as told, then retry
          int wait = 1;
          for (const auto& [k, v] : r->headers) if (k == "Retry-After") wait = std::max(1, std::atoi(v.c_str()));
          std::this_thread::sleep_for(std::chrono::seconds(wait));
          continue;
        }
        auto j = ParseJson(r->body);
        if (r->status != 200 || !j.ok()) {
          std::cerr << "\nerror: batch ending at line " << line_of.back() << " failed ("
                    << r->status << "): " << r->body << "\n";
          return false;
        }
        t.accepted += (*j)["accepted"].get<uint64_t>();
        t.duplicates += (*j)["duplicates"].get<uint64_t>();
        t.sampled += (*j)["dropped"]["sampled"].get<uint64_t>();
        t.no_consent += (*j)["dropped"]["no_consent"].get<uint64_t>();
        for (const auto& rej : (*j)["rejected"]) {
          ++t.rejected;
          if (shown++ < st->max_errors) {
            size_t idx = rej["index"].get<size_t>();
            const auto& e = rej["error"];
            std::cerr << "\nline " << line_of[idx] << ": "
                      << e["code"].get<std::string>() << ": " << e["message"].get<std::string>()
                      << (e["path"].is_string() ? " (at " + e["path"].get<std::string>() + ")" : "")
                      << "\n";
          }
        }
        break;
      }
      line_of.clear();
      return true;
    };
    std::string line;
    body = "{\"events\":[";
    while (std::getline(*in, line)) {
      ++t.lines;
      bytes += line.size() + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!line_of.empty()) body += ',';
      body += line;
      line_of.push_back(t.lines);
      if (line_of.size() >= st->batch) {
        if (!flush()) {
          *exit_code = 1;
          return;
        }
        body = "{\"events\":[";
        bar.Update(bytes);
      }
    }
    if (!flush()) {
      *exit_code = 1;
      return;
    }
    bar.Finish();
    std::cout << "imported " << st->file << " into " << endpoint->Describe() << ": "
              << t.accepted << " accepted, " << t.duplicates << " duplicates, " << t.rejected
              << " rejected (kept as dead letters), " << t.sampled << " sampled out, "
              << t.no_consent << " dropped without consent\n";
    *exit_code = t.rejected ? 1 : 0;
  });
}

}  // namespace tailor::cli
