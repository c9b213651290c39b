// AVX-512 microkernel (MR x 32, FMA, accumulators in zmm registers). Compiled for AVX-512 with a
// file-wide target pragma; only called after __builtin_cpu_supports says the CPU has it. No
// standard-library code is instantiated after the pragma, so nothing AVX-512 leaks into
// functions shared with the generic code.
#include <cstdint>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

#include "gemm_pack_avx.h"

namespace flint {
namespace {

// MR rows x (NV * 16) columns of C held in MR * NV zmm accumulators. Store: C = alpha * A B
// (C is not read: the first K block of a beta = 0 product), else C += alpha * A B.
template <int MR, int NV, bool Store = false>
void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  constexpr int NR = NV * 16;
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) b[v] = _mm512_load_ps(B + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      __m512 a = _mm512_set1_ps(A[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);
    }
    A += MR;
    B += NR;
  }
  __m512 va = _mm512_set1_ps(alpha);
  if (mr == MR && nr == NR) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      float* cr = C + r * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        _mm512_storeu_ps(cr + 16 * v, Store ? _mm512_mul_ps(va, acc[r][v])
                                            : _mm512_fmadd_ps(va, acc[r][v], _mm512_loadu_ps(cr + 16 * v)));
    }
    return;
  }
  __mmask16 m[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    int left = nr - 16 * v;
    m[v] = left >= 16 ? static_cast<__mmask16>(0xFFFF)
           : left > 0 ? static_cast<__mmask16>((1u << left) - 1)
                      : static_cast<__mmask16>(0);
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (r >= mr) break;
    float* cr = C + r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (Store) {
        _mm512_mask_storeu_ps(cr + 16 * v, m[v], _mm512_mul_ps(va, acc[r][v]));
      } else {
        __m512 x = _mm512_maskz_loadu_ps(m[v], cr + 16 * v);
        _mm512_mask_storeu_ps(cr + 16 * v, m[v], _mm512_fmadd_ps(va, acc[r][v], x));
      }
    }
  }
}

}  // namespace

// 8 x 32 measured best here (against 6x64, 4x64, 12x32, 14x32) on 1024^3 and on the conv
// shapes, whose M (output channels) is typically a multiple of 8.
GemmKernel avx512Kernel() {
  return GemmKernel{8, 32, 256, 192, 4096, micro<8, 2>, "avx512", packBTransposedAvx<32>, micro<8, 2, true>};
}

}  // namespace flint
#pragma GCC pop_options

namespace flint {
bool avx512Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("fma");
}
}  // namespace flint
#else  // not x86: no AVX-512; the dispatcher never asks for this kernel
namespace flint {
bool avx512Supported() { return false; }
GemmKernel avx512Kernel() { return scalarKernel(); }
}  // namespace flint
#endif
