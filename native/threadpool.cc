// Thread pool: workers sleep on a condition variable and wake on a generation counter. Each
// parallelFor publishes one job; worker i runs task i. The caller runs task 0 and then waits for
// the others. Workers are created lazily and kept for the life of the process.
#include "threadpool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace flint {
namespace {

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
      ++generation_;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int desired() const { return desired_; }
  void setDesired(int n) { desired_ = n < 1 ? 1 : n; }

  void run(int maxTasks, const std::function<void(int, int)>& fn) {
    int T = desired_ < maxTasks ? desired_ : maxTasks;
    if (T <= 1) {
      fn(0, 1);
      return;
    }
    ensureWorkers(T - 1);
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &fn;
      jobTasks_ = T;
      pending_.store(T - 1, std::memory_order_relaxed);
      ++generation_;
    }
    cv_.notify_all();
    fn(0, T);
    // Spin briefly (kernels are short), then sleep until the last worker signals.
    for (int spin = 0; spin < 20000 && pending_.load(std::memory_order_acquire) != 0; ++spin) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (pending_.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lk(doneMu_);
      doneCv_.wait(lk, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
  }

 private:
  void ensureWorkers(int n) {
    while (static_cast<int>(workers_.size()) < n) {
      int index = static_cast<int>(workers_.size()) + 1;
      // The worker must start from the generation current *now*: the job about to be
      // published bumps it, and a worker that read it later would miss that job.
      uint64_t start = generation_;
      workers_.emplace_back([this, index, start] { loop(index, start); });
    }
  }

  void loop(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int, int)>* job;
      int tasks;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        job = job_;
        tasks = jobTasks_;
      }
      if (index < tasks) {
        (*job)(index, tasks);
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard<std::mutex> lk(doneMu_);
          doneCv_.notify_all();
        }
      }
    }
  }

  int desired_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  const std::function<void(int, int)>* job_ = nullptr;
  int jobTasks_ = 0;
  std::atomic<int> pending_{0};
  std::mutex doneMu_;
  std::condition_variable doneCv_;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

}  // namespace

int numThreads() { return pool().desired(); }
void setNumThreads(int n) { pool().setDesired(n); }
void parallelFor(int maxTasks, const std::function<void(int, int)>& fn) { pool().run(maxTasks, fn); }

}  // namespace flint
