// ParallelFor: splits [0, n) into blocks handed out to `threads` std::threads (the
// calling thread is one of them). Used by training and evaluation, which run from the
// CLI or a background job; never on a request path.
#pragma once

#include <cstddef>
#include <functional>

namespace tailor::recommenders {

// Calls body(begin, end, worker) for consecutive blocks of at most `grain` indexes until
// [0, n) is covered; worker is in [0, threads). Returns when all blocks are done.
// REQUIRES: threads >= 1, grain >= 1, body does not throw.
void ParallelFor(size_t n, int threads, size_t grain,
                 const std::function<void(size_t begin, size_t end, int worker)>& body);

}  // namespace tailor::recommenders
