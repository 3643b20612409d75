#include "recommenders/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tailor::recommenders {

void ParallelFor(size_t n, int threads, size_t grain,
                 const std::function<void(size_t, size_t, int)>& body) {
  if (n == 0) return;
  const size_t blocks = (n + grain - 1) / grain;
  const int workers =
      static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), blocks));
  std::atomic<size_t> next{0};
  auto run = [&](int worker) {
    while (true) {
      size_t b = next.fetch_add(1, std::memory_order_relaxed);
      if (b >= blocks) return;
      body(b * grain, std::min(n, (b + 1) * grain), worker);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
}

}  // namespace tailor::recommenders
