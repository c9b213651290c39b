// Depthwise convolution (groups == C == OC: one KHxKW filter per channel, as MobileNet's) as
// direct loops over each zero-padded plane, vectorised along the output row and parallel over the
// planes (forward, input gradient) or the channels (weight gradient, so no partial sums to merge
// and results independent of the thread count). im2col + GEMM would run C GEMMs of one output row.
#pragma once
#include "conv.h"

namespace flint {

bool depthwiseConvOk(const ConvShape& s);
void depthwiseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
void depthwiseConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void depthwiseConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                                 float* gradBias);

}  // namespace flint
