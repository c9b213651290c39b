// 3x3, stride-1 convolutions on AVX-512 where the implicit-GEMM kernel of conv_direct.h wastes
// work: channel counts that are not a multiple of 32 (ResNet-20's 16-channel stage filled only
// half of its 32-channel weight panels) and planes narrower than 8 columns (ResNet-18's 4x4
// maps filled half of its 8-position blocks). Output channels go in panels of 16 or 32, and a
// block of output positions may span several rows. Forward, input gradient (the transposed
// convolution with flipped weights) and weight gradient.
#pragma once
#include <cstdint>

#include "conv.h"
#include "conv_direct.h"

namespace flint {

// True when this path takes the pass (and measured faster than conv_direct there).
// FLINT_CONV3X3=0 turns it off, for before/after measurements.
bool conv3x3ForwardOk(const ConvShape& s);
bool conv3x3BackwardInputOk(const ConvShape& s);
bool conv3x3BackwardWeightOk(const ConvShape& s);

void conv3x3Forward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
// Inference (conv2dBatchNormEval) at stride 2: conv3x3Forward, then the epilogue in one pass,
// where it measured faster than im2col + GEMM with the epilogue per block.
bool conv3x3EvalOk(const ConvShape& s);
void conv3x3BackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void conv3x3BackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                           float* gradBias);

// --- kernels (conv3x3_avx512.cc) ---

// Output channels per weight panel for Cout channels: 32 when that wastes nothing, else 16.
inline int conv3x3PanelWidth(int64_t Cout) { return Cout % 32 == 0 ? 32 : 16; }

// One 3x3 convolution (stride 1 or 2) of a padded image [Cin][Hp][Wp] with weights packed as
// [ceil(Cout / pw)][Cin * 9][pw] (pw = conv3x3PanelWidth(Cout), zero past Cout), writing
// out [Cout][Hout][Wout] (+ bias), output rows [ohBegin, ohEnd) only. Reads up to
// conv3x3Slack(Wp) floats past the padded image (which must be readable, any values).
inline int64_t conv3x3Slack(int64_t Wp) { return 16 * Wp + 64; }
// False when FLINT_CONV3X3_ROWS=0: stride-1 16-channel-panel shapes with rows of a multiple of 16
// columns then stay on the channel-vector blocks instead of the row-vector ones (before/after runs).
bool conv3x3RowsEnabled();
void conv3x3ImageAvx512(const DirectGeo& g, int stride, const float* xpad, const float* wPacked,
                        const float* bias, float* out, int64_t ohBegin, int64_t ohEnd);

// As directConvWeightAccAvx512 (acc [Cin * 9][OCp] += ...), for OCp a multiple of 16 and
// stride 1 or 2.
void conv3x3WeightAccAvx512(const DirectGeo& g, int stride, int64_t images, const float* xpad,
                            int64_t imgStride, const float* goT, int64_t goStride, int64_t OCp, float* acc);

// Stride-2 input gradient of one image: gpad is gradOut [OC][OH][Wq] with one zero column on
// each side (Wq = OW + 2; readable slack of conv3x3S2Slack floats after it), wPacked the weights
// as [ceil(C / 16)][9][OC][16] (w(oc, c, kh, kw), not flipped; zero past C); writes gradIn
// [C][H][W] rows [ihBegin, ihEnd). Needs pW <= 2.
struct Conv3x3S2Geo {
  int64_t OC, OH, OW, Wq, C, H, W, pH, pW;
};
constexpr int64_t conv3x3S2Slack = 64;

// Planes of at most 4x4 outputs (conv3x3_small_avx512.cc): images n0 .. n1 (n1 - n0 >= 16) of x
// [N][Cin][Hin][Win], not padded, with weights packed as for conv3x3ImageAvx512, into out
// [N][Cout][Hout][Wout] (+ bias); only the taps that read real inputs are multiplied.
struct Conv3x3SmallGeo {
  int64_t Cin, Hin, Win, Cout, Hout, Wout, padT, padL, stride;
};
void conv3x3SmallAvx512(const Conv3x3SmallGeo& g, const float* x, const float* wPacked, const float* bias,
                        float* out, int64_t n0, int64_t n1);
void conv3x3S2BackwardImageAvx512(const Conv3x3S2Geo& g, const float* gpad, const float* wPacked, float* gi,
                                  int64_t ihBegin, int64_t ihEnd);

}  // namespace flint
