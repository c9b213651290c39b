// Driver of the 3x3 convolution path (conv3x3.h): dispatch conditions, weight packing in 16- or
// 32-channel panels, padding, threading over images, and the ordered reduction of per-thread
// weight gradients (as conv_direct.cc, whose helpers it shares).
#include "conv3x3.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// FLINT_CONV3X3: 0 off, 2 every 3x3 stride-1 convolution (for comparing kernels), else the
// shapes where this path measured faster.
int mode() {
  static const int m = [] {
    const char* v = std::getenv("FLINT_CONV3X3");
    return v == nullptr ? 1 : v[0] - '0';
  }();
  return m;
}

bool baseOk(const ConvShape& s) {
  return mode() != 0 && std::string(gemmKernel().name) == "avx512" && s.groups == 1 && s.sH == s.sW &&
         (s.sH == 1 || s.sH == 2) && s.dH == 1 && s.dW == 1 && s.KH == 3 && s.KW == 3;
}

// Weights for `Cout` output channels, weight(co, k) for k < K, packed as
// [ceil(Cout / pw)][K][pw], zero past Cout; split over K across threads.
template <typename Weight>
float* packPanels(int64_t Cout, int64_t K, const Weight& weight) {
  const int64_t pw = conv3x3PanelWidth(Cout), panels = (Cout + pw - 1) / pw;
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * K * pw));
  parallelFor(tasksFor(panels * K * pw, 1 << 14), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(K, t, tasks, b, e);
    for (int64_t pn = 0; pn < panels; ++pn)
      for (int64_t k = b; k < e; ++k)
        for (int64_t v = 0; v < pw; ++v) {
          const int64_t co = pn * pw + v;
          wp[(pn * K + k) * pw + v] = co < Cout ? weight(co, k) : 0.0f;
        }
  });
  return wp;
}

// Runs the kernel over N images [Cin][Hin][Win] (stride srcStride), each padded by padT rows
// and padL columns on both sides; split by image, and by output rows when there are fewer images
// than threads.
void runImages(int64_t N, const DirectGeo& g, int stride, const float* src, int64_t srcStride, const float* wp,
               const float* bias, float* out, int64_t outStride) {
  const int64_t padded = g.Cin * g.Hp * g.Wp;
  const int64_t parts = imageRowParts(N, g.Hout, g.Cout * g.Hout * g.Wout * g.Cin * 9);
  const int64_t units = N * parts;
  const int T = splitFor(units);
  parallelFor(T, [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    // Zeroed once per task; only the interior is rewritten for each image.
    float* xp = scratch(kSlotRow, static_cast<size_t>(padded + conv3x3Slack(g.Wp)));
    std::fill(xp, xp + padded + conv3x3Slack(g.Wp), 0.0f);
    int64_t copied = -1;
    for (int64_t u = b; u < e; ++u) {
      const int64_t n = u / parts;
      if (n != copied) {
        copyInteriorAvx512(src + n * srcStride, g.Cin, g.Hin, g.Win, g.padT, g.padL, xp);
        copied = n;
      }
      int64_t oh0, oh1;
      chunkRange(g.Hout, static_cast<int>(u % parts), static_cast<int>(parts), oh0, oh1);
      conv3x3ImageAvx512(g, stride, xp, wp, bias, out + n * outStride, oh0, oh1);
    }
  });
}

// FLINT_CONV3X3_SMALL=0 keeps planes of at most 4x4 outputs on the plane kernel (for
// before/after measurements).
bool smallEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("FLINT_CONV3X3_SMALL");
    return v == nullptr || v[0] != '0';
  }();
  return on;
}

// The image-blocked kernel for small planes: taken for stride-1 outputs of at most 4x4 with
// enough images to fill its blocks (16 per task), and weights of at most 1 MB (it reads them once
// per output position and block of images: 256 -> 256 channels at 4x4 measured slower, 512 ->
// 512 twice as slow). Stride 2 (64 -> 128 channels, 8x8 -> 4x4) measured 0.86-0.96x alone but
// slower inside the ResNet-18 step, so it stays with the plane kernel.
bool smallTakes(int64_t N, int64_t Cin, int64_t Cout, int64_t OH, int64_t OW, int64_t stride) {
  return smallEnabled() && stride == 1 && OH <= 4 && OW <= 4 && N >= 16 && Cin * 9 * Cout <= (1 << 18);
}

