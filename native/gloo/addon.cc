// N-API bindings of the flint_gloo addon: stores (TCPStore, Gloo's FileStore, prefixes),
// process groups and their work handles. The JS side (src/distributed/) prepares contiguous
// typed arrays; this file only checks sizes and hands raw pointers to the worker thread.
#include <napi.h>

#include <gloo/rendezvous/file_store.h>

#include <algorithm>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <time.h>
#include <vector>

#include "process_group.h"
#include "tcp_store.h"

namespace flint_gloo {
namespace {

// Gloo and the store throw std::exception; N-API needs a JS error instead of a terminate().
template <typename F>
Napi::Value guarded(const Napi::Env& env, F f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

std::chrono::milliseconds ms(const Napi::Value& v) { return std::chrono::milliseconds(static_cast<int64_t>(v.As<Napi::Number>().DoubleValue())); }

// ------------------------------------------------------------------------------ stores

class StoreWrap : public Napi::ObjectWrap<StoreWrap> {
 public:
  static Napi::FunctionReference ctor;
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Store", {
      InstanceMethod("set", &StoreWrap::Set), InstanceMethod("get", &StoreWrap::Get),
      InstanceMethod("add", &StoreWrap::Add), InstanceMethod("wait", &StoreWrap::Wait),
      InstanceMethod("check", &StoreWrap::Check), InstanceMethod("deleteKey", &StoreWrap::DeleteKey),
      InstanceMethod("numKeys", &StoreWrap::NumKeys), InstanceMethod("compareSet", &StoreWrap::CompareSet),
      InstanceMethod("setTimeout", &StoreWrap::SetTimeout), InstanceMethod("port", &StoreWrap::Port),
      InstanceMethod("withPrefix", &StoreWrap::WithPrefix), InstanceMethod("close", &StoreWrap::Close),
    });
    ctor = Napi::Persistent(f);
    exports.Set("Store", f);
  }
  explicit StoreWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StoreWrap>(info) {}

  std::shared_ptr<gloo::rendezvous::Store> base;
  std::shared_ptr<TCPStoreClient> tcp;
  std::shared_ptr<TCPStoreServer> server;
  std::string prefix;
  std::chrono::milliseconds timeout{30000};

  std::string key(const std::string& k) const { return prefix.empty() ? k : prefix + "/" + k; }

 private:
  TCPStoreClient& needTcp(const Napi::Env& env, const char* op) {
    if (!tcp) throw Napi::Error::New(env, std::string("Store.") + op + ": not implemented for FileStore (only TCPStore has it)");
    return *tcp;
  }
  static std::string bytesOf(const Napi::Value& v) {
    if (v.IsString()) return v.As<Napi::String>().Utf8Value();
    auto a = v.As<Napi::Uint8Array>();
    return std::string(reinterpret_cast<const char*>(a.Data()), a.ByteLength());
  }
  std::vector<std::string> keys(const Napi::Value& v) {
    auto arr = v.As<Napi::Array>();
    std::vector<std::string> out;
    for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(key(arr.Get(i).As<Napi::String>().Utf8Value()));
    return out;
  }
  Napi::Value Set(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      std::string v = bytesOf(info[1]);
      base->set(key(info[0].As<Napi::String>().Utf8Value()), std::vector<char>(v.begin(), v.end()));
      return info.Env().Undefined();
    });
  }
  Napi::Value Get(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      auto k = key(info[0].As<Napi::String>().Utf8Value());
      base->wait({k}, timeout);
      auto v = base->get(k);
      return Napi::Buffer<char>::Copy(info.Env(), v.data(), v.size());
    });
  }
  Napi::Value Add(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      auto& c = needTcp(info.Env(), "add");
      return Napi::Number::New(info.Env(), static_cast<double>(c.add(key(info[0].As<Napi::String>().Utf8Value()), info[1].As<Napi::Number>().Int64Value())));
    });
  }
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      base->wait(keys(info[0]), info.Length() > 1 && info[1].IsNumber() ? ms(info[1]) : timeout);
      return info.Env().Undefined();
    });
  }
  Napi::Value Check(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), needTcp(info.Env(), "check").check(keys(info[0])));
    });
  }
  Napi::Value DeleteKey(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), needTcp(info.Env(), "deleteKey").deleteKey(key(info[0].As<Napi::String>().Utf8Value())));
    });
  }
  Napi::Value NumKeys(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), static_cast<double>(needTcp(info.Env(), "numKeys").numKeys()));
    });
  }
  Napi::Value CompareSet(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      auto v = needTcp(info.Env(), "compareSet").compareSet(key(info[0].As<Napi::String>().Utf8Value()), bytesOf(info[1]), bytesOf(info[2]));
      return Napi::Buffer<char>::Copy(info.Env(), v.data(), v.size());
    });
  }
  Napi::Value SetTimeout(const Napi::CallbackInfo& info) {
    timeout = ms(info[0]);
    if (tcp) tcp->setTimeout(timeout);
    return info.Env().Undefined();
  }
  Napi::Value Port(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), server ? server->port() : -1);
  }
  Napi::Value WithPrefix(const Napi::CallbackInfo& info) {
    Napi::Object o = ctor.New({});
    auto* w = Napi::ObjectWrap<StoreWrap>::Unwrap(o);
    w->base = base;
    w->tcp = tcp;
    w->server = server;
    w->timeout = timeout;
    w->prefix = key(info[0].As<Napi::String>().Utf8Value());
    return o;
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (server) server->stop();
    return info.Env().Undefined();
  }
};
Napi::FunctionReference StoreWrap::ctor;

