// A caching allocator for tensor storage (CPU kernel outputs of 4 KiB and more), with its own
// schedule of young-generation collections. Enabled by torch.tuneProcess() (src/process-tuning.ts).
//
// Why: a kernel output made by V8's allocator (Buffer.allocUnsafeSlow) counts as external memory
// of the young generation, and V8 (11.3, Node 20) scavenges every time those bytes reach twice the
// default semi-space (32 MB; Heap::AllocateExternalBackingStore) and starts marking the old
// generation every 64 MB of external growth (Isolate::AdjustAmountOfExternalAllocatedMemory,
// kExternalAllocationSoftLimit). A conv-net training step allocates hundreds of MB, so it paid
// ~6 scavenges and ~3 mark-compacts per step; each mid-step scavenge also ages the step's live
// activations, which then die in the old generation and need a mark-compact.
//
// How: blocks come from malloc (or this cache) and are wrapped in a BackingStore with V8's
// EmptyDeleter, which V8 accounts as zero external bytes (BackingStore::PerIsolateAccountingLength).
// This file keeps a shared_ptr to every store it hands out; V8 holds one more for every
// ArrayBuffer that uses it (also one transferred to a worker, and any embedder reference such as a
// pending fs write), so a use count of one means no JavaScript can reach the memory any more and
// the block goes back to the cache. Memory reachable from JS is never reused.
// Collections then follow this allocator's own accounting:
//   - a scavenge once a cycle's budget of bytes was handed out since the last one. It starts at
//     V8's 32 MB and doubles, up to 256 MB (FLINT_STORAGE_YOUNG_MB), while scavenges promote much
//     (a step's activations outliving a cycle), so a ResNet-20 step sees about one instead of six;
//   - a block that has lived through two scavenges is in the old generation (V8 promotes on the
//     second survival): its bytes are reported to V8 as external memory, so old garbage starts V8's
//     incremental marking as before, and only then; while step boundaries keep coming, this file
//     runs that mark-compact itself, at a boundary (collectOld).
// Only the isolate that enabled it (the main thread) allocates here; other threads get undefined
// and fall back to V8's allocator. Everything below runs on that isolate's thread.
#include <v8.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bind.h"

