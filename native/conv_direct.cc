// Driver of the implicit-GEMM convolution: dispatch conditions, weight packing, padding,
// threading over images, and the ordered reduction of per-thread weight gradients.
#include "conv_direct.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

constexpr int64_t kSlack = 16;  // the forward kernel reads up to 16 floats past a padded image
// Padded buffers are zeroed once per call and reused for every image; only the interior is
// rewritten (copyInteriorAvx512), since per-row memset/memcpy calls cost ~5% on small maps.

// The build's kernel set: the driver below calls these names, bound to one ISA's kernels.
#if defined(__wasm_simd128__)
bool gDirectOn = true;
bool kernelOk() { return gDirectOn && std::string(gemmKernel().name) == "wasm-simd128"; }
constexpr auto& copyInterior = copyInteriorWasm;
constexpr auto& imageKernel = directConvImageWasm;
constexpr auto& transposeGradOut = transposeGradOutWasm;
constexpr auto& weightAccKernel = directConvWeightAccWasm;
constexpr int64_t kWeightGradPanel = 8;  // output channels per SIMD128 weight-gradient tile
#else
bool kernelOk() { return std::string(gemmKernel().name) == "avx512"; }
constexpr auto& copyInterior = copyInteriorAvx512;
constexpr auto& imageKernel = directConvImageAvx512;
constexpr auto& transposeGradOut = transposeGradOutAvx512;
constexpr auto& weightAccKernel = directConvWeightAccAvx512;
constexpr int64_t kWeightGradPanel = 32;
#endif

bool baseOk(const ConvShape& s) {
  return kernelOk() && s.groups == 1 && s.sH == 1 && s.sW == 1 && s.dH == 1 && s.dW == 1 &&
         !(s.KH == 1 && s.KW == 1);
}

// Packs weight(co, k) as [ceil(Cout / P)][K][P] (P = kDirectPanel), zero past Cout; split over K across threads
// (it runs before the images and would otherwise be serial time on every call).
template <typename Weight>
float* packPanels(int64_t Cout, int64_t K, const Weight& weight) {
  constexpr int64_t PW = kDirectPanel;
  const int64_t panels = (Cout + PW - 1) / PW;
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * K * PW));
  parallelFor(tasksFor(panels * K * PW, 1 << 14), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(K, t, tasks, b, e);
    for (int64_t pn = 0; pn < panels; ++pn)
      for (int64_t co = pn * PW; co < pn * PW + PW; ++co)
        for (int64_t k = b; k < e; ++k) wp[(pn * K + k) * PW + (co - pn * PW)] = co < Cout ? weight(co, k) : 0.0f;
  });
  return wp;
}

// Runs the kernel over N images [Cin][Hin][Win] (stride srcStride), each padded by padT rows
// and padL columns on both sides. Work is split by image; with fewer images than threads
// (inference on one image) each image's output rows are split too, so every thread works.
void runImages(int64_t N, const DirectGeo& g, int64_t padL, const float* src, int64_t srcStride,
               const float* wp, const float* bias, float* out, int64_t outStride) {
  const int64_t padded = g.Cin * g.Hp * g.Wp, Win = g.Wp - 2 * padL;
  const int64_t parts = imageRowParts(N, g.Hout, g.Cout * g.Hout * g.Wout * g.Cin * g.KH * g.KW);
  const int64_t units = N * parts;  // unit u: image u / parts, row block u % parts
  const int T = splitFor(units);
  parallelFor(T, [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    float* xp = scratch(kSlotRow, static_cast<size_t>(padded + kSlack));
    std::fill(xp, xp + padded + kSlack, 0.0f);
    int64_t copied = -1;
    for (int64_t u = b; u < e; ++u) {
      const int64_t n = u / parts;
      if (n != copied) {
        copyInterior(src + n * srcStride, g.Cin, g.Hin, Win, g.padT, padL, xp);
        copied = n;
      }
      int64_t oh0, oh1;
      chunkRange(g.Hout, static_cast<int>(u % parts), static_cast<int>(parts), oh0, oh1);
      imageKernel(g, xp, wp, bias, out + n * outStride, oh0, oh1);
    }
  });
}

}  // namespace

bool directConvForwardOk(const ConvShape& s) { return baseOk(s) && s.OC >= 16; }
bool directConvBackwardInputOk(const ConvShape& s) {
  return baseOk(s) && s.C >= 16 && s.pH <= s.KH - 1 && s.pW <= s.KW - 1;
}
bool directConvBackwardWeightOk(const ConvShape& s) { return baseOk(s); }
#if defined(__wasm_simd128__)
void setDirectConvEnabled(bool on) { gDirectOn = on; }
#endif

void directConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const int64_t K = s.C * s.KH * s.KW;
  const float* wp = packPanels(s.OC, K, [&](int64_t co, int64_t k) { return w[co * K + k]; });
  DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, s.KH, s.KW, s.OC, s.OH, s.OW, s.pW, s.W};
  runImages(s.N, g, s.pW, x, s.C * s.H * s.W, wp, bias, out, s.OC * s.OH * s.OW);
}

