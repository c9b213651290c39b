// AVX-512 microkernel (MR x 32, FMA, accumulators in zmm registers). Compiled for AVX-512 with a
// file-wide target pragma; only called after __builtin_cpu_supports says the CPU has it. No
// standard-library code is instantiated after the pragma, so nothing AVX-512 leaks into
// functions shared with the generic code.
#include <cstdint>
#include <cstdlib>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

constexpr int kMR = 8;
constexpr int kNR = 32;

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  __m512 c0[kMR], c1[kMR];
#pragma GCC unroll 16
  for (int r = 0; r < kMR; ++r) {
    c0[r] = _mm512_setzero_ps();
    c1[r] = _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m512 b0 = _mm512_load_ps(B);
    __m512 b1 = _mm512_load_ps(B + 16);
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {
      __m512 a = _mm512_set1_ps(A[r]);
      c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
    }
    A += kMR;
    B += kNR;
  }
  __m512 va = _mm512_set1_ps(alpha);
  if (mr == kMR && nr == kNR) {
#pragma GCC unroll 16
    for (int r = 0; r < kMR; ++r) {
      float* cr = C + r * ldc;
      _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, c0[r], _mm512_loadu_ps(cr)));
      _mm512_storeu_ps(cr + 16, _mm512_fmadd_ps(va, c1[r], _mm512_loadu_ps(cr + 16)));
    }
    return;
  }
  __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
  __mmask16 m1 = nr >= 32   ? static_cast<__mmask16>(0xFFFF)
                 : nr > 16 ? static_cast<__mmask16>((1u << (nr - 16)) - 1)
                           : static_cast<__mmask16>(0);
#pragma GCC unroll 16
  for (int r = 0; r < kMR; ++r) {
    if (r >= mr) break;
    float* cr = C + r * ldc;
    __m512 x0 = _mm512_maskz_loadu_ps(m0, cr);
    _mm512_mask_storeu_ps(cr, m0, _mm512_fmadd_ps(va, c0[r], x0));
    __m512 x1 = _mm512_maskz_loadu_ps(m1, cr + 16);
    _mm512_mask_storeu_ps(cr + 16, m1, _mm512_fmadd_ps(va, c1[r], x1));
  }
}

}  // namespace

GemmKernel avx512Kernel() {
  GemmKernel k{kMR, kNR, 256, 192, 4096, micro, "avx512"};
  if (const char* e = std::getenv("FLINT_KC")) k.kc = std::atoi(e);
  if (const char* e = std::getenv("FLINT_MC")) k.mc = std::atoi(e);
  return k;
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
