// AVX-512 producer of the weight-gradient GEMM's packed B (= im2col^T): for each output
// position, the NR = 32 taps of a panel are two 16-lane gathers from the padded image, stored
// as two full cache lines. Replaces a strided scalar transpose that cost as much as the GEMM.
#include <cstdint>

#include "im2col.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {

void im2colPackedTAvx512(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp,
                         float* Bp, int64_t packedN, int64_t KC) {
  constexpr int64_t NR = 32;
  const int64_t P = s.OH * s.OW, N = Cg * s.KH * s.KW, rowStep = s.sH * Wp;
  alignas(64) int32_t off[NR];
  for (int64_t j0 = 0; j0 < N; j0 += NR) {
    const int64_t nr = N - j0 < NR ? N - j0 : NR;
    for (int64_t t = 0; t < NR; ++t) {
      int64_t k = t < nr ? j0 + t : j0;
      int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
      off[t] = static_cast<int32_t>((c * Hp + kh * s.dH) * Wp + kw * s.dW);
    }
    const __m512i o0 = _mm512_load_si512(off), o1 = _mm512_load_si512(off + 16);
    const __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32   ? static_cast<__mmask16>(0xFFFF)
                         : nr > 16 ? static_cast<__mmask16>((1u << (nr - 16)) - 1)
                                   : static_cast<__mmask16>(0);
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t pc = 0; pc < P; pc += KC) {
      const int64_t kc = P - pc < KC ? P - pc : KC;
      float* panel = Bp + pc * packedN + j0 * kc;
      int64_t oh = pc / s.OW, ow = pc % s.OW;
      for (int64_t kk = 0; kk < kc; ++kk) {
        const float* b = xpad + oh * rowStep + ow * s.sW;
        _mm512_storeu_ps(panel + kk * NR, _mm512_mask_i32gather_ps(zero, m0, o0, b, 4));
        _mm512_storeu_ps(panel + kk * NR + 16, _mm512_mask_i32gather_ps(zero, m1, o1, b, 4));
        if (++ow == s.OW) {
          ow = 0;
          ++oh;
        }
      }
    }
  }
}

void im2colPackedAvx512(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp,
                        float* Bp, int64_t packedN, int64_t KC) {
  constexpr int64_t NR = 32;
  const int64_t K = Cg * s.KH * s.KW, rowStep = s.sH * Wp;
  for (int64_t k = 0; k < K; ++k) {
    const int64_t pc = k / KC * KC, kc = K - pc < KC ? K - pc : KC, panelStep = kc * NR;
    float* panel = Bp + pc * packedN + (k - pc) * NR;
    const int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
    const float* plane = xpad + (c * Hp + kh * s.dH) * Wp + kw * s.dW;
    int64_t col = 0;
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      const float* src = plane + oh * rowStep;
      int64_t left = s.OW;
      while (left > 0) {
        int64_t len = NR - col < left ? NR - col : left;
        float* d = panel + col;
        // Masked 16-lane copies: a row segment of a small feature map is one or two of them.
        for (int64_t t = 0; t < len; t += 16) {
          int64_t n = len - t < 16 ? len - t : 16;
          __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
          __m512 v = s.sW == 1 ? _mm512_maskz_loadu_ps(m, src + t)
                               : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m,
                                     _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                        _mm512_set1_epi32(static_cast<int32_t>(s.sW))),
                                     src + t * s.sW, 4);
          _mm512_mask_storeu_ps(d + t, m, v);
        }
        src += len * s.sW;
        left -= len;
        col += len;
        if (col == NR) {
          col = 0;
          panel += panelStep;
        }
      }
    }
    for (int64_t t = col; col != 0 && t < NR; ++t) panel[t] = 0.0f;
  }
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (the dispatcher checks for the AVX-512 GEMM kernel)
namespace flint {
void im2colPackedTAvx512(const ConvShape&, int64_t, const float*, int64_t, int64_t, float*, int64_t, int64_t) {}
void im2colPackedAvx512(const ConvShape&, int64_t, const float*, int64_t, int64_t, float*, int64_t, int64_t) {}
}  // namespace flint
#endif
