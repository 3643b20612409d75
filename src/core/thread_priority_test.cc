#include "core/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace tailor {
namespace {

int NiceOfThisThread() {
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

TEST(ThreadPriority, LowersOnlyTheCallingThread) {
  const int before = NiceOfThisThread();
  if (before >= kBackgroundThreadNice) {
    GTEST_SKIP() << "the test process already runs at nice " << before
                 << ", at or below the background priority, so lowering cannot be observed";
  }
  int in_thread = -100;
  int again = -100;
  std::thread t([&] {
    LowerCurrentThreadPriority();
    in_thread = NiceOfThisThread();
    LowerCurrentThreadPriority(kBackgroundThreadNice - 5);  // never raises it back
    again = NiceOfThisThread();
  });
  t.join();
  EXPECT_EQ(in_thread, kBackgroundThreadNice);
  EXPECT_EQ(again, kBackgroundThreadNice);
  EXPECT_EQ(NiceOfThisThread(), before);  // the caller's thread is untouched
}

}  // namespace
}  // namespace tailor
