#include "conv.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "conv_direct.h"
#include "gemm.h"
#include "im2col.h"
#include "rowops.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// A 1x1, stride-1, unpadded convolution needs no im2col: the image itself is the column matrix.
bool isPointwise(const ConvShape& s) {
  return s.KH == 1 && s.KW == 1 && s.sH == 1 && s.sW == 1 && s.pH == 0 && s.pW == 0;
}

// Runs body(n, serialGemm) for every image: in parallel over images when the batch can feed
// every thread, otherwise one image at a time with multithreaded GEMMs inside.
template <typename Body>
void forEachImage(int64_t N, const Body& body) {
  int T = numThreads();
  if (N >= T && T > 1) {
    parallelFor(splitFor(N), [&](int t, int tasks) {
      int64_t b, e;
      chunkRange(N, t, tasks, b, e);
      for (int64_t n = b; n < e; ++n) body(n, true, t);
    });
  } else {
    for (int64_t n = 0; n < N; ++n) body(n, false, 0);
  }
}


// What conv2dForward's GEMM tiles are finished with: + bias, then the epilogue, on rows (output
// channels) i0 .. i0 + rows and positions j .. j + cols of one image's group output.
struct TileCtx {
  const float* bias;  // this group's, or null
  const ConvEpilogue* ep;
  int64_t n, c0, P;
  float* out;  // the group's output, [OCg][P]
};

void finishTile(void* p, int64_t i0, int64_t rows, int64_t j, int64_t cols) {
  const TileCtx& t = *static_cast<const TileCtx*>(p);
  if (t.bias)
    for (int64_t r = i0; r < i0 + rows; ++r) {
      float* o = t.out + r * t.P + j;
      const float b = t.bias[r];
      for (int64_t q = 0; q < cols; ++q) o[q] += b;
    }
  if (t.ep) t.ep->applyColumns(t.n, t.c0 + i0, rows, t.P, j, cols, t.out + i0 * t.P);
}

}  // namespace

bool conv2dOutputSize(ConvShape& s) {
  s.OH = (s.H + 2 * s.pH - s.dH * (s.KH - 1) - 1) / s.sH + 1;
  s.OW = (s.W + 2 * s.pW - s.dW * (s.KW - 1) - 1) / s.sW + 1;
  // C division truncates toward zero; a negative numerator means no output either way.
  if (s.H + 2 * s.pH - s.dH * (s.KH - 1) - 1 < 0) s.OH = 0;
  if (s.W + 2 * s.pW - s.dW * (s.KW - 1) - 1 < 0) s.OW = 0;
  return s.OH > 0 && s.OW > 0;
}

void ConvEpilogue::applyColumns(int64_t n, int64_t c0, int64_t channels, int64_t P, int64_t p0,
                                int64_t np, float* out) const {
  for (int64_t c = 0; c < channels; ++c) {
    const float a = alpha[c0 + c], b = beta[c0 + c];
    float* o = out + c * P + p0;
    const float* r = residual ? residual + (n * OC + c0 + c) * P + p0 : nullptr;
    // Rounded as the separate ops round: the BatchNorm's output, then the sum, then the ReLU
    // (which keeps NaN, as torch.relu). One loop per row: it runs on blocks of the GEMM's output
    // while they are in cache.
    if (r && relu)
      for (int64_t p = 0; p < np; ++p) {
        const float y = o[p] * a + b, z = y + r[p];
        o[p] = z > 0.0f ? z : (z == z ? 0.0f : z);
      }
    else if (r)
      for (int64_t p = 0; p < np; ++p) {
        const float y = o[p] * a + b;
        o[p] = y + r[p];
      }
    else if (relu)
      for (int64_t p = 0; p < np; ++p) {
        const float y = o[p] * a + b;
        o[p] = y > 0.0f ? y : (y == y ? 0.0f : y);
      }
    else
      for (int64_t p = 0; p < np; ++p) o[p] = o[p] * a + b;
  }
}

