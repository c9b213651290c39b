// The thread pool of the WebAssembly build: one thread. Every parallelFor runs its tasks in
// order on the calling thread, which the pool contract allows (results never depend on which
// thread ran a task). Threads through Web Workers sharing the memory are not built yet.
#include "../threadpool.h"

namespace flint {

int numThreads() { return 1; }
void setNumThreads(int) {}
void parallelFor(int tasks, const std::function<void(int, int)>& fn) {
  const int T = tasks < 1 ? 1 : tasks;
  for (int t = 0; t < T; ++t) fn(t, T);
}

}  // namespace flint

// The one thread lives as long as the module, so destructors registered for thread exit (the
// per-thread scratch buffers of scratch.cc) never need to run; wasi-libc's libc++abi, built
// without threads, does not provide this hook.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }
