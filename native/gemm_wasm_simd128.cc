// WebAssembly SIMD128 microkernel (4 x 12: twelve f32x4 accumulators, three B vectors and one
// broadcast A value fit the 16 vector registers that engines map v128 onto on x86-64). Baseline
// wasm SIMD has no fused multiply-add, so a tile is a multiply then an add, the same two
// roundings per step as the portable scalar kernel. The relaxed-SIMD variant (flint-relaxed.wasm,
// this file alone compiled with -mrelaxed-simd) uses f32x4.relaxed_madd instead, one rounding per
// step as the native addon's AVX2/AVX-512 kernels (_mm256_fmadd_ps) where the engine fuses it (x86
// with FMA, ARM). Convolutions run through this GEMM in the wasm build, so they get it too.
// Compiled only into the wasm32 build (native/wasm/build.sh, -msimd128); elsewhere the level
// reports itself unsupported.
#include <cstdint>

#include "gemm.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace flint {
namespace {

#ifndef FLINT_WASM_MR
#define FLINT_WASM_MR 3
#define FLINT_WASM_NV 3
#endif
constexpr int kMR = FLINT_WASM_MR;
constexpr int kNV = FLINT_WASM_NV;
constexpr int kNR = 4 * kNV;

// a * b + c. Debian's clang 14 knows relaxed_madd only as its prototype, __builtin_wasm_fma_f32x4
// (f32x4.fma, opcode 0xaf), which build.sh rewrites to the final f32x4.relaxed_madd (0x105,
// native/wasm/relaxed-opcodes.mjs); the operands stay in stack order a, b, c, which the final
// instruction reads as a * b + c. A macro, so that the plain build's code is what it was before.
#if defined(__wasm_relaxed_simd__)
#define FLINT_MADD(a, b, c) ((v128_t)__builtin_wasm_fma_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define FLINT_MADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  v128_t c[kMR][kNV];
#pragma clang loop unroll(full)
  for (int r = 0; r < kMR; ++r)
#pragma clang loop unroll(full)
    for (int v = 0; v < kNV; ++v) c[r][v] = wasm_f32x4_splat(0.0f);
  for (int64_t k = 0; k < kc; ++k) {
    v128_t b[kNV];
#pragma clang loop unroll(full)
    for (int v = 0; v < kNV; ++v) b[v] = wasm_v128_load(B + 4 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r) {
      const v128_t a = wasm_v128_load32_splat(A + r);
#pragma clang loop unroll(full)
      for (int v = 0; v < kNV; ++v) c[r][v] = FLINT_MADD(a, b[v], c[r][v]);
    }
    A += kMR;
    B += kNR;
  }
  const v128_t va = wasm_f32x4_splat(alpha);
  if (mr == kMR && nr == kNR) {
#pragma clang loop unroll(full)
    for (int r = 0; r < kMR; ++r) {
      float* cr = C + r * ldc;
#pragma clang loop unroll(full)
      for (int v = 0; v < kNV; ++v)
        wasm_v128_store(cr + 4 * v, FLINT_MADD(va, c[r][v], wasm_v128_load(cr + 4 * v)));
    }
    return;
  }
  // Tails go through a small buffer; they are a small fraction of the work.
  alignas(16) float tile[kMR][kNR];
  for (int r = 0; r < kMR; ++r)
    for (int v = 0; v < kNV; ++v) wasm_v128_store(tile[r] + 4 * v, c[r][v]);
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) C[r * ldc + j] += alpha * tile[r][j];
}

}  // namespace

bool wasmSimd128Supported() { return true; }
// mc must be a multiple of MR (the packed A panels are addressed by row).
GemmKernel wasmSimd128Kernel() { return GemmKernel{kMR, kNR, 256, 40 * kMR, 2048, micro, "wasm-simd128"}; }

}  // namespace flint
#else  // not a wasm32 SIMD128 build
namespace flint {
bool wasmSimd128Supported() { return false; }
GemmKernel wasmSimd128Kernel() { return scalarKernel(); }
}  // namespace flint
#endif
