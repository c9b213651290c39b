// Collectives on a Gloo context, run by the group's worker thread (see process_group.h).
#include "process_group.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/allreduce_halving_doubling.h>
#include <gloo/alltoall.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/gather.h>
#include <gloo/math.h>
#include <gloo/reduce.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/scatter.h>
#include <gloo/transport/tcp/device.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <pthread.h>
#include <stdexcept>

namespace flint_gloo {

size_t elementSize(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::Uint8: return 1;
  }
  throw std::runtime_error("distributed: unknown dtype");
}

namespace {

using Func = std::function<void(void*, const void*, const void*, size_t)>;
using Raw = void (*)(void*, const void*, const void*, size_t);

template <typename T>
Func reduceFn(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return static_cast<Raw>(&gloo::sum<T>);
    case ReduceOp::Product: return static_cast<Raw>(&gloo::product<T>);
    case ReduceOp::Min: return static_cast<Raw>(&gloo::min<T>);
    case ReduceOp::Max: return static_cast<Raw>(&gloo::max<T>);
  }
  throw std::runtime_error("distributed: unknown reduce op");
}

Func reduceFn(DType t, ReduceOp op) {
  switch (t) {
    case DType::Float32: return reduceFn<float>(op);
    case DType::Float64: return reduceFn<double>(op);
    case DType::Int32: return reduceFn<int32_t>(op);
    case DType::Uint8: return reduceFn<uint8_t>(op);
  }
  throw std::runtime_error("distributed: unknown dtype");
}

// Gloo's option setters are templates over the element type; a byte-sized element type with the
// element count scaled keeps one code path for data movement (no arithmetic happens there).
size_t bytes(size_t n, DType t) { return n * elementSize(t); }

// The planned all-reduce's scale, each product in double and rounded once, as JS's a[j] *= k.
template <typename T>
void scaleBuffer(T* p, size_t n, double k) {
  for (size_t i = 0; i < n; i++) p[i] = static_cast<T>(static_cast<double>(p[i]) * k);
}

}  // namespace

void Work::finish(std::string error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    error_ = std::move(error);
  }
  cv_.notify_all();
}

std::string Work::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return done_; });
  return error_;
}

bool Work::completed() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

ProcessGroup::ProcessGroup(std::shared_ptr<gloo::rendezvous::Store> store, const std::string& prefix, int rank, int size,
                           std::chrono::milliseconds timeout, const std::string& hostname, const std::string& iface)
    : prefix_(prefix), timeout_(timeout), rank_(rank), size_(size), store_(std::move(store)) {
  const char* algo = std::getenv("FLINT_GLOO_ALLREDUCE");
  bcube_ = algo != nullptr && std::string(algo) == "bcube";
  gloo::transport::tcp::attr attr;
  if (!iface.empty()) attr.iface = iface;
  else attr.hostname = hostname;
  auto dev = gloo::transport::tcp::CreateDevice(attr);
  device_ = dev;
  auto ctx = std::make_shared<gloo::rendezvous::Context>(rank, size);
  ctx->setTimeout(timeout);
  gloo::rendezvous::PrefixStore prefixed(prefix, *store_);
  ctx->connectFullMesh(prefixed, dev);
  context_ = ctx;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "flint-gloo");  // visible in top -H / ps -L
    loop();
  });
}

ProcessGroup::~ProcessGroup() { shutdown(); }

void ProcessGroup::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Fail whatever was queued after shutdown began, so no waiter blocks forever.
  for (auto& w : queue_) w->finish(w->name() + ": the process group was destroyed before it ran");
  queue_.clear();
  plans_.clear();  // their buffers unregister from the pairs: before the context goes
  syncContext_.reset();
  context_.reset();
}

std::shared_ptr<Work> ProcessGroup::enqueue(const std::string& name, std::function<void(uint32_t)> fn) {
  auto w = std::make_shared<Work>(name);
  w->run_ = std::move(fn);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) throw std::runtime_error(name + ": the process group was destroyed");
    queue_.push_back(w);
  }
  cv_.notify_all();
  return w;
}

void ProcessGroup::loop() {
  while (true) {
    std::shared_ptr<Work> w;
    uint32_t tag;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      w = queue_.front();
      queue_.pop_front();
      tag = nextTag_++;
    }
    try {
      w->run_(tag);
      w->finish("");
    } catch (const std::exception& e) {
      w->finish(e.what());
    }
    w->run_ = nullptr;
  }
}

