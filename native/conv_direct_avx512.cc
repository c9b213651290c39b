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

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

// 8 consecutive output positions of one row x 32 output channels, 16 zmm accumulators. Per tap:
// two weight vectors and eight broadcasts of neighbouring input floats.
constexpr int kPos = 8;
// Feature maps up to this size get per-tap padding masks in the weight-gradient kernel; wider
// maps have little padding, and there the branches cost more than they save (measured).
constexpr int64_t kMaskMax = 16;

// In-register 16 x 16 transpose: r[i] holds row i on entry and column i on exit.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // r[4i + j], 128-bit lane L: column 4L + j of rows 4i .. 4i + 3.
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
  const int64_t K = g.Cin * g.KH * g.KW, panels = (g.Cout + 31) / 32, plane = g.Hp * g.Wp;
  const int64_t P = g.Hout * g.Wout, KW = g.KW;
  for (int64_t oh = ohBegin; oh < ohEnd; ++oh) {
    // Taps whose input row is padding contribute nothing: skip them.
    const int64_t kh0 = imax(0, g.padT - oh), kh1 = imin(g.KH, g.padT + g.Hin - oh);
    for (int64_t ow0 = 0; ow0 < g.Wout; ow0 += kPos) {
      const int64_t npos = imin(kPos, g.Wout - ow0);
      // Column taps: position ow0 + r, tap kw reads input column ow0 + r + kw - padL.
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
      if (g.KW > 16) interior = true;  // no mask table: compute every tap
      for (int64_t pn = 0; pn < panels; ++pn) {
        const float* wp = wPacked + pn * K * 32;
        __m512 acc[kPos][2];
#pragma GCC unroll 8
        for (int r = 0; r < kPos; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        for (int64_t c = 0; c < g.Cin; ++c) {
          for (int64_t kh = kh0; kh < kh1; ++kh) {
            const float* a = xpad + c * plane + (oh + kh) * g.Wp + ow0;
            const float* b = wp + (c * g.KH + kh) * KW * 32;
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
              // Border tile: position r reads padding for tap kw unless rLo[kw] <= r < rHi[kw].
              // The branches are predictable and the FMA port is the bottleneck, so skipping is
              // close to free.
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
        // Registers hold [position][channel]; the output is [channel][position]: one 16 x 16
        // transpose gives, in row i, channel i's 8 positions then channel 16 + i's.
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
          __m256 va = _mm512_castps512_ps256(t[i]), vb = _mm512_extractf32x8_ps(t[i], 1);
          if (ca < g.Cout) {
            if (bias) va = _mm256_add_ps(va, _mm256_set1_ps(bias[ca]));
            _mm256_mask_storeu_ps(out + ca * P + base, pm, va);
          }
          if (cb < g.Cout) {
            if (bias) vb = _mm256_add_ps(vb, _mm256_set1_ps(bias[cb]));
            _mm256_mask_storeu_ps(out + cb * P + base, pm, vb);
          }
        }
      }
    }
  }
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
