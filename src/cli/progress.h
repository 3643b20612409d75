// A progress bar on stderr for long CLI jobs. On a terminal it redraws one line; when
// stderr is not a terminal (CI logs) it prints a line every 10%.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tailor::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total, std::string unit);
  // Sets the amount done (monotonic) and, optionally, a status suffix.
  void Update(uint64_t done, const std::string& suffix = {});
  // Draws 100% and ends the line.
  void Finish(const std::string& suffix = {});

 private:
  void Draw(uint64_t done, const std::string& suffix, bool final);
  std::string label_;
  uint64_t total_;
  std::string unit_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tailor::cli
