// Entry point of the flint_native addon: CPU kernels on raw Float32Arrays (see
// src/backend/native/addon.ts for the typed interface and argument order).
#include <napi.h>

#include <cstdlib>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "bind.h"

// Training frees and reallocates the same multi-megabyte tensor buffers every step. glibc
// serves large blocks with mmap and returns them to the kernel on free, so every step pays page
// faults and zeroing again. Keeping them in the heap (as PyTorch's fastest GLIBC_TUNABLES
// setting does) makes a freed activation buffer free for the next step. This changes malloc for
// the whole host process, so it is not done on load: torch.backends.tuneProcess() (which the
// CLI calls) asks for it. Returns whether it applied (glibc only).
static Napi::Value keepLargeBlocksInHeap(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  const char* keep = std::getenv("FLINT_KEEP_MALLOC");
  if (keep != nullptr && std::string(keep) == "1") return Napi::Boolean::New(info.Env(), false);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  exports.Set("keepLargeBlocksInHeap", Napi::Function::New(env, keepLargeBlocksInHeap));
  flint::registerGemm(env, exports);
  flint::registerConv(env, exports);
  flint::registerPool(env, exports);
  flint::registerOps(env, exports);
  flint::registerRnn(env, exports);
  flint::registerStorage(env, exports);
  return exports;
}

NODE_API_MODULE(flint_native, InitAddon)
