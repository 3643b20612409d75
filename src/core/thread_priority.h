// Background threads that do bursty bookkeeping (the profile write-behind flusher, the
// decision log writer) run at a lower CPU priority than the threads answering requests.
//
// On a machine with few cores a flush burst otherwise takes an equal share of a core
// from the request threads for its whole length: over loopback HTTP with 2 cores, ingest
// with the profile flusher at nice 10 measured 96k events/s (median of 5) against 79k at
// the default priority, alternating runs (docs/performance.md, "Session 5"). The work
// still gets done: a nice-10 thread keeps about a tenth of a busy core, and far more
// whenever the request threads wait, while these threads need a few percent.
#pragma once

namespace tailor {

// The nice value background threads run at (0 = as the process).
inline constexpr int kBackgroundThreadNice = 10;

// Lowers the calling thread's CPU priority to `nice` (Linux: per-thread nice). Best
// effort: a failure (a sandbox that forbids it) leaves the priority as it was.
void LowerCurrentThreadPriority(int nice = kBackgroundThreadNice);

}  // namespace tailor
