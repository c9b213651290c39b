// The direct convolution's register tile loop (8 positions of an output row x 32 output channels,
// 16 zmm accumulators; per tap two weight vectors and eight broadcasts of neighbouring inputs),
// shared by the training/plain kernel (conv_direct_avx512.cc) and the fused inference kernel
// (conv_eval_avx512.cc), which differ only in the rows and weight panels they take and in what
// they do with a finished tile. Include after the AVX-512 target pragma and avx512_conv_common.h,
// inside the file's anonymous namespace. Requires conv_direct.h (DirectGeo).
#pragma once

// 8 consecutive output positions of one row x 32 output channels.
constexpr int kPos = 8;

// Output rows [ohBegin, ohEnd) x weight panels [pnBegin, pnEnd) of one image: xpad is the padded
// input, wPacked the weights in 32-channel panels. finish(v, channel, base, mask) receives each
// channel's (up to) 8 sums v for positions base.. (mask: the valid ones), channels < Cout only.
// The sums run over (c, kh, kw) in one fixed order, so every caller gets the same floats.
template <class Finish>
inline void directTiles(const DirectGeo& g, const float* xpad, const float* wPacked, int64_t ohBegin,
                        int64_t ohEnd, int64_t pnBegin, int64_t pnEnd, const Finish& finish) {
  const int64_t K = g.Cin * g.KH * g.KW, plane = g.Hp * g.Wp;
  const int64_t KW = g.KW;
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
      for (int64_t pn = pnBegin; pn < pnEnd; ++pn) {
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
          if (ca < g.Cout) finish(_mm512_castps512_ps256(t[i]), ca, base, pm);
          if (cb < g.Cout) finish(_mm512_extractf32x8_ps(t[i], 1), cb, base, pm);
        }
      }
    }
  }
}
