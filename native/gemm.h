// Single-precision GEMM, row-major: C = alpha * op(A) * op(B) + beta * C.
// BLIS-style: B is packed into NR-wide panels, A into MR-high panels, and an ISA-specific
// microkernel (AVX-512, AVX2+FMA or portable scalar, chosen at run time) computes MR x NR tiles.
#pragma once
#include <cstdint>

namespace flint {

// C[0:mr, 0:nr] += alpha * (packed A panel, kc x MR) * (packed B panel, kc x NR).
using MicroKernel = void (*)(int64_t kc, const float* A, const float* B, float* C, int64_t ldc,
                             int mr, int nr, float alpha);

// Packs one NR-wide panel of a transposed B: dst[k * NR + c] = base[c * ldb + k] for c < cols,
// zero-padded to NR columns.
using PackBTransposed = void (*)(const float* base, int64_t ldb, int64_t kc, int cols, float* dst);

struct GemmKernel {
  int mr, nr;
  int kc, mc, nc;  // cache blocking for this kernel
  MicroKernel fn;
  const char* name;
  PackBTransposed packBT = nullptr;  // ISA-specific packing of a transposed B; null: generic loop
  // As fn, but C = alpha * A B without reading C (null: the driver zeroes C and calls fn).
  MicroKernel store = nullptr;
};

const GemmKernel& gemmKernel();
// Overrides the run-time choice ("avx512", "avx2", "wasm-simd128", "scalar"); false if unsupported
// by the CPU (wasm-simd128 exists only in the WebAssembly build).
bool setGemmIsa(const char* name);

bool avx512Supported();
bool avx2Supported();
GemmKernel avx512Kernel();
GemmKernel avx2Kernel();
bool wasmSimd128Supported();
GemmKernel wasmSimd128Kernel();
// Which of the wasm-simd128 micro-kernel's two A-load variants wasmSimd128Kernel() returns (0/1,
// same floats; native/gemm_wasm_simd128.cc). Takes effect at the next setGemmIsa("wasm-simd128").
void setWasmSimd128Variant(int variant);
GemmKernel scalarKernel();

// Multithreaded over M or N blocks.
void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// Same on the calling thread only (for callers that already parallelise, e.g. conv per image).
void sgemmSerial(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                 int64_t ldc);

// Pre-packed operands, so callers can pack once and reuse (conv weights across a batch) or
// produce data straight in packed form (im2col). Both are cut in blocks of kernel.kc along K.
// Packed B: block pc (rows pc .. pc + kc) starts at pc * packedWidth(N) and holds ceil(N / NR)
// panels, panel s at s * kc * NR, each [kc][NR] row-major, zero-padded past N.
// Packed A: block pc starts at pc * packedHeight(M), panel r (rows r*MR ..) at r * kc * MR,
// each [kc][MR], zero-padded past M.
int64_t packedWidth(int64_t N);   // N rounded up to a multiple of NR
int64_t packedHeight(int64_t M);  // M rounded up to a multiple of MR
void packAFull(bool transA, int64_t M, int64_t K, const float* A, int64_t lda, float* Ap);
void packBFull(bool transB, int64_t K, int64_t N, const float* B, int64_t ldb, float* Bp);
// C[:, j0 : j0 + n] = alpha * Ap * Bp[:, j0 : j0 + n] + beta * C, j0 a multiple of NR; C points
// at column j0 already. Calling thread only.
void sgemmSerialPacked(int64_t M, int64_t n, int64_t K, float alpha, const float* Ap,
                       const float* Bp, int64_t packedN, int64_t j0, float beta, float* C,
                       int64_t ldc);
// As sgemmSerialPacked with alpha = 1, beta = 0, then tile(i0, rows, j, cols) for each block of C
// (rows i0 .., columns j .. from C's first column) as soon as it holds its final value, while it is
// still in cache: callers apply their elementwise epilogue there instead of in another pass over C.
// The first K block stores its products (C is never zeroed or read first where the kernel can).
using GemmTileFn = void (*)(void* ctx, int64_t i0, int64_t rows, int64_t j, int64_t cols);
void sgemmSerialPackedTiles(int64_t M, int64_t n, int64_t K, const float* Ap, const float* Bp,
                            int64_t packedN, int64_t j0, float* C, int64_t ldc, GemmTileFn tile,
                            void* ctx);
// Same over all N columns, split across threads by panels.
void sgemmPacked(int64_t M, int64_t N, int64_t K, float alpha, const float* Ap, const float* Bp,
                 float beta, float* C, int64_t ldc);

}  // namespace flint
