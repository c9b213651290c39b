// Depthwise convolution (groups == C == OC: one KHxKW filter per channel, as MobileNet's) as
// direct loops over each zero-padded plane, vectorised along the output row and parallel over the
// planes (forward, input gradient) or the channels (weight gradient, so no partial sums to merge
// and results independent of the thread count). im2col + GEMM would run C GEMMs of one output row.
#pragma once
#include <cstdint>

#include "conv.h"

namespace flint {

bool depthwiseConvOk(const ConvShape& s);
void depthwiseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out);
void depthwiseConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn);
void depthwiseConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                                 float* gradBias);

// --- small planes on AVX-512 (conv_depthwise_avx512.cc) ---
// Planes (input and output) of at most kDwMaxPlane positions and kernels of at most kDwMaxTaps
// taps. Table entry [block * K + j] gives, for destination positions 16 * block .. + 15 and tap
// order[j], the source positions as indices into the two source vectors from 16 * base on (lanes
// of mask) or the two after them (lanes of mask2: a stride-2 block spans up to four); lanes in
// neither read padding.
constexpr int64_t kDwMaxPlane = 256, kDwMaxTaps = 25;
struct DwTap {
  int32_t idx[16];
  int32_t base;
  uint32_t mask, mask2;
};
struct DwSmallGeo {
  int64_t N, C, K, nSrc, nDst;  // nSrc / nDst: positions per source / destination plane
  const int32_t* order;         // [K]: the weight tap of table column j
  int64_t fill;                 // floats of the source plane buffer the table reads (zero past nSrc)
};
void depthwiseSmallForwardAvx512(const DwSmallGeo& g, const DwTap* table, const float* x, const float* w,
                                 const float* bias, float* out, int64_t planeBegin, int64_t planeEnd);
void depthwiseSmallBackwardInputAvx512(const DwSmallGeo& g, const DwTap* table, const float* gradOut,
                                       const float* w, float* gradIn, int64_t planeBegin, int64_t planeEnd);
void depthwiseSmallBackwardWeightAvx512(const DwSmallGeo& g, const DwTap* table, const float* x,
                                        const float* gradOut, float* gradW, float* gradBias, int64_t cBegin,
                                        int64_t cEnd);

// Stride-1 planes of P positions, P dividing 16 (1x1, 2x2, 4x4 ...): a vector holds 16 / P whole
// planes (channels), so one permute per tap serves them all. idx / mask [K][16] / [K]: the
// permute within a vector for table column j (taps in `order`), wE [K][C * P rounded up to 16]
// the weight of each lane's channel, bE likewise the bias (or null). Images [n0, n1).
struct DwPackedGeo {
  int64_t C, P, K;
  const int32_t* idx;
  const uint32_t* mask;
  const float* wE;
  const float* bE;
};
void depthwisePackedAvx512(const DwPackedGeo& g, bool backwardInput, const float* src, float* dst, int64_t n0,
                           int64_t n1);

}  // namespace flint
