// Contiguous float32 elementwise kernels (vectorised per ISA, threaded for big arrays).
// Formulas follow PyTorch's CPU kernels so results agree to float32 rounding.
#pragma once
#include <cstdint>

namespace flint {

// The opcodes, each with the name Flint's TypeScript side knows the op by. The addon exports the
// names in opcode order (unaryOps / binaryOps), and src/backend/native resolves op names to
// opcodes once at load, so there is no second table to keep in step. rsub and rdiv (s - a,
// s / a) are the reversed forms the scalar kernels need; they have no TypeScript op of their own.
#define FLINT_UNARY_OPS(X) \
  X(Neg, "neg") X(Abs, "abs") X(Exp, "exp") X(Log, "log") X(Sqrt, "sqrt") X(Rsqrt, "rsqrt") \
  X(Sigmoid, "sigmoid") X(Tanh, "tanh") X(Relu, "relu")
#define FLINT_BINARY_OPS(X) \
  X(Add, "add") X(Sub, "sub") X(Mul, "mul") X(Div, "div") X(Max, "maximum") X(Min, "minimum") \
  X(ReluBackward, "reluBackward") X(SigmoidBackward, "sigmoidBackward") X(TanhBackward, "tanhBackward") \
  X(RSub, "rsub") X(RDiv, "rdiv")

#define FLINT_OP_ENUM(id, name) k##id,
#define FLINT_OP_NAME(id, name) name,
enum UnaryOp : int { FLINT_UNARY_OPS(FLINT_OP_ENUM) kUnaryCount };
enum BinaryOp : int { FLINT_BINARY_OPS(FLINT_OP_ENUM) kBinaryCount };
inline constexpr const char* kUnaryOpNames[kUnaryCount] = {FLINT_UNARY_OPS(FLINT_OP_NAME)};
inline constexpr const char* kBinaryOpNames[kBinaryCount] = {FLINT_BINARY_OPS(FLINT_OP_NAME)};
#undef FLINT_OP_ENUM
#undef FLINT_OP_NAME

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
// hardtanh(x, lo, hi) (relu6: 0, 6) and its backward, one pass each instead of the two-op compositions.
void hardtanh(const float* x, float lo, float hi, float* out, int64_t n);
void hardtanhBackward(const float* g, const float* x, float lo, float hi, float* out, int64_t n);

// The per-ISA kernel tables (single-threaded, on one chunk).
struct ElementwiseKernels {
  void (*unary)(int, const float*, float*, int64_t);
  void (*binary)(int, const float*, const float*, float*, int64_t);
  void (*binaryScalar)(int, const float*, float, float*, int64_t);
  void (*addScaled)(const float*, const float*, float, float*, int64_t);
  void (*hardtanh)(const float*, float, float, float*, int64_t);
  void (*hardtanhBackward)(const float*, const float*, float, float, float*, int64_t);
};
ElementwiseKernels elementwiseBase();
ElementwiseKernels elementwiseAvx2();
ElementwiseKernels elementwiseAvx512();

}  // namespace flint
