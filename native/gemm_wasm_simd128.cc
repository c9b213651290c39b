// WebAssembly SIMD128 microkernel (4 x 12: twelve f32x4 accumulators, three B vectors and one
// broadcast A value fit the 16 vector registers that engines map v128 onto on x86-64). Baseline
// wasm SIMD has no fused multiply-add, so a tile is a multiply then an add, the same two
// roundings per step as the portable scalar kernel. Compiled only into the wasm32 build
// (native/wasm/build.sh, -msimd128); elsewhere the level reports itself unsupported.
#include <cstdint>

#include "gemm.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace flint {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 12;

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  v128_t c0[kMR], c1[kMR], c2[kMR];
  for (int r = 0; r < kMR; ++r) c0[r] = c1[r] = c2[r] = wasm_f32x4_splat(0.0f);
  for (int64_t k = 0; k < kc; ++k) {
    const v128_t b0 = wasm_v128_load(B), b1 = wasm_v128_load(B + 4), b2 = wasm_v128_load(B + 8);
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r) {
      const v128_t a = wasm_f32x4_splat(A[r]);
      c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(a, b0));
      c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(a, b1));
      c2[r] = wasm_f32x4_add(c2[r], wasm_f32x4_mul(a, b2));
    }
    A += kMR;
    B += kNR;
  }
  const v128_t va = wasm_f32x4_splat(alpha);
  if (mr == kMR && nr == kNR) {
    for (int r = 0; r < kMR; ++r) {
      float* cr = C + r * ldc;
      wasm_v128_store(cr, wasm_f32x4_add(wasm_v128_load(cr), wasm_f32x4_mul(va, c0[r])));
      wasm_v128_store(cr + 4, wasm_f32x4_add(wasm_v128_load(cr + 4), wasm_f32x4_mul(va, c1[r])));
      wasm_v128_store(cr + 8, wasm_f32x4_add(wasm_v128_load(cr + 8), wasm_f32x4_mul(va, c2[r])));
    }
    return;
  }
  // Tails go through a small buffer; they are a small fraction of the work.
  alignas(16) float tile[kMR][kNR];
  for (int r = 0; r < kMR; ++r) {
    wasm_v128_store(tile[r], c0[r]);
    wasm_v128_store(tile[r] + 4, c1[r]);
    wasm_v128_store(tile[r] + 8, c2[r]);
  }
  for (int r = 0; r < mr; ++r)
    for (int c = 0; c < nr; ++c) C[r * ldc + c] += alpha * tile[r][c];
}

}  // namespace

bool wasmSimd128Supported() { return true; }
GemmKernel wasmSimd128Kernel() { return GemmKernel{kMR, kNR, 256, 128, 2048, micro, "wasm-simd128"}; }

}  // namespace flint
#else  // not a wasm32 SIMD128 build
namespace flint {
bool wasmSimd128Supported() { return false; }
GemmKernel wasmSimd128Kernel() { return scalarKernel(); }
}  // namespace flint
#endif