namespace flint {
namespace {

struct LiveBlock {
  std::shared_ptr<v8::BackingStore> store;
  void* data;
  size_t bytes;
  uint64_t bornAtScavenge;  // scavenges seen when it was handed out
  uint8_t age;              // kYoung, kDeferred or kReported
};
// A block's generation as this file sees it: young; old but not (yet) counted in V8's external
// memory because step boundaries collect for it (see collectOld); old and counted.
constexpr uint8_t kYoung = 0, kDeferred = 1, kReported = 2;

constexpr size_t kMinBytes = 4096;
constexpr size_t kMaxBytes = size_t(1) << 31;
constexpr size_t kAlign = 64;

v8::Isolate* owner = nullptr;
bool enabled = false;
bool exposeGcGiven = false;  // node was started with --expose-gc
size_t youngBudget = size_t(32) << 20;  // V8's own: twice the default semi-space
size_t maxBudget = size_t(256) << 20;
int promotingCycles = 0;  // consecutive forced scavenges that promoted much
constexpr size_t cacheCap = size_t(1) << 30;  // a safety bound; endCycle keeps it near what cycles need

std::vector<LiveBlock> live;
// Free blocks by size class (sizeClass below). Each class remembers how many blocks a cycle (the
// time between two scavenges) took from it, and keeps the most any recent cycle took: the blocks
// beyond that go back to malloc when a cycle ends, the others wait for the next cycle.
// Why the most, and over many cycles: a cycle is rarely one whole step (an inference loop has no
// step boundary; the seed CNN's 32 MB is 2/3 of a training step), so where a cycle starts within
// the step moves, and with it how many blocks of each size it needs. A cache that kept only what
// the last cycle or two used freed a block one cycle and made it again the next, from pages that
// glibc's heap had to grow and fault in (ResNet-50 inference: 3-28k page faults every few steps,
// up to 200 ms of system time; the seed CNN: ~1000 faults a cycle at different steps on each DDP
// rank). The most a class needed decays (kHorizon) so that a program that moves on to other
// shapes gives the old ones back.
// A class whose cache went empty but was used during the cycle keeps its vector's capacity: in a
// loop of dead temporaries every block is out when the scavenge comes, and a list erased then
// would grow again from nothing as the scavenge returns them.
struct SizeList {
  std::vector<void*> blocks;  // most recently returned last: taken first, still in the CPU caches
  size_t taken = 0;           // blocks handed out this cycle
  size_t most = 0;            // the most a recent cycle took
  int calm = 0;               // cycles since one took `most`
  size_t oldBack = 0;         // old blocks that came back this cycle (a mark-compact freed them)
  size_t oldMost = 0;         // the most a recent cycle got back that way
  int oldCalm = 0;            // cycles since one got `oldMost` back
};
constexpr int kHorizon = 32;  // cycles (a ResNet-50 inference step is ~3-10 of them)
std::unordered_map<size_t, SizeList> cache;
size_t liveBytes = 0, cachedBytes = 0, reportedBytes = 0, deferredBytes = 0;
size_t deferredAfterFullGc = 0;  // deferredBytes after the last mark-compact
uint64_t boundaries = 0, boundaryAtScavenge = 0, fullGcs = 0, fullGcsSeen = 0, forcedFullGcs = 0;
size_t sinceScavenge = 0;  // bytes handed out since the last scavenge
double freshBytes = 0, reusedBytes = 0, freedBytes = 0, promotedBytes = 0;  // statistics
uint64_t scavenges = 0, scavengesSeen = 0, gcs = 0, scannedAtGc = 0, forcedScavenges = 0;

// The block size a request gets: whole pages, and above 64 KiB one of eight steps per power of
// two (at most 1/8 more than asked), so that sizes close to each other (a last partial batch, a
// sequence one token longer) share blocks instead of each needing their own.
size_t sizeClass(size_t bytes) {
  size_t step = 4096;
  if (bytes > (size_t(64) << 10)) {
    int log2 = 63 - __builtin_clzll(static_cast<unsigned long long>(bytes - 1));
    step = std::max(step, size_t(1) << (log2 - 3));
  }
  return (bytes + step - 1) / step * step;
}

void onGcEpilogue(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags, void*) {
  if (type & v8::kGCTypeScavenge) scavenges++;
  if (type & v8::kGCTypeMarkSweepCompact) fullGcs++;
  gcs++;
}

void releaseBlock(void* data, size_t bytes, bool old = false) {
  if (enabled && cachedBytes + bytes <= cacheCap) {
    SizeList& list = cache[bytes];
    list.blocks.push_back(data);
    if (old) list.oldBack++;
    cachedBytes += bytes;
  } else {
    std::free(data);
    freedBytes += double(bytes);
  }
}

// Step boundaries keep coming (one within the last 8 scavenges): old blocks are then left out of
// V8's external memory, and collectOld() runs the mark-compact that frees the dead ones, at a
// boundary. Reported to V8, a step's worth of them made V8 start incremental marking every step;
// its mark-compact then fell mid-step and promoted every live activation (V8 11 promotes all
// young survivors of a mark-compact), which died old, were reported in turn, and needed the next
// one: ResNet-50 inference promoted 50-100 MB a step, its blocks came back only a mark-compact
// later, and the cache had to make new ones (3-19k page faults a step, every few steps).
bool boundaryDriven() { return boundaries > 0 && scavenges - boundaryAtScavenge <= 8; }

// Moves every block no ArrayBuffer uses any more to the cache, and marks blocks that reached the
// old generation (reporting them to V8 unless boundaries collect). Returns the bytes newly old.
size_t reclaim() {
  scannedAtGc = gcs;
  int64_t adjust = 0;
  size_t keep = 0, promoted = 0;
  for (size_t i = 0; i < live.size(); i++) {
    LiveBlock& b = live[i];
    if (b.store.use_count() == 1) {
      // The last other owner let go (possibly on V8's sweeper thread): order its writes first.
      std::atomic_thread_fence(std::memory_order_acquire);
      if (b.age == kReported) {
        adjust -= int64_t(b.bytes);
        reportedBytes -= b.bytes;
      } else if (b.age == kDeferred) {
        deferredBytes -= b.bytes;
      }
      liveBytes -= b.bytes;
      b.store.reset();
      releaseBlock(b.data, b.bytes, b.age != kYoung);
      continue;
    }
    if (b.age == kYoung && scavenges - b.bornAtScavenge >= 2) {
      promoted += b.bytes;
      b.age = kDeferred;
      deferredBytes += b.bytes;
    }
    if (b.age == kDeferred && !boundaryDriven()) {
      b.age = kReported;
      deferredBytes -= b.bytes;
      adjust += int64_t(b.bytes);
      reportedBytes += b.bytes;
    }
    if (keep != i) live[keep] = std::move(b);
    keep++;
  }
  live.resize(keep);
  if (fullGcs != fullGcsSeen) {
    fullGcsSeen = fullGcs;
    deferredAfterFullGc = deferredBytes;
  }
  promotedBytes += double(promoted);
  if (adjust != 0 && owner != nullptr) owner->AdjustAmountOfExternalAllocatedMemory(adjust);
  return promoted;
}

void scavenge() {
  // V8 offers a forced young-generation collection only under --expose-gc; the flag only makes
  // new contexts get a global gc(), so it is set for the call and cleared again.
  // (Left on when the process was started with it.)
  if (!exposeGcGiven) v8::V8::SetFlagsFromString("--expose-gc");
  owner->RequestGarbageCollectionForTesting(v8::Isolate::kMinorGarbageCollection);
  if (!exposeGcGiven) v8::V8::SetFlagsFromString("--no-expose-gc");
  forcedScavenges++;
}

// The most a class needed recently: raised at once to what a cycle saw, lowered halfway towards
// it after kHorizon cycles that saw less (so a program that moves on to other shapes gives the old
// ones back). Used for blocks taken and for old blocks brought back (endCycle).
void trackMost(size_t seen, size_t& most, int& calm) {
  if (seen >= most) {
    most = seen;
    calm = 0;
  } else if (++calm >= kHorizon) {
    most -= (most - seen + 1) / 2;
    calm = 0;
  }
}

// A scavenge ended a cycle: its dead blocks come back, and each class keeps as many as the most
// a recent cycle took; the rest (the least recently used) go back to malloc. Returns the bytes
// promoted to the old generation (reclaim).
size_t endCycle() {
  for (auto& [bytes, list] : cache) {
    trackMost(list.taken, list.most, list.calm);
    list.taken = 0;
  }
  const size_t promoted = reclaim();
  for (auto it = cache.begin(); it != cache.end();) {
    SizeList& list = it->second;
    // Old blocks come back in a batch, at a mark-compact, having been out (dead but unreachable
    // for the cache) while the cycles before it made new blocks in their place. Trimmed to `most`,
    // the batch went back to malloc and the next round of promotions made it again from fresh
    // pages (ResNet-20 training: ~57 MB a step made and freed, ~740 page faults a step). So a class
    // also keeps as many as the most a recent batch brought back.
    trackMost(list.oldBack, list.oldMost, list.oldCalm);
    list.oldBack = 0;
    const size_t keepBlocks = list.most + list.oldMost;
    if (list.blocks.size() > keepBlocks) {
      const size_t n = list.blocks.size() - keepBlocks;
      for (size_t i = 0; i < n; i++) std::free(list.blocks[i]);
      list.blocks.erase(list.blocks.begin(), list.blocks.begin() + ptrdiff_t(n));
      cachedBytes -= n * it->first;
      freedBytes += double(n * it->first);
    }
    if (list.most == 0 && list.oldMost == 0 && list.blocks.empty()) {
      it = cache.erase(it);
      continue;
    }
    ++it;
  }
  scavengesSeen = scavenges;
  sinceScavenge = 0;
  return promoted;
}

void* takeBlock(size_t bytes) {
  SizeList& list = cache[bytes];
  list.taken++;
  if (!list.blocks.empty()) {
    void* p = list.blocks.back();
    list.blocks.pop_back();
    cachedBytes -= bytes;
    reusedBytes += double(bytes);
    return p;
  }
  freshBytes += double(bytes);
  return std::aligned_alloc(kAlign, bytes);
}

// Node-API's napi_value is a v8::Local's pointer (v8impl::JsValueFromV8LocalValue in Node).
napi_value ToNapi(v8::Local<v8::Value> local) {
  napi_value v;
  static_assert(sizeof(v) == sizeof(local), "napi_value is a v8::Local");
  std::memcpy(&v, &local, sizeof v);
  return v;
}

// storageAlloc(bytes): an ArrayBuffer of `bytes` uninitialized bytes, or undefined (not enabled,
// another thread, a size outside [4 KiB, 2 GiB], or malloc failed): the caller then uses V8's.
Napi::Value storageAlloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != owner) return env.Undefined();
  if (gcs != scannedAtGc) {
    // Any scavenge (also one V8 started for its own heap) collected what was young.
    if (scavenges != scavengesSeen)
      endCycle();
    else
      reclaim();
  }
  double requested = info[0].As<Napi::Number>().DoubleValue();
  if (!enabled || !(requested >= kMinBytes && requested <= kMaxBytes)) return env.Undefined();
  const size_t bytes = size_t(requested), block = sizeClass(bytes);
  if (sinceScavenge + block > youngBudget) {
    scavenge();
    // Blocks promoted by this scavenge lived through two cycles: when that is much of a cycle's
    // allocation (a training step's activations outlive a cycle shorter than the step), the
    // cycle doubles, up to maxBudget, so they die young instead. A longer cycle touches more
    // memory, which costs small ops cache misses, so it grows only when that repeats.
    // Twice in a row: long-lived tensors made once (a model's weights, a data set) promote once.
    if (endCycle() <= youngBudget / 4) {
      promotingCycles = 0;
    } else if (++promotingCycles >= 2 && youngBudget < maxBudget) {
      youngBudget = std::min(2 * youngBudget, maxBudget);
      promotingCycles = 0;
    }
  }
  void* data = takeBlock(block);
  if (data == nullptr) return env.Undefined();
  std::shared_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(data, bytes, v8::BackingStore::EmptyDeleter, nullptr);
  live.push_back(LiveBlock{store, data, block, scavenges, kYoung});
  liveBytes += block;
  sinceScavenge += block;
  return Napi::Value(env, ToNapi(v8::ArrayBuffer::New(isolate, store)));
}

