// Tiny GEMMs straight from the operands: the packed BLIS path spends ~6k instructions packing and
// dispatching a 16x16x16 product that takes ~1.5k to multiply (callgrind, bench/ops-latency.ts).
// Each row of C is accumulated over k in order with one FMA per term from zero, then added to the
// beta-scaled C: exactly what the AVX2/AVX-512 microkernels compute for K <= their kc (one k
// block), so a tensor's values do not depend on which path ran. alpha must be 1 (the microkernels'
// tails round alpha * acc before adding, which only agrees with the full-tile FMA when alpha is 1).
#include "small_gemm.h"

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <immintrin.h>

#include <cmath>
#include <cstring>

namespace flint {
namespace {

constexpr int64_t kMaxK = 64;          // within one k block of every microkernel (kc >= 64)
constexpr int64_t kMaxWork = 1 << 16;  // M*N*K; above this, packing pays for itself
constexpr int64_t kMaxBT = 1 << 14;    // K*N of a transposed B copied to a dense buffer

void scaleRows(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    // beta == 0 overwrites (as sgemm does), so NaN/Inf in C do not leak through.
    if (beta == 0.0f)
      for (int64_t j = 0; j < N; ++j) row[j] = 0.0f;
    else
      for (int64_t j = 0; j < N; ++j) row[j] *= beta;
  }
}

// Rows i0 .. i0+R of C (R <= 4) += their products, 16 / 8 / 1 columns at a time: each B load
// feeds R FMAs, as in a microkernel's tile.
template <int R>
void rowBlock(const float* a, int64_t ars, int64_t aks, int64_t N, int64_t K, const float* B, int64_t ldb,
              float* c, int64_t ldc) {
  int64_t j = 0;
  for (; j + 16 <= N; j += 16) {
    __m256 c0[R], c1[R];
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
      const __m256 b0 = _mm256_loadu_ps(B + k * ldb + j), b1 = _mm256_loadu_ps(B + k * ldb + j + 8);
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_set1_ps(a[r * ars + k * aks]);
        c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
        c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc + j;
      _mm256_storeu_ps(cr, _mm256_add_ps(c0[r], _mm256_loadu_ps(cr)));
      _mm256_storeu_ps(cr + 8, _mm256_add_ps(c1[r], _mm256_loadu_ps(cr + 8)));
    }
  }
  for (; j + 8 <= N; j += 8) {
    __m256 c0[R];
    for (int r = 0; r < R; ++r) c0[r] = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
      const __m256 b0 = _mm256_loadu_ps(B + k * ldb + j);
      for (int r = 0; r < R; ++r) c0[r] = _mm256_fmadd_ps(_mm256_set1_ps(a[r * ars + k * aks]), b0, c0[r]);
    }
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc + j;
      _mm256_storeu_ps(cr, _mm256_add_ps(c0[r], _mm256_loadu_ps(cr)));
    }
  }
  for (; j < N; ++j)
    for (int r = 0; r < R; ++r) {
      float s = 0.0f;
      for (int64_t k = 0; k < K; ++k) s = std::fma(a[r * ars + k * aks], B[k * ldb + j], s);
      c[r * ldc + j] = s + c[r * ldc + j];
    }
}

void rowsAvx2(bool tA, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
              int64_t ldb, float* C, int64_t ldc) {
  // op(A)[i][k] = a[i * ars + k * aks]
  const int64_t ars = tA ? 1 : lda, aks = tA ? lda : 1;
  int64_t i = 0;
  for (; i + 4 <= M; i += 4) rowBlock<4>(A + i * ars, ars, aks, N, K, B, ldb, C + i * ldc, ldc);
  switch (M - i) {
    case 3: rowBlock<3>(A + i * ars, ars, aks, N, K, B, ldb, C + i * ldc, ldc); break;
    case 2: rowBlock<2>(A + i * ars, ars, aks, N, K, B, ldb, C + i * ldc, ldc); break;
    case 1: rowBlock<1>(A + i * ars, ars, aks, N, K, B, ldb, C + i * ldc, ldc); break;
    default: break;
  }
}

}  // namespace

bool sgemmSmall(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (alpha != 1.0f || K <= 0 || K > kMaxK || M <= 0 || N <= 0 || M * N * K > kMaxWork) return false;
  if (tB && K * N > kMaxBT) return false;
  // Only beside the FMA microkernels it reproduces (not the scalar one, nor a forced override).
  const GemmKernel& g = gemmKernel();
  if (g.kc < kMaxK || (std::strcmp(g.name, "avx2") != 0 && std::strcmp(g.name, "avx512") != 0)) return false;
  scaleRows(M, N, beta, C, ldc);
  if (tB) {
    // op(B)[k][j] = B[j * ldb + k]: copied to rows of N, as packing would.
    static thread_local float bt[kMaxBT];
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) bt[k * N + j] = B[j * ldb + k];
    B = bt;
    ldb = N;
  }
  rowsAvx2(tA, M, N, K, A, lda, B, ldb, C, ldc);
  return true;
}

}  // namespace flint

#pragma GCC pop_options
#else
namespace flint {
bool sgemmSmall(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float,
                float*, int64_t) {
  return false;
}
}  // namespace flint
#endif
