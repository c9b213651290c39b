// Each kernel family registers its own exports; addon.cc calls them all.
#pragma once
#include <napi.h>

#include <cstdint>

#include "args.h"

namespace flint {

void registerGemm(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerOps(Napi::Env env, Napi::Object exports);
void registerRnn(Napi::Env env, Napi::Object exports);
void registerStorage(Napi::Env env, Napi::Object exports);

// Elements a row-major matrix of rows x cols with leading dimension ld spans (overflow-checked).
inline int64_t matrixExtent(const Args& a, int64_t rows, int64_t cols, int64_t ld) {
  return rows > 0 && cols > 0 ? a.sum(a.product({rows - 1, ld}), cols) : 0;
}

// Registers fn as exports[name]. C++ exceptions other than the Napi::Error a binding throws
// (std::bad_alloc from a scratch buffer, rethrown from a pool worker) become JS errors naming
// the function instead of reaching std::terminate.
void exportFn(Napi::Env env, Napi::Object exports, const char* name,
              Napi::Value (*fn)(const Napi::CallbackInfo&));

}  // namespace flint
