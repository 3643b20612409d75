#include "core/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace tailor {

void LowerCurrentThreadPriority(int nice) {
  // On Linux PRIO_PROCESS with a thread id sets that thread's nice value only.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  const int current = getpriority(PRIO_PROCESS, tid);
  if (nice > current) setpriority(PRIO_PROCESS, tid, nice);
}

}  // namespace tailor
