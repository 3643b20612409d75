// Mutex and MutexLock: std::mutex with clang thread-safety annotations, so members can be
// declared GUARDED_BY(mu_) and the clang-tsa preset proves every access holds the lock.
//
// Thread safety: that is the point.
#pragma once

#include <mutex>

#include "core/thread_annotations.h"

namespace tailor {

class TAILOR_CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` for the lifetime of the object.
class TAILOR_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace tailor
