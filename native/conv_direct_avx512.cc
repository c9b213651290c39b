// AVX-512 microkernels of the implicit-GEMM convolution (see conv_direct.h). File-wide target
// pragma; called only after the dispatcher has checked that the AVX-512 GEMM kernel is active.
// No standard-library code after the pragma.
#include <cstdint>

#include "conv_direct.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

#include "avx512_conv_common.h"
#include "conv_direct_tiles_avx512.h"

// Feature maps up to this size get per-tap padding masks in the weight-gradient kernel; wider
// maps have little padding, and there the branches cost more than they save (measured).
constexpr int64_t kMaskMax = 16;

}  // namespace

void transposeGradOutAvx512(const float* go, int64_t OC, int64_t P, int64_t OCp, float* goT, double* bsum) {
  const int64_t oc16 = OC / 16 * 16, p16 = P / 16 * 16;
  for (int64_t oc0 = 0; oc0 < oc16; oc0 += 16)
    for (int64_t p0 = 0; p0 < p16; p0 += 16) {
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) {
        r[i] = _mm512_loadu_ps(go + (oc0 + i) * P + p0);
        if (bsum) {
          // Bias gradient in double, 8 lanes per channel, reduced by the caller.
          __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(r[i]));
          __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(r[i]), 1)));
          double* bs = bsum + (oc0 + i) * 8;
          _mm512_storeu_pd(bs, _mm512_add_pd(_mm512_loadu_pd(bs), _mm512_add_pd(lo, hi)));
        }
      }
      transpose16(r);
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) _mm512_storeu_ps(goT + (p0 + i) * OCp + oc0, r[i]);
    }
  // Tails (channels past the last 16-block, positions past the last 16-block) element by element.
  for (int64_t oc = 0; oc < OC; ++oc) {
    const int64_t pStart = oc < oc16 ? p16 : 0;
    for (int64_t p = pStart; p < P; ++p) {
      const float v = go[oc * P + p];
      goT[p * OCp + oc] = v;
      if (bsum) bsum[oc * 8] += v;
    }
  }
  for (int64_t p = 0; p < P; ++p)
    for (int64_t oc = OC; oc < OCp; ++oc) goT[p * OCp + oc] = 0.0f;
}

void copyInteriorAvx512(const float* src, int64_t C, int64_t H, int64_t W, int64_t pT, int64_t pL,
                        float* dst) {
  const int64_t Hp = H + 2 * pT, Wp = W + 2 * pL;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h) {
      const float* sr = src + (c * H + h) * W;
      float* d = dst + (c * Hp + pT + h) * Wp + pL;
      for (int64_t w = 0; w < W; w += 16) {
        const int64_t n = imin(16, W - w);
        const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
        _mm512_mask_storeu_ps(d + w, m, _mm512_maskz_loadu_ps(m, sr + w));
      }
    }
}

void directConvImageAvx512(const DirectGeo& g, const float* xpad, const float* wPacked,
                           const float* bias, float* out, int64_t ohBegin, int64_t ohEnd) {
  const int64_t P = g.Hout * g.Wout;
  directTiles(g, xpad, wPacked, ohBegin, ohEnd, 0, (g.Cout + 31) / 32,
              [&](__m256 v, int64_t c, int64_t base, __mmask8 pm) {
                if (bias) v = _mm256_add_ps(v, _mm256_set1_ps(bias[c]));
                _mm256_mask_storeu_ps(out + c * P + base, pm, v);
              });
}

