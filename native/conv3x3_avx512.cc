// AVX-512 kernels of the 3x3 convolution path (conv3x3.h). File-wide target pragma; called only
// after the dispatcher has checked that the AVX-512 GEMM kernel is active. No standard-library
// code after the pragma.
#include <cstdint>

#include "conv3x3.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

#include "avx512_conv_common.h"

// Blocks of KP output positions (R rows of WC columns) x 16 * NV output channels: KP * NV
// accumulators (16), per tap NV weight vectors and KP broadcasts of input floats. Taps that read
// padding for every position of a block are skipped. Reads up to conv3x3Slack(Wp) floats past
// the padded image.
template <int NV, int R, int S>
void image(const DirectGeo& g, const float* xpad, const float* wPacked, const float* bias, float* out,
           int64_t ohBegin, int64_t ohEnd) {
  constexpr int KP = NV == 2 ? 8 : 16, WC = KP / R, PW = 16 * NV;
  constexpr unsigned kAll = (1u << KP) - 1;
  const int64_t K = g.Cin * 9, panels = (g.Cout + PW - 1) / PW, plane = g.Hp * g.Wp, Wp = g.Wp;
  const int64_t P = g.Hout * g.Wout;
  alignas(64) float tmp[16];
  for (int64_t oh0 = ohBegin; oh0 < ohEnd; oh0 += R)
    for (int64_t ow0 = 0; ow0 < g.Wout; ow0 += WC) {
      // Bit r of tapMask[tap]: position r exists and reads a real input for that tap.
      unsigned valid = 0, tapMask[9];
      for (int r = 0; r < KP; ++r)
        if (oh0 + r / WC < ohEnd && ow0 + r % WC < g.Wout) valid |= 1u << r;
      bool full = valid == kAll;
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw) {
          unsigned m = 0;
          for (int r = 0; r < KP; ++r) {
            const int64_t row = (oh0 + r / WC) * S + kh - g.padT, col = (ow0 + r % WC) * S + kw - g.padL;
            if ((valid >> r & 1u) && row >= 0 && row < g.Hin && col >= 0 && col < g.Win) m |= 1u << r;
          }
          tapMask[kh * 3 + kw] = m;
          if (m != kAll) full = false;
        }
      const float* a0 = xpad + oh0 * S * Wp + ow0 * S;
      for (int64_t pn = 0; pn < panels; ++pn) {
        const float* wp = wPacked + pn * K * PW;
        __m512 acc[KP][NV];
#pragma GCC unroll 16
        for (int r = 0; r < KP; ++r)
#pragma GCC unroll 2
          for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
        if (full) {
          for (int64_t c = 0; c < g.Cin; ++c) {
            const float* a = a0 + c * plane;
            const float* b = wp + c * 9 * PW;
#pragma GCC unroll 3
            for (int kh = 0; kh < 3; ++kh)
#pragma GCC unroll 3
              for (int kw = 0; kw < 3; ++kw) {
                fmaTile<KP, NV, WC, S>(acc, a + kh * Wp + kw, S * Wp, b + (kh * 3 + kw) * PW);
              }
          }
        } else {
          // Border block: taps that read padding for every position are skipped; the others
          // compute every position (padding reads zeros, positions past the block's last row or
          // column read the buffer's slack and are not stored): per-position branches measured
          // twice as slow.
          for (int64_t c = 0; c < g.Cin; ++c) {
            const float* a = a0 + c * plane;
            const float* b = wp + c * 9 * PW;
            for (int kh = 0; kh < 3; ++kh)
#pragma GCC unroll 3
              for (int kw = 0; kw < 3; ++kw) {
                if (tapMask[kh * 3 + kw] == 0) continue;
                fmaTile<KP, NV, WC, S>(acc, a + kh * Wp + kw, S * Wp, b + (kh * 3 + kw) * PW);
              }
          }
        }
        // Registers hold [position][channel]; one 16 x 16 transpose gives, in row i, channel i's
        // positions (and with NV = 2, channel 16 + i's in the upper 8 lanes).
        __m512 t[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) t[i] = acc[i % KP][i / KP];
        transpose16(t);
        const int64_t co0 = pn * PW;
        const int64_t rows = imin(R, ohEnd - oh0), cols = imin(WC, g.Wout - ow0);
        const __mmask16 cm = static_cast<__mmask16>((1u << cols) - 1);
        for (int i = 0; i < 16; ++i) {
          _mm512_store_ps(tmp, t[i]);
          for (int v = 0; v < NV; ++v) {
            const int64_t co = co0 + 16 * v + i;
            if (co >= g.Cout) continue;
            const __m512 bb = _mm512_set1_ps(bias ? bias[co] : 0.0f);
            for (int64_t rr = 0; rr < rows; ++rr) {
              const __m512 val = _mm512_add_ps(_mm512_maskz_loadu_ps(cm, tmp + v * 8 + rr * WC), bb);
              _mm512_mask_storeu_ps(out + co * P + (oh0 + rr) * g.Wout + ow0, cm, val);
            }
          }
        }
      }
    }
}

