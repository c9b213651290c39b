// Inference convolution + eval-mode BatchNorm [+ residual] [+ ReLU] on the implicit-GEMM
// (conv_direct.h) geometry: stride 1, dilation 1, groups 1, not 1x1, AVX-512. It differs from
// directConvForward followed by applyEpilogueAll in two ways, both for memory traffic (with two
// threads the cores share the memory bandwidth, and ResNet-50 at batch 8 was bound by it):
//  - the epilogue runs on each 8-position x 32-channel tile as it leaves the registers, not in a
//    second pass over the whole output;
//  - the weight panels (32 output channels each) go in groups that fit L2, the group loop
//    outermost, so a group stays in L2 while the image streams past it; the direct kernel ran
//    positions outermost over all panels and, where the weights exceed L2, streamed them all from
//    L3 once per block of 8 positions (ResNet-50's 512-channel 3x3 at 7x7: 66 MB per image
//    instead of 9.4 MB). The threads split the panel groups instead of the images, so each core
//    streams its share of the weights once for the whole batch.
// That order is taken where the weights are at least twice the batch's inputs; elsewhere (with at
// least as many images as threads) the direct path's order, one image per task, with only the
// epilogue per tile (see directEvalOk): no second pass over the output.
// The products are summed in the direct kernel's order, so the result is bit-for-bit the result
// of that path. FLINT_CONV_EVAL=0 turns it off, FLINT_CONV_EVAL_IMAGES=0 the per-image mode alone
// (for before/after measurements).
#pragma once
#include <cstdint>

#include "conv.h"
#include "conv_direct.h"

namespace flint {

bool directEvalOk(const ConvShape& s);
void directEvalForward(const ConvShape& s, const float* x, const float* w, const float* bias,
                       const ConvEpilogue& ep, float* out);

// --- kernel (conv_eval_avx512.cc) ---

// The per-channel tail of one weight panel: out = tail(conv + bias) where
// tail(v) = relu?(v * alpha + beta [+ residual]), each step rounded to float as the separate ops.
struct EvalTail {
  const float* bias;      // [Cout] or null
  const float* alpha;     // [Cout]
  const float* beta;      // [Cout]
  const float* residual;  // this image's [Cout][Hout * Wout], or null
  bool relu;
};

// Output channels [32 pnBegin, 32 pnEnd) of one image (all rows), padded image xpad as for
// directConvImageAvx512, wPacked = the weights as [panel][Cin * KH * KW][32]. Positions outer,
// panels inner: the input under a tile stays in L1 while the group's panels (sized by the caller
// to fit L2) stream past it. Reads up to 16 floats past the padded image.
void directEvalPanelsAvx512(const DirectGeo& g, const float* xpad, const float* wPacked, int64_t pnBegin,
                            int64_t pnEnd, const EvalTail& tail, float* out);

}  // namespace flint
