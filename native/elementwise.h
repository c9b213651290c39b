// Contiguous float32 elementwise kernels (vectorised per ISA, threaded for big arrays).
// Formulas follow PyTorch's CPU kernels so results agree to float32 rounding.
#pragma once
#include <cstdint>

namespace flint {

enum UnaryOp : int {
  kNeg = 0, kAbs, kExp, kLog, kSqrt, kRsqrt, kSigmoid, kTanh, kRelu, kUnaryCount
};
enum BinaryOp : int {
  kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kReluBackward, kSigmoidBackward, kTanhBackward, kRSub, kRDiv,
  kBinaryCount
};

void unary(int op, const float* x, float* out, int64_t n);
void binary(int op, const float* a, const float* b, float* out, int64_t n);
void binaryScalar(int op, const float* a, float s, float* out, int64_t n);
// out (dense, shape) = a op b for operands given by element strides (0 where broadcast), offsets
// already applied to the pointers. Rows along the longest contiguous inner dim go to the dense
// kernels; a repeated operand uses the scalar kernel; other layouts are gathered row by row.
void binaryStrided(int op, const float* a, const int64_t* aStrides, const float* b, const int64_t* bStrides,
                   float* out, const int64_t* shape, int nd);
// out = a + alpha * b, fused multiply-add as PyTorch's vectorised add(alpha=) does.
void addScaled(const float* a, const float* b, float alpha, float* out, int64_t n);

// The per-ISA kernel tables (single-threaded, on one chunk).
struct ElementwiseKernels {
  void (*unary)(int, const float*, float*, int64_t);
  void (*binary)(int, const float*, const float*, float*, int64_t);
  void (*binaryScalar)(int, const float*, float, float*, int64_t);
  void (*addScaled)(const float*, const float*, float, float*, int64_t);
};
ElementwiseKernels elementwiseBase();
ElementwiseKernels elementwiseAvx2();
ElementwiseKernels elementwiseAvx512();

}  // namespace flint
