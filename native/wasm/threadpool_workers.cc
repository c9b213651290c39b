// The thread pool of the threaded WebAssembly build (flint-mt.wasm): the module is instantiated
// once on the JavaScript thread and once in each worker (Node worker_threads or Web Workers), all
// on one shared memory. A worker calls flint_worker_run, which never returns: it sleeps on the job
// word and claims tasks of each parallelFor the JavaScript thread publishes. The calling thread
// always takes part and claims tasks too, so a call finishes even before any worker has started
// (workers come up asynchronously) or while one has lost its core.
//
// numThreads() is the count the caller configured, not how many workers are running: the task
// decomposition (and so every result) depends only on it, never on timing.
#include <atomic>
#include <cstdint>

#include "../threadpool.h"

namespace flint {
namespace {

// The job word: generation (16 bits) | task count (16 bits) | next unclaimed task (32 bits).
// Claiming is one compare-and-swap on it, so a worker that wakes late can never claim a task of a
// newer job with the count or function of an older one.
std::atomic<uint64_t> job{0};
const std::function<void(int, int)>* jobFn = nullptr;
std::atomic<int32_t> done{0};
std::atomic<int32_t> busy{0};
int configured = 1;
// Browsers forbid blocking waits on the page's main thread: it spins there instead.
bool callerMayWait = false;

constexpr uint64_t kGenShift = 48, kTasksShift = 32;
constexpr uint64_t kIndexMask = 0xffffffffull;

int32_t* word(std::atomic<int32_t>& a) { return reinterpret_cast<int32_t*>(&a); }
int64_t* word(std::atomic<uint64_t>& a) { return reinterpret_cast<int64_t*>(&a); }

// Claims and runs tasks of the current job while any are left.
void claimTasks() {
  uint64_t s = job.load(std::memory_order_acquire);
  for (;;) {
    const int tasks = static_cast<int>((s >> kTasksShift) & 0xffff);
    const int index = static_cast<int>(s & kIndexMask);
    if (index >= tasks) return;
    if (!job.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    (*jobFn)(index, tasks);
    if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == tasks)
      __builtin_wasm_memory_atomic_notify(word(done), 1);
    s = job.load(std::memory_order_acquire);
  }
}

}  // namespace

int numThreads() { return configured; }
void setNumThreads(int n) { configured = n < 1 ? 1 : n; }

void parallelFor(int tasks, const std::function<void(int, int)>& fn) {
  const int T = tasks < 1 ? 1 : tasks;
  int32_t idle = 0;
  // One thread, one task, more tasks than the job word holds, or a call from inside a task:
  // run in order here.
  if (configured <= 1 || T == 1 || T > 0xffff ||
      !busy.compare_exchange_strong(idle, 1, std::memory_order_acquire)) {
    for (int t = 0; t < T; ++t) fn(t, T);
    return;
  }
  jobFn = &fn;
  done.store(0, std::memory_order_relaxed);
  const uint64_t gen = ((job.load(std::memory_order_relaxed) >> kGenShift) + 1) & 0xffff;
  job.store((gen << kGenShift) | (static_cast<uint64_t>(T) << kTasksShift), std::memory_order_release);
  __builtin_wasm_memory_atomic_notify(reinterpret_cast<int32_t*>(word(job)), UINT32_MAX);
  claimTasks();
  for (int32_t d; (d = done.load(std::memory_order_acquire)) != T;) {
    if (callerMayWait) __builtin_wasm_memory_atomic_wait32(word(done), d, 1000000);  // 1 ms at most
  }
  busy.store(0, std::memory_order_release);
}

}  // namespace flint

using namespace flint;

// Set by the JavaScript side before the first kernel call: threads (the caller included) and
// whether the caller may block (Node's main thread may; a page's may not).
extern "C" __attribute__((export_name("flint_configure_threads"))) void flintConfigureThreads(int n, int mayWait) {
  setNumThreads(n);
  callerMayWait = mayWait != 0;
}

// A worker's loop: wait for a job newer than the last one seen, claim its tasks, repeat.
extern "C" __attribute__((export_name("flint_worker_run"))) void flintWorkerRun() {
  for (;;) {
    claimTasks();
    // Sleep while the job word shows an exhausted job; a newer job changes it (and wakes us).
    const uint64_t s = job.load(std::memory_order_acquire);
    if (static_cast<int>(s & kIndexMask) >= static_cast<int>((s >> kTasksShift) & 0xffff))
      __builtin_wasm_memory_atomic_wait64(word(job), static_cast<int64_t>(s), -1);
  }
}

// Threads never exit (workers are terminated with the process or the page), so destructors for
// thread-local scratch never run; libc++abi here is built without threads and lacks this hook.
extern "C" int __cxa_thread_atexit(void (*)(void*), void*, void*) { return 0; }

// Each worker's instance gets its own thread-local block (the scratch buffers): the JavaScript
// side allocates flint_tls_size() bytes aligned to flint_tls_align() and passes them here before
// the worker runs anything. (Its stack it sets through the exported __stack_pointer.)
extern "C" void __wasm_init_tls(void*);
extern "C" __attribute__((export_name("flint_tls_size"))) int flintTlsSize() {
  return static_cast<int>(__builtin_wasm_tls_size());
}
extern "C" __attribute__((export_name("flint_tls_align"))) int flintTlsAlign() {
  return static_cast<int>(__builtin_wasm_tls_align());
}
extern "C" __attribute__((export_name("flint_init_tls"))) void flintInitTls(void* block) { __wasm_init_tls(block); }
