// Thread pool: workers wait for a generation counter to change, spinning for a short while after
// each job (kSpinNs) and then sleeping on a condition variable. Each
// parallelFor publishes one job of T tasks; the caller and the woken workers claim tasks one at
// a time from a shared counter until none are left, so a thread that the OS (or a JavaScript
// garbage-collector thread) takes a core from simply claims fewer tasks instead of holding up the
// call. Which thread runs a task never changes what the task computes, so results stay
// deterministic. Workers are created lazily and kept for the life of the process.
//
// Why spin: waking a sleeping worker costs ~15-20 us on the machines measured (a futex wake and a
// reschedule, slower still in a VM), more than a 64k-element add takes on one thread, while ops
// come in bursts a few microseconds apart (the JavaScript between two kernels). A worker that
// keeps polling for kSpinNs after its last job picks the next one up in well under a microsecond,
// as PyTorch's OpenMP workers do (they spin before sleeping too). The bound keeps an idle process
// from burning a core: kSpinNs after the last parallel call, every worker is asleep.
#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace flint {
namespace {

constexpr int64_t kSpinNs = 100000;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class Pool {
 public:
  Pool() {
    unsigned hc = std::thread::hardware_concurrency();
    desired_ = hc == 0 ? 1 : static_cast<int>(hc);
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int desired() const { return desired_; }
  void setDesired(int n) { desired_ = n < 1 ? 1 : n; }

  void run(int tasks, const std::function<void(int, int)>& fn) {
    const int T = tasks < 1 ? 1 : tasks;
    const int helpers = (desired_ < T ? desired_ : T) - 1;  // workers besides the caller
    if (helpers <= 0) {
      for (int t = 0; t < T; ++t) fn(t, T);
      return;
    }
    // One job at a time: a call made while the pool is busy (from a worker, or from a second JS
    // thread such as a worker_thread) runs its tasks on its own thread instead of deadlocking.
    std::unique_lock<std::mutex> busy(busyMu_, std::try_to_lock);
    if (!busy.owns_lock()) {
      for (int t = 0; t < T; ++t) fn(t, T);
      return;
    }
    ensureWorkers(helpers);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &fn;
      jobTasks_ = T;
      jobHelpers_ = helpers;
      gen = generation_.load(std::memory_order_relaxed) + 1;
      done_.store(0, std::memory_order_relaxed);
      claim_.store(gen << 32, std::memory_order_release);
      generation_.store(gen, std::memory_order_release);  // spinning workers see the job from here
    }
    cv_.notify_all();
    runTasks(gen, fn, T);
    finishJob(T);
    // A task that threw (std::bad_alloc from a work buffer) on any thread is rethrown here, on
    // the calling thread, once every task has finished: never std::terminate in a worker.
    std::exception_ptr err;
    {
      std::lock_guard<std::mutex> lk(errMu_);
      std::swap(err, error_);
    }
    if (err) std::rethrow_exception(err);
  }

 private:
  void finishJob(int T) {
    // Spin briefly (kernels are short), then sleep until the last task is done.
    for (int spin = 0; spin < 20000 && done_.load(std::memory_order_acquire) != T; ++spin) cpuRelax();
    if (done_.load(std::memory_order_acquire) != T) {
      std::unique_lock<std::mutex> lk(doneMu_);
      doneCv_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == T; });
    }
  }

  // Claims and runs tasks of job `gen` until none are left. The claim word holds the job's
  // generation in its high half, so a thread that wakes late for a finished job can never claim
  // a task of the next one with the old job's function.
  void runTasks(uint64_t gen, const std::function<void(int, int)>& fn, int T) {
    for (;;) {
      uint64_t c = claim_.load(std::memory_order_acquire);
      int t;
      do {
        if ((c >> 32) != (gen & 0xffffffffu) || static_cast<int>(c & 0xffffffffu) >= T) return;
        t = static_cast<int>(c & 0xffffffffu);
      } while (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel));
      try {
        fn(t, T);
      } catch (...) {
        std::lock_guard<std::mutex> lk(errMu_);
        if (!error_) error_ = std::current_exception();
      }
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == T) {
        std::lock_guard<std::mutex> lk(doneMu_);
        doneCv_.notify_all();
      }
    }
  }

  void ensureWorkers(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      int index = static_cast<int>(workers_.size()) + 1;
      // The worker must start from the generation current *now*: the job about to be
      // published bumps it, and a worker that read it later would miss that job.
      uint64_t start = generation_.load(std::memory_order_relaxed);
      workers_.emplace_back([this, index, start] { loop(index, start); });
    }
  }

  // Polls for a job newer than `seen` for up to kSpinNs; true when one came.
  bool spinFor(uint64_t seen) {
    using Clock = std::chrono::steady_clock;
    const auto until = Clock::now() + std::chrono::nanoseconds(kSpinNs);
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (generation_.load(std::memory_order_acquire) != seen) return true;
        cpuRelax();
      }
      if (Clock::now() >= until) return false;
    }
  }

  void loop(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int, int)>* job;
      int tasks, helpers;
      spinFor(seen);
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        seen = generation_.load(std::memory_order_relaxed);
        if (stop_) return;
        job = job_;
        tasks = jobTasks_;
        helpers = jobHelpers_;
      }
      if (index <= helpers) runTasks(seen, *job, tasks);
    }
  }

  int desired_;
  std::mutex busyMu_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};  // written under mu_; read by spinning workers without it
  bool stop_ = false;
  const std::function<void(int, int)>* job_ = nullptr;
  int jobTasks_ = 0, jobHelpers_ = 0;
  std::atomic<uint64_t> claim_{0};  // (generation << 32) | next task
  std::atomic<int> done_{0};
  std::mutex doneMu_;
  std::condition_variable doneCv_;
  std::mutex errMu_;
  std::exception_ptr error_;  // the first exception a task of the current job threw
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

}  // namespace

int numThreads() { return pool().desired(); }
void setNumThreads(int n) { pool().setDesired(n); }
void parallelFor(int tasks, const std::function<void(int, int)>& fn) { pool().run(tasks, fn); }

}  // namespace flint
