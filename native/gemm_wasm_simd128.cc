// WebAssembly SIMD128 microkernel (3 x 12: nine f32x4 accumulators, three B vectors and the A
// values fit the 15 vector registers V8 maps v128 onto on x86-64), in two variants of how A is
// loaded (micro<kVecA> below), both in every build, picked per engine by the loader. Baseline
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
// K block (BLIS kc). 128, 400 and 512 ran the seed CNN's convolutions within 2 % of 256
// (bench/wasm-conv.ts --cpu, 2026-12-08): the kernel is not limited by where its panels sit.
#ifndef FLINT_WASM_KC
#define FLINT_WASM_KC 256
#endif

// a * b + c. Debian's clang 14 knows relaxed_madd only as its prototype, __builtin_wasm_fma_f32x4
// (f32x4.fma, opcode 0xaf), which build.sh rewrites to the final f32x4.relaxed_madd (0x105,
// native/wasm/relaxed-opcodes.mjs); the operands stay in stack order a, b, c, which the final
// instruction reads as a * b + c. A macro, so that the plain build's code is what it was before.
#if defined(__wasm_relaxed_simd__)
#define FLINT_MADD(a, b, c) ((v128_t)__builtin_wasm_fma_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define FLINT_MADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif

// One k step: the kNV B vectors of row k times A's kMR values a(r), added into c. Every variant
// runs this, so c[r][v] takes the same products in the same order whatever loads A.
template <typename ARow>
inline __attribute__((always_inline)) void step(const float* B, ARow a, v128_t (&c)[kMR][kNV]) {
  v128_t b[kNV];
#pragma clang loop unroll(full)
  for (int v = 0; v < kNV; ++v) b[v] = wasm_v128_load(B + 4 * v);
#pragma clang loop unroll(full)
  for (int r = 0; r < kMR; ++r) {
    const v128_t ar = a(r);
#pragma clang loop unroll(full)
    for (int v = 0; v < kNV; ++v) c[r][v] = FLINT_MADD(ar, b[v], c[r][v]);
  }
}

// kVecA false: each A value is a broadcast load (v128.load32_splat), kMR loads per k step; the
// fastest where memory accesses are cheap (V8 with guard-page bounds checks). true: four k steps'
// A values (4 * kMR floats, kMR whole vectors of the packed panel) in kMR vector loads, each value
// splatted by a lane shuffle: 4x fewer A loads, for engines that check bounds on every access
// (Debian's Chromium, src/backend/wasm/gemm-variant.ts). Same products, same order: same floats.
// kStore: C = alpha * A B, C not read (GemmKernel::store: the first K block of a product that
// overwrites C, so the driver need not zero C first and the kernel need not load it back. It
// adds the product to +0 as the plain kernel adds it to the zeroed C: the same floats, -0 included).
template <bool kVecA, bool kStore = false>
void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  v128_t c[kMR][kNV];
#pragma clang loop unroll(full)
  for (int r = 0; r < kMR; ++r)
#pragma clang loop unroll(full)
    for (int v = 0; v < kNV; ++v) c[r][v] = wasm_f32x4_splat(0.0f);
  int64_t k = 0;
  if (kVecA) {
    static_assert(kMR <= 4, "a lane shuffle per A value needs kMR <= 4 vectors per 4 k steps");
    for (; k + 4 <= kc; k += 4) {
      v128_t av[kMR];
#pragma clang loop unroll(full)
      for (int i = 0; i < kMR; ++i) av[i] = wasm_v128_load(A + 4 * i);
#pragma clang loop unroll(full)
      for (int s = 0; s < 4; ++s) {
        step(B, [&](int r) {
          const int e = s * kMR + r;  // element of the 4 * kMR loaded: vector e / 4, lane e % 4
          const v128_t x = av[e / 4];
          switch (e % 4) {
            case 0: return wasm_i32x4_shuffle(x, x, 0, 0, 0, 0);
            case 1: return wasm_i32x4_shuffle(x, x, 1, 1, 1, 1);
            case 2: return wasm_i32x4_shuffle(x, x, 2, 2, 2, 2);
            default: return wasm_i32x4_shuffle(x, x, 3, 3, 3, 3);
          }
        }, c);
        B += kNR;
      }
      A += 4 * kMR;
    }
  }
  for (; k < kc; ++k) {
    step(B, [&](int r) { return wasm_v128_load32_splat(A + r); }, c);
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
        wasm_v128_store(cr + 4 * v, kStore ? wasm_f32x4_add(wasm_f32x4_splat(0.0f), wasm_f32x4_mul(va, c[r][v]))
                                           : FLINT_MADD(va, c[r][v], wasm_v128_load(cr + 4 * v)));
    }
    return;
  }
  // Tails go through a small buffer; they are a small fraction of the work.
  alignas(16) float tile[kMR][kNR];
  for (int r = 0; r < kMR; ++r)
    for (int v = 0; v < kNV; ++v) wasm_v128_store(tile[r] + 4 * v, c[r][v]);
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) C[r * ldc + j] = (kStore ? 0.0f : C[r * ldc + j]) + alpha * tile[r][j];
}

int gVariant = 0;  // 0: micro<false>, 1: micro<true>; set by the loader (setWasmSimd128Variant)

}  // namespace

bool wasmSimd128Supported() { return true; }
// mc must be a multiple of MR (the packed A panels are addressed by row).
GemmKernel wasmSimd128Kernel() {
  GemmKernel k{kMR, kNR, FLINT_WASM_KC, 40 * kMR, 2048, gVariant ? micro<true> : micro<false>, "wasm-simd128"};
  k.store = gVariant ? micro<true, true> : micro<false, true>;
  return k;
}
void setWasmSimd128Variant(int variant) { gVariant = variant != 0; }

}  // namespace flint
#else  // not a wasm32 SIMD128 build
namespace flint {
bool wasmSimd128Supported() { return false; }
GemmKernel wasmSimd128Kernel() { return scalarKernel(); }
void setWasmSimd128Variant(int) {}
}  // namespace flint
#endif
