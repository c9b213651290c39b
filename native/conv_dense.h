// Convolutions on tiny planes (input and output planes of at most 4 positions, e.g. ResNet-18's
// 2x2 stage at CIFAR size) as one dense linear map M [OC * P][C * Q], M[(oc, p), (c, q)] = the
// weight of the tap that joins input position q to output position p (zero where none):
// out [N][OC * P] = x [N][C * Q] M^T, gradIn = gradOut M, gradM = gradOut^T x, three GEMMs on
// the NCHW tensors as they are. Taken only where nearly every (p, q) pair has a tap (a 3x3 kernel
// with padding 1 on 2x2 planes: all 16), so it multiplies no padding, where the batched im2col path
// multiplies 9 taps per position of which 4 are real.
#pragma once
#include "conv.h"

namespace flint {

bool denseConvOk(const ConvShape& s);
void denseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
void denseConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void denseConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                             float* gradBias);

}  // namespace flint
