// 2-D convolution (NCHW input, OIHW weight, groups, stride, padding, dilation) as im2col + GEMM,
// parallel over the images of the batch. Stride-1, dilation-1, ungrouped convolutions on AVX-512
// take the implicit-GEMM path of conv_direct.h instead (no im2col, padding taps skipped).
#pragma once
#include <cstdint>

namespace flint {

struct ConvShape {
  int64_t N, C, H, W;      // input
  int64_t OC, KH, KW;      // weight [OC, C / groups, KH, KW]
  int64_t sH, sW, pH, pW, dH, dW, groups;
  int64_t OH, OW;          // derived by conv2dOutputSize
};

// Fills OH/OW; returns false (and leaves them <= 0) when the geometry gives no output.
bool conv2dOutputSize(ConvShape& s);

// out [N, OC, OH, OW] = conv(x, w) + bias (bias may be null). Overwrites out.
void conv2dForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
// gradIn [N, C, H, W] = conv_transpose(gradOut, w). Overwrites gradIn.
void conv2dBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
// gradW [OC, C/groups, KH, KW] and gradBias [OC] (may be null). Overwrites both.
void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                          float* gradBias);

}  // namespace flint
