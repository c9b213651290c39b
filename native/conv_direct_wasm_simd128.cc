// WebAssembly SIMD128 micro-kernels of the implicit-GEMM convolution (see conv_direct.h; the driver,
// conv_direct.cc, is shared with the AVX-512 kernels). A tile is 8 consecutive output positions of
// one row (two f32x4, loaded straight from the padded input: no im2col, no transpose, the output
// is stored as it lies) x 4 output channels (one broadcast weight each): 8 accumulators + 2 inputs
// + 1 weight fit V8's 15 vector registers on x86-64 without spills. The weights come packed in
// panels of kDirectPanel = 4 channels, so one panel ([K][4], 13-26 KB on the seed CNN) stays in L1
// while the tiles sweep the image. Baseline SIMD has no fused multiply-add: a multiply then an add,
// as the SIMD128 GEMM; the relaxed build (this file compiled again with -mrelaxed-simd, build.sh)
// uses f32x4.relaxed_madd as that GEMM does. The weight gradient (directConvWeightAccWasm) runs in
// the shared driver's directWeightGrad, with its own output-gradient layout (transposeGradOutWasm).
#include <cstdint>

#include "conv_direct.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>
#include <cstring>

namespace flint {
namespace {

// a * b + c (see native/gemm_wasm_simd128.cc: clang 14's prototype opcode, rewritten by build.sh).
#if defined(__wasm_relaxed_simd__)
#define FLINT_CONV_MADD(a, b, c) ((v128_t)__builtin_wasm_fma_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define FLINT_CONV_MADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#endif

constexpr int kCh = kDirectPanel;  // output channels per tile (one weight panel)
constexpr int kNV = 2;             // f32x4 of positions per tile

// Stores the first n (< 4) lanes of v at p.
inline void storePartial(float* p, v128_t v, int64_t n) {
  float t[4];
  wasm_v128_store(t, v);
  for (int64_t i = 0; i < n; ++i) p[i] = t[i];
}

}  // namespace

void directConvImageWasm(const DirectGeo& g, const float* xpad, const float* wPacked, const float* bias,
                         float* out, int64_t ohBegin, int64_t ohEnd) {
  const int64_t K = g.Cin * g.KH * g.KW, plane = g.Hp * g.Wp, P = g.Hout * g.Wout, KW = g.KW;
  const int64_t panels = (g.Cout + kCh - 1) / kCh;
  for (int64_t pn = 0; pn < panels; ++pn) {
    const float* wp = wPacked + pn * K * kCh;
    const int64_t co0 = pn * kCh;
    for (int64_t oh = ohBegin; oh < ohEnd; ++oh) {
      // Taps whose input row is padding contribute nothing: skip them.
      const int64_t kh0 = std::max<int64_t>(0, g.padT - oh), kh1 = std::min<int64_t>(g.KH, g.padT + g.Hin - oh);
      for (int64_t ow0 = 0; ow0 < g.Wout; ow0 += 4 * kNV) {
        v128_t acc[kCh][kNV];
#pragma clang loop unroll(full)
        for (int j = 0; j < kCh; ++j)
#pragma clang loop unroll(full)
          for (int v = 0; v < kNV; ++v) acc[j][v] = wasm_f32x4_splat(0.0f);
        for (int64_t c = 0; c < g.Cin; ++c) {
          for (int64_t kh = kh0; kh < kh1; ++kh) {
            // Position ow0 + i, tap kw reads padded column ow0 + i + kw (past the row's end only
            // for positions >= Wout, whose lanes are dropped; kSlack covers the image's end).
            const float* a = xpad + c * plane + (oh + kh) * g.Wp + ow0;
            const float* b = wp + (c * g.KH + kh) * KW * kCh;
            for (int64_t kw = 0; kw < KW; ++kw) {
              v128_t x[kNV];
#pragma clang loop unroll(full)
              for (int v = 0; v < kNV; ++v) x[v] = wasm_v128_load(a + kw + 4 * v);
#pragma clang loop unroll(full)
              for (int j = 0; j < kCh; ++j) {
                const v128_t wj = wasm_v128_load32_splat(b + kw * kCh + j);
#pragma clang loop unroll(full)
                for (int v = 0; v < kNV; ++v) acc[j][v] = FLINT_CONV_MADD(x[v], wj, acc[j][v]);
              }
            }
          }
        }
        const int64_t npos = std::min<int64_t>(4 * kNV, g.Wout - ow0), base = oh * g.Wout + ow0;
#pragma clang loop unroll(full)
        for (int j = 0; j < kCh; ++j) {
          const int64_t co = co0 + j;
          if (co >= g.Cout) break;
          float* o = out + co * P + base;
#pragma clang loop unroll(full)
          for (int v = 0; v < kNV; ++v) {
            v128_t r = acc[j][v];
            if (bias) r = wasm_f32x4_add(r, wasm_f32x4_splat(bias[co]));
            const int64_t n = npos - 4 * v;
            if (n >= 4)
              wasm_v128_store(o + 4 * v, r);
            else if (n > 0)
              storePartial(o + 4 * v, r, n);
          }
        }
      }
    }
  }
}

void copyInteriorWasm(const float* src, int64_t C, int64_t H, int64_t W, int64_t pT, int64_t pL, float* dst) {
  const int64_t Hp = H + 2 * pT, Wp = W + 2 * pL;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      std::memcpy(dst + (c * Hp + pT + h) * Wp + pL, src + (c * H + h) * W, sizeof(float) * W);
}

namespace {

// NT neighbouring taps of one kernel row (c, kh, kw0 .. kw0 + NT) x the 8 output channels of strip
// oc0 (two f32x4) in 2 * NT accumulators, over one image: acc [K][OCp] += xpad(tap, position p) *
// goT(p, oc), goT strip-major (transposeGradOutWasm). The taps' inputs are one pointer plus
// constant offsets (no per-tap address registers in V8).
template <int NT>
void weightRow(const DirectGeo& g, const float* xi, const float* gi, int64_t OCp, float* acc, int64_t c,
               int64_t kh, int64_t kw0, int64_t oc0) {
  const int64_t k0 = (c * g.KH + kh) * g.KW + kw0;
  const float* x0 = xi + c * g.Hp * g.Wp + kh * g.Wp + kw0;
  // Output rows whose input row is padding for this kernel row add nothing.
  const int64_t ohB = std::max<int64_t>(0, g.padT - kh), ohE = std::min<int64_t>(g.Hout, g.padT + g.Hin - kh);
  const int64_t P = g.Hout * g.Wout;
  v128_t a0[NT], a1[NT];
#pragma clang loop unroll(full)
  for (int r = 0; r < NT; ++r) a0[r] = a1[r] = wasm_f32x4_splat(0.0f);
  for (int64_t oh = ohB; oh < ohE; ++oh) {
    const float* b = gi + oc0 * P + oh * g.Wout * 8;
    const float* xr = x0 + oh * g.Wp;
    for (int64_t ow = 0; ow < g.Wout; ++ow) {
      const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
#pragma clang loop unroll(full)
      for (int r = 0; r < NT; ++r) {
        const v128_t sv = wasm_v128_load32_splat(xr + r);
        a0[r] = FLINT_CONV_MADD(sv, b0, a0[r]);
        a1[r] = FLINT_CONV_MADD(sv, b1, a1[r]);
      }
      b += 8;
      ++xr;
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < NT; ++r) {
    float* d = acc + (k0 + r) * OCp + oc0;
    wasm_v128_store(d, wasm_f32x4_add(wasm_v128_load(d), a0[r]));
    wasm_v128_store(d + 4, wasm_f32x4_add(wasm_v128_load(d + 4), a1[r]));
  }
}

}  // namespace

void directConvWeightAccWasm(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride,
                             const float* goT, int64_t goStride, int64_t OCp, float* acc) {
  // Image by image (its padded input and output gradient stay in L2), 8-channel strip by strip (the
  // strip of goT, 8 KB on a 16 x 16 map, stays in L1), kernel row by kernel row in runs of up to 3
  // taps: 6 accumulators. Runs of 5 or 6 taps (10-12 accumulators, which fit 15 registers on
  // paper) ran 25% slower than im2col + GEMM under V8, runs of 3 as fast or faster (measured).
  for (int64_t img = 0; img < images; ++img) {
    const float* xi = xpad + img * imgStride;
    const float* gi = goT + img * goStride;
    for (int64_t oc0 = 0; oc0 < OCp; oc0 += 8)
      for (int64_t c = 0; c < g.Cin; ++c)
        for (int64_t kh = 0; kh < g.KH; ++kh)
          for (int64_t kw0 = 0; kw0 < g.KW; kw0 += 3) {
            const int64_t n = std::min<int64_t>(3, g.KW - kw0);
            if (n == 3)
              weightRow<3>(g, xi, gi, OCp, acc, c, kh, kw0, oc0);
            else if (n == 2)
              weightRow<2>(g, xi, gi, OCp, acc, c, kh, kw0, oc0);
            else
              weightRow<1>(g, xi, gi, OCp, acc, c, kh, kw0, oc0);
          }
  }
}

void transposeGradOutWasm(const float* go, int64_t OC, int64_t P, int64_t OCp, float* goT, double* bsum) {
  // Strip-major, [OCp / 8][P][8]: the kernel's 8-channel strip of one image is contiguous.
  for (int64_t oc = 0; oc < OCp; ++oc) {
    float* d = goT + (oc / 8) * P * 8 + oc % 8;
    if (oc >= OC) {
      for (int64_t p = 0; p < P; ++p) d[p * 8] = 0.0f;
      continue;
    }
    const float* src = go + oc * P;
    double s = 0.0;
    for (int64_t p = 0; p < P; ++p) {
      d[p * 8] = src[p];
      s += src[p];
    }
    if (bsum) bsum[oc * 8] += s;
  }
}

}  // namespace flint
#endif
