// Packing of a transposed B operand (the x * W^T of every Linear layer) with 8x8 AVX transposes:
// op(B) columns are contiguous rows of W, so eight of them are read as eight vectors of eight k
// values and written out as eight panel rows. The generic packB gathers one element at a time
// with a stride of ldb, which cost more than the multiplication itself when M is small.
// Included by gemm_avx2.cc and gemm_avx512.cc after their target pragma (x86 only).
#pragma once
#include <immintrin.h>

namespace flint {
namespace {

inline void transpose8x8(__m256& r0, __m256& r1, __m256& r2, __m256& r3, __m256& r4, __m256& r5,
                         __m256& r6, __m256& r7) {
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r0 = _mm256_permute2f128_ps(s0, s4, 0x20);
  r1 = _mm256_permute2f128_ps(s1, s5, 0x20);
  r2 = _mm256_permute2f128_ps(s2, s6, 0x20);
  r3 = _mm256_permute2f128_ps(s3, s7, 0x20);
  r4 = _mm256_permute2f128_ps(s0, s4, 0x31);
  r5 = _mm256_permute2f128_ps(s1, s5, 0x31);
  r6 = _mm256_permute2f128_ps(s2, s6, 0x31);
  r7 = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[k * NR + c] = base[c * ldb + k] for c < cols, k < kc; zero for cols <= c < NR.
template <int NR>
void packBTransposedAvx(const float* base, int64_t ldb, int64_t kc, int cols, float* dst) {
  int c0 = 0;
  for (; c0 + 8 <= cols; c0 += 8) {
    const float* s = base + c0 * ldb;
    int64_t k0 = 0;
    for (; k0 + 8 <= kc; k0 += 8) {
      __m256 r0 = _mm256_loadu_ps(s + k0), r1 = _mm256_loadu_ps(s + ldb + k0);
      __m256 r2 = _mm256_loadu_ps(s + 2 * ldb + k0), r3 = _mm256_loadu_ps(s + 3 * ldb + k0);
      __m256 r4 = _mm256_loadu_ps(s + 4 * ldb + k0), r5 = _mm256_loadu_ps(s + 5 * ldb + k0);
      __m256 r6 = _mm256_loadu_ps(s + 6 * ldb + k0), r7 = _mm256_loadu_ps(s + 7 * ldb + k0);
      transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7);
      float* d = dst + k0 * NR + c0;
      _mm256_storeu_ps(d, r0);
      _mm256_storeu_ps(d + NR, r1);
      _mm256_storeu_ps(d + 2 * NR, r2);
      _mm256_storeu_ps(d + 3 * NR, r3);
      _mm256_storeu_ps(d + 4 * NR, r4);
      _mm256_storeu_ps(d + 5 * NR, r5);
      _mm256_storeu_ps(d + 6 * NR, r6);
      _mm256_storeu_ps(d + 7 * NR, r7);
    }
    for (int64_t k = k0; k < kc; ++k)
      for (int c = 0; c < 8; ++c) dst[k * NR + c0 + c] = s[c * ldb + k];
  }
  for (int c = c0; c < cols; ++c)
    for (int64_t k = 0; k < kc; ++k) dst[k * NR + c] = base[c * ldb + k];
  if (cols < NR)
    for (int64_t k = 0; k < kc; ++k)
      for (int c = cols; c < NR; ++c) dst[k * NR + c] = 0.0f;
}

}  // namespace
}  // namespace flint