// NT taps x 16 * NV output channels in NT * NV accumulators; one broadcast per tap and position.
template <int NT, int NV, int S>
void weightAcc(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride, const float* goT,
               int64_t goStride, int64_t OCp, float* acc, int64_t kBegin, int64_t K) {
  constexpr int PW = 16 * NV;
  constexpr unsigned kAll = NT >= 32 ? ~0u : (1u << NT) - 1;
  constexpr int64_t kMaskMax = 16;
  const int64_t panels = OCp / PW, plane = g.Hp * g.Wp;
  const int64_t KHW = g.KH * g.KW;
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
    const int64_t lo = g.padT - khMax, hi = g.padT + g.Hin - 1 - khMin;
    const int64_t ohB = lo <= 0 ? 0 : (lo + S - 1) / S, ohE = hi < 0 ? 0 : imin(g.Hout, hi / S + 1);
    unsigned colMask[kMaskMax], rowMask[kMaskMax];
    const bool masked = g.Wout <= kMaskMax && g.Hout <= kMaskMax;
    if (masked) {
      for (int64_t ow = 0; ow < g.Wout; ++ow) {
        unsigned m = 0;
        for (int64_t r = 0; r < NT; ++r) {
          const int64_t col = ow * S + kwOf[r] - g.padL;
          if (col >= 0 && col < g.Win) m |= 1u << r;
        }
        colMask[ow] = m;
      }
      for (int64_t oh = 0; oh < g.Hout; ++oh) {
        unsigned m = 0;
        for (int64_t r = 0; r < NT; ++r) {
          const int64_t row = oh * S + khOf[r] - g.padT;
          if (row >= 0 && row < g.Hin) m |= 1u << r;
        }
        rowMask[oh] = m;
      }
    }
    for (int64_t pn = 0; pn < panels; ++pn) {
      __m512 a[NT][NV];
#pragma GCC unroll 32
      for (int r = 0; r < NT; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v)
          a[r][v] = r < nt ? _mm512_loadu_ps(acc + (k0 + r) * OCp + pn * PW + 16 * v) : _mm512_setzero_ps();
      for (int64_t img = 0; img < images; ++img) {
        const float* xi = xpad + img * imgStride;
        const float* q[NT];
#pragma GCC unroll 32
        for (int r = 0; r < NT; ++r) q[r] = xi + off[r];
        for (int64_t oh = ohB; oh < ohE; ++oh) {
          const float* b = goT + img * goStride + oh * g.Wout * OCp + pn * PW;
          const int64_t ro = oh * S * g.Wp;
          const unsigned rm = masked ? rowMask[oh] : kAll;
          for (int64_t ow = 0; ow < g.Wout; ++ow) {
            __m512 bv[NV];
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
            const int64_t i = ro + ow * S;
            const unsigned m = masked ? rm & colMask[ow] : kAll;
            if (m == kAll) {
#pragma GCC unroll 32
              for (int r = 0; r < NT; ++r) {
                const __m512 sv = _mm512_set1_ps(q[r][i]);
#pragma GCC unroll 2
                for (int v = 0; v < NV; ++v) a[r][v] = _mm512_fmadd_ps(sv, bv[v], a[r][v]);
              }
            } else {
#pragma GCC unroll 32
              for (int r = 0; r < NT; ++r) {
                if (m & (1u << r)) {
                  const __m512 sv = _mm512_set1_ps(q[r][i]);
#pragma GCC unroll 2
                  for (int v = 0; v < NV; ++v) a[r][v] = _mm512_fmadd_ps(sv, bv[v], a[r][v]);
                }
              }
            }
            b += OCp;
          }
        }
      }
#pragma GCC unroll 32
      for (int r = 0; r < NT; ++r)
        if (r < nt)
#pragma GCC unroll 2
          for (int v = 0; v < NV; ++v) _mm512_storeu_ps(acc + (k0 + r) * OCp + pn * PW + 16 * v, a[r][v]);
    }
  }
}

