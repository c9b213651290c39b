#include "conv_batched.h"

#include <cstring>

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

// col [C*KH*KW][N*P]: column n*P + p of row (c, kh, kw) is the input under tap (kh, kw) at output
// position p of image n (zero in the padding).
void im2colBatch(const ConvShape& s, const float* x, float* col) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * s.KH * s.KW;
  parallelRange(K, NP, [&](int64_t kb, int64_t ke) {
    for (int64_t k = kb; k < ke; ++k) {
      const int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
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
void col2imBatch(const ConvShape& s, const float* col, float* gradIn) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, KK = s.KH * s.KW;
  parallelRange(s.N * s.C, P * KK, [&](int64_t b, int64_t e) {
    for (int64_t plane = b; plane < e; ++plane) {
      const int64_t n = plane / s.C, c = plane % s.C;
      float* gi = gradIn + plane * s.H * s.W;
      std::memset(gi, 0, sizeof(float) * s.H * s.W);
      for (int64_t kh = 0; kh < s.KH; ++kh)
        for (int64_t kw = 0; kw < s.KW; ++kw) {
          const float* r = col + ((c * s.KH + kh) * s.KW + kw) * NP + n * P;
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
         s.OC * s.N * P <= kMaxColumns;
}

void batchedConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * s.KH * s.KW;
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  float* y = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  im2colBatch(s, x, col);
  sgemm(false, false, s.OC, NP, K, 1.0f, w, K, col, NP, 0.0f, y, NP);
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
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * s.KH * s.KW;
  float* g = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  batchToRows(s, gradOut, g);
  sgemm(true, false, K, NP, s.OC, 1.0f, w, K, g, NP, 0.0f, col, NP);
  col2imBatch(s, col, gradIn);
}

void batchedConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                               float* gradBias) {
  const int64_t P = s.OH * s.OW, NP = s.N * P, K = s.C * s.KH * s.KW;
  float* g = scratch(kSlotCol2, static_cast<size_t>(s.OC * NP));
  float* col = scratch(kSlotCol, static_cast<size_t>(K * NP));
  batchToRows(s, gradOut, g);
  im2colBatch(s, x, col);
  sgemm(false, true, s.OC, K, NP, 1.0f, g, NP, col, NP, 0.0f, gradW, K);
  if (gradBias)
    for (int64_t oc = 0; oc < s.OC; ++oc) {
      double sum = 0;
      for (int64_t i = 0; i < NP; ++i) sum += g[oc * NP + i];
      gradBias[oc] = static_cast<float>(sum);
    }
}

}  // namespace flint
