#include "conv_dense.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "rowops.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// tap[p * Q + q]: the kernel tap (kh * KW + kw) joining input position q to output position p,
// or -1.
std::vector<int> pairTaps(const ConvShape& s) {
  const int64_t P = s.OH * s.OW, Q = s.H * s.W;
  std::vector<int> tap(static_cast<size_t>(P * Q), -1);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t q = 0; q < Q; ++q) {
      const int64_t dh = q / s.W - (p / s.OW) * s.sH + s.pH, dw = q % s.W - (p % s.OW) * s.sW + s.pW;
      if (dh < 0 || dw < 0 || dh % s.dH != 0 || dw % s.dW != 0) continue;
      const int64_t kh = dh / s.dH, kw = dw / s.dW;
      if (kh < s.KH && kw < s.KW) tap[static_cast<size_t>(p * Q + q)] = static_cast<int>(kh * s.KW + kw);
    }
  return tap;
}

// M [OC * P][C * Q] in scratch.
const float* denseMatrix(const ConvShape& s, const float* w) {
  const int64_t P = s.OH * s.OW, Q = s.H * s.W, CQ = s.C * Q, KK = s.KH * s.KW;
  const std::vector<int> tap = pairTaps(s);
  float* m = scratch(kSlotWeights, static_cast<size_t>(s.OC * P * CQ));
  parallelFor(tasksFor(s.OC * P * CQ, 1 << 16), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.OC, t, tasks, b, e);
    for (int64_t oc = b; oc < e; ++oc)
      for (int64_t p = 0; p < P; ++p) {
        float* row = m + (oc * P + p) * CQ;
        const int* tp = tap.data() + p * Q;
        for (int64_t c = 0; c < s.C; ++c) {
          const float* wc = w + (oc * s.C + c) * KK;
          for (int64_t q = 0; q < Q; ++q) row[c * Q + q] = tp[q] >= 0 ? wc[tp[q]] : 0.0f;
        }
      }
  });
  return m;
}

}  // namespace

bool denseConvOk(const ConvShape& s) {
  static const bool enabled = [] {
    const char* v = std::getenv("FLINT_CONV_DENSE");
    return v == nullptr || v[0] != '0';
  }();
  const int64_t P = s.OH * s.OW, Q = s.H * s.W;
  if (!enabled || s.groups != 1 || P > 4 || Q > 4 || Q < 2 || s.N < 1) return false;
  int64_t pairs = 0;
  for (int t : pairTaps(s)) pairs += t >= 0;
  return pairs * 4 >= P * Q * 3;  // at least 3 in 4 pairs do work
}

void denseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const int64_t P = s.OH * s.OW, CQ = s.C * s.H * s.W, OP = s.OC * P;
  const float* m = denseMatrix(s, w);
  sgemm(false, true, s.N, OP, CQ, 1.0f, x, CQ, m, CQ, 0.0f, out, OP);
  if (bias)
    for (int64_t n = 0; n < s.N; ++n)
      for (int64_t oc = 0; oc < s.OC; ++oc)
        for (int64_t p = 0; p < P; ++p) out[n * OP + oc * P + p] += bias[oc];
}

void denseConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  const int64_t CQ = s.C * s.H * s.W, OP = s.OC * s.OH * s.OW;
  const float* m = denseMatrix(s, w);
  sgemm(false, false, s.N, CQ, OP, 1.0f, gradOut, OP, m, CQ, 0.0f, gradIn, CQ);
}

void denseConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                             float* gradBias) {
  const int64_t P = s.OH * s.OW, Q = s.H * s.W, CQ = s.C * Q, OP = s.OC * P, KK = s.KH * s.KW;
  float* gm = scratch(kSlotCol, static_cast<size_t>(OP * CQ));
  sgemm(true, false, OP, CQ, s.N, 1.0f, gradOut, OP, x, CQ, 0.0f, gm, CQ);
  // gradW[oc][c][tap] = the sum of gradM over the (p, q) pairs of that tap (in (p, q) order).
  const std::vector<int> tap = pairTaps(s);
  parallelFor(tasksFor(OP * CQ, 1 << 16), [&](int t, int tasks) {
    int64_t b, e;
    chunkRange(s.OC, t, tasks, b, e);
    std::memset(gradW + b * s.C * KK, 0, sizeof(float) * static_cast<size_t>((e - b) * s.C * KK));
    for (int64_t oc = b; oc < e; ++oc)
      for (int64_t p = 0; p < P; ++p) {
        const float* row = gm + (oc * P + p) * CQ;
        const int* tp = tap.data() + p * Q;
        for (int64_t c = 0; c < s.C; ++c) {
          float* wc = gradW + (oc * s.C + c) * KK;
          for (int64_t q = 0; q < Q; ++q)
            if (tp[q] >= 0) wc[tp[q]] += row[c * Q + q];
        }
      }
  });
  if (gradBias) biasGradNCHW(gradOut, gradBias, s.N, s.OC, P);
}

}  // namespace flint
