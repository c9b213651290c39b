// GEMM driver: beta scaling, BLIS loop nest (jc / pc / ic / jr / ir), packing, threading.
#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// Portable microkernel; plain loops over a local tile that the compiler vectorises with the
// baseline ISA (SSE2 on x86-64).
constexpr int kScalarMR = 4;
constexpr int kScalarNR = 16;

void scalarMicro(int64_t kc, const float* A, const float* B, float* C, int64_t ldc, int mr, int nr,
                 float alpha) {
  float acc[kScalarMR][kScalarNR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* a = A + k * kScalarMR;
    const float* b = B + k * kScalarNR;
    for (int r = 0; r < kScalarMR; ++r)
      for (int c = 0; c < kScalarNR; ++c) acc[r][c] += a[r] * b[c];
  }
  for (int r = 0; r < mr; ++r)
    for (int c = 0; c < nr; ++c) C[r * ldc + c] += alpha * acc[r][c];
}

const GemmKernel* chosen = nullptr;
GemmKernel chosenStorage;

// Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-high panels: panel s holds rows s*MR.. as [k][r],
// zero-padded to MR rows so the microkernel never branches on the M tail.
void packA(bool tA, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
           int MR, float* dst) {
  for (int64_t s = 0; s < mc; s += MR) {
    int rows = static_cast<int>(std::min<int64_t>(MR, mc - s));
    if (!tA) {
      for (int r = 0; r < rows; ++r) {
        const float* src = A + (i0 + s + r) * lda + p0;
        for (int64_t k = 0; k < kc; ++k) dst[k * MR + r] = src[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = A + (p0 + k) * lda + i0 + s;
        for (int r = 0; r < rows; ++r) dst[k * MR + r] = src[r];
      }
    }
    if (rows < MR)
      for (int64_t k = 0; k < kc; ++k)
        for (int r = rows; r < MR; ++r) dst[k * MR + r] = 0.0f;
    dst += kc * MR;
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-wide panels laid out [k][c], zero-padded to NR.
void packB(bool tB, const float* B, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
           int NR, float* dst) {
  PackBTransposed fast = gemmKernel().packBT;
  for (int64_t s = 0; s < nc; s += NR) {
    int cols = static_cast<int>(std::min<int64_t>(NR, nc - s));
    if (tB && fast) {
      fast(B + (j0 + s) * ldb + p0, ldb, kc, cols, dst);
    } else if (!tB) {
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = B + (p0 + k) * ldb + j0 + s;
        float* d = dst + k * NR;
        std::memcpy(d, src, sizeof(float) * cols);
        for (int c = cols; c < NR; ++c) d[c] = 0.0f;
      }
    } else {
      // B^T rows are contiguous along k: transpose 8 columns x 16 k at a time, so that each
      // source row is read in cache-line runs and each destination line is filled in one go.
      const float* base = B + (j0 + s) * ldb + p0;
      int c0 = 0;
      for (; c0 + 8 <= cols; c0 += 8) {
        int64_t k0 = 0;
        for (; k0 + 16 <= kc; k0 += 16)
          for (int64_t k = k0; k < k0 + 16; ++k)
            for (int c = c0; c < c0 + 8; ++c) dst[k * NR + c] = base[c * ldb + k];
        for (int64_t k = k0; k < kc; ++k)
          for (int c = c0; c < c0 + 8; ++c) dst[k * NR + c] = base[c * ldb + k];
      }
      for (int c = c0; c < cols; ++c)
        for (int64_t k = 0; k < kc; ++k) dst[k * NR + c] = base[c * ldb + k];
      if (cols < NR)
        for (int64_t k = 0; k < kc; ++k)
          for (int c = cols; c < NR; ++c) dst[k * NR + c] = 0.0f;
    }
    dst += kc * NR;
  }
}

void scaleC(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < M; ++i) {
    float* row = C + i * ldc;
    // beta == 0 overwrites (as BLAS and torch.addmm do), so NaN/Inf in C do not leak through.
    if (beta == 0.0f)
      std::memset(row, 0, sizeof(float) * N);
    else
      for (int64_t j = 0; j < N; ++j) row[j] *= beta;
  }
}

}  // namespace

GemmKernel scalarKernel() {
  return GemmKernel{kScalarMR, kScalarNR, 256, 128, 2048, scalarMicro, "scalar"};
}

const GemmKernel& gemmKernel() {
  if (!chosen) {
    if (avx512Supported())
      chosenStorage = avx512Kernel();
    else if (avx2Supported())
      chosenStorage = avx2Kernel();
    else if (wasmSimd128Supported())
      chosenStorage = wasmSimd128Kernel();
    else
      chosenStorage = scalarKernel();
    chosen = &chosenStorage;
  }
  return *chosen;
}

