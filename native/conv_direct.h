// Implicit-GEMM convolution for stride 1, dilation 1, groups 1 on AVX-512: no im2col. The
// microkernels broadcast inputs straight from a zero-padded copy of the image and multiply them
// by weight (or output-gradient) vectors of 32 output channels, so the column matrix is never
// written; rows of taps that fall entirely in the padding are skipped (as oneDNN does), which
// saves 7-28% of the multiply-adds on the seed CNN's small feature maps.
#pragma once
#include <cstdint>
#include <functional>

#include "conv.h"

namespace flint {

// True when the fast path handles this geometry for the given pass on this CPU and ISA choice.
bool directConvForwardOk(const ConvShape& s);
bool directConvBackwardInputOk(const ConvShape& s);
bool directConvBackwardWeightOk(const ConvShape& s);

void directConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
void directConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void directConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                              float* gradBias);

// Output channels per packed weight panel: 32 for the AVX-512 kernels, 4 for the WebAssembly
// SIMD128 kernel (conv_direct_wasm_simd128.cc), whose tile is 4 channels wide.
#if defined(__wasm_simd128__)
constexpr int64_t kDirectPanel = 4;
// The wasm build's switch (flint_set_direct_conv, FLINT_WASM_DIRECT_CONV=0 in the loader): off,
// every convolution takes the im2col + GEMM path.
void setDirectConvEnabled(bool on);
#else
constexpr int64_t kDirectPanel = 32;
#endif

// --- kernels (conv_direct_avx512.cc) ---

// One stride-1 convolution of a padded image [Cin][Hp][Wp] (real rows padT .. padT + Hin) with
// weights packed as [ceil(Cout / 32)][Cin * KH * KW][32] (zero past Cout), writing out
// [Cout][Hout][Wout] (+ bias[co] when bias is non-null), output rows [ohBegin, ohEnd) only.
// Reads up to 16 floats past the image.
struct DirectGeo {
  int64_t Cin, Hp, Wp, padT, Hin, KH, KW, Cout, Hout, Wout;
  int64_t padL, Win;  // real columns padL .. padL + Win
};
void directConvImageAvx512(const DirectGeo& g, const float* xpad, const float* wPacked,
                           const float* bias, float* out, int64_t ohBegin, int64_t ohEnd);

// Weight-gradient accumulation: acc [K = Cin*KH*KW][OCp] += sum over the images of
// xpad(tap k, position p) * goT[p][oc], for images laid out back to back (xpad images at stride
// imgStride, goT images [Hout*Wout][OCp] at stride goStride). OCp is a multiple of 32.
void directConvWeightAccAvx512(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride,
                               const float* goT, int64_t goStride, int64_t OCp, float* acc);

// The weight gradient's driver shared by the direct kernels (any KxK; conv3x3's own panels):
// images split over the threads in L2-sized groups, each group padded (copyInteriorAvx512) and
// its output gradient transposed (transposeGradOutAvx512, the bias gradient summed on the way),
// `accumulate` adding the group into the task's acc [K][OCp]; the tasks' partial sums are then
// added in task order, so results do not depend on scheduling. g describes the padded input.
using WeightAccFn = std::function<void(int64_t images, const float* xpad, int64_t imgStride, const float* goT,
                                       int64_t goStride, float* acc)>;
void directWeightGrad(const ConvShape& s, const DirectGeo& g, int64_t OCp, const WeightAccFn& accumulate,
                      const float* x, const float* gradOut, float* gradW, float* gradBias);

// goT [P][OCp] = go [OC][P] transposed (zero past OC); bsum [OC][8] += the values of each
// channel in double (8 partial lanes per channel; bsum may be null).
void transposeGradOutAvx512(const float* go, int64_t OC, int64_t P, int64_t OCp, float* goT, double* bsum);

// Writes src [C][H][W] into the interior of dst [C][H + 2 pT][W + 2 pL] (border untouched).
void copyInteriorAvx512(const float* src, int64_t C, int64_t H, int64_t W, int64_t pT, int64_t pL,
                        float* dst);

#if defined(__wasm_simd128__)
// --- the WebAssembly SIMD128 kernels (conv_direct_wasm_simd128.cc): as directConvImageAvx512 and
// copyInteriorAvx512, with weights in panels of kDirectPanel = 4 channels. ---
void directConvImageWasm(const DirectGeo& g, const float* xpad, const float* wPacked, const float* bias,
                         float* out, int64_t ohBegin, int64_t ohEnd);
void copyInteriorWasm(const float* src, int64_t C, int64_t H, int64_t W, int64_t pT, int64_t pL, float* dst);
// As directConvWeightAccAvx512 and transposeGradOutAvx512, for OCp a multiple of 8 and goT
// strip-major ([OCp / 8][P][8] per image, the same size).
void directConvWeightAccWasm(const DirectGeo& g, int64_t images, const float* xpad, int64_t imgStride,
                             const float* goT, int64_t goStride, int64_t OCp, float* acc);
void transposeGradOutWasm(const float* go, int64_t OC, int64_t P, int64_t OCp, float* goT, double* bsum);
#endif

}  // namespace flint
