// AVX-512 kernel of the fused inference convolution (conv_eval.h). File-wide target pragma;
// called only after directEvalOk has checked that the AVX-512 GEMM kernel is active. No
// standard-library code after the pragma.
#include <cstdint>

#include "conv_eval.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

constexpr int kPos = 8;  // output positions per tile, as directConvImageAvx512

// In-register 16 x 16 transpose: r[i] holds row i on entry and column i on exit (the same
// shuffles as conv_direct_avx512.cc's).
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd);
    t[j + 8] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xdd);
    r[j + 4] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0x88);
    r[j + 12] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0xdd);
  }
}

// One channel's 8 (or npos) positions: + bias, * alpha + beta, + residual, ReLU, each rounded
// as the separate ops (no FMA contraction: the file is built with -ffp-contract=off and the
// multiply and the add are separate intrinsics). ReLU keeps NaN and maps -0 to +0, as
// `z > 0 ? z : (z == z ? 0 : z)`: keep z where it is not <= 0 (greater, or unordered).
inline void finishChannel(__m256 v, int64_t c, const EvalTail& t, int64_t P, int64_t base, __mmask8 pm,
                          float* out) {
  if (t.bias) v = _mm256_add_ps(v, _mm256_set1_ps(t.bias[c]));
  v = _mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(t.alpha[c])), _mm256_set1_ps(t.beta[c]));
  if (t.residual) v = _mm256_add_ps(v, _mm256_maskz_loadu_ps(pm, t.residual + c * P + base));
  if (t.relu) v = _mm256_maskz_mov_ps(_mm256_cmp_ps_mask(v, _mm256_setzero_ps(), _CMP_NLE_UQ), v);
  _mm256_mask_storeu_ps(out + c * P + base, pm, v);
}

}  // namespace

void directEvalPanelsAvx512(const DirectGeo& g, const float* xpad, const float* wPacked, int64_t pnBegin,
                            int64_t pnEnd, const EvalTail& tail, float* out) {
  const int64_t plane = g.Hp * g.Wp, P = g.Hout * g.Wout, KW = g.KW, K = g.Cin * g.KH * g.KW;
  for (int64_t oh = 0; oh < g.Hout; ++oh) {
    // Taps whose input row is padding contribute nothing: skip them.
    const int64_t kh0 = imax(0, g.padT - oh), kh1 = imin(g.KH, g.padT + g.Hin - oh);
    for (int64_t ow0 = 0; ow0 < g.Wout; ow0 += kPos) {
      const int64_t npos = imin(kPos, g.Wout - ow0);
      unsigned posMask[16];
      bool interior = g.KW <= 16;
      for (int64_t kw = 0; kw < g.KW && kw < 16; ++kw) {
        unsigned m = 0;
        for (int64_t r = 0; r < kPos; ++r) {
          const int64_t col = ow0 + r + kw - g.padL;
          if (col >= 0 && col < g.Win) m |= 1u << r;
        }
        posMask[kw] = m;
        if (m != 0xFFu) interior = false;
      }
      if (g.KW > 16) interior = true;
      for (int64_t pn = pnBegin; pn < pnEnd; ++pn) {
        const float* wPanel = wPacked + pn * K * 32;
        // The sums run over (c, kh, kw) in the direct kernel's order: the same float results.
        __m512 acc[kPos][2];
#pragma GCC unroll 8
        for (int r = 0; r < kPos; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        for (int64_t c = 0; c < g.Cin; ++c) {
          for (int64_t kh = kh0; kh < kh1; ++kh) {
            const float* a = xpad + c * plane + (oh + kh) * g.Wp + ow0;
            const float* b = wPanel + (c * g.KH + kh) * KW * 32;
            if (interior) {
              for (int64_t kw = 0; kw < KW; ++kw) {
                const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 8
                for (int r = 0; r < kPos; ++r) {
                  const __m512 av = _mm512_set1_ps(a[r]);
                  acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
                  acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
                }
                ++a;
                b += 32;
              }
            } else {
              for (int64_t kw = 0; kw < KW; ++kw) {
                const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
                const unsigned m = posMask[kw];
#pragma GCC unroll 8
                for (int r = 0; r < kPos; ++r) {
                  if (m & (1u << r)) {
                    const __m512 av = _mm512_set1_ps(a[r]);
                    acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
                    acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
                  }
                }
                ++a;
                b += 32;
              }
            }
          }
        }
        // [position][channel] in registers -> [channel][position]: row i of the transpose holds
        // channel i's 8 positions, then channel 16 + i's.
        __m512 t[16];
#pragma GCC unroll 8
        for (int r = 0; r < kPos; ++r) {
          t[r] = acc[r][0];
          t[kPos + r] = acc[r][1];
        }
        transpose16(t);
        const int64_t co0 = pn * 32, base = oh * g.Wout + ow0;
        const __mmask8 pm = static_cast<__mmask8>((1u << npos) - 1);
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) {
          const int64_t ca = co0 + i, cb = co0 + 16 + i;
          if (ca < g.Cout) finishChannel(_mm512_castps512_ps256(t[i]), ca, tail, P, base, pm, out);
          if (cb < g.Cout) finishChannel(_mm512_extractf32x8_ps(t[i], 1), cb, tail, P, base, pm, out);
        }
      }
    }
  }
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (directEvalOk checks for the AVX-512 GEMM kernel)
namespace flint {
void directEvalPanelsAvx512(const DirectGeo&, const float*, const float*, int64_t, int64_t, const EvalTail&, float*) {}
}  // namespace flint
#endif
