#include "testutil/testutil.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
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

bool LoadConformanceCases(const char* file, Json* out, std::string* why_skipped) {
  std::filesystem::path dir = testutil::SharedDir();
  if (dir.empty()) {
    *why_skipped =
        "TAILOR_SHARED_DIR is unset or not a directory (expected <repo>/../shared "
        "with conformance/" +
        std::string(file) + "); conformance cases not run";
    return false;
  }
  std::filesystem::path path = dir / "conformance" / file;
  std::ifstream in(path);
  if (!in) {
    *why_skipped = "cannot read " + path.string() + "; conformance cases not run";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Json> j = ParseJson(ss.str());
  if (!j.ok()) {
    ADD_FAILURE() << path << ": " << j.status().ToString();
    return false;
  }
  *out = std::move(j).value();
  return true;
}

}  // namespace tailor::testutil
