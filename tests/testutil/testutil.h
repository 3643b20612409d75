// Shared test helpers: ASSERT_OK / EXPECT_OK and a TempDir that cleans up after itself.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/json_doc.h"
#include "core/status.h"

#define ASSERT_OK(expr)                                        \
  do {                                                         \
    const auto& _st = (expr);                                  \
    ASSERT_TRUE(::tailor::testutil::StatusOf(_st).ok())        \
        << ::tailor::testutil::StatusOf(_st).ToString();       \
  } while (0)
#define EXPECT_OK(expr)                                        \
  do {                                                         \
    const auto& _st = (expr);                                  \
    EXPECT_TRUE(::tailor::testutil::StatusOf(_st).ok())        \
        << ::tailor::testutil::StatusOf(_st).ToString();       \
  } while (0)

namespace tailor::testutil {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The ../shared directory next to the checkout (TAILOR_SHARED_DIR), or empty when absent.
std::filesystem::path SharedDir();

// Loads ../shared/conformance/<file> (the GrowthBook SDK cases) into *out. When it cannot
// be found, returns false with the reason in *why_skipped (the caller skips); a file that
// does not parse is a test failure.
bool LoadConformanceCases(const char* file, Json* out, std::string* why_skipped);

}  // namespace tailor::testutil
