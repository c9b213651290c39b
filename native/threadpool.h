// A small fixed thread pool for synchronous data-parallel kernels.
// The calling (JS) thread always takes part as worker 0, so a call with one thread costs no
// synchronisation at all. Work is split by static partition: the caller passes a function of
// (workerIndex, workerCount) and decides itself how to cut the range.
#pragma once
#include <cstdint>
#include <functional>

namespace flint {

int numThreads();
void setNumThreads(int n);

// Runs fn(t, T) for t in [0, T) with T = min(numThreads(), maxTasks), the caller doing t = 0.
// Returns when every task has finished. Not reentrant: kernels must not nest parallelFor.
void parallelFor(int maxTasks, const std::function<void(int, int)>& fn);

// Static partition of [0, n) into T nearly equal contiguous chunks; chunk t is [begin, end).
inline void chunkRange(int64_t n, int t, int T, int64_t& begin, int64_t& end) {
  int64_t q = n / T, r = n % T;
  begin = t * q + (t < r ? t : r);
  end = begin + q + (t < r ? 1 : 0);
}

// How many tasks a loop over `work` units deserves: one per ~minPerTask units, at most numThreads().
inline int tasksFor(int64_t work, int64_t minPerTask) {
  int64_t t = work / (minPerTask > 0 ? minPerTask : 1);
  int T = numThreads();
  if (t < 1) return 1;
  return t < T ? static_cast<int>(t) : T;
}

}  // namespace flint
