// Convolutions with small output planes (ResNet's and MobileNet's late layers at CIFAR size:
// 8x8 down to 1x1) as one GEMM over the whole batch: im2col of every image side by side
// ([C*KH*KW][N*OH*OW]), so the GEMM's N is the batch times the plane instead of a plane of 1-64
// columns per image, which left the per-image GEMMs mostly packing and edge handling.
#pragma once
#include "conv.h"

namespace flint {

bool batchedConvOk(const ConvShape& s);
void batchedConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
void batchedConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void batchedConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                               float* gradBias);

}  // namespace flint