void batchNormEvalCoefficients(int64_t C, const float* weight, const float* bias, const float* mean,
                               const float* var, double eps, float* alpha, float* beta) {
  for (int64_t c = 0; c < C; ++c) {
    const float invstd = 1.0f / std::sqrt(var[c] + static_cast<float>(eps));
    alpha[c] = invstd * (weight ? weight[c] : 1.0f);
    beta[c] = (bias ? bias[c] : 0.0f) - mean[c] * alpha[c];
  }
}

void applyEpilogueAll(const ConvEpilogue& ep, int64_t N, int64_t OC, int64_t P, float* out) {
  const int64_t planes = N * OC;
  parallelFor(tasksFor(planes * P, 1 << 15), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(planes, t, tasks, b, e);
    for (int64_t q = b; q < e; ++q) ep.apply(q / OC, q % OC, 1, P, out + q * P);
  });
}

void conv2dForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out,
                   const ConvEpilogue* ep) {
  if (directConvForwardOk(s)) {
    directConvForward(s, x, w, bias, out);
    if (ep) applyEpilogueAll(*ep, s.N, s.OC, s.OH * s.OW, out);
    return;
  }
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W, packedP = packedWidth(P);
  const bool pointwise = isPointwise(s);
  // The epilogue runs per image while its output is in cache, unless the images are processed one
  // at a time by multithreaded GEMMs (then one parallel pass at the end keeps every thread busy).
  const bool inLoop = numThreads() <= 1 || s.N >= numThreads();
  // Weights are packed once per call and shared read-only by every image and thread.
  const int64_t wPanel = packedHeight(OCg) * Kg;
  float* Aw = scratch(kSlotWeights, static_cast<size_t>(G * wPanel));
  for (int64_t g = 0; g < G; ++g) packAFull(false, OCg, Kg, w + g * OCg * Kg, Kg, Aw + g * wPanel);
  forEachImage(s.N, [&](int64_t n, bool serial, int) {
    for (int64_t g = 0; g < G; ++g) {
      const float* xg = x + (n * s.C + g * Cg) * HW;
      float* og = out + (n * s.OC + g * OCg) * P;
      // im2col straight into the GEMM's packed-B panels: one pass over the columns.
      float* Bp = scratch(kSlotCol, static_cast<size_t>(Kg * packedP));
      if (pointwise)
        packBFull(false, Kg, P, xg, P, Bp);
      else
        im2colPacked(s, Cg, xg, Bp);
      if (serial || numThreads() <= 1) {
        // The bias and the epilogue go onto each block of the output as the GEMM finishes it.
        TileCtx ctx{bias ? bias + g * OCg : nullptr, ep && inLoop ? ep : nullptr, n, g * OCg, P, og};
        sgemmSerialPackedTiles(OCg, P, Kg, Aw + g * wPanel, Bp, packedP, 0, og, P, finishTile, &ctx);
        continue;
      }
      sgemmPacked(OCg, P, Kg, 1.0f, Aw + g * wPanel, Bp, 0.0f, og, P);
      if (bias)
        for (int64_t oc = 0; oc < OCg; ++oc) {
          float b = bias[g * OCg + oc];
          float* o = og + oc * P;
          for (int64_t p = 0; p < P; ++p) o[p] += b;
        }
      if (ep && inLoop) ep->apply(n, g * OCg, OCg, P, og);
    }
  });
  if (ep && !inLoop) applyEpilogueAll(*ep, s.N, s.OC, P, out);
}

