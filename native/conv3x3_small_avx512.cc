// AVX-512 kernel of the 3x3 path for planes of at most 4x4 outputs (conv3x3.h,
// conv3x3SmallAvx512). On such planes most positions touch the padding: at 4x4 with padding 1
// only 69% of the (position, tap) pairs read real inputs, and blocks of positions of one image
// cannot skip the others. Here a block is one output position of KP images, which all read the
// same taps, so only real taps are multiplied and no padded copy of the input is made. The
// multiply-adds of each output run in the order of the plane kernel (input channel, then tap),
// skipping only products with padding zeros, so results are the same.
// File-wide target pragma; called only after the dispatcher has checked that the AVX-512 GEMM
// kernel is active. No standard-library code after the pragma.
#include <cstdint>

#include "conv3x3.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

#include "avx512_conv_common.h"

// KP images x 16 * NV output channels (KP * NV = 16 accumulators).
template <int NV>
void smallImages(const Conv3x3SmallGeo& g, const float* x, const float* wPacked, const float* bias, float* out,
                 int64_t n0, int64_t n1) {
  constexpr int KP = NV == 2 ? 8 : 16, PW = 16 * NV;
  const int64_t K = g.Cin * 9, panels = (g.Cout + PW - 1) / PW, HWin = g.Hin * g.Win;
  const int64_t P = g.Hout * g.Wout, inStride = g.Cin * HWin, outStride = g.Cout * P;
  alignas(64) float tmp[16];
  for (int64_t p = 0; p < P; ++p) {
    const int64_t oh = p / g.Wout, ow = p % g.Wout;
    // The taps of position p that read real inputs, in tap order, and where they read.
    int64_t nt = 0, tapOf[9], offOf[9];
    for (int64_t kh = 0; kh < 3; ++kh)
      for (int64_t kw = 0; kw < 3; ++kw) {
        const int64_t row = oh * g.stride + kh - g.padT, col = ow * g.stride + kw - g.padL;
        if (row < 0 || row >= g.Hin || col < 0 || col >= g.Win) continue;
        tapOf[nt] = kh * 3 + kw;
        offOf[nt++] = row * g.Win + col;
      }
    for (int64_t i0 = n0; i0 < n1; i0 += KP) {
      // The last block steps back to end at n1 (n1 - n0 >= KP): its first images are computed
      // twice, to the same values, by this task.
      const int64_t img0 = i0 + KP <= n1 ? i0 : n1 - KP;
      const float* xb = x + img0 * inStride;
      for (int64_t pn = 0; pn < panels; ++pn) {
        const float* wp = wPacked + pn * K * PW;
        __m512 acc[KP][NV];
#pragma GCC unroll 16
        for (int r = 0; r < KP; ++r)
#pragma GCC unroll 2
          for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
        for (int64_t c = 0; c < g.Cin; ++c) {
          const float* xc = xb + c * HWin;
          const float* wc = wp + c * 9 * PW;
          for (int64_t j = 0; j < nt; ++j) {
            fmaTile<KP, NV, 1, 1>(acc, xc + offOf[j], inStride, wc + tapOf[j] * PW);
          }
        }
        // After the transpose row i holds channel i of the KP images (NV = 2: channel 16 + i's in
        // the upper 8 lanes).
        __m512 t[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) t[i] = acc[i % KP][i / KP];
        transpose16(t);
        for (int i = 0; i < 16; ++i) {
          _mm512_store_ps(tmp, t[i]);
          for (int v = 0; v < NV; ++v) {
            const int64_t co = pn * PW + 16 * v + i;
            if (co >= g.Cout) continue;
            const float bb = bias ? bias[co] : 0.0f;
            float* o = out + img0 * outStride + co * P + p;
            for (int r = 0; r < KP; ++r) o[r * outStride] = tmp[v * KP + r] + bb;
          }
        }
      }
    }
  }
}

}  // namespace

void conv3x3SmallAvx512(const Conv3x3SmallGeo& g, const float* x, const float* wPacked, const float* bias,
                        float* out, int64_t n0, int64_t n1) {
  if (conv3x3PanelWidth(g.Cout) == 32) return smallImages<2>(g, x, wPacked, bias, out, n0, n1);
  smallImages<1>(g, x, wPacked, bias, out, n0, n1);
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (conv3x3*Ok checks for the AVX-512 GEMM kernel)
namespace flint {
void conv3x3SmallAvx512(const Conv3x3SmallGeo&, const float*, const float*, const float*, float*, int64_t,
                        int64_t) {}
}  // namespace flint
#endif
