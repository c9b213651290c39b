#include "conv.h"

#include <cstring>
#include <vector>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// The range of output positions o in [0, O) whose input index o*stride - pad + k*dil lies in
// [0, L); positions outside it read padding.
inline void validRange(int64_t O, int64_t L, int64_t stride, int64_t pad, int64_t koff, int64_t& lo,
                       int64_t& hi) {
  // i = o*stride + (koff - pad) must satisfy 0 <= i < L.
  int64_t base = koff - pad;
  lo = base >= 0 ? 0 : (-base + stride - 1) / stride;
  hi = L - base <= 0 ? 0 : (L - base + stride - 1) / stride;
  if (hi > O) hi = O;
  if (lo > hi) lo = hi;
}

// col [Cg*KH*KW, OH*OW] from one image's channel group x [Cg, H, W].
void im2col(const ConvShape& s, int64_t Cg, const float* x, float* col) {
  const int64_t P = s.OH * s.OW;
  for (int64_t c = 0; c < Cg; ++c) {
    const float* xc = x + c * s.H * s.W;
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      int64_t ohLo, ohHi;
      validRange(s.OH, s.H, s.sH, s.pH, kh * s.dH, ohLo, ohHi);
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        float* row = col + ((c * s.KH + kh) * s.KW + kw) * P;
        int64_t owLo, owHi;
        validRange(s.OW, s.W, s.sW, s.pW, kw * s.dW, owLo, owHi);
        std::memset(row, 0, sizeof(float) * ohLo * s.OW);
        for (int64_t oh = ohLo; oh < ohHi; ++oh) {
          float* r = row + oh * s.OW;
          const float* xr = xc + (oh * s.sH - s.pH + kh * s.dH) * s.W + (kw * s.dW - s.pW);
          for (int64_t ow = 0; ow < owLo; ++ow) r[ow] = 0.0f;
          if (s.sW == 1) {
            std::memcpy(r + owLo, xr + owLo, sizeof(float) * (owHi - owLo));
          } else {
            for (int64_t ow = owLo; ow < owHi; ++ow) r[ow] = xr[ow * s.sW];
          }
          for (int64_t ow = owHi; ow < s.OW; ++ow) r[ow] = 0.0f;
        }
        std::memset(row + ohHi * s.OW, 0, sizeof(float) * (s.OH - ohHi) * s.OW);
      }
    }
  }
}

// Scatter-adds col [Cg*KH*KW, OH*OW] into one image's channel group gx [Cg, H, W].
void col2imAdd(const ConvShape& s, int64_t Cg, const float* col, float* gx) {
  const int64_t P = s.OH * s.OW;
  for (int64_t c = 0; c < Cg; ++c) {
    float* gc = gx + c * s.H * s.W;
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      int64_t ohLo, ohHi;
      validRange(s.OH, s.H, s.sH, s.pH, kh * s.dH, ohLo, ohHi);
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const float* row = col + ((c * s.KH + kh) * s.KW + kw) * P;
        int64_t owLo, owHi;
        validRange(s.OW, s.W, s.sW, s.pW, kw * s.dW, owLo, owHi);
        for (int64_t oh = ohLo; oh < ohHi; ++oh) {
          const float* r = row + oh * s.OW;
          float* gr = gc + (oh * s.sH - s.pH + kh * s.dH) * s.W + (kw * s.dW - s.pW);
          if (s.sW == 1) {
            for (int64_t ow = owLo; ow < owHi; ++ow) gr[ow] += r[ow];
          } else {
            for (int64_t ow = owLo; ow < owHi; ++ow) gr[ow * s.sW] += r[ow];
          }
        }
      }
    }
  }
}

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
    parallelFor(T, [&](int t, int tasks) {
      int64_t b, e;
      chunkRange(N, t, tasks, b, e);
      for (int64_t n = b; n < e; ++n) body(n, true, t);
    });
  } else {
    for (int64_t n = 0; n < N; ++n) body(n, false, 0);
  }
}

using GemmFn = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                        const float*, int64_t, float, float*, int64_t);

}  // namespace

bool conv2dOutputSize(ConvShape& s) {
  s.OH = (s.H + 2 * s.pH - s.dH * (s.KH - 1) - 1) / s.sH + 1;
  s.OW = (s.W + 2 * s.pW - s.dW * (s.KW - 1) - 1) / s.sW + 1;
  // C division truncates toward zero; a negative numerator means no output either way.
  if (s.H + 2 * s.pH - s.dH * (s.KH - 1) - 1 < 0) s.OH = 0;
  if (s.W + 2 * s.pW - s.dW * (s.KW - 1) - 1 < 0) s.OW = 0;
  return s.OH > 0 && s.OW > 0;
}