void conv2dBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  if (directConvBackwardInputOk(s)) return directConvBackwardInput(s, gradOut, w, gradIn);
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W, packedP = packedWidth(P);
  const bool pointwise = isPointwise(s);
  // A = W_g^T [Kg, OCg], packed once per call.
  const int64_t wPanel = packedHeight(Kg) * OCg;
  float* Aw = scratch(kSlotWeights, static_cast<size_t>(G * wPanel));
  for (int64_t g = 0; g < G; ++g) packAFull(true, Kg, OCg, w + g * OCg * Kg, Kg, Aw + g * wPanel);
  forEachImage(s.N, [&](int64_t n, bool serial, int) {
    for (int64_t g = 0; g < G; ++g) {
      const float* go = gradOut + (n * s.OC + g * OCg) * P;
      float* gi = gradIn + (n * s.C + g * Cg) * HW;
      float* Bp = scratch(kSlotCol, static_cast<size_t>(OCg * packedP));
      packBFull(false, OCg, P, go, P, Bp);
      float* col = pointwise ? gi : scratch(kSlotCol2, static_cast<size_t>(Kg * P));
      if (serial)
        sgemmSerialPacked(Kg, P, OCg, 1.0f, Aw + g * wPanel, Bp, packedP, 0, 0.0f, col, P);
      else
        sgemmPacked(Kg, P, OCg, 1.0f, Aw + g * wPanel, Bp, 0.0f, col, P);
      if (!pointwise) {
        std::memset(gi, 0, sizeof(float) * Cg * HW);
        col2imAdd(s, Cg, col, gi);
      }
    }
  });
}

void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                          float* gradBias) {
  if (directConvBackwardWeightOk(s)) return directConvBackwardWeight(s, x, gradOut, gradW, gradBias);
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W, packedK = packedWidth(Kg);
  const int64_t wSize = s.OC * Kg;
  const bool pointwise = isPointwise(s);
  int T = numThreads();
  bool parallel = s.N >= T && T > 1;
  int tasks = parallel ? splitFor(s.N) : 1;
  // Each task sums its images into its own buffer (task 0 straight into gradW); the partial sums
  // are added in task order afterwards, so results do not depend on scheduling.
  float* extra = tasks > 1 ? scratch(kSlotPartial, static_cast<size_t>((tasks - 1) * wSize)) : nullptr;
  std::vector<float*> partial(static_cast<size_t>(tasks), nullptr);
  auto work = [&](int t, int T2) {
    int64_t b, e;
    chunkRange(s.N, t, T2, b, e);
    float* acc = t == 0 ? gradW : extra + (t - 1) * wSize;
    partial[static_cast<size_t>(t)] = acc;
    std::memset(acc, 0, sizeof(float) * wSize);
    for (int64_t n = b; n < e; ++n) {
      for (int64_t g = 0; g < G; ++g) {
        const float* xg = x + (n * s.C + g * Cg) * HW;
        const float* go = gradOut + (n * s.OC + g * OCg) * P;
        float* wg = acc + g * OCg * Kg;
        // A = gradOut_g [OCg, P]; B = col^T [P, Kg], packed straight from the image.
        float* Ap = scratch(kSlotWeights, static_cast<size_t>(packedHeight(OCg) * P));
        packAFull(false, OCg, P, go, P, Ap);
        float* Bp = scratch(kSlotCol, static_cast<size_t>(P * packedK));
        if (pointwise)
          packBFull(true, P, Kg, xg, P, Bp);
        else
          im2colPackedT(s, Cg, xg, Bp);
        if (parallel)
          sgemmSerialPacked(OCg, Kg, P, 1.0f, Ap, Bp, packedK, 0, 1.0f, wg, Kg);
        else
          sgemmPacked(OCg, Kg, P, 1.0f, Ap, Bp, 1.0f, wg, Kg);
      }
    }
  };
  if (parallel)
    parallelFor(tasks, work);
  else
    work(0, 1);
  for (int t = 1; t < tasks; ++t) {
    const float* src = partial[static_cast<size_t>(t)];
    for (int64_t i = 0; i < wSize; ++i) gradW[i] += src[i];
  }
  if (gradBias) {
    // Summed in double: the bias gradient adds N*OH*OW terms per channel.
    biasGradNCHW(gradOut, gradBias, s.N, s.OC, P);
  }
}

}  // namespace flint
