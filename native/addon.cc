// Entry point of the flint_native addon: CPU kernels on raw Float32Arrays (see
// src/backend/native/addon.ts for the typed interface and argument order).
#include <napi.h>

#include "bind.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  flint::registerGemm(env, exports);
  flint::registerConv(env, exports);
  flint::registerPool(env, exports);
  flint::registerOps(env, exports);
  return exports;
}

NODE_API_MODULE(flint_native, InitAddon)