bool setGemmIsa(const char* name) {
  std::string n(name);
  if (n == "avx512" && avx512Supported())
    chosenStorage = avx512Kernel();
  else if (n == "avx2" && avx2Supported())
    chosenStorage = avx2Kernel();
  else if (n == "wasm-simd128" && wasmSimd128Supported())
    chosenStorage = wasmSimd128Kernel();
  else if (n == "scalar")
    chosenStorage = scalarKernel();
  else
    return false;
  chosen = &chosenStorage;
  return true;
}

// Whether a product with this beta overwrites C through the kernel's store micro-kernel on its
// first K block instead of zeroing C first and adding into it. The WebAssembly build only (its
// SIMD128 kernel has one; the native kernels keep their measured paths): no zeroing pass, and C
// not read back (conv2dBackwardInput's GEMM, K = OC, writes a large C: 1-4 % faster there;
// sgemm with K = 75 ~1.2x; bench/wasm-conv.ts --cpu --b OLD.wasm).
// The same floats: the store kernel adds its product to +0 as the other adds it to the zeroed C.
static bool storeFirstBlock(const GemmKernel& g, int64_t K, float alpha, float beta) {
#if defined(__wasm__)
  return beta == 0.0f && g.store != nullptr && K > 0 && alpha != 0.0f;
#else
  (void)g, (void)K, (void)alpha, (void)beta;
  return false;
#endif
}

void sgemmSerial(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  const GemmKernel& g = gemmKernel();
  const bool store = storeFirstBlock(g, K, alpha, beta);
  if (!store) scaleC(M, N, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  const int MR = g.mr, NR = g.nr;
  const int64_t KC = g.kc, MC = g.mc, NC = g.nc;
  int64_t ncMax = std::min<int64_t>(NC, N), kcMax = std::min<int64_t>(KC, K);
  int64_t mcMax = std::min<int64_t>(MC, M);
  float* Bp = scratch(kSlotPackB, static_cast<size_t>(((ncMax + NR - 1) / NR) * NR * kcMax));
  float* Ap = scratch(kSlotPackA, static_cast<size_t>(((mcMax + MR - 1) / MR) * MR * kcMax));
  for (int64_t jc = 0; jc < N; jc += NC) {
    int64_t nc = std::min<int64_t>(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      int64_t kc = std::min<int64_t>(KC, K - pc);
      const MicroKernel fn = store && pc == 0 ? g.store : g.fn;
      packB(tB, B, ldb, pc, kc, jc, nc, NR, Bp);
      for (int64_t ic = 0; ic < M; ic += MC) {
        int64_t mc = std::min<int64_t>(MC, M - ic);
        packA(tA, A, lda, ic, mc, pc, kc, MR, Ap);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          const float* bp = Bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
            fn(kc, Ap + ir * kc, bp, C + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha);
          }
        }
      }
    }
  }
}

int64_t packedWidth(int64_t N) {
  int64_t NR = gemmKernel().nr;
  return (N + NR - 1) / NR * NR;
}

int64_t packedHeight(int64_t M) {
  int64_t MR = gemmKernel().mr;
  return (M + MR - 1) / MR * MR;
}

void packAFull(bool tA, int64_t M, int64_t K, const float* A, int64_t lda, float* Ap) {
  const GemmKernel& g = gemmKernel();
  // Split over MR-row panels: a conv layer's weights (up to millions of floats) are packed on
  // every call, and packed on one thread they were serial time between the parallel GEMMs.
  const int64_t panels = (M + g.mr - 1) / g.mr, Mp = packedHeight(M);
  parallelFor(tasksFor(M * K, 1 << 16), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(panels, t, tasks, b, e);
    const int64_t i0 = b * g.mr, i1 = std::min<int64_t>(e * g.mr, M);
    if (i1 <= i0) return;
    for (int64_t pc = 0; pc < K; pc += g.kc) {
      const int64_t kc = std::min<int64_t>(g.kc, K - pc);
      packA(tA, A, lda, i0, i1 - i0, pc, kc, g.mr, Ap + pc * Mp + i0 * kc);
    }
  });
}

void packBFull(bool tB, int64_t K, int64_t N, const float* B, int64_t ldb, float* Bp) {
  const GemmKernel& g = gemmKernel();
  for (int64_t pc = 0; pc < K; pc += g.kc)
    packB(tB, B, ldb, pc, std::min<int64_t>(g.kc, K - pc), 0, N, g.nr, Bp + pc * packedWidth(N));
}

