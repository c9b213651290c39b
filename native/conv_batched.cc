#include "conv_batched.h"

#include <cstring>
#include <vector>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

constexpr int64_t kMaxPlane = 64;              // output positions per image at most
constexpr int64_t kMaxColumns = int64_t{1} << 24;  // floats in the batch's column matrix at most

template <typename Body>
void parallelRange(int64_t units, int64_t workPerUnit, const Body& body) {
  const int tasks = units * workPerUnit >= 32768 ? splitFor(units) : 1;
  if (tasks <= 1) return body(int64_t{0}, units);
  parallelFor(tasks, [&](int t, int T) {
    int64_t b, e;
    chunkRange(units, t, T, b, e);
    body(b, e);
  });
}

// The taps (kh, kw) that touch the input at some output position. A 3x3 convolution with padding
// 1 on a 1x1 plane (ResNet-18's last stage at CIFAR size) uses only its centre tap: the others
// read padding only, so they are left out of the GEMM (their weight gradient is exactly zero).
struct Taps {
  std::vector<int64_t> kh, kw;
  int64_t size() const { return static_cast<int64_t>(kh.size()); }
};

Taps usedTaps(const ConvShape& s) {
  auto used = [](int64_t k, int64_t stride, int64_t pad, int64_t dil, int64_t out, int64_t in) {
    for (int64_t o = 0; o < out; ++o) {
      const int64_t i = o * stride - pad + k * dil;
      if (i >= 0 && i < in) return true;
    }
    return false;
  };
  Taps t;
  for (int64_t kh = 0; kh < s.KH; ++kh)
    for (int64_t kw = 0; kw < s.KW; ++kw)
      if (used(kh, s.sH, s.pH, s.dH, s.OH, s.H) && used(kw, s.sW, s.pW, s.dW, s.OW, s.W)) {
        t.kh.push_back(kh);
        t.kw.push_back(kw);
      }
  return t;
}

// The weights [OC][C * taps] of the used taps (w itself when every tap is used).
const float* tapWeights(const ConvShape& s, const Taps& t, const float* w) {
  const int64_t KK = s.KH * s.KW, T = t.size();
  if (T == KK) return w;
  float* wt = scratch(kSlotWeights, static_cast<size_t>(s.OC * s.C * T));
  for (int64_t oc = 0; oc < s.OC; ++oc)
    for (int64_t c = 0; c < s.C; ++c)
      for (int64_t i = 0; i < T; ++i) wt[(oc * s.C + c) * T + i] = w[(oc * s.C + c) * KK + t.kh[i] * s.KW + t.kw[i]];
  return wt;
}

// col [C*taps][N*P]: column n*P + p of row (c, tap) is the input under that tap at output
// position p of image n (zero in the padding).
void im2colBatch(const ConvShape& s, const Taps& t, const float* x, float* col) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, T = t.size(), K = s.C * T;
  parallelRange(K, NP, [&](int64_t kb, int64_t ke) {
    for (int64_t k = kb; k < ke; ++k) {
      const int64_t c = k / T, kh = t.kh[k % T], kw = t.kw[k % T];
      float* row = col + k * NP;
      for (int64_t n = 0; n < s.N; ++n) {
        const float* plane = x + (n * s.C + c) * s.H * s.W;
        for (int64_t oh = 0; oh < s.OH; ++oh) {
          const int64_t ih = oh * s.sH - s.pH + kh * s.dH;
          float* r = row + n * P + oh * s.OW;
          if (ih < 0 || ih >= s.H) {
            for (int64_t ow = 0; ow < s.OW; ++ow) r[ow] = 0;
            continue;
          }
          for (int64_t ow = 0; ow < s.OW; ++ow) {
            const int64_t iw = ow * s.sW - s.pW + kw * s.dW;
            r[ow] = iw >= 0 && iw < s.W ? plane[ih * s.W + iw] : 0.0f;
          }
        }
      }
    }
  });
}

