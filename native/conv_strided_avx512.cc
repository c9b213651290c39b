// AVX-512 kernel of the strided few-channel convolution (conv_strided.h). File-wide target
// pragma; called only after the dispatcher has checked that the AVX-512 GEMM kernel is active.
// No standard-library code after the pragma.
#include <cstdint>

#include "conv_strided.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

#include "avx512_conv_common.h"

// Blocks of 8 output positions of one row x 32 output channels (16 accumulators): per tap two
// weight vectors and 8 broadcast inputs, S floats apart. Every tap is multiplied, padding too
// (zeros), as the GEMM multiplies the column matrix's zeros; positions past the row's end read
// the next row (or the slack) and are not stored.
template <int S>
void rows(const StridedGeo& g, const float* xpad, const float* wPacked, const float* bias, float* out,
          int64_t ohBegin, int64_t ohEnd) {
  constexpr int KP = 8, NV = 2, PW = 32;
  const int64_t K = g.C * g.KH * g.KW, panels = (g.OC + PW - 1) / PW, plane = g.Hp * g.Wp, P = g.OH * g.OW;
  alignas(64) float tmp[16];
  for (int64_t oh = ohBegin; oh < ohEnd; ++oh)
    for (int64_t ow0 = 0; ow0 < g.OW; ow0 += KP) {
      const float* a0 = xpad + oh * S * g.Wp + ow0 * S;
      const int64_t cols = imin(KP, g.OW - ow0);
      const __mmask16 cm = static_cast<__mmask16>((1u << cols) - 1);
      for (int64_t pn = 0; pn < panels; ++pn) {
        const float* b = wPacked + pn * K * PW;
        __m512 acc[KP][NV];
#pragma GCC unroll 8
        for (int r = 0; r < KP; ++r)
#pragma GCC unroll 2
          for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
        for (int64_t c = 0; c < g.C; ++c)
          for (int64_t kh = 0; kh < g.KH; ++kh) {
            const float* a = a0 + c * plane + kh * g.Wp;
            for (int64_t kw = 0; kw < g.KW; ++kw, b += PW) fmaTile<KP, NV, KP, S>(acc, a + kw, 0, b);
          }
        // Row i of the transpose: channel i's 8 positions, then channel 16 + i's.
        __m512 t[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) t[i] = acc[i % KP][i / KP];
        transpose16(t);
        for (int i = 0; i < 16; ++i) {
          _mm512_store_ps(tmp, t[i]);
          for (int v = 0; v < NV; ++v) {
            const int64_t co = pn * PW + 16 * v + i;
            if (co >= g.OC) continue;
            __m512 val = _mm512_maskz_loadu_ps(cm, tmp + v * KP);
            if (bias) val = _mm512_add_ps(val, _mm512_set1_ps(bias[co]));
            _mm512_mask_storeu_ps(out + co * P + oh * g.OW + ow0, cm, val);
          }
        }
      }
    }
}

}  // namespace

void stridedConvRowsAvx512(const StridedGeo& g, const float* xpad, const float* wPacked, const float* bias,
                           float* out, int64_t ohBegin, int64_t ohEnd) {
  if (g.stride == 2) return rows<2>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  if (g.stride == 3) return rows<3>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  rows<4>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (stridedConvForwardOk checks for the AVX-512 GEMM kernel)
namespace flint {
void stridedConvRowsAvx512(const StridedGeo&, const float*, const float*, const float*, float*, int64_t,
                           int64_t) {}
}  // namespace flint
#endif