// Runs conv3x3SmallAvx512 over the N images, split into ranges of at least 16 images.
void runSmall(int64_t N, const Conv3x3SmallGeo& g, const float* x, const float* wp, const float* bias, float* out) {
  // At most N / 16 tasks, so every range holds 16 images or more.
  parallelFor(splitFor(N / 16), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(N, t, tasks, b, e);
    conv3x3SmallAvx512(g, x, wp, bias, out, b, e);
  });
}

}  // namespace

bool conv3x3RowsEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("FLINT_CONV3X3_ROWS");
    return v == nullptr || v[0] != '0';
  }();
  return on;
}

// Stride 1: taken where conv_direct's 32-channel panels of 8 positions of one row leave lanes
// empty. Stride 2 (which conv_direct does not take): forward and weight gradient always; the
// input gradient stays with im2col + GEMM.
// Stride-1 shapes whose rows hold a multiple of 16 outputs take the row-vector blocks
// (conv3x3RowsEnabled), which also beat conv_direct on 32 channels (ResNet-20's 32 -> 32 @16:
// 0.85x forward, 1 thread).
bool rowsTake(int64_t stride, int64_t outW, int64_t outC) {
  return stride == 1 && outW % 16 == 0 && outC % 8 == 0 && conv3x3RowsEnabled();
}
bool conv3x3ForwardOk(const ConvShape& s) {
  return baseOk(s) && s.OC >= 16 &&
         (s.sH == 2 || mode() == 2 || s.OC % 32 != 0 || s.OW < 8 || rowsTake(s.sH, s.OW, s.OC));
}
bool conv3x3BackwardInputOk(const ConvShape& s) {
  if (s.sH == 2) return baseOk(s) && s.C >= 16 && s.pW <= 2 && s.W >= 5;
  return baseOk(s) && s.C >= 16 && s.pH <= 2 && s.pW <= 2 &&
         (mode() == 2 || s.C % 32 != 0 || s.W < 8 || rowsTake(1, s.W, s.C));
}
bool conv3x3BackwardWeightOk(const ConvShape& s) {
  return baseOk(s) && (s.sH == 2 || mode() == 2 || s.OC % 32 != 0);
}

// 1 thread, CPU time, batch 8: 0.79x (ResNet-50's 128->128 @56) and 0.91x (256->256 @28) of
// im2col + GEMM; 512->512 @14, whose 9.4 MB of weights every block of positions streams from L3,
// 1.08x, so weights are capped at 4 MB.
bool conv3x3EvalOk(const ConvShape& s) {
  return conv3x3ForwardOk(s) && s.sH == 2 && s.OH * s.OW > 4 && s.C * s.OC * 9 <= (1 << 20);
}

void conv3x3Forward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const int64_t K = s.C * 9;
  const float* wp = packPanels(s.OC, K, [&](int64_t co, int64_t k) { return w[co * K + k]; });
  if (smallTakes(s.N, s.C, s.OC, s.OH, s.OW, s.sH))
    return runSmall(s.N, {s.C, s.H, s.W, s.OC, s.OH, s.OW, s.pH, s.pW, s.sH}, x, wp, bias, out);
  DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, 3, 3, s.OC, s.OH, s.OW, s.pW, s.W};
  runImages(s.N, g, static_cast<int>(s.sH), x, s.C * s.H * s.W, wp, bias, out, s.OC * s.OH * s.OW);
}

