// Inference 1x1 convolution, stride 1 or 2, no padding, groups 1 (ResNet-50's bottleneck ends and
// projections) + eval-mode BatchNorm [+ residual] [+ ReLU], on AVX-512 (stride 2 reads an aligned
// copy of the strided positions; see copyOk in conv_pointwise.cc). An NCHW image [C][H*W]
// is already the GEMM's B operand (input channels x positions, rows H*W apart), so the
// microkernel reads it in place instead of copying it into packed panels first (conv2dForward
// packs every image: a pass over the input that also doubles its footprint in L2); the epilogue
// runs on each 8-channel x 32-position tile as it leaves the registers (no pass over the output).
// The products are summed as conv2dForward's GEMM sums them (same K blocks, same order, the first
// block stored, the others added), and the epilogue rounds as ConvEpilogue does, so the result is
// bit-for-bit that path's. FLINT_CONV_POINTWISE=0 turns it off (for before/after measurements).
#pragma once
#include <cstdint>

#include "conv.h"

namespace flint {

bool pointwiseEvalOk(const ConvShape& s);
void pointwiseEvalForward(const ConvShape& s, const float* x, const float* w, const float* bias,
                          const ConvEpilogue& ep, float* out);

// --- kernel (conv_pointwise_avx512.cc) ---

// What a finished tile becomes: relu?((acc + bias) * alpha + beta [+ residual]), each step rounded
// as the separate ops; null pointers leave a step out. Channels are indexed from the block's first.
struct PointwiseTail {
  const float* bias;      // [rows] or null
  const float* alpha;     // [rows]
  const float* beta;      // [rows]
  const float* residual;  // [rows][ldc] at the block's first position, or null
  bool relu;
};

// C[0:M][0:P] (rows ldc apart) (=, first) or (+=) Ap * B[0:kc][0:P] (rows ldb apart), Ap = M rows
// of a packed A block ([ceil(M / 8)][kc][8], gemm.h's layout for MR = 8); with tail, the block
// is final and the tail is applied on the way out.
void pointwiseBlockAvx512(int64_t M, int64_t P, int64_t kc, const float* Ap, const float* B, int64_t ldb,
                          float* C, int64_t ldc, bool first, const PointwiseTail* tail);

}  // namespace flint