// gradIn is the stride-1 convolution of gradOut, padded by KH-1-pH / KW-1-pW, with the weights
// flipped in space and with input and output channels swapped.
void directConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  const int64_t KHW = s.KH * s.KW, K = s.OC * KHW, Kw = s.C * KHW;
  // Packed [ceil(C / P)][K = (oc, kh, kw)][P input channels] (P = kDirectPanel), spatially flipped;
  // nested loops (no index division) split over oc across threads, since this runs before the images.
  constexpr int64_t PW = kDirectPanel;
  const int64_t panels = (s.C + PW - 1) / PW;
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * K * PW));
  parallelFor(tasksFor(panels * K * PW, 1 << 14), [&](int t, int tasks) {
    int64_t ob, oe;
    chunkRange(s.OC, t, tasks, ob, oe);
    for (int64_t pn = 0; pn < panels; ++pn)
      for (int64_t oc = ob; oc < oe; ++oc)
        for (int64_t kh = 0; kh < s.KH; ++kh)
          for (int64_t kw = 0; kw < s.KW; ++kw) {
            float* d = wp + (pn * K + (oc * s.KH + kh) * s.KW + kw) * PW;
            const float* src = w + oc * Kw + (s.KH - 1 - kh) * s.KW + (s.KW - 1 - kw);
            for (int64_t v = 0; v < PW; ++v) {
              const int64_t c = pn * PW + v;
              d[v] = c < s.C ? src[c * KHW] : 0.0f;
            }
          }
  });
  const int64_t pT = s.KH - 1 - s.pH, pL = s.KW - 1 - s.pW;
  DirectGeo g{s.OC, s.OH + 2 * pT, s.OW + 2 * pL, pT, s.OH, s.KH, s.KW, s.C, s.H, s.W, pL, s.OW};
  runImages(s.N, g, pL, gradOut, s.OC * s.OH * s.OW, wp, nullptr, gradIn, s.C * s.H * s.W);
}

void directWeightGrad(const ConvShape& s, const DirectGeo& g, int64_t OCp, const WeightAccFn& accumulate,
                      const float* x, const float* gradOut, float* gradW, float* gradBias) {
  const int64_t K = g.Cin * g.KH * g.KW, P = s.OH * s.OW, Hp = g.Hp, Wp = g.Wp;
  const int64_t imgStride = (s.C * Hp * Wp + 15) / 16 * 16, goStride = P * OCp;
  // Images go through the kernel in small groups whose padded copies and transposed output
  // gradients stay in L2 (or close: larger groups measured faster, fewer per-group passes) while
  // every tap group and channel panel sweeps them.
  const int64_t perImage = (imgStride + goStride) * 4;
  const int64_t group = std::max<int64_t>(1, std::min<int64_t>(16, (1536 * 1024) / perImage));
  const int T = splitFor(s.N);
  // Per-task partial sums live in the caller's scratch, indexed by task (a thread may run several).
  float* accAll = scratch(kSlotPartial, static_cast<size_t>(T * K * OCp));
  double* bsumAll = gradBias ? reinterpret_cast<double*>(scratch(kSlotPackB, static_cast<size_t>(T * s.OC * 16))) : nullptr;
  std::vector<float*> partial(static_cast<size_t>(T), nullptr);
  std::vector<double*> biasPartial(static_cast<size_t>(T), nullptr);
  parallelFor(T, [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.N, t, tasks, b, e);
    float* acc = accAll + static_cast<int64_t>(t) * K * OCp;
    std::fill(acc, acc + K * OCp, 0.0f);
    partial[static_cast<size_t>(t)] = acc;
    double* bsum = nullptr;
    if (gradBias) {
      // The bias gradient is summed (in double) from the same pass over gradOut.
      bsum = bsumAll + static_cast<int64_t>(t) * s.OC * 8;
      std::fill(bsum, bsum + s.OC * 8, 0.0);
      biasPartial[static_cast<size_t>(t)] = bsum;
    }
    float* xp = scratch(kSlotCol, static_cast<size_t>(group * imgStride));
    std::fill(xp, xp + group * imgStride, 0.0f);
    float* goT = scratch(kSlotCol2, static_cast<size_t>(group * goStride));
    for (int64_t n0 = b; n0 < e; n0 += group) {
      const int64_t cnt = std::min(group, e - n0);
      for (int64_t i = 0; i < cnt; ++i) {
        const int64_t n = n0 + i;
        copyInterior(x + n * s.C * s.H * s.W, s.C, s.H, s.W, s.pH, s.pW, xp + i * imgStride);
        transposeGradOut(gradOut + n * s.OC * P, s.OC, P, OCp, goT + i * goStride, bsum);
      }
      accumulate(cnt, xp, imgStride, goT, goStride, acc);
    }
  });
  // Partial sums are added in thread order, so results do not depend on scheduling.
  parallelFor(tasksFor(s.OC * K, 1 << 14), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.OC, t, tasks, b, e);
    for (int64_t oc = b; oc < e; ++oc)
      for (int64_t k = 0; k < K; ++k) {
        float v = 0.0f;
        for (float* part : partial)
          if (part) v += part[k * OCp + oc];
        gradW[oc * K + k] = v;
      }
  });
  if (gradBias)
    for (int64_t oc = 0; oc < s.OC; ++oc) {
      double v = 0.0;
      for (double* bs : biasPartial)
        if (bs)
          for (int l = 0; l < 8; ++l) v += bs[oc * 8 + l];
      gradBias[oc] = static_cast<float>(v);
    }
}

void directConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                              float* gradBias) {
  const int64_t OCp = (s.OC + kWeightGradPanel - 1) / kWeightGradPanel * kWeightGradPanel;
  const DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, s.KH, s.KW, s.OC, s.OH, s.OW, s.pW, s.W};
  directWeightGrad(
      s, g, OCp,
      [&](int64_t images, const float* xp, int64_t imgStride, const float* goT, int64_t goStride, float* acc) {
        weightAccKernel(g, images, xp, imgStride, goT, goStride, OCp, acc);
      },
      x, gradOut, gradW, gradBias);
}

}  // namespace flint