void sgemmSerialPacked(int64_t M, int64_t n, int64_t K, float alpha, const float* Ap,
                       const float* Bp, int64_t packedN, int64_t j0, float beta, float* C,
                       int64_t ldc) {
  if (M <= 0 || n <= 0) return;
  const GemmKernel& g = gemmKernel();
  const bool store = storeFirstBlock(g, K, alpha, beta);
  if (!store) scaleC(M, n, beta, C, ldc);
  if (K <= 0 || alpha == 0.0f) return;
  const int MR = g.mr, NR = g.nr;
  const int64_t KC = g.kc, MC = g.mc, packedM = packedHeight(M);
  for (int64_t pc = 0; pc < K; pc += KC) {
    int64_t kc = std::min<int64_t>(KC, K - pc);
    const MicroKernel fn = store && pc == 0 ? g.store : g.fn;
    const float* bBlock = Bp + pc * packedN + j0 * kc;  // panel j0 / NR of this block
    const float* aBlock = Ap + pc * packedM;
    // MC rows of A stay in L2 while the B panels stream past them.
    for (int64_t ic = 0; ic < M; ic += MC) {
      int64_t mc = std::min<int64_t>(MC, M - ic);
      for (int64_t jr = 0; jr < n; jr += NR) {
        int nr = static_cast<int>(std::min<int64_t>(NR, n - jr));
        const float* bp = bBlock + jr * kc;
        for (int64_t ir = 0; ir < mc; ir += MR) {
          int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
          fn(kc, aBlock + (ic + ir) * kc, bp, C + (ic + ir) * ldc + jr, ldc, mr, nr, alpha);
        }
      }
    }
  }
}

constexpr int64_t kTileCols = 256;

void sgemmSerialPackedTiles(int64_t M, int64_t n, int64_t K, const float* Ap, const float* Bp,
                            int64_t packedN, int64_t j0, float* C, int64_t ldc, GemmTileFn tile,
                            void* ctx) {
  if (M <= 0 || n <= 0) return;
  const GemmKernel& g = gemmKernel();
  if (K <= 0 || !g.store) scaleC(M, n, 0.0f, C, ldc);
  if (K <= 0) {
    if (tile) tile(ctx, 0, M, 0, n);
    return;
  }
  const int MR = g.mr, NR = g.nr;
  const int64_t KC = g.kc, MC = g.mc, packedM = packedHeight(M);
  for (int64_t pc = 0; pc < K; pc += KC) {
    const int64_t kc = std::min<int64_t>(KC, K - pc);
    const MicroKernel fn = pc == 0 && g.store ? g.store : g.fn;
    const bool last = pc + kc >= K;
    const float* bBlock = Bp + pc * packedN + j0 * kc;
    const float* aBlock = Ap + pc * packedM;
    for (int64_t ic = 0; ic < M; ic += MC) {
      const int64_t mc = std::min<int64_t>(MC, M - ic);
      int64_t done = 0;  // columns handed to tile so far
      for (int64_t jr = 0; jr < n; jr += NR) {
        const int nr = static_cast<int>(std::min<int64_t>(NR, n - jr));
        const float* bp = bBlock + jr * kc;
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
          fn(kc, aBlock + (ic + ir) * kc, bp, C + (ic + ir) * ldc + jr, ldc, mr, nr, 1.0f);
        }
        // Blocks of kTileCols columns (mc x 256 floats: L2-sized), so that the epilogue reads
        // rows of 1 KiB (a residual streams well) instead of one panel's 128 bytes per row.
        if (last && tile && (jr + nr - done >= kTileCols || jr + nr == n)) {
          tile(ctx, ic, mc, done, jr + nr - done);
          done = jr + nr;
        }
      }
    }
  }
}

void sgemmPacked(int64_t M, int64_t N, int64_t K, float alpha, const float* Ap, const float* Bp,
                 float beta, float* C, int64_t ldc) {
  const int64_t NR = gemmKernel().nr, packedN = packedWidth(N), panels = packedN / NR;
  double flops = 2.0 * static_cast<double>(M) * N * (K > 0 ? K : 1);
  int T = flops < 2e6 ? 1 : splitFor(panels);
  parallelFor(T, [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(panels, t, tasks, b, e);
    int64_t j0 = b * NR, j1 = std::min<int64_t>(e * NR, N);
    if (j1 > j0) sgemmSerialPacked(M, j1 - j0, K, alpha, Ap, Bp, packedN, j0, beta, C + j0, ldc);
  });
}

void sgemm(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  const GemmKernel& g = gemmKernel();
  double flops = 2.0 * static_cast<double>(M) * N * (K > 0 ? K : 1);
  int T = flops < 2e6 ? 1 : numThreads();
  if (T <= 1) {
    sgemmSerial(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  // Split the dimension whose redundant packing is cheaper: splitting N makes every thread pack
  // all of A (M*K), splitting M makes every thread pack all of B (K*N).
  bool splitN = N >= M;
  int64_t unit = splitN ? g.nr : g.mr;
  int64_t units = ((splitN ? N : M) + unit - 1) / unit;
  if (units < T) T = static_cast<int>(units);
  parallelFor(T, [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    int64_t lo = b * unit, hi = std::min<int64_t>(e * unit, splitN ? N : M);
    if (hi <= lo) return;
    if (splitN) {
      const float* Bs = tB ? B + lo * ldb : B + lo;
      sgemmSerial(tA, tB, M, hi - lo, K, alpha, A, lda, Bs, ldb, beta, C + lo, ldc);
    } else {
      const float* As = tA ? A + lo : A + lo * lda;
      sgemmSerial(tA, tB, hi - lo, N, K, alpha, As, lda, B, ldb, beta, C + lo * ldc, ldc);
    }
  });
}

}  // namespace flint
