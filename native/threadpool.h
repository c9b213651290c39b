// A small fixed thread pool for synchronous data-parallel kernels.
// The calling (JS) thread always takes part, so a call with one thread costs no synchronisation
// at all. A call is a number of tasks; threads claim them one at a time, so the caller decides
// the decomposition (task t of T covers chunk t) and the pool only decides who runs which task.
// Cutting the work into a few more tasks than threads lets the threads that are running pick up
// the share of one that is not (another process, or V8's GC threads, took its core).
#pragma once
#include <cstdint>
#include <functional>

namespace flint {

int numThreads();
void setNumThreads(int n);

// Runs fn(t, T) once for every t in [0, T), T = tasks, on up to numThreads() threads (the caller
// included) and returns when all have finished. A task must not depend on which thread runs it or
// on other tasks running at the same time (per-thread scratch is fine; state that must outlive the
// task belongs in memory indexed by t). A call made while another is running (nested, or from a
// second JS thread) runs its tasks in order on the calling thread.
void parallelFor(int tasks, const std::function<void(int, int)>& fn);

// Static partition of [0, n) into T nearly equal contiguous chunks; chunk t is [begin, end).
inline void chunkRange(int64_t n, int t, int T, int64_t& begin, int64_t& end) {
  int64_t q = n / T, r = n % T;
  begin = t * q + (t < r ? t : r);
  end = begin + q + (t < r ? 1 : 0);
}

// How many parts each of N images' rows is split into, for a convolution over N images on
// numThreads() threads: one when there are images enough; else enough to use every thread, at most
// `rows`, and at least ~4M multiply-adds per part (`macs` is one image's), since a smaller share
// costs more than waking a thread (tens of microseconds).
inline int64_t imageRowParts(int64_t N, int64_t rows, int64_t macs) {
  const int64_t threads = numThreads();
  if (N >= threads) return 1;
  const int64_t perImage = (threads + N - 1) / (N > 0 ? N : 1);
  const int64_t byWork = macs >> 22;
  int64_t parts = rows < perImage ? rows : perImage;
  if (byWork < parts) parts = byWork;
  return parts > 1 ? parts : 1;
}

// How many tasks a loop over `work` units deserves: one per ~minPerTask units, at most numThreads().
inline int tasksFor(int64_t work, int64_t minPerTask) {
  int64_t t = work / (minPerTask > 0 ? minPerTask : 1);
  int T = numThreads();
  if (t < 1) return 1;
  return t < T ? static_cast<int>(t) : T;
}

// Tasks for a loop over `units` independent units when the split should survive a thread losing
// its core: up to `perThread` tasks per thread (never more than units); 1 on one thread.
inline int splitFor(int64_t units, int perThread = 2) {
  const int T = numThreads();
  if (T <= 1 || units <= 1) return 1;
  const int64_t t = static_cast<int64_t>(T) * perThread;
  return static_cast<int>(units < t ? units : t);
}

// As tasksFor (one task per ~minPerTask units of work), but up to `perThread` tasks per thread.
inline int splitWork(int64_t work, int64_t minPerTask, int perThread = 2) {
  if (tasksFor(work, minPerTask) <= 1) return 1;
  return splitFor(work / (minPerTask > 0 ? minPerTask : 1), perThread);
}

}  // namespace flint
