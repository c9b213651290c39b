// WebAssembly SIMD128 max pooling for the common layer (2x2 window, stride 2, no padding or
// dilation): four outputs at a time from two input rows, the even and odd columns split with
// shuffles. The generic interior loop (native/pool.cc) reads every other float, which the wasm
// build cannot vectorise. Same compare/select chain per output as pool.cc and PyTorch: taps in
// (kh, kw) order from -inf, a strictly greater value or a NaN takes the slot (so the first
// maximum's index, or the last NaN's). Compiled only into the wasm32 builds (native/wasm/build.sh).
#include <cstdint>

#include "../pool.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace flint {

bool maxPool2x2WasmOk(const PoolShape& s) {
  return s.KH == 2 && s.KW == 2 && s.sH == 2 && s.sW == 2 && s.pH == 0 && s.pW == 0 && s.dH == 1 && s.dW == 1 &&
         2 * s.OH <= s.H && 2 * s.OW <= s.W && s.H * s.W < (int64_t{1} << 31);
}

void maxPool2x2PlaneWasm(const PoolShape& s, const float* xp, float* op, double* ip) {
  const int32_t W = static_cast<int32_t>(s.W);
  const v128_t lane2 = wasm_i32x4_make(0, 2, 4, 6);
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    const float* r0 = xp + 2 * oh * s.W;
    const float* r1 = r0 + s.W;
    float* o = op + oh * s.OW;
    double* ix = ip + oh * s.OW;
    const int32_t rowBase = static_cast<int32_t>(2 * oh) * W;
    int64_t ow = 0;
    for (; ow + 4 <= s.OW; ow += 4) {
      const v128_t a0 = wasm_v128_load(r0 + 2 * ow), a1 = wasm_v128_load(r0 + 2 * ow + 4);
      const v128_t b0 = wasm_v128_load(r1 + 2 * ow), b1 = wasm_v128_load(r1 + 2 * ow + 4);
      const v128_t taps[4] = {wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7),
                              wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7)};
      // Index of tap (0, 0) of each of the four outputs; tap (kh, kw) adds kh * W + kw.
      const v128_t base = wasm_i32x4_add(wasm_i32x4_splat(rowBase + static_cast<int32_t>(2 * ow)), lane2);
      const int32_t tapOff[4] = {0, 1, W, W + 1};
      v128_t m = wasm_f32x4_splat(-__builtin_inff()), best = base;
#pragma clang loop unroll(full)
      for (int t = 0; t < 4; ++t) {
        const v128_t v = taps[t];
        const v128_t take = wasm_v128_or(wasm_f32x4_gt(v, m), wasm_f32x4_ne(v, v));
        m = wasm_v128_bitselect(v, m, take);
        best = wasm_v128_bitselect(wasm_i32x4_add(base, wasm_i32x4_splat(tapOff[t])), best, take);
      }
      wasm_v128_store(o + ow, m);
      wasm_v128_store(ix + ow, wasm_f64x2_convert_low_i32x4(best));
      wasm_v128_store(ix + ow + 2, wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(best, best, 2, 3, 2, 3)));
    }
    for (; ow < s.OW; ++ow) {
      const int32_t i0 = rowBase + static_cast<int32_t>(2 * ow);
      const int32_t idx[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
      float m = -__builtin_inff();
      int32_t b = i0;
      for (int t = 0; t < 4; ++t) {
        const float v = xp[idx[t]];
        if (v > m || v != v) {
          m = v;
          b = idx[t];
        }
      }
      o[ow] = m;
      ix[ow] = b;
    }
  }
}

}  // namespace flint
#endif
