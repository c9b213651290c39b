// Strided convolutions of few input channels on AVX-512 (the ImageNet stem: 3 -> 64 channels, 7x7,
// stride 2, padding 3). im2col + GEMM expands such an input KH * KW times into a column matrix
// (147 x 12544 floats, 7.4 MB per 224x224 image) that is written, then read by the GEMM; here the
// kernel broadcasts the inputs straight from a zero-padded copy of the image (as conv_direct.h,
// which takes stride 1 only). Forward with an eval-mode BatchNorm epilogue applied to each
// output row as it is finished, and the weight gradient. The products are summed in the GEMM's order (taps in im2col row
// order, one fused multiply-add chain from zero; bias, then the epilogue, after), padding
// included, so the result is bit-for-bit the im2col path's. FLINT_CONV_STRIDED=0 turns it off
// (for before/after measurements).
#pragma once
#include <cstdint>

#include "conv.h"

namespace flint {

bool stridedConvForwardOk(const ConvShape& s);
// out = conv(x, w) (+ bias), then ep (may be null) on each image's rows.
void stridedConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out,
                        const ConvEpilogue* ep);

// The weight gradient at stride 2: conv_direct's driver (directWeightGrad: images in L2-sized
// groups, padded, output gradients transposed) with the 3x3 path's stride-2 accumulation kernel,
// which takes any kernel size (conv3x3WeightAccAvx512). Summed per image group, so not in the
// im2col path's order; checked against float64.
bool stridedConvBackwardWeightOk(const ConvShape& s);
void stridedConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                               float* gradBias);

// --- kernel (conv_strided_avx512.cc) ---

struct StridedGeo {
  int64_t C, Hp, Wp, KH, KW, stride, OC, OH, OW;
};
// Reads up to this many floats past a padded image (which must be readable, any values).
inline int64_t stridedSlack(int64_t stride) { return 8 * stride + 64; }
// Output rows [ohBegin, ohEnd) of one image: xpad [C][Hp][Wp] zero-padded, wPacked
// [ceil(OC / 32)][C * KH * KW][32] (zero past OC), out [OC][OH][OW] (+ bias when non-null).
void stridedConvRowsAvx512(const StridedGeo& g, const float* xpad, const float* wPacked, const float* bias,
                           float* out, int64_t ohBegin, int64_t ohEnd);

}  // namespace flint