// Stride-2 input gradient (conv3x3S2BackwardImageAvx512): blocks of KP = R * WC input-gradient
// positions (R rows of WC columns, WC even and every block starting at an even column) x 16
// channels. Position (ih, iw) receives gradOut(oh, ow) * w(kh, kw) only where ih + pH - kh =
// 2 oh and iw + pW - kw = 2 ow: per row the valid kh (one or two) are found at run time, per
// column the valid kw follow from the column's parity (P = pW % 2), known at compile time, so an
// even column takes one tap and an odd one two, and neighbouring columns share the broadcast
// gradOut values (WC / 2 + 2 broadcasts and 3 weight vectors per 3 * WC / 2 multiply-adds, no
// zero-insertion and no col2im).
template <int R, int WC, int P>
void s2Image(const Conv3x3S2Geo& g, const float* gpad, const float* wPacked, float* gi, int64_t ihBegin,
             int64_t ihEnd) {
  constexpr int KP = R * WC;
  static_assert(KP == 16 && WC % 2 == 0, "one 16 x 16 transpose per block");
  const int64_t plane = g.OH * g.Wq, panels = (g.C + 15) / 16, HW = g.H * g.W, wTap = g.OC * 16;
  const int64_t a = (g.pW - P) / 2;
  alignas(64) float tmp[16];
  for (int64_t ih0 = ihBegin; ih0 < ihEnd; ih0 += R) {
    int nk[R];
    int64_t khOf[R][2], ohOf[R][2];
    for (int rr = 0; rr < R; ++rr) {
      nk[rr] = 0;
      const int64_t ih = ih0 + rr;
      if (ih >= ihEnd) continue;
      for (int64_t kh = 0; kh < 3; ++kh) {
        const int64_t t = ih + g.pH - kh;
        if (t >= 0 && t % 2 == 0 && t / 2 < g.OH) {
          khOf[rr][nk[rr]] = kh;
          ohOf[rr][nk[rr]] = t / 2;
          ++nk[rr];
        }
      }
    }
    const int64_t rows = imin(R, ihEnd - ih0);
    for (int64_t iw0 = 0; iw0 < g.W; iw0 += WC) {
      // Padded column of gradOut column (iw0 + r + pW - kw) / 2 is colBase + (r + P - kw) / 2.
      const int64_t colBase = iw0 / 2 + 1 + a;
      const int64_t cols = imin(WC, g.W - iw0);
      const __mmask16 cm = static_cast<__mmask16>((1u << cols) - 1);
      for (int64_t pn = 0; pn < panels; ++pn) {
        const float* wpn = wPacked + pn * 9 * wTap;
        __m512 acc[KP];
#pragma GCC unroll 16
        for (int r = 0; r < KP; ++r) acc[r] = _mm512_setzero_ps();
#pragma GCC unroll 4
        for (int rr = 0; rr < R; ++rr)
          for (int q = 0; q < nk[rr]; ++q) {
            const float* grow = gpad + ohOf[rr][q] * g.Wq + colBase;
            const float* w0 = wpn + khOf[rr][q] * 3 * wTap;
            for (int64_t oc = 0; oc < g.OC; ++oc) {
              const float* gg = grow + oc * plane;
              const __m512 wk[3] = {_mm512_loadu_ps(w0 + oc * 16), _mm512_loadu_ps(w0 + wTap + oc * 16),
                                    _mm512_loadu_ps(w0 + 2 * wTap + oc * 16)};
              __m512 bv[WC / 2 + 2];
#pragma GCC unroll 16
              for (int j = 0; j < WC / 2 + 2; ++j) bv[j] = _mm512_set1_ps(gg[j - 1]);
#pragma GCC unroll 16
              for (int r = 0; r < WC; ++r)
#pragma GCC unroll 3
                for (int kw = 0; kw < 3; ++kw)
                  if ((r + P - kw) % 2 == 0)
                    acc[rr * WC + r] = _mm512_fmadd_ps(bv[(r + P - kw) / 2 + 1], wk[kw], acc[rr * WC + r]);
            }
          }
        transpose16(acc);
        for (int i = 0; i < 16; ++i) {
          const int64_t c = pn * 16 + i;
          if (c >= g.C) break;
          _mm512_store_ps(tmp, acc[i]);
          for (int64_t rr = 0; rr < rows; ++rr)
            _mm512_mask_storeu_ps(gi + c * HW + (ih0 + rr) * g.W + iw0, cm, _mm512_maskz_loadu_ps(cm, tmp + rr * WC));
        }
      }
    }
  }
}

