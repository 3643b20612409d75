#include "testutil/testutil.h"

#include <cstdlib>
#include <random>

namespace tailor::testutil {

TempDir::TempDir() {
  std::random_device rd;
  for (;;) {
    path_ = std::filesystem::temp_directory_path() /
            ("tailor-test-" + std::to_string(rd()) + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path SharedDir() {
  const char* env = std::getenv("TAILOR_SHARED_DIR");
  if (env == nullptr) return {};
  std::filesystem::path p(env);
  std::error_code ec;
  if (!std::filesystem::is_directory(p, ec)) return {};
  return std::filesystem::canonical(p, ec);
}

}  // namespace tailor::testutil
