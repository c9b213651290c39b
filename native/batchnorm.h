// BatchNorm over NCHW-style data [N, C, HW] as fused kernels: the statistics, normalisation and
// affine transform in one call (two passes over each channel's data for the statistics, one for
// the output), and the backward in two passes, parallel over channels. Follows PyTorch 1.13's CPU
// kernels (aten/src/ATen/native/cpu/batch_norm_kernel.cpp): sums in double, the output written as
// x * alpha + beta with alpha = invstd * weight and beta = bias - mean * alpha.
#pragma once
#include <cstdint>

namespace flint {

struct BatchNormShape {
  int64_t N, C, HW;
};

// Training: the batch mean and biased variance of every channel go to mean / var, 1/sqrt(var +
// eps) to invstd, and out = normalised x (* weight + bias; either may be null).
void batchNormTrainForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                           double eps, float* mean, float* var, float* invstd, float* out);
// Evaluation: normalises with the given statistics; invstd receives 1/sqrt(runningVar + eps).
void batchNormEvalForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                          const float* runningMean, const float* runningVar, double eps, float* invstd,
                          float* out);
// Gradients from the saved mean / invstd (batch statistics in training, running ones in
// evaluation). gradIn, gradWeight, gradBias may each be null (not wanted); weight may be null (1).
void batchNormBackward(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
                       const float* mean, const float* invstd, bool training, float* gradIn, float* gradWeight,
                       float* gradBias);

}  // namespace flint
