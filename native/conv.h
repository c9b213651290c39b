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

// An eval-mode BatchNorm (and optionally ReLU) applied to a convolution's output channels, as
// PyTorch's batch_norm computes it: alpha = invstd * weight, beta = bias - mean * alpha,
// y = x * alpha + beta, invstd = 1 / sqrt(var + eps) in float.
// With a residual [N, OC, P] (a ResNet block's shortcut), y + residual before the ReLU.
struct ConvEpilogue {
  const float* alpha;     // [OC]
  const float* beta;      // [OC]
  const float* residual;  // [N, OC, P] or null
  int64_t OC;
  bool relu;
  // Applies it to channels [c0, c0 + channels) of image n's output, [channels][P] at out.
  void apply(int64_t n, int64_t c0, int64_t channels, int64_t P, float* out) const {
    applyColumns(n, c0, channels, P, 0, P, out);
  }
  // The same on positions [p0, p0 + np) of each channel only (out still points at channel c0's
  // position 0; rows P apart).
  void applyColumns(int64_t n, int64_t c0, int64_t channels, int64_t P, int64_t p0, int64_t np,
                    float* out) const;
};
// alpha, beta [C] from a BatchNorm's parameters (weight / bias may be null: 1 / 0).
void batchNormEvalCoefficients(int64_t C, const float* weight, const float* bias, const float* mean,
                               const float* var, double eps, float* alpha, float* beta);

// out [N, OC, OH, OW] = conv(x, w) + bias (bias may be null). Overwrites out. With an epilogue,
// it is applied to each image's output right after its GEMM (while the output is in cache) or,
// on the direct path, in one pass at the end.
void conv2dForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out,
                   const ConvEpilogue* ep = nullptr);
// The epilogue over a whole [N, OC, P] output, in place (for the kernels without one built in).
void applyEpilogueAll(const ConvEpilogue& ep, int64_t N, int64_t OC, int64_t P, float* out);
// gradIn [N, C, H, W] = conv_transpose(gradOut, w). Overwrites gradIn.
void conv2dBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
// gradW [OC, C/groups, KH, KW] and gradBias [OC] (may be null). Overwrites both.
void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                          float* gradBias);

}  // namespace flint
