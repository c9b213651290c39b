// One Gloo context (a group of ranks fully connected over TCP) and the thread that runs its
// collectives in the order they were issued, off the JS main thread.
//
// One worker thread per group, FIFO: every rank must issue collectives in the same order (as in
// PyTorch), and a single queue keeps that order while backward goes on computing on the JS
// thread. Each collective gets the next tag, as ProcessGroupGloo does, so that messages of
// consecutive operations never mix.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gloo/algorithm.h>
#include <gloo/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/device.h>

namespace flint_gloo {

/** Element types as the JS side names them: int64 travels as float64 (Flint stores it so). */
enum class DType : int { Float32 = 0, Float64 = 1, Int32 = 2, Uint8 = 3 };
enum class ReduceOp : int { Sum = 0, Product = 1, Min = 2, Max = 3 };

size_t elementSize(DType t);

/** One queued collective: its completion and error, observed by the JS thread. */
class Work {
 public:
  explicit Work(std::string name) : name_(std::move(name)) {}
  void finish(std::string error);
  /** Blocks until finished; returns the error text ("" when it succeeded). */
  std::string wait();
  bool completed();
  const std::string& name() const { return name_; }

 private:
  friend class ProcessGroup;
  std::string name_;
  std::function<void(uint32_t)> run_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string error_;
};

class ProcessGroup {
 public:
  /** Rendezvous through `store` under `prefix`; blocks until all `size` ranks have joined. */
  ProcessGroup(std::shared_ptr<gloo::rendezvous::Store> store, const std::string& prefix, int rank, int size,
               std::chrono::milliseconds timeout, const std::string& hostname, const std::string& iface);
  ~ProcessGroup();
  void shutdown();

  int rank() const { return rank_; }
  int size() const { return size_; }

  std::shared_ptr<Work> allreduce(void* buf, size_t n, DType t, ReduceOp op);
  std::shared_ptr<Work> broadcast(void* buf, size_t n, DType t, int root);
  std::shared_ptr<Work> reduce(void* buf, size_t n, DType t, ReduceOp op, int root);
  /** out holds size()*n elements. */
  std::shared_ptr<Work> allgather(const void* in, void* out, size_t n, DType t);
  /** out (size()*n elements) is used on root only. */
  std::shared_ptr<Work> gather(const void* in, void* out, size_t n, DType t, int root);
  /** ins (size() buffers of n elements) are used on root only. */
  std::shared_ptr<Work> scatter(std::vector<void*> ins, void* out, size_t n, DType t, int root);
  /** in and out hold size()*n elements; block i of in goes to rank i. */
  std::shared_ptr<Work> alltoall(const void* in, void* out, size_t n, DType t);
  std::shared_ptr<Work> barrier();

  /**
   * A SUM all-reduce of one fixed buffer, set up once and run many times (DDP's buckets): Gloo's
   * AllreduceHalvingDoubling with its send/receive buffers registered up front. Per run it sends
   * 2 messages per step and peer (data, then a ready notification) into registered memory, where
   * gloo::allreduce's ring sends 2 segments per rank each way plus a receive-ready message per
   * segment and allocates its scratch buffer every call: with 2 ranks, 145k floats on this VM,
   * ~4x less CPU on the Gloo threads and ~4x less latency (bench/ddp-worker.ts --mode allreduce).
   * The setup takes Gloo slots, so it runs on the worker in queue order (the same on every
   * rank); returns the plan's id once set up (throws its error). Float32 and Float64 only.
   * Each run then multiplies the sum by `scale` on the worker (DDP's 1/world size for a power-of-2
   * world, where that equals dividing before the sum: it takes the division off the JS thread).
   */
  int planAllreduce(void* buf, size_t n, DType t, double scale = 1.0);
  std::shared_ptr<Work> runAllreduce(int plan);

 private:
  struct Plan {
    std::unique_ptr<gloo::Algorithm> algo;
    void* buf = nullptr;
    size_t n = 0;
    DType t = DType::Float32;
    double scale = 1.0;
  };
  std::vector<std::shared_ptr<Plan>> plans_;  // guarded by mu_; an entry's algo is set and used on the worker only
  std::shared_ptr<Work> enqueue(const std::string& name, std::function<void(uint32_t)> fn);
  void loop();

  /** The context planned all-reduces run on (see planContextFor in process_group.cc). */
  std::shared_ptr<gloo::Context> planContextFor(size_t bytes);

  bool bcube_ = false;  // FLINT_GLOO_ALLREDUCE=bcube (measurement): Gloo's BCube instead of its ring
  std::string prefix_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::Context> syncContext_;  // created by the first plan that fits, on the worker
  int rank_;
  int size_;
  std::shared_ptr<gloo::rendezvous::Store> store_;
  std::shared_ptr<gloo::Context> context_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Work>> queue_;
  bool stopping_ = false;
  uint32_t nextTag_ = 0;
};

}  // namespace flint_gloo