// gradIn = sum of the batch's column gradients back onto the input planes (taps in order).
void col2imBatch(const ConvShape& s, const Taps& t, const float* col, float* gradIn) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, T = t.size();
  parallelRange(s.N * s.C, P * T, [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const int64_t n = plane / s.C, c = plane % s.C;
      float* gi = gradIn + plane * s.H * s.W;
      std::memset(gi, 0, sizeof(float) * s.H * s.W);
      for (int64_t i = 0; i < T; ++i) {
          const int64_t kh = t.kh[i], kw = t.kw[i];
          const float* r = col + (c * T + i) * NP + n * P;
          for (int64_t oh = 0; oh < s.OH; ++oh) {
            const int64_t ih = oh * s.sH - s.pH + kh * s.dH;
            if (ih < 0 || ih >= s.H) continue;
            for (int64_t ow = 0; ow < s.OW; ++ow) {
              const int64_t iw = ow * s.sW - s.pW + kw * s.dW;
              if (iw >= 0 && iw < s.W) gi[ih * s.W + iw] += r[oh * s.OW + ow];
            }
          }
        }
    }
  });
}

// t [OC][N*P] from gradOut [N][OC][P].
void batchToRows(const ConvShape& s, const float* gradOut, float* t) {
  const int64_t P = s.OH * s.OW, NP = s.N * P;
  for (int64_t oc = 0; oc < s.OC; ++oc)
    for (int64_t n = 0; n < s.N; ++n) std::memcpy(t + oc * NP + n * P, gradOut + (n * s.OC + oc) * P, sizeof(float) * P);
}

}  // namespace

bool batchedConvOk(const ConvShape& s) {
  const int64_t P = s.OH * s.OW;
  return s.groups == 1 && s.N > 1 && P <= kMaxPlane && s.C * s.KH * s.KW * s.N * P <= kMaxColumns &&
         s.OC * s.N * P <= kMaxColumns && usedTaps(s).size() > 0;
}

void batchedConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const Taps t = usedTaps(s);
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * t.size();
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  float* y = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  im2colBatch(s, t, x, col);
  sgemm(false, false, s.OC, NP, K, 1.0f, tapWeights(s, t, w), K, col, NP, 0.0f, y, NP);
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t oc = 0; oc < s.OC; ++oc) {
      float* o = out + (n * s.OC + oc) * P;
      const float* r = y + oc * NP + n * P;
      if (bias) {
        for (int64_t p = 0; p < P; ++p) o[p] = r[p] + bias[oc];
      } else {
        std::memcpy(o, r, sizeof(float) * P);
      }
    }
}

void batchedConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  const Taps t = usedTaps(s);
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * t.size();
  float* g = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  batchToRows(s, gradOut, g);
  sgemm(true, false, K, NP, s.OC, 1.0f, tapWeights(s, t, w), K, g, NP, 0.0f, col, NP);
  col2imBatch(s, t, col, gradIn);
}

void batchedConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                               float* gradBias) {
  const Taps t = usedTaps(s);
  const int64_t P = s.OH * s.OW, NP = s.N * P, KK = s.KH * s.KW, T = t.size(), K = s.C * T;
  float* g = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  batchToRows(s, gradOut, g);
  im2colBatch(s, t, x, col);
  if (T == KK) {
    sgemm(false, true, s.OC, K, NP, 1.0f, g, NP, col, NP, 0.0f, gradW, K);
  } else {
    float* gt = scratch(kSlotWeights, static_cast<size_t>(s.OC * K));
    sgemm(false, true, s.OC, K, NP, 1.0f, g, NP, col, NP, 0.0f, gt, K);
    std::memset(gradW, 0, sizeof(float) * s.OC * s.C * KK);
    for (int64_t oc = 0; oc < s.OC; ++oc)
      for (int64_t c = 0; c < s.C; ++c)
        for (int64_t i = 0; i < T; ++i) gradW[(oc * s.C + c) * KK + t.kh[i] * s.KW + t.kw[i]] = gt[(oc * s.C + c) * T + i];
  }
  if (gradBias)
    for (int64_t oc = 0; oc < s.OC; ++oc) {
      double sum = 0;
      for (int64_t i = 0; i < NP; ++i) sum += g[oc * NP + i];
      gradBias[oc] = static_cast<float>(sum);
    }
}

}  // namespace flint
