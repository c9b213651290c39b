// Driver of the strided few-channel convolution (conv_strided.h): dispatch, weight packing,
// padding, and the split of (image, row block) work over the threads.
#include "conv_strided.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "conv3x3.h"
#include "conv_direct.h"
#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// Read on every call (a getenv is ~100 ns against milliseconds of convolution), so that a
// benchmark can switch it between interleaved rounds (bench/resnet50-layers.ts --ab).
bool enabled() {
  const char* v = std::getenv("FLINT_CONV_STRIDED");
  return v == nullptr || v[0] != '0';
}

}  // namespace

bool stridedConvForwardOk(const ConvShape& s) {
  const GemmKernel& g = gemmKernel();
  // Few input channels (the column matrix is KH * KW times the input) and K = C * KH * KW within
  // one of the GEMM's K blocks, so that the sums are the im2col path's; 16+ output channels.
  return enabled() && std::strcmp(g.name, "avx512") == 0 && s.groups == 1 && s.dH == 1 && s.dW == 1 &&
         s.sH == s.sW && s.sH >= 2 && s.sH <= 4 && s.C <= 4 && s.KH * s.KW >= 9 && s.C * s.KH * s.KW <= g.kc &&
         s.OC >= 16 && s.N > 0;
}

void stridedConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out,
                        const ConvEpilogue* ep) {
  const int64_t K = s.C * s.KH * s.KW, panels = (s.OC + 31) / 32, P = s.OH * s.OW;
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * K * 32));
  for (int64_t pn = 0; pn < panels; ++pn)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t v = 0; v < 32; ++v) {
        const int64_t co = pn * 32 + v;
        wp[(pn * K + k) * 32 + v] = co < s.OC ? w[co * K + k] : 0.0f;
      }
  // The padded image is as wide as the last block of 8 positions reads (no reads past a row's
  // padding but for the columns that are not stored).
  const StridedGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.KH, s.KW, s.sH, s.OC, s.OH, s.OW};
  const int64_t padded = s.C * g.Hp * g.Wp, slack = stridedSlack(s.sH);
  // With fewer images than threads each image's rows are split too, in parts of ~4M multiply-adds.
  const int64_t parts = imageRowParts(s.N, s.OH, s.OC * P * K);
  const int64_t units = s.N * parts;
  parallelFor(splitFor(units), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    // Zeroed once per task; only the interior is rewritten for each image.
    float* xp = scratch(kSlotRow, static_cast<size_t>(padded + slack));
    std::fill(xp, xp + padded + slack, 0.0f);
    int64_t copied = -1;
    for (int64_t u = b; u < e; ++u) {
      const int64_t n = u / parts;
      if (n != copied) {
        copyInteriorAvx512(x + n * s.C * s.H * s.W, s.C, s.H, s.W, s.pH, s.pW, xp);
        copied = n;
      }
      int64_t oh0, oh1;
      chunkRange(s.OH, static_cast<int>(u % parts), static_cast<int>(parts), oh0, oh1);
      float* on = out + n * s.OC * P;
      // Blocks of rows (~32 KB of output) get the epilogue while they are in cache.
      const int64_t step = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, s.OC * s.OW));
      for (int64_t r = oh0; r < oh1; r += step) {
        const int64_t r1 = std::min(oh1, r + step);
        stridedConvRowsAvx512(g, xp, wp, bias, on, r, r1);
        if (ep) ep->applyColumns(n, 0, s.OC, P, r * s.OW, (r1 - r) * s.OW, on);
      }
    }
  });
}

bool stridedConvBackwardWeightOk(const ConvShape& s) {
  // The accumulation kernel is compiled for strides 1 and 2.
  return stridedConvForwardOk(s) && s.sH == 2;
}

void stridedConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                               float* gradBias) {
  const int64_t OCp = (s.OC + 15) / 16 * 16;
  const DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, s.KH, s.KW, s.OC, s.OH, s.OW, s.pW, s.W};
  directWeightGrad(
      s, g, OCp,
      [&](int64_t images, const float* xp, int64_t imgStride, const float* goT, int64_t goStride, float* acc) {
        conv3x3WeightAccAvx512(g, 2, images, xp, imgStride, goT, goStride, OCp, acc);
      },
      x, gradOut, gradW, gradBias);
}

}  // namespace flint