void conv2dForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W;
  const bool pointwise = isPointwise(s);
  forEachImage(s.N, [&](int64_t n, bool serial, int) {
    GemmFn gemm = serial ? sgemmSerial : sgemm;
    for (int64_t g = 0; g < G; ++g) {
      const float* xg = x + (n * s.C + g * Cg) * HW;
      float* og = out + (n * s.OC + g * OCg) * P;
      const float* col = xg;
      if (!pointwise) {
        float* buf = scratch(kSlotCol, static_cast<size_t>(Kg * P));
        im2col(s, Cg, xg, buf);
        col = buf;
      }
      gemm(false, false, OCg, P, Kg, 1.0f, w + g * OCg * Kg, Kg, col, P, 0.0f, og, P);
      if (bias)
        for (int64_t oc = 0; oc < OCg; ++oc) {
          float b = bias[g * OCg + oc];
          float* o = og + oc * P;
          for (int64_t p = 0; p < P; ++p) o[p] += b;
        }
    }
  });
}

void conv2dBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W;
  const bool pointwise = isPointwise(s);
  forEachImage(s.N, [&](int64_t n, bool serial, int) {
    GemmFn gemm = serial ? sgemmSerial : sgemm;
    for (int64_t g = 0; g < G; ++g) {
      const float* go = gradOut + (n * s.OC + g * OCg) * P;
      float* gi = gradIn + (n * s.C + g * Cg) * HW;
      if (pointwise) {
        gemm(true, false, Kg, P, OCg, 1.0f, w + g * OCg * Kg, Kg, go, P, 0.0f, gi, P);
        continue;
      }
      float* col = scratch(kSlotCol, static_cast<size_t>(Kg * P));
      gemm(true, false, Kg, P, OCg, 1.0f, w + g * OCg * Kg, Kg, go, P, 0.0f, col, P);
      std::memset(gi, 0, sizeof(float) * Cg * HW);
      col2imAdd(s, Cg, col, gi);
    }
  });
}

void conv2dBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                          float* gradBias) {
  const int64_t G = s.groups, Cg = s.C / G, OCg = s.OC / G, Kg = Cg * s.KH * s.KW;
  const int64_t P = s.OH * s.OW, HW = s.H * s.W;
  const int64_t wSize = s.OC * Kg;
  const bool pointwise = isPointwise(s);
  int T = numThreads();
  bool parallel = s.N >= T && T > 1;
  int tasks = parallel ? T : 1;
  // Each thread sums its images into its own buffer (thread 0 straight into gradW); the partial
  // sums are added in thread order afterwards, so results do not depend on scheduling.
  std::vector<float*> partial(static_cast<size_t>(tasks), nullptr);
  auto work = [&](int t, int T2) {
    int64_t b, e;
    chunkRange(s.N, t, T2, b, e);
    float* acc = t == 0 ? gradW : scratch(kSlotPartial, static_cast<size_t>(wSize));
    partial[static_cast<size_t>(t)] = acc;
    std::memset(acc, 0, sizeof(float) * wSize);
    GemmFn gemm = parallel ? sgemmSerial : sgemm;
    for (int64_t n = b; n < e; ++n) {
      for (int64_t g = 0; g < G; ++g) {
        const float* xg = x + (n * s.C + g * Cg) * HW;
        const float* go = gradOut + (n * s.OC + g * OCg) * P;
        const float* col = xg;
        if (!pointwise) {
          float* buf = scratch(kSlotCol, static_cast<size_t>(Kg * P));
          im2col(s, Cg, xg, buf);
          col = buf;
        }
        gemm(false, true, OCg, Kg, P, 1.0f, go, P, col, P, 1.0f, acc + g * OCg * Kg, Kg);
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
    for (int64_t oc = 0; oc < s.OC; ++oc) {
      double sum = 0.0;
      for (int64_t n = 0; n < s.N; ++n) {
        const float* go = gradOut + (n * s.OC + oc) * P;
        for (int64_t p = 0; p < P; ++p) sum += go[p];
      }
      gradBias[oc] = static_cast<float>(sum);
    }
  }
}

}  // namespace flint
