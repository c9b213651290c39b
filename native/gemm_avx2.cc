// AVX2 + FMA microkernel (6 x 16, twelve ymm accumulators). Same compilation scheme as the
// AVX-512 file: a file-wide target pragma and run-time dispatch.
#include <cstdint>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include "gemm_pack_avx.h"

namespace flint {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

void micro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
           float alpha) {
  __m256 c0[kMR], c1[kMR];
#pragma GCC unroll 8
  for (int r = 0; r < kMR; ++r) {
    c0[r] = _mm256_setzero_ps();
    c1[r] = _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m256 b0 = _mm256_load_ps(B);
    __m256 b1 = _mm256_load_ps(B + 8);
#pragma GCC unroll 8
    for (int r = 0; r < kMR; ++r) {
      __m256 a = _mm256_broadcast_ss(A + r);
      c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
    }
    A += kMR;
    B += kNR;
  }
  __m256 va = _mm256_set1_ps(alpha);
  if (mr == kMR && nr == kNR) {
#pragma GCC unroll 8
    for (int r = 0; r < kMR; ++r) {
      float* cr = C + r * ldc;
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, c0[r], _mm256_loadu_ps(cr)));
      _mm256_storeu_ps(cr + 8, _mm256_fmadd_ps(va, c1[r], _mm256_loadu_ps(cr + 8)));
    }
    return;
  }
  // Tails go through a small buffer; they are a small fraction of the work.
  alignas(32) float tile[kMR][kNR];
#pragma GCC unroll 8
  for (int r = 0; r < kMR; ++r) {
    _mm256_store_ps(tile[r], c0[r]);
    _mm256_store_ps(tile[r] + 8, c1[r]);
  }
  for (int r = 0; r < mr; ++r)
    for (int c = 0; c < nr; ++c) C[r * ldc + c] += alpha * tile[r][c];
}

}  // namespace

GemmKernel avx2Kernel() { return GemmKernel{kMR, kNR, 256, 144, 4096, micro, "avx2", packBTransposedAvx<kNR>}; }

}  // namespace flint
#pragma GCC pop_options

namespace flint {
bool avx2Supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
}  // namespace flint
#else  // not x86
namespace flint {
bool avx2Supported() { return false; }
GemmKernel avx2Kernel() { return scalarKernel(); }
}  // namespace flint
#endif
