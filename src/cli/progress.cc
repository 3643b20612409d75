#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tailor::cli {

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)),
      tty_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(uint64_t done, const std::string& suffix) {
  auto now = std::chrono::steady_clock::now();
  if (tty_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done, suffix, false);
}

void ProgressBar::Finish(const std::string& suffix) { Draw(total_, suffix, true); }

void ProgressBar::Draw(uint64_t done, const std::string& suffix, bool final) {
  double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  if (frac > 1) frac = 1;
  int decile = static_cast<int>(frac * 10);
  if (!tty_ && !final && decile == last_decile_) return;
  last_decile_ = decile;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  constexpr int kWidth = 30;
  int filled = static_cast<int>(frac * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stderr, "%s%s [%s] %3d%% %llu/%llu %s %.1fs %s%s", tty_ ? "\r" : "", label_.c_str(),
               bar.c_str(), static_cast<int>(frac * 100), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total_), unit_.c_str(), secs, suffix.c_str(),
               (tty_ && !final) ? "\033[K" : "\n");
  std::fflush(stderr);
}

}  // namespace tailor::cli