/** tcpStore(host, port, isMaster, timeoutMs, waitForWorkers): the master also serves. */
Napi::Value TcpStore(const Napi::CallbackInfo& info) {
  std::string host = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  bool master = info[2].As<Napi::Boolean>().Value();
  auto timeout = ms(info[3]);
  int waitFor = info[4].As<Napi::Number>().Int32Value();
  Napi::Object o = StoreWrap::ctor.New({});
  auto* w = Napi::ObjectWrap<StoreWrap>::Unwrap(o);
  try {
    if (master) {
      w->server = std::make_shared<TCPStoreServer>(host, port);
      port = w->server->port();
    }
    w->tcp = std::make_shared<TCPStoreClient>(master ? "127.0.0.1" : host, port, timeout);
    w->base = w->tcp;
    w->timeout = timeout;
    if (waitFor > 0) {
      // PyTorch's waitForWorkers: every client counts itself in; all wait until all are in.
      w->tcp->add("init/", 1);
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (w->tcp->add("init/", 0) < waitFor) {
        if (std::chrono::steady_clock::now() >= deadline)
          throw std::runtime_error("TCPStore: timed out after " + std::to_string(timeout.count()) + " ms waiting for " +
                                   std::to_string(waitFor) + " workers to join");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return o;
}

/** fileStore(directory): Gloo's FileStore (one file per key in that directory). */
Napi::Value FileStore(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  ::mkdir(path.c_str(), 0700);
  Napi::Object o = StoreWrap::ctor.New({});
  auto* w = Napi::ObjectWrap<StoreWrap>::Unwrap(o);
  try {
    w->base = std::make_shared<gloo::rendezvous::FileStore>(path);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  w->timeout = ms(info[1]);
  return o;
}

// ------------------------------------------------------------------------------ work

class WorkWrap : public Napi::ObjectWrap<WorkWrap> {
 public:
  static Napi::FunctionReference ctor;
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Work", {
      InstanceMethod("wait", &WorkWrap::Wait), InstanceMethod("isCompleted", &WorkWrap::IsCompleted),
    });
    ctor = Napi::Persistent(f);
    exports.Set("Work", f);
  }
  explicit WorkWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WorkWrap>(info) {}
  std::shared_ptr<Work> work;

 private:
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    std::string err = work->wait();
    if (!err.empty()) throw Napi::Error::New(info.Env(), err);
    return info.Env().Undefined();
  }
  Napi::Value IsCompleted(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), work->completed()); }
};
Napi::FunctionReference WorkWrap::ctor;

// ------------------------------------------------------------------------------ process group

struct Pending {
  std::shared_ptr<Work> work;
  std::vector<Napi::Reference<Napi::Object>> keep;
};

