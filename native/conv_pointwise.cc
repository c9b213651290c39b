// Driver of the inference 1x1 convolution (conv_pointwise.h): dispatch, weight packing, and the
// split of (image, row block) work over the threads.
#include "conv_pointwise.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// Read on every call (a getenv is ~100 ns against milliseconds of convolution), so that a
// benchmark can switch it between interleaved rounds (bench/resnet50-layers.ts --ab).
bool enabled() {
  const char* v = std::getenv("FLINT_CONV_POINTWISE");
  return v == nullptr || v[0] != '0';
}

// Stride 2 (ResNet's projection shortcuts): the strided positions are first gathered into rows of
// a multiple of 16 floats, so that every row starts on a cache line, and the kernel reads that
// copy. 1 thread, CPU time, batch 8, against im2col (packing) + GEMM: 0.71-0.80x (256 -> 512 @56),
// 0.80-0.89x (512 -> 1024 @28); 1024 -> 2048 @14 (7x7 output) 1.2x, so planes of 64 positions or
// fewer stay with packing. The same copy at stride 1 on 14x14 planes measured 0.95-1.12x, no gain.
// FLINT_CONV_POINTWISE_COPY=0 turns it off.
bool copyOk(const ConvShape& s) {
  const char* v = std::getenv("FLINT_CONV_POINTWISE_COPY");
  return (v == nullptr || v[0] != '0') && s.C >= 128 && s.OH * s.OW > 64 && s.sH == 2 && s.sW == 2;
}

}  // namespace

bool pointwiseEvalOk(const ConvShape& s) {
  // The kernel's tile is the AVX-512 GEMM's 8 x 32 on its packed A layout (MR = 8).
  const GemmKernel& g = gemmKernel();
  if (!enabled() || std::strcmp(g.name, "avx512") != 0 || g.mr != 8 || s.groups != 1 || s.KH != 1 ||
      s.KW != 1 || s.pH != 0 || s.pW != 0 || s.N <= 0)
    return false;
  if (copyOk(s)) return true;
  return s.sH == 1 && s.sW == 1 &&
         // Planes of a multiple of 16 positions (56x56, 28x28): every B row starts on a cache
         // line. At 14x14 (784-byte rows) most 32-float rows straddle three lines and the path
         // measured up to 14% slower than packing; small planes take the batched path (bind_conv.cc).
         (s.OH * s.OW) % 16 == 0 && s.OH * s.OW > 64 &&
         // With 64 input channels (a short K per tile, the output dominating) it measured 0-25%
         // slower than packing (64 -> 64 and 64 -> 256 at 56x56); from 128 on, 5-25% faster.
         s.C >= 128;
}

void pointwiseEvalForward(const ConvShape& s, const float* x, const float* w, const float* bias,
                          const ConvEpilogue& ep, float* out) {
  const GemmKernel& g = gemmKernel();
  const int64_t M = s.OC, K = s.C, P = s.OH * s.OW, KC = g.kc, MC = g.mc, Mp = packedHeight(M);
  // Weights packed once per call (gemm.h's A layout), shared read-only by every task.
  float* Ap = scratch(kSlotWeights, static_cast<size_t>(Mp * K));
  packAFull(false, M, K, w, K, Ap);
  // Units: (image, block of 8-row panels). The images alone feed the threads at batch >= threads;
  // with fewer images each one's output channels are split too.
  const int64_t panels = Mp / 8, T = numThreads();
  const int64_t parts = s.N >= T ? 1 : std::min<int64_t>(panels, (T + s.N - 1) / s.N);
  const int64_t units = s.N * parts;
  const bool gather = s.sH != 1;
  const int64_t ldb = gather ? (P + 15) / 16 * 16 : P;
  parallelFor(splitFor(units), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    float* xg = gather ? scratch(kSlotCol, static_cast<size_t>(K * ldb)) : nullptr;
    int64_t gathered = -1;
    for (int64_t u = b; u < e; ++u) {
      const int64_t n = u / parts;
      int64_t p0, p1;
      chunkRange(panels, static_cast<int>(u % parts), static_cast<int>(parts), p0, p1);
      const int64_t r0 = p0 * 8, r1 = std::min(p1 * 8, M);
      const float* xn = x + n * K * s.H * s.W;
      if (gather && n != gathered) {
        for (int64_t c = 0; c < K; ++c)
          for (int64_t oh = 0; oh < s.OH; ++oh) {
            const float* src = xn + (c * s.H + oh * s.sH) * s.W;
            float* dst = xg + c * ldb + oh * s.OW;
            for (int64_t ow = 0; ow < s.OW; ++ow) dst[ow] = src[ow * s.sW];
          }
        gathered = n;
      }
      if (gather) xn = xg;
      float* on = out + n * M * P;
      const float* res = ep.residual ? ep.residual + n * M * P : nullptr;
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = std::min(KC, K - pc);
        const bool last = pc + kc >= K;
        // Rows of A in blocks of ~192 KiB (L2), so that each block sweeps the image's columns
        // once: the GEMM's MC rows, or more when kc is short (64 input channels: 768 rows, so
        // that 64 -> 256 reads its input once rather than twice). The sums do not depend on it.
        const int64_t rows = std::max(MC, (int64_t{49152} / kc) / 8 * 8);
        for (int64_t ic = r0; ic < r1; ic += rows) {
          const int64_t mc = std::min(rows, r1 - ic);
          const PointwiseTail tail{bias ? bias + ic : nullptr, ep.alpha + ic, ep.beta + ic,
                                   res ? res + ic * P : nullptr, ep.relu};
          pointwiseBlockAvx512(mc, P, kc, Ap + pc * Mp + ic * kc, xn + pc * ldb, ldb, on + ic * P, P, pc == 0,
                               last ? &tail : nullptr);
        }
      }
    }
  });
}

}  // namespace flint
