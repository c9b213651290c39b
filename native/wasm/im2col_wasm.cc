// WebAssembly SIMD128 producers of the convolution GEMMs' packed B panels, for unit stride along W.
// Forward (im2colPackedWasm): B = col, each tap's row of output positions copied four at a time
// when output rows are a multiple of four wide (four positions then never straddle a row or a
// 12-wide panel). Weight gradient (im2colPackedTWasm): B = col^T (rows are output positions,
// columns are the taps (c, kh, kw)). The generic
// loop (native/im2col.cc) writes one float per iteration down a panel column; here four positions
// of four taps are loaded as four vectors, transposed in registers and stored as four panel-row
// pieces, so a 4 x 12 block of the panel costs 12 loads, 24 shuffles and 12 stores. Pure data
// movement: the panel is bit-for-bit the generic loop's. Compiled only into the wasm32 builds
// (native/wasm/build.sh); the hook in im2colPackedT is under __wasm_simd128__.
#include <algorithm>
#include <cstdint>

#include "../im2col.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace flint {
namespace {

constexpr int kNR = 12;  // the wasm-simd128 GEMM's panel width (native/gemm_wasm_simd128.cc)

inline void transposeStore(v128_t a, v128_t b, v128_t c, v128_t d, float* dst) {
  const v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  wasm_v128_store(dst, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
  wasm_v128_store(dst + kNR, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
  wasm_v128_store(dst + 2 * kNR, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
  wasm_v128_store(dst + 3 * kNR, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
}

}  // namespace

bool im2colPackedTWasmOk(const ConvShape& s, int64_t NR) { return NR == kNR && s.sW == 1; }

void im2colPackedTWasm(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp, float* Bp,
                       int64_t packedN, int64_t KC) {
  const int64_t P = s.OH * s.OW, N = Cg * s.KH * s.KW, rowStep = s.sH * Wp;
  // Taps past N (the last panel's padding) read this zero row instead of the image.
  alignas(16) static const float zeros[4] = {0, 0, 0, 0};
  const float* tap[kNR];
  for (int64_t j0 = 0; j0 < N; j0 += kNR) {
    bool full = j0 + kNR <= N;
    for (int t = 0; t < kNR; ++t) {
      const int64_t k = j0 + t;
      if (k >= N) {
        tap[t] = nullptr;
        continue;
      }
      const int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
      tap[t] = xpad + (c * Hp + kh * s.dH) * Wp + kw * s.dW;
    }
    // The value of tap t at output position (oh, ow).
    auto at = [&](int t, int64_t oh, int64_t ow) -> float { return tap[t] ? tap[t][oh * rowStep + ow] : 0.0f; };
    auto vec = [&](int t, int64_t off) -> v128_t {
      return tap[t] ? wasm_v128_load(tap[t] + off) : wasm_v128_load(zeros);
    };
    for (int64_t pc = 0; pc < P; pc += KC) {
      const int64_t kc = std::min(KC, P - pc);
      float* panel = Bp + pc * packedN + j0 * kc;
      int64_t q = 0;
      while (q < kc) {
        const int64_t oh = (pc + q) / s.OW, ow = (pc + q) % s.OW;
        // Positions left in this output row and in this block.
        const int64_t run = std::min(s.OW - ow, kc - q);
        int64_t i = 0;
        const int64_t off0 = oh * rowStep + ow;
        if (full) {
          for (; i + 4 <= run; i += 4) {
            float* d = panel + (q + i) * kNR;
            const int64_t off = off0 + i;
            for (int g = 0; g < kNR; g += 4)
              transposeStore(wasm_v128_load(tap[g] + off), wasm_v128_load(tap[g + 1] + off),
                             wasm_v128_load(tap[g + 2] + off), wasm_v128_load(tap[g + 3] + off), d + g);
          }
        } else {
          for (; i + 4 <= run; i += 4) {
            float* d = panel + (q + i) * kNR;
            const int64_t off = off0 + i;
            for (int g = 0; g < kNR; g += 4)
              transposeStore(vec(g, off), vec(g + 1, off), vec(g + 2, off), vec(g + 3, off), d + g);
          }
        }
        for (; i < run; ++i) {
          float* d = panel + (q + i) * kNR;
          for (int t = 0; t < kNR; ++t) d[t] = at(t, oh, ow + i);
        }
        q += run;
      }
    }
  }
}

bool im2colPackedWasmOk(const ConvShape& s, int64_t NR) { return NR == kNR && s.sW == 1 && s.OW % 4 == 0; }

void im2colPackedWasm(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp, float* Bp,
                      int64_t packedN, int64_t KC) {
  const int64_t K = Cg * s.KH * s.KW, rowStep = s.sH * Wp;
  for (int64_t k = 0; k < K; ++k) {
    const int64_t pc = k / KC * KC, kc = std::min(KC, K - pc), panelStep = kc * kNR;
    const int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
    const float* plane = xpad + (c * Hp + kh * s.dH) * Wp + kw * s.dW;
    float* panel = Bp + pc * packedN + (k - pc) * kNR;  // row k - pc of panel 0 in block pc
    int64_t col = 0;
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      const float* src = plane + oh * rowStep;
      for (int64_t ow = 0; ow < s.OW; ow += 4) {
        wasm_v128_store(panel + col, wasm_v128_load(src + ow));
        col += 4;
        if (col == kNR) {
          col = 0;
          panel += panelStep;
        }
      }
    }
    for (int64_t t = col; col != 0 && t < kNR; ++t) panel[t] = 0.0f;
  }
}

}  // namespace flint
#endif
