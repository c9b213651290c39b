// Driver of the fused inference convolution (conv_eval.h): dispatch, weight packing, padded
// copies of the images, and the split of (image, weight panel) work over the threads.
#include "conv_eval.h"

#include <algorithm>
#include <cstdlib>

#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

constexpr int64_t kSlack = 16;  // the kernel reads up to 16 floats past a padded image
constexpr int64_t kGroupFloats = 160 * 1024;  // weights of one panel group: 640 KiB

// Read on every call (a getenv is ~100 ns against milliseconds of convolution), so that a
// benchmark can switch it between interleaved rounds (bench/resnet50-layers.ts --ab).
bool enabled() {
  const char* v = std::getenv("FLINT_CONV_EVAL");
  return v == nullptr || v[0] != '0';
}

// The per-image mode alone (FLINT_CONV_EVAL_IMAGES=0: the direct path and its second pass there).
bool perImageEnabled() {
  const char* v = std::getenv("FLINT_CONV_EVAL_IMAGES");
  return v == nullptr || v[0] != '0';
}

int64_t panelsOf(const ConvShape& s) { return (s.OC + 31) / 32; }

// Where the panel-group order pays: the weights at least twice the batch's inputs (ResNet-50's
// 512-channel 3x3 at 7x7 at batch 8: 9.4 MB against 1.3 MB), where streaming them once per
// block of positions was the cost.
bool weightsDominate(const ConvShape& s) {
  const int64_t weights = panelsOf(s) * s.C * s.KH * s.KW * 32;
  const int64_t inputs = s.N * s.C * (s.H + 2 * s.pH) * (s.W + 2 * s.pW);
  return weights >= 2 * inputs;
}

}  // namespace

bool directEvalOk(const ConvShape& s) {
  // Panel groups outermost (split over the threads) where the weights dominate; elsewhere the
  // direct path's order, one image per task (each padded into the task's own buffer, as
  // conv_direct does), with the epilogue per tile instead of the direct path's second pass over
  // the output. That needs the images to feed the threads; with fewer, the direct path (which
  // also splits an image's rows) and its second pass stay.
  if (!enabled() || !directConvForwardOk(s)) return false;
  if (weightsDominate(s)) return s.N >= numThreads() || panelsOf(s) >= numThreads();
  return s.N >= numThreads() && perImageEnabled();
}

void directEvalForward(const ConvShape& s, const float* x, const float* w, const float* bias,
                       const ConvEpilogue& ep, float* out) {
  const int64_t K = s.C * s.KH * s.KW, panels = panelsOf(s), P = s.OH * s.OW;
  // Weights as [panel][K][32], zero past OC (as conv_direct's packing), split over panels.
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * K * 32));
  parallelFor(tasksFor(panels * K * 32, 1 << 14), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(panels, t, tasks, b, e);
    for (int64_t pn = b; pn < e; ++pn)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t v = 0; v < 32; ++v) {
          const int64_t co = pn * 32 + v;
          wp[(pn * K + k) * 32 + v] = co < s.OC ? w[co * K + k] : 0.0f;
        }
  });
  const DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, s.KH, s.KW, s.OC, s.OH, s.OW, s.pW, s.W};
  const int64_t padded = g.Cin * g.Hp * g.Wp, stride = (padded + kSlack + 15) / 16 * 16;
  auto tail = [&](int64_t n) {
    return EvalTail{bias, ep.alpha, ep.beta, ep.residual ? ep.residual + n * s.OC * P : nullptr, ep.relu};
  };
  if (!weightsDominate(s)) {
    // One image per task, padded into the task's buffer (zeroed once; only the interior is
    // rewritten per image), all panels: conv_direct's runImages plus the epilogue per tile.
    parallelFor(splitFor(s.N), [&](int t, int tasks) {
      int64_t b, e;
      chunkRange(s.N, t, tasks, b, e);
      float* xp = scratch(kSlotRow, static_cast<size_t>(stride));
      std::fill(xp, xp + stride, 0.0f);
      for (int64_t n = b; n < e; ++n) {
        copyInteriorAvx512(x + n * s.C * s.H * s.W, s.C, s.H, s.W, s.pH, s.pW, xp);
        directEvalPanelsAvx512(g, xp, wp, 0, panels, tail(n), out + n * s.OC * P);
      }
    });
    return;
  }
  // Panels per group: as many as fit in ~640 KiB (of a 1 MiB L2, beside the image), at least one.
  const int64_t perGroup = std::max<int64_t>(1, std::min<int64_t>(panels, kGroupFloats / (K * 32)));
  const int64_t groups = (panels + perGroup - 1) / perGroup;
  // The threads take panel groups, each for every image (padded once, up front, into one shared
  // buffer): a group is read from memory once for the whole batch.
  float* xall = scratch(kSlotCol2, static_cast<size_t>(s.N * stride));
  parallelFor(tasksFor(s.N * stride, 1 << 15), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.N, t, tasks, b, e);
    std::fill(xall + b * stride, xall + e * stride, 0.0f);
    for (int64_t n = b; n < e; ++n)
      copyInteriorAvx512(x + n * s.C * s.H * s.W, s.C, s.H, s.W, s.pH, s.pW, xall + n * stride);
  });
  const int64_t units = groups * s.N;  // unit u: panel group u / N, image u % N
  parallelFor(splitFor(units), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    for (int64_t u = b; u < e; ++u) {
      const int64_t gi = u / s.N, n = u % s.N;
      directEvalPanelsAvx512(g, xall + n * stride, wp, gi * perGroup, std::min(panels, (gi + 1) * perGroup), tail(n),
                             out + n * s.OC * P);
    }
  });
}

}  // namespace flint