template <int P>
void s2ImageFor(const Conv3x3S2Geo& g, const float* gpad, const float* wPacked, float* gi, int64_t ihBegin,
                int64_t ihEnd) {
  if (g.W <= 8) return s2Image<2, 8, P>(g, gpad, wPacked, gi, ihBegin, ihEnd);
  s2Image<1, 16, P>(g, gpad, wPacked, gi, ihBegin, ihEnd);
}

// Stride 1 with 16-channel panels and rows of a multiple of 16 columns (ResNet-20's 16-channel
// stage at 32x32): vectors run along the row instead of across channels. Blocks of P rows x 16
// columns x 8 output channels: per input channel and tap, P row loads and 8 weight broadcasts
// feed 8 * P multiply-adds (the channel-vector blocks above take 17 loads per 16, and on 16
// channels they are bound by loads). Same products, summed in the same order (channel, then
// tap) from zero as the blocks above, so the results are the same bits; taps on padding
// multiply zeros instead of being skipped. Stores go straight to the output rows (no transpose).
template <int P, int PW>
void rowBlock(const DirectGeo& g, const float* a0, const float* wp, const float* bias, int64_t co0, float* o,
              int64_t P_out) {
  const int64_t plane = g.Hp * g.Wp, Wp = g.Wp;
  __m512 acc[P][8];
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
    for (int v = 0; v < 8; ++v) acc[p][v] = _mm512_setzero_ps();
  for (int64_t c = 0; c < g.Cin; ++c) {
    const float* a = a0 + c * plane;
    const float* b = wp + c * 9 * PW;
#pragma GCC unroll 3
    for (int kh = 0; kh < 3; ++kh)
#pragma GCC unroll 3
      for (int kw = 0; kw < 3; ++kw) {
        __m512 xv[P];
#pragma GCC unroll 4
        for (int p = 0; p < P; ++p) xv[p] = _mm512_loadu_ps(a + (p + kh) * Wp + kw);
        const float* bt = b + (kh * 3 + kw) * PW;
#pragma GCC unroll 8
        for (int v = 0; v < 8; ++v) {
          const __m512 wv = _mm512_set1_ps(bt[v]);
#pragma GCC unroll 4
          for (int p = 0; p < P; ++p) acc[p][v] = _mm512_fmadd_ps(xv[p], wv, acc[p][v]);
        }
      }
  }
#pragma GCC unroll 8
  for (int v = 0; v < 8; ++v) {
    const int64_t co = co0 + v;
    if (co >= g.Cout) break;
    const __m512 bb = _mm512_set1_ps(bias ? bias[co] : 0.0f);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) _mm512_storeu_ps(o + co * P_out + p * g.Wout, _mm512_add_ps(acc[p][v], bb));
  }
}

template <int PW>
void rowsImage(const DirectGeo& g, const float* xpad, const float* wPacked, const float* bias, float* out,
               int64_t ohBegin, int64_t ohEnd) {
  const int64_t K = g.Cin * 9, P_out = g.Hout * g.Wout;
  for (int64_t oh0 = ohBegin; oh0 < ohEnd; oh0 += 3) {
    const int64_t rows = imin(3, ohEnd - oh0);
    for (int64_t ow0 = 0; ow0 < g.Wout; ow0 += 16) {
      const float* a0 = xpad + oh0 * g.Wp + ow0;
      float* o = out + oh0 * g.Wout + ow0;
      for (int64_t co0 = 0; co0 < g.Cout; co0 += 8) {
        const float* wp = wPacked + (co0 / PW) * K * PW + co0 % PW;
        if (rows == 3)
          rowBlock<3, PW>(g, a0, wp, bias, co0, o, P_out);
        else if (rows == 2)
          rowBlock<2, PW>(g, a0, wp, bias, co0, o, P_out);
        else
          rowBlock<1, PW>(g, a0, wp, bias, co0, o, P_out);
      }
    }
  }
}