// At a step boundary: a mark-compact once the old blocks not reported to V8 grew by 64 MB (V8's
// own step for external memory, kExternalAllocationSoftLimit) or by half since the last one. Here
// a step's temporaries are dead, so it promotes nothing of them; it also empties the young
// generation, which starts a new cycle. Returns whether it collected.
bool collectOld() {
  if (gcs != scannedAtGc) reclaim();  // (blocks only die, and age, in a collection)
  const size_t growth = std::max(size_t(64) << 20, deferredAfterFullGc / 2);
  if (deferredBytes < deferredAfterFullGc + growth) return false;
  if (!exposeGcGiven) v8::V8::SetFlagsFromString("--expose-gc");
  owner->RequestGarbageCollectionForTesting(v8::Isolate::kFullGarbageCollection);
  if (!exposeGcGiven) v8::V8::SetFlagsFromString("--no-expose-gc");
  forcedFullGcs++;
  endCycle();
  return true;
}

// storageStepBoundary(): a training loop's word that the step's temporaries are dead now (DDP's
// reducer says it at the end of backward, just before it waits for the gradient all-reduce). The
// cycle then follows the step: the budget grows to 4 steps' allocation (up to maxBudget), so the
// allocator's own scavenges no longer fall mid-step, and a scavenge runs here once a quarter of it
// was handed out. Mid-step, the last step's input batch is often still referenced (a loop variable
// not yet reassigned) and this step's activations are alive: a second scavenge promotes them and
// they wait for a mark-compact, while new blocks fault in fresh pages. Here they are dead, and
// every DDP rank collects at the same point of the step, while the all-reduce is in flight.
// Returns whether it scavenged. The first call only measures.
double boundaryBytes = -1;
Napi::Value storageStepBoundary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!enabled || v8::Isolate::GetCurrent() != owner) return Napi::Boolean::New(env, false);
  const double handedOut = freshBytes + reusedBytes;
  if (boundaryBytes >= 0)
    youngBudget = std::max(youngBudget, std::min(maxBudget, size_t(4 * (handedOut - boundaryBytes))));
  boundaryBytes = handedOut;
  boundaries++;
  boundaryAtScavenge = scavenges;
  if (collectOld()) return Napi::Boolean::New(env, true);
  if (sinceScavenge < youngBudget / 4) return Napi::Boolean::New(env, false);
  scavenge();
  endCycle();
  return Napi::Boolean::New(env, true);
}

