// 2-D max and average pooling on NCHW planes, following PyTorch 1.13's CPU kernels (window
// clipping, NaN propagation, divisor rules). The caller computes OH/OW (ceil_mode lives there).
#pragma once
#include <cstdint>

namespace flint {

struct PoolShape {
  int64_t N, C, H, W, KH, KW, sH, sW, pH, pW, dH, dW, OH, OW;
};

// Writes out and per-plane flat argmax indices ih*W+iw (as IndexT: int32_t or double).
template <typename IndexT>
void maxPool2dForward(const PoolShape& s, const float* x, float* out, IndexT* indices);
// The values only (inference): the same maxima, NaN wherever a window holds a NaN.
void maxPool2dValues(const PoolShape& s, const float* x, float* out);
// gradIn = 0, then gradIn[plane][indices] += gradOut.
template <typename IndexT>
void maxPool2dBackward(const PoolShape& s, const float* gradOut, const IndexT* indices, float* gradIn);

// WebAssembly SIMD128 max pooling of one plane for 2x2 windows at stride 2 without padding or
// dilation (native/wasm/pool_wasm.cc, compiled only into the wasm builds): when Ok.
bool maxPool2x2WasmOk(const PoolShape& s);
void maxPool2x2PlaneWasm(const PoolShape& s, const float* xp, float* op, double* ip);

void avgPool2dForward(const PoolShape& s, const float* x, float* out, bool countIncludePad,
                      int64_t divisorOverride);
void avgPool2dBackward(const PoolShape& s, const float* gradOut, float* gradIn, bool countIncludePad,
                       int64_t divisorOverride);

}  // namespace flint
