// AVX-512 kernel of the inference 1x1 convolution (conv_pointwise.h). File-wide target pragma;
// called only after pointwiseEvalOk has checked that the AVX-512 GEMM kernel is active. No
// standard-library code after the pragma.
#include <cstdint>

#include "conv_pointwise.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

inline __mmask16 lanes(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n > 0 ? static_cast<__mmask16>((1u << n) - 1) : 0;
}

// One 8 x 32 tile (mr rows, nr columns valid): the accumulation as gemm_avx512.cc's micro<8, 2>
// (k ascending, one FMA per product), B rows loaded from the image with masks past nr.
// Prefetch: also fetch the next strip's B lines (32 columns to the right), one k row per
// iteration: the rows are a plane apart, too far for the hardware prefetchers, and the first row
// panel of a strip would otherwise wait on each row in turn.
// Full: all 32 columns valid, unmasked loads and stores (masked stores measured much slower
// where the output dominates, 64 -> 256 channels).
template <bool First, bool Prefetch, bool Full>
inline void tile(int64_t kc, const float* A, const float* B, int64_t ldb, float* C, int64_t ldc, int mr, int nr,
                 const PointwiseTail* t) {
  const __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
  __m512 acc[8][2];
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = Full ? _mm512_loadu_ps(B) : _mm512_maskz_loadu_ps(m0, B);
    const __m512 b1 = Full ? _mm512_loadu_ps(B + 16) : _mm512_maskz_loadu_ps(m1, B + 16);
    if (Prefetch) {
      _mm_prefetch(reinterpret_cast<const char*>(B + 32), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(B + 48), _MM_HINT_T0);
    }
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      const __m512 a = _mm512_set1_ps(A[r]);
      acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
    }
    A += 8;
    B += ldb;
  }
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r) {
    if (r >= mr) break;
    float* c = C + r * ldc;
#pragma GCC unroll 2
    for (int v = 0; v < 2; ++v) {
      const __mmask16 m = v == 0 ? m0 : m1;
      __m512 y = acc[r][v];
      if (!First) y = _mm512_add_ps(Full ? _mm512_loadu_ps(c + 16 * v) : _mm512_maskz_loadu_ps(m, c + 16 * v), y);
      if (t) {
        // ConvEpilogue::applyColumns's steps, each rounded (no FMA contraction).
        if (t->bias) y = _mm512_add_ps(y, _mm512_set1_ps(t->bias[r]));
        y = _mm512_add_ps(_mm512_mul_ps(y, _mm512_set1_ps(t->alpha[r])), _mm512_set1_ps(t->beta[r]));
        if (t->residual) {
          const float* rr = t->residual + r * ldc + 16 * v;
          y = _mm512_add_ps(y, Full ? _mm512_loadu_ps(rr) : _mm512_maskz_loadu_ps(m, rr));
        }
        // ReLU keeping NaN, -0 -> +0: keep y where it is not <= 0 (greater, or unordered).
        if (t->relu) y = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_NLE_UQ), y);
      }
      if (Full)
        _mm512_storeu_ps(c + 16 * v, y);
      else
        _mm512_mask_storeu_ps(c + 16 * v, m, y);
    }
  }
}

}  // namespace

void pointwiseBlockAvx512(int64_t M, int64_t P, int64_t kc, const float* Ap, const float* B, int64_t ldb,
                          float* C, int64_t ldc, bool first, const PointwiseTail* tail) {
  // Columns outer, row panels inner: a 32-column strip of B (kc x 128 bytes) stays in L1 while
  // the block's row panels (in L2) pass over it.
  for (int64_t j = 0; j < P; j += 32) {
    const int nr = static_cast<int>(P - j < 32 ? P - j : 32);
    for (int64_t i = 0; i < M; i += 8) {
      const int mr = static_cast<int>(M - i < 8 ? M - i : 8);
      PointwiseTail t{};
      if (tail) {
        t = *tail;
        if (t.bias) t.bias += i;
        t.alpha += i;
        t.beta += i;
        if (t.residual) t.residual += i * ldc + j;
      }
      float* c = C + i * ldc + j;
      const PointwiseTail* tp = tail ? &t : nullptr;
      const float* a = Ap + i * kc;
      // (first, prefetch, full) -> one of the eight instantiations.
      using Fn = void (*)(int64_t, const float*, const float*, int64_t, float*, int64_t, int, int,
                          const PointwiseTail*);
      static constexpr Fn fns[8] = {tile<false, false, false>, tile<false, false, true>, tile<false, true, false>,
                                    tile<false, true, true>,   tile<true, false, false>,  tile<true, false, true>,
                                    tile<true, true, false>,   tile<true, true, true>};
      fns[(first ? 4 : 0) + (i == 0 ? 2 : 0) + (nr == 32 ? 1 : 0)](kc, a, B + j, ldb, c, ldc, mr, nr, tp);
    }
  }
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (pointwiseEvalOk checks for the AVX-512 GEMM kernel)
namespace flint {
void pointwiseBlockAvx512(int64_t, int64_t, int64_t, const float*, const float*, int64_t, float*, int64_t, bool,
                          const PointwiseTail*) {}
}  // namespace flint
#endif