namespace {

// NT taps x 32 output channels in 2 * NT accumulators; one broadcast per tap and position.
template <int NT>
void weightAcc(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride,
               const float* goT, int64_t goStride, int64_t OCp, float* acc, int64_t kBegin, int64_t K) {
  const int64_t panels = OCp / 32, plane = g.Hp * g.Wp;
  const int64_t KHW = g.KH * g.KW;
  constexpr unsigned kAll = (1u << NT) - 1;
  for (int64_t k0 = kBegin; k0 < K; k0 += NT) {
    const int64_t nt = imin(NT, K - k0);
    int64_t off[NT], khOf[NT], kwOf[NT];
    int64_t khMin = g.KH, khMax = 0;
    for (int64_t r = 0; r < NT; ++r) {
      const int64_t k = r < nt ? k0 + r : k0;  // missing taps repeat tap k0; results dropped
      const int64_t c = k / KHW, kh = (k / g.KW) % g.KH, kw = k % g.KW;
      off[r] = c * plane + kh * g.Wp + kw;
      khOf[r] = kh;
      kwOf[r] = kw;
      khMin = imin(khMin, kh);
      khMax = imax(khMax, kh);
    }
    // Output rows whose input rows are padding for every tap of this group add nothing.
    const int64_t ohB = imax(0, g.padT - khMax), ohE = imin(g.Hout, g.padT + g.Hin - khMin);
    // Bit r of colMask[ow] / rowMask[oh]: tap r reads a real input column / row there; products
    // with padding are zero and skipped (predictable branches; the FMA port is the bottleneck).
    unsigned short colMask[kMaskMax], rowMask[kMaskMax];
    const bool masked = g.Wout <= kMaskMax && g.Hout <= kMaskMax;
    if (masked) {
      for (int64_t ow = 0; ow < g.Wout; ++ow) {
        unsigned m = 0;
        for (int64_t r = 0; r < NT; ++r) {
          const int64_t col = ow + kwOf[r] - g.padL;
          if (col >= 0 && col < g.Win) m |= 1u << r;
        }
        colMask[ow] = static_cast<unsigned short>(m);
      }
      for (int64_t oh = 0; oh < g.Hout; ++oh) {
        unsigned m = 0;
        for (int64_t r = 0; r < NT; ++r) {
          const int64_t row = oh + khOf[r] - g.padT;
          if (row >= 0 && row < g.Hin) m |= 1u << r;
        }
        rowMask[oh] = static_cast<unsigned short>(m);
      }
    }
    for (int64_t pn = 0; pn < panels; ++pn) {
      __m512 a0[NT], a1[NT];
#pragma GCC unroll 16
      for (int r = 0; r < NT; ++r) {
        if (r < nt) {
          a0[r] = _mm512_loadu_ps(acc + (k0 + r) * OCp + pn * 32);
          a1[r] = _mm512_loadu_ps(acc + (k0 + r) * OCp + pn * 32 + 16);
        } else {
          a0[r] = a1[r] = _mm512_setzero_ps();
        }
      }
      for (int64_t img = 0; img < images; ++img) {
        const float* xi = xpad + img * imgStride;
        const float* q[NT];
#pragma GCC unroll 16
        for (int r = 0; r < NT; ++r) q[r] = xi + off[r];
        for (int64_t oh = ohB; oh < ohE; ++oh) {
          const float* b = goT + img * goStride + oh * g.Wout * OCp + pn * 32;
          const int64_t ro = oh * g.Wp;
          const unsigned rm = masked ? rowMask[oh] : kAll;
          for (int64_t ow = 0; ow < g.Wout; ++ow) {
            const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
            const int64_t i = ro + ow;
            const unsigned m = masked ? rm & colMask[ow] : kAll;
            if (m == kAll) {
#pragma GCC unroll 16
              for (int r = 0; r < NT; ++r) {
                const __m512 sv = _mm512_set1_ps(q[r][i]);
                a0[r] = _mm512_fmadd_ps(sv, b0, a0[r]);
                a1[r] = _mm512_fmadd_ps(sv, b1, a1[r]);
              }
            } else {
#pragma GCC unroll 16
              for (int r = 0; r < NT; ++r) {
                if (m & (1u << r)) {
                  const __m512 sv = _mm512_set1_ps(q[r][i]);
                  a0[r] = _mm512_fmadd_ps(sv, b0, a0[r]);
                  a1[r] = _mm512_fmadd_ps(sv, b1, a1[r]);
                }
              }
            }
            b += OCp;
          }
        }
      }
#pragma GCC unroll 16
      for (int r = 0; r < NT; ++r) {
        if (r < nt) {
          _mm512_storeu_ps(acc + (k0 + r) * OCp + pn * 32, a0[r]);
          _mm512_storeu_ps(acc + (k0 + r) * OCp + pn * 32 + 16, a1[r]);
        }
      }
    }
  }
}

}  // namespace

void directConvWeightAccAvx512(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride,
                               const float* goT, int64_t goStride, int64_t OCp, float* acc) {
  // 12-tap tiles (24 accumulators) measured 4-8% faster than 8-tap ones; the taps that do not
  // fill a 12-tap tile go through 8- and then 4-tap tiles, which waste fewer slots.
  const int64_t K = g.Cin * g.KH * g.KW, k12 = K / 12 * 12, k8 = k12 + (K - k12) / 8 * 8;
  weightAcc<12>(g, images, xpad, imgStride, goT, goStride, OCp, acc, 0, k12);
  weightAcc<8>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k12, k8);
  weightAcc<4>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k8, K);
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (directConv*Ok checks for the AVX-512 GEMM kernel)
namespace flint {
void directConvImageAvx512(const DirectGeo&, const float*, const float*, const float*, float*, int64_t, int64_t) {}
void directConvWeightAccAvx512(const DirectGeo&, int64_t, const float*, int64_t, const float*, int64_t,
                               int64_t, float*) {}
void transposeGradOutAvx512(const float*, int64_t, int64_t, int64_t, float*, double*) {}
void copyInteriorAvx512(const float*, int64_t, int64_t, int64_t, int64_t, int64_t, float*) {}
}  // namespace flint
#endif