std::shared_ptr<Work> ProcessGroup::allreduce(void* buf, size_t n, DType t, ReduceOp op) {
  Func fn = reduceFn(t, op);
  return enqueue("allReduce", [this, buf, n, t, fn](uint32_t tag) {
    gloo::AllreduceOptions o(context_);
    o.setTag(tag);
    o.setReduceFunction(fn);
    if (bcube_) o.setAlgorithm(gloo::AllreduceOptions::Algorithm::BCUBE);
    switch (t) {
      case DType::Float32: o.setOutput(static_cast<float*>(buf), n); break;
      case DType::Float64: o.setOutput(static_cast<double*>(buf), n); break;
      case DType::Int32: o.setOutput(static_cast<int32_t*>(buf), n); break;
      case DType::Uint8: o.setOutput(static_cast<uint8_t*>(buf), n); break;
    }
    gloo::allreduce(o);
  });
}

// Planned all-reduces run on a second full mesh whose pairs are in Gloo's sync mode: the worker
// thread itself reads each message from its (blocking) socket, where on the group's context
// Gloo's TCP loop thread reads it and then wakes the worker: one thread hand-off less per message
// (4 per run on 2 ranks), which on 2 shared cores is CPU taken from a rank's main thread. Only
// for buffers whose halves fit the socket send buffer the kernel allows (Gloo asks for the message
// size; the kernel caps that at net.core.wmem_max and doubles it, for data plus ~2% bookkeeping on
// loopback): in sync mode both ranks of a pair send before either receives, so a message that did
// not fit could leave both blocked in write(). So at most 1.5 x wmem_max (the seed CNN's 291 KB
// halves fit Linux's default 208 KB). Otherwise, or with FLINT_GLOO_PLAN_SYNC=0, the group's context.
// Runs on the worker (the rendezvous happens in queue order, the same on every rank).
std::shared_ptr<gloo::Context> ProcessGroup::planContextFor(size_t bytes) {
  const char* env = std::getenv("FLINT_GLOO_PLAN_SYNC");
  if (env != nullptr && std::string(env) == "0") return context_;
  size_t wmemMax = 212992;  // Linux's default
  if (FILE* f = std::fopen("/proc/sys/net/core/wmem_max", "r")) {
    unsigned long v = 0;
    if (std::fscanf(f, "%lu", &v) == 1) wmemMax = v;
    std::fclose(f);
  }
  if ((bytes + 1) / 2 + 4096 > wmemMax + wmemMax / 2) return context_;
  if (!syncContext_) {
    auto ctx = std::make_shared<gloo::rendezvous::Context>(rank_, size_);
    ctx->setTimeout(timeout_);
    gloo::rendezvous::PrefixStore prefixed(prefix_ + "/plans", *store_);
    ctx->connectFullMesh(prefixed, device_);
    for (int i = 0; i < size_; i++)
      if (i != rank_) ctx->getPair(i)->setSync(true, false);
    syncContext_ = ctx;
  }
  return syncContext_;
}

int ProcessGroup::planAllreduce(void* buf, size_t n, DType t, double scale) {
  if (t != DType::Float32 && t != DType::Float64) throw std::runtime_error("allReduce plan: float32 or float64 only");
  if (n > static_cast<size_t>(std::numeric_limits<int>::max())) throw std::runtime_error("allReduce plan: buffer too large");
  auto plan = std::make_shared<Plan>();
  plan->buf = buf;
  plan->n = n;
  plan->t = t;
  plan->scale = scale;
  int id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    plans_.push_back(plan);
    id = static_cast<int>(plans_.size()) - 1;
  }
  auto w = enqueue("allReduce setup", [this, plan, buf, n, t](uint32_t) {
    const int count = static_cast<int>(n);
    auto ctx = planContextFor(bytes(n, t));
    if (t == DType::Float32)
      plan->algo = std::make_unique<gloo::AllreduceHalvingDoubling<float>>(ctx, std::vector<float*>{static_cast<float*>(buf)}, count);
    else
      plan->algo = std::make_unique<gloo::AllreduceHalvingDoubling<double>>(ctx, std::vector<double*>{static_cast<double*>(buf)}, count);
  });
  std::string err = w->wait();
  if (!err.empty()) throw std::runtime_error(err);
  return id;
}

