// Tiny float32 GEMMs (a 16x16 matmul, a Linear layer on a batch of 8) without packing.
#pragma once
#include <cstdint>

namespace flint {

// C = alpha * op(A) op(B) + beta * C when the product is small enough that packing would cost
// more than the multiply, with results bit for bit those of sgemm(); returns false (doing nothing)
// for any other call, which then goes to sgemm().
bool sgemmSmall(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace flint