template <int S>
void imageFor(const DirectGeo& g, const float* xpad, const float* wPacked, const float* bias, float* out,
              int64_t ohBegin, int64_t ohEnd) {
  // Rows per block: the fewest that fill a block's positions (4x4 maps: 2 rows of 4 by 32
  // channels, or 4 rows of 4 by 16 channels).
  const bool rows = S == 1 && g.Wout % 16 == 0 && g.Cout % 8 == 0 && conv3x3RowsEnabled();
  if (conv3x3PanelWidth(g.Cout) == 32) {
    if (rows) return rowsImage<32>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
    if (g.Wout <= 2) return image<2, 4, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
    if (g.Wout <= 4) return image<2, 2, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
    return image<2, 1, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  }
  if (rows) return rowsImage<16>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  if (g.Wout <= 2) return image<1, 8, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  if (g.Wout <= 4) return image<1, 4, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  if (g.Wout <= 8) return image<1, 2, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  return image<1, 1, S>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
}

template <int S>
void weightAccFor(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride, const float* goT,
                  int64_t goStride, int64_t OCp, float* acc) {
  const int64_t K = g.Cin * g.KH * g.KW;
  if (OCp % 32 == 0) {
    // 12-tap tiles (24 accumulators), the rest in 8- and 4-tap tiles, as conv_direct.
    const int64_t k12 = K / 12 * 12, k8 = k12 + (K - k12) / 8 * 8;
    weightAcc<12, 2, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, 0, k12);
    weightAcc<8, 2, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k12, k8);
    weightAcc<4, 2, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k8, K);
    return;
  }
  // 16-channel panels: 24 taps (24 accumulators), then 8- and 4-tap tiles.
  const int64_t k24 = K / 24 * 24, k8 = k24 + (K - k24) / 8 * 8;
  weightAcc<24, 1, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, 0, k24);
  weightAcc<8, 1, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k24, k8);
  weightAcc<4, 1, S>(g, images, xpad, imgStride, goT, goStride, OCp, acc, k8, K);
}

}  // namespace

void conv3x3ImageAvx512(const DirectGeo& g, int stride, const float* xpad, const float* wPacked,
                        const float* bias, float* out, int64_t ohBegin, int64_t ohEnd) {
  if (stride == 2) return imageFor<2>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
  imageFor<1>(g, xpad, wPacked, bias, out, ohBegin, ohEnd);
}

void conv3x3WeightAccAvx512(const DirectGeo& g, int stride, int64_t images, const float* xpad,
                            int64_t imgStride, const float* goT, int64_t goStride, int64_t OCp, float* acc) {
  if (stride == 2) return weightAccFor<2>(g, images, xpad, imgStride, goT, goStride, OCp, acc);
  weightAccFor<1>(g, images, xpad, imgStride, goT, goStride, OCp, acc);
}

void conv3x3S2BackwardImageAvx512(const Conv3x3S2Geo& g, const float* gpad, const float* wPacked, float* gi,
                                  int64_t ihBegin, int64_t ihEnd) {
  if (g.pW % 2 == 1) return s2ImageFor<1>(g, gpad, wPacked, gi, ihBegin, ihEnd);
  s2ImageFor<0>(g, gpad, wPacked, gi, ihBegin, ihEnd);
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (conv3x3*Ok checks for the AVX-512 GEMM kernel)
namespace flint {
void conv3x3ImageAvx512(const DirectGeo&, int, const float*, const float*, const float*, float*, int64_t,
                        int64_t) {}
void conv3x3WeightAccAvx512(const DirectGeo&, int, int64_t, const float*, int64_t, const float*, int64_t,
                            int64_t, float*) {}
void conv3x3S2BackwardImageAvx512(const Conv3x3S2Geo&, const float*, const float*, float*, int64_t, int64_t) {}
}  // namespace flint
#endif