// gradIn is the stride-1 convolution of gradOut, padded by 2 - pH / 2 - pW, with the weights
// flipped in space and input and output channels swapped.
namespace {

// Stride 2: each input-gradient position gathers the taps of its row and column parity straight
// from gradOut (conv3x3S2BackwardImageAvx512), split by image and, with fewer images than
// threads, by rows.
void backwardInputStride2(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  const int64_t panels = (s.C + 15) / 16, KC = s.C * 9;
  float* wp = scratch(kSlotWeights, static_cast<size_t>(panels * 9 * s.OC * 16));
  parallelFor(tasksFor(panels * 9 * s.OC * 16, 1 << 14), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.OC, t, tasks, b, e);
    for (int64_t pn = 0; pn < panels; ++pn)
      for (int64_t tap = 0; tap < 9; ++tap)
        for (int64_t oc = b; oc < e; ++oc)
          for (int64_t v = 0; v < 16; ++v) {
            const int64_t c = pn * 16 + v;
            wp[((pn * 9 + tap) * s.OC + oc) * 16 + v] = c < s.C ? w[oc * KC + c * 9 + tap] : 0.0f;
          }
  });
  const Conv3x3S2Geo g{s.OC, s.OH, s.OW, s.OW + 2, s.C, s.H, s.W, s.pH, s.pW};
  const int64_t padded = s.OC * s.OH * g.Wq + conv3x3S2Slack;
  const int64_t parts = imageRowParts(s.N, s.H / 2, s.C * s.OC * 9 * s.OH * s.OW);
  const int64_t units = s.N * parts;
  parallelFor(splitFor(units), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(units, t, tasks, b, e);
    // Zeroed once per task; only the interior is rewritten for each image.
    float* gp = scratch(kSlotRow, static_cast<size_t>(padded));
    std::fill(gp, gp + padded, 0.0f);
    int64_t copied = -1;
    for (int64_t u = b; u < e; ++u) {
      const int64_t n = u / parts;
      if (n != copied) {
        copyInteriorAvx512(gradOut + n * s.OC * s.OH * s.OW, s.OC, s.OH, s.OW, 0, 1, gp);
        copied = n;
      }
      // Row ranges of even length, so blocks of two rows stay within one part.
      const int64_t pairs = (s.H + 1) / 2;
      int64_t r0, r1;
      chunkRange(pairs, static_cast<int>(u % parts), static_cast<int>(parts), r0, r1);
      conv3x3S2BackwardImageAvx512(g, gp, wp, gradIn + n * s.C * s.H * s.W, 2 * r0, std::min(s.H, 2 * r1));
    }
  });
}

}  // namespace

void conv3x3BackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  if (s.sH == 2) return backwardInputStride2(s, gradOut, w, gradIn);
  const int64_t K = s.OC * 9;
  const float* wp = packPanels(s.C, K, [&](int64_t c, int64_t k) {
    const int64_t oc = k / 9, t = k % 9;
    return w[(oc * s.C + c) * 9 + 8 - t];
  });
  const int64_t pT = 2 - s.pH, pL = 2 - s.pW;
  if (smallTakes(s.N, s.OC, s.C, s.H, s.W, 1))
    return runSmall(s.N, {s.OC, s.OH, s.OW, s.C, s.H, s.W, pT, pL, 1}, gradOut, wp, nullptr, gradIn);
  DirectGeo g{s.OC, s.OH + 2 * pT, s.OW + 2 * pL, pT, s.OH, 3, 3, s.C, s.H, s.W, pL, s.OW};
  runImages(s.N, g, 1, gradOut, s.OC * s.OH * s.OW, wp, nullptr, gradIn, s.C * s.H * s.W);
}

void conv3x3BackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                           float* gradBias) {
  // conv_direct's weight-gradient driver with 16-channel panels and this kernel's strides.
  const int64_t OCp = (s.OC + 15) / 16 * 16;
  const DirectGeo g{s.C, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.H, 3, 3, s.OC, s.OH, s.OW, s.pW, s.W};
  const int stride = static_cast<int>(s.sH);
  directWeightGrad(
      s, g, OCp,
      [&](int64_t images, const float* xp, int64_t imgStride, const float* goT, int64_t goStride, float* acc) {
        conv3x3WeightAccAvx512(g, stride, images, xp, imgStride, goT, goStride, OCp, acc);
      },
      x, gradOut, gradW, gradBias);
}

}  // namespace flint