std::shared_ptr<Work> ProcessGroup::runAllreduce(int id) {
  std::shared_ptr<Plan> plan;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (id < 0 || static_cast<size_t>(id) >= plans_.size()) throw std::runtime_error("allReduce: unknown plan");
    plan = plans_[id];
  }
  return enqueue("allReduce", [plan](uint32_t) {
    if (!plan->algo) throw std::runtime_error("allReduce: the plan was not set up");
    plan->algo->run();
    if (plan->scale != 1.0) {
      if (plan->t == DType::Float32) scaleBuffer(static_cast<float*>(plan->buf), plan->n, plan->scale);
      else scaleBuffer(static_cast<double*>(plan->buf), plan->n, plan->scale);
    }
  });
}

std::shared_ptr<Work> ProcessGroup::reduce(void* buf, size_t n, DType t, ReduceOp op, int root) {
  Func fn = reduceFn(t, op);
  return enqueue("reduce", [this, buf, n, t, fn, root](uint32_t tag) {
    gloo::ReduceOptions o(context_);
    o.setTag(tag);
    o.setRoot(root);
    o.setReduceFunction(fn);
    switch (t) {
      case DType::Float32: o.setOutput(static_cast<float*>(buf), n); break;
      case DType::Float64: o.setOutput(static_cast<double*>(buf), n); break;
      case DType::Int32: o.setOutput(static_cast<int32_t*>(buf), n); break;
      case DType::Uint8: o.setOutput(static_cast<uint8_t*>(buf), n); break;
    }
    gloo::reduce(o);
  });
}

std::shared_ptr<Work> ProcessGroup::broadcast(void* buf, size_t n, DType t, int root) {
  return enqueue("broadcast", [this, buf, n, t, root](uint32_t tag) {
    gloo::BroadcastOptions o(context_);
    o.setTag(tag);
    o.setRoot(root);
    auto* p = static_cast<uint8_t*>(buf);
    if (rank_ == root) o.setInput(p, bytes(n, t));
    o.setOutput(p, bytes(n, t));
    gloo::broadcast(o);
  });
}

std::shared_ptr<Work> ProcessGroup::allgather(const void* in, void* out, size_t n, DType t) {
  return enqueue("allGather", [this, in, out, n, t](uint32_t tag) {
    gloo::AllgatherOptions o(context_);
    o.setTag(tag);
    o.setInput(const_cast<uint8_t*>(static_cast<const uint8_t*>(in)), bytes(n, t));
    o.setOutput(static_cast<uint8_t*>(out), bytes(n, t) * size_);
    gloo::allgather(o);
  });
}

std::shared_ptr<Work> ProcessGroup::gather(const void* in, void* out, size_t n, DType t, int root) {
  return enqueue("gather", [this, in, out, n, t, root](uint32_t tag) {
    gloo::GatherOptions o(context_);
    o.setTag(tag);
    o.setRoot(root);
    o.setInput(const_cast<uint8_t*>(static_cast<const uint8_t*>(in)), bytes(n, t));
    if (rank_ == root) o.setOutput(static_cast<uint8_t*>(out), bytes(n, t) * size_);
    gloo::gather(o);
  });
}

std::shared_ptr<Work> ProcessGroup::scatter(std::vector<void*> ins, void* out, size_t n, DType t, int root) {
  return enqueue("scatter", [this, ins, out, n, t, root](uint32_t tag) {
    gloo::ScatterOptions o(context_);
    o.setTag(tag);
    o.setRoot(root);
    if (rank_ == root) {
      std::vector<uint8_t*> ptrs;
      for (void* p : ins) ptrs.push_back(static_cast<uint8_t*>(p));
      o.setInputs(ptrs, bytes(n, t));
    }
    o.setOutput(static_cast<uint8_t*>(out), bytes(n, t));
    gloo::scatter(o);
  });
}

std::shared_ptr<Work> ProcessGroup::alltoall(const void* in, void* out, size_t n, DType t) {
  return enqueue("allToAll", [this, in, out, n, t](uint32_t tag) {
    gloo::AlltoallOptions o(context_);
    o.setTag(tag);
    o.setInput(const_cast<uint8_t*>(static_cast<const uint8_t*>(in)), bytes(n, t) * size_);
    o.setOutput(static_cast<uint8_t*>(out), bytes(n, t) * size_);
    gloo::alltoall(o);
  });
}

std::shared_ptr<Work> ProcessGroup::barrier() {
  return enqueue("barrier", [this](uint32_t tag) {
    gloo::BarrierOptions o(context_);
    o.setTag(tag);
    gloo::barrier(o);
  });
}

}  // namespace flint_gloo
