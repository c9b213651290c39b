// Each kernel family registers its own exports; addon.cc calls them all.
#pragma once
#include <napi.h>

#include <cstdint>

namespace flint {

void registerGemm(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerOps(Napi::Env env, Napi::Object exports);

// Elements a row-major matrix of rows x cols with leading dimension ld spans.
inline int64_t matrixExtent(int64_t rows, int64_t cols, int64_t ld) {
  return rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0;
}

}  // namespace flint