// storageEnable(maxYoungBudgetMB, exposeGcGiven): starts serving storageAlloc on the calling isolate.
Napi::Value storageEnable(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (owner != nullptr && owner != isolate) return Napi::Boolean::New(info.Env(), false);
  if (owner == nullptr) {
    owner = isolate;
    isolate->AddGCEpilogueCallback(onGcEpilogue, nullptr);
  }
  if (info.Length() > 0 && info[0].IsNumber()) {
    maxBudget = size_t(info[0].As<Napi::Number>().DoubleValue() * 1048576);
    youngBudget = std::min(youngBudget, maxBudget);
  }
  if (info.Length() > 1 && info[1].IsBoolean()) exposeGcGiven = info[1].As<Napi::Boolean>().Value();
  enabled = true;
  return Napi::Boolean::New(info.Env(), true);
}

// storageDisable(): stops serving and empties the cache; blocks still in use are freed when the
// collector lets them go (the next storageStats or storageAlloc call after a GC sees that).
Napi::Value storageDisable(const Napi::CallbackInfo& info) {
  enabled = false;
  for (auto& [bytes, list] : cache)
    for (void* p : list.blocks) std::free(p);
  cache.clear();
  cachedBytes = 0;
  return info.Env().Undefined();
}

// storageStats(): what the allocator holds (and, first, takes back what the collector freed).
Napi::Value storageStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (owner != nullptr && v8::Isolate::GetCurrent() == owner) reclaim();
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", Napi::Boolean::New(env, enabled));
  o.Set("liveBytes", Napi::Number::New(env, double(liveBytes)));
  o.Set("liveBlocks", Napi::Number::New(env, double(live.size())));
  o.Set("cachedBytes", Napi::Number::New(env, double(cachedBytes)));
  o.Set("reportedBytes", Napi::Number::New(env, double(reportedBytes)));
  o.Set("deferredBytes", Napi::Number::New(env, double(deferredBytes)));
  o.Set("forcedFullGcs", Napi::Number::New(env, double(forcedFullGcs)));
  o.Set("forcedScavenges", Napi::Number::New(env, double(forcedScavenges)));
  o.Set("freshBytes", Napi::Number::New(env, freshBytes));
  o.Set("reusedBytes", Napi::Number::New(env, reusedBytes));
  o.Set("freedBytes", Napi::Number::New(env, freedBytes));
  o.Set("promotedBytes", Napi::Number::New(env, promotedBytes));
  o.Set("scavenges", Napi::Number::New(env, double(scavenges)));
  o.Set("gcs", Napi::Number::New(env, double(gcs)));
  o.Set("youngBudget", Napi::Number::New(env, double(youngBudget)));
  return o;
}

}  // namespace

void registerStorage(Napi::Env env, Napi::Object exports) {
  exportFn(env, exports, "storageAlloc", storageAlloc);
  exportFn(env, exports, "storageEnable", storageEnable);
  exportFn(env, exports, "storageDisable", storageDisable);
  exportFn(env, exports, "storageStats", storageStats);
  exportFn(env, exports, "storageStepBoundary", storageStepBoundary);
}

}  // namespace flint