class GroupWrap : public Napi::ObjectWrap<GroupWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "ProcessGroup", {
      InstanceMethod("allreduce", &GroupWrap::Allreduce), InstanceMethod("reduce", &GroupWrap::Reduce),
      InstanceMethod("broadcast", &GroupWrap::Broadcast), InstanceMethod("allgather", &GroupWrap::Allgather),
      InstanceMethod("gather", &GroupWrap::Gather), InstanceMethod("scatter", &GroupWrap::Scatter),
      InstanceMethod("alltoall", &GroupWrap::Alltoall), InstanceMethod("barrier", &GroupWrap::Barrier),
      InstanceMethod("shutdown", &GroupWrap::Shutdown), InstanceMethod("allreducePlan", &GroupWrap::AllreducePlan),
      // The same with its scale argument honoured (an addon without this name ignores it).
      InstanceMethod("allreducePlanScaled", &GroupWrap::AllreducePlan),
      InstanceMethod("allreduceRun", &GroupWrap::AllreduceRun),
    });
    exports.Set("ProcessGroup", f);
  }

  /** new ProcessGroup(store, prefix, rank, size, timeoutMs, hostname, iface): blocks in rendezvous. */
  explicit GroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GroupWrap>(info) {
    auto* store = Napi::ObjectWrap<StoreWrap>::Unwrap(info[0].As<Napi::Object>());
    try {
      group_ = std::make_unique<ProcessGroup>(store->base, store->key(info[1].As<Napi::String>().Utf8Value()),
                                              info[2].As<Napi::Number>().Int32Value(), info[3].As<Napi::Number>().Int32Value(),
                                              ms(info[4]), info[5].As<Napi::String>().Utf8Value(), info[6].As<Napi::String>().Utf8Value());
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("initProcessGroup: Gloo rendezvous failed: ") + e.what());
    }
  }
  ~GroupWrap() override {
    if (group_) group_->shutdown();
  }

 private:
  std::unique_ptr<ProcessGroup> group_;
  std::vector<Pending> pending_;
  std::vector<Napi::Reference<Napi::Object>> planBuffers_;  // every plan's buffer, alive as long as the group

  ProcessGroup& group(const Napi::Env& env) {
    if (!group_) throw Napi::Error::New(env, "distributed: the process group was destroyed");
    return *group_;
  }
  static DType dtype(const Napi::Value& v) { return static_cast<DType>(v.As<Napi::Number>().Int32Value()); }
  static ReduceOp op(const Napi::Value& v) { return static_cast<ReduceOp>(v.As<Napi::Number>().Int32Value()); }
  static void* ptr(const Napi::Value& v) {
    auto a = v.As<Napi::TypedArray>();
    return static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  }
  static size_t count(const Napi::Value& v, DType t) { return v.As<Napi::TypedArray>().ByteLength() / elementSize(t); }

  // Keeps the typed arrays alive until the worker has finished with them; completed entries
  // are dropped at the next call (references must be released on the JS thread).
  Napi::Value wrap(const Napi::Env& env, std::shared_ptr<Work> w, std::vector<Napi::Value> arrays) {
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(), [](Pending& p) { return p.work->completed(); }), pending_.end());
    Pending p{w, {}};
    for (auto& a : arrays)
      if (a.IsObject()) p.keep.push_back(Napi::Persistent(a.As<Napi::Object>()));
    pending_.push_back(std::move(p));
    Napi::Object o = WorkWrap::ctor.New({});
    Napi::ObjectWrap<WorkWrap>::Unwrap(o)->work = std::move(w);
    return o;
  }
  Napi::Value Allreduce(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] { DType t = dtype(i[1]); return wrap(i.Env(), group(i.Env()).allreduce(ptr(i[0]), count(i[0], t), t, op(i[2])), {i[0]}); });
  }
  Napi::Value Reduce(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] { DType t = dtype(i[1]); return wrap(i.Env(), group(i.Env()).reduce(ptr(i[0]), count(i[0], t), t, op(i[2]), i[3].As<Napi::Number>().Int32Value()), {i[0]}); });
  }
  Napi::Value Broadcast(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] { DType t = dtype(i[1]); return wrap(i.Env(), group(i.Env()).broadcast(ptr(i[0]), count(i[0], t), t, i[2].As<Napi::Number>().Int32Value()), {i[0]}); });
  }
  Napi::Value Allgather(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] {
      DType t = dtype(i[2]);
      auto& g = group(i.Env());
      size_t n = count(i[0], t);
      if (count(i[1], t) != n * g.size()) throw Napi::Error::New(i.Env(), "allGather: output size mismatch");
      return wrap(i.Env(), g.allgather(ptr(i[0]), ptr(i[1]), n, t), {i[0], i[1]});
    });
  }
  Napi::Value Gather(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] {
      DType t = dtype(i[2]);
      int root = i[3].As<Napi::Number>().Int32Value();
      auto& g = group(i.Env());
      size_t n = count(i[0], t);
      void* out = nullptr;
      if (g.rank() == root) {
        if (count(i[1], t) != n * g.size()) throw Napi::Error::New(i.Env(), "gather: output size mismatch");
        out = ptr(i[1]);
      }
      return wrap(i.Env(), g.gather(ptr(i[0]), out, n, t, root), {i[0], i[1]});
    });
  }
  Napi::Value Scatter(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] {
      DType t = dtype(i[2]);
      int root = i[3].As<Napi::Number>().Int32Value();
      auto& g = group(i.Env());
      size_t n = count(i[1], t);
      std::vector<void*> ins;
      std::vector<Napi::Value> keep{i[1]};
      if (g.rank() == root) {
        auto arr = i[0].As<Napi::Array>();
        for (uint32_t k = 0; k < arr.Length(); k++) {
          Napi::Value v = arr.Get(k);
          if (count(v, t) != n) throw Napi::Error::New(i.Env(), "scatter: input size mismatch");
          ins.push_back(ptr(v));
          keep.push_back(v);
        }
      }
      return wrap(i.Env(), g.scatter(ins, ptr(i[1]), n, t, root), keep);
    });
  }
  Napi::Value Alltoall(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] {
      DType t = dtype(i[2]);
      auto& g = group(i.Env());
      size_t total = count(i[0], t);
      if (total % g.size() != 0 || count(i[1], t) != total) throw Napi::Error::New(i.Env(), "allToAll: size mismatch");
      return wrap(i.Env(), g.alltoall(ptr(i[0]), ptr(i[1]), total / g.size(), t), {i[0], i[1]});
    });
  }
  Napi::Value Barrier(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] { return wrap(i.Env(), group(i.Env()).barrier(), {}); });
  }
  /** allreducePlan(buf, type, scale = 1): sets up a SUM all-reduce of buf, times scale (collective, blocking); returns its id. */
  Napi::Value AllreducePlan(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&]() -> Napi::Value {
      DType t = dtype(i[1]);
      double scale = i.Length() > 2 && i[2].IsNumber() ? i[2].As<Napi::Number>().DoubleValue() : 1.0;
      int id = group(i.Env()).planAllreduce(ptr(i[0]), count(i[0], t), t, scale);
      planBuffers_.push_back(Napi::Persistent(i[0].As<Napi::Object>()));
      return Napi::Number::New(i.Env(), id);
    });
  }
  /** allreduceRun(id): runs a planned all-reduce; returns its work. */
  Napi::Value AllreduceRun(const Napi::CallbackInfo& i) {
    return guarded(i.Env(), [&] { return wrap(i.Env(), group(i.Env()).runAllreduce(i[0].As<Napi::Number>().Int32Value()), {}); });
  }
  Napi::Value Shutdown(const Napi::CallbackInfo& i) {
    if (group_) {
      group_->shutdown();
      group_.reset();
    }
    pending_.clear();
    planBuffers_.clear();
    return i.Env().Undefined();
  }
};

/** threadCpuMs(): CPU time of the calling thread in ms (bench/ddp-worker.ts times phases with it: robust to a loaded machine). */
Napi::Value ThreadCpuMs(const Napi::CallbackInfo& info) {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  StoreWrap::Init(env, exports);
  WorkWrap::Init(env, exports);
  GroupWrap::Init(env, exports);
  exports.Set("tcpStore", Napi::Function::New(env, TcpStore));
  exports.Set("fileStore", Napi::Function::New(env, FileStore));
  exports.Set("threadCpuMs", Napi::Function::New(env, ThreadCpuMs));
  return exports;
}

}  // namespace
}  // namespace flint_gloo

static Napi::Object InitFlintGloo(Napi::Env env, Napi::Object exports) { return flint_gloo::Init(env, exports); }

NODE_API_MODULE(flint_gloo, InitFlintGloo)
