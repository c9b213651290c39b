#include "conv_depthwise.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

// The row loops are compiled for AVX-512, AVX2 and baseline and chosen at load time
// (target_clones). -ffp-contract=off keeps multiply and add separate on every level, so results
// do not depend on the CPU.
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__wasm__)
#define FLINT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FLINT_CLONES
#endif

namespace flint {
namespace {

struct Plane {
  int64_t H, W, Hp, Wp, pH, pW;
};

// Copies one plane into the interior of a zeroed padded buffer [Hp][Wp].
void padPlane(const Plane& p, const float* src, float* dst) {
  std::memset(dst, 0, sizeof(float) * p.Hp * p.Wp);
  for (int64_t h = 0; h < p.H; ++h) std::memcpy(dst + (h + p.pH) * p.Wp + p.pW, src + h * p.W, sizeof(float) * p.W);
}

// o[i] += wv * r[i * step] for i < n.
FLINT_CLONES void axpyRow(float* o, const float* r, int64_t step, float wv, int64_t n) {
  if (step == 1)
    for (int64_t i = 0; i < n; ++i) o[i] += wv * r[i];
  else
    for (int64_t i = 0; i < n; ++i) o[i] += wv * r[i * step];
}

// r[i * step] += wv * g[i] for i < n (the transposed tap: scatter into the padded input gradient).
FLINT_CLONES void scatterRow(float* r, const float* g, int64_t step, float wv, int64_t n) {
  if (step == 1)
    for (int64_t i = 0; i < n; ++i) r[i] += wv * g[i];
  else
    for (int64_t i = 0; i < n; ++i) r[i * step] += wv * g[i];
}

// sum over i < n of g[i] * r[i * step], in 8 float lanes.
FLINT_CLONES float dotRow(const float* g, const float* r, int64_t step, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  if (step == 1)
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] += g[i + j] * r[i + j];
  else
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] += g[i + j] * r[(i + j) * step];
  float tail = 0;
  for (; i < n; ++i) tail += g[i] * r[i * step];
  return (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))) + tail;
}

Plane planeOf(const ConvShape& s) {
  return Plane{s.H, s.W, s.H + 2 * s.pH, s.W + 2 * s.pW, s.pH, s.pW};
}

// The padded buffer, with room for the furthest tap a strided row reads.
float* paddedScratch(const Plane& p) { return scratch(kSlotCol, static_cast<size_t>(p.Hp * p.Wp + 16)); }

template <typename Body>
void forEachUnit(int64_t units, int64_t workPerUnit, const Body& body) {
  const int tasks = units * workPerUnit >= 16384 ? splitFor(units) : 1;
  if (tasks <= 1) {
    for (int64_t u = 0; u < units; ++u) body(u);
    return;
  }
  parallelFor(tasks, [&](int t, int T) {
    int64_t b, e;
    chunkRange(units, t, T, b, e);
    for (int64_t u = b; u < e; ++u) body(u);
  });
}

// --- small planes (conv_depthwise_avx512.cc) ---

// Input position read by output position p through weight tap k, or -1 (padding).
int64_t sourceOf(const ConvShape& s, int64_t p, int64_t k) {
  const int64_t ih = (p / s.OW) * s.sH - s.pH + (k / s.KW) * s.dH, iw = (p % s.OW) * s.sW - s.pW + (k % s.KW) * s.dW;
  return ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? ih * s.W + iw : -1;
}

// The tables of DwTap for nDst destination positions and the taps in `order`; src(d, k) is the
// source position or -1; fill = the source floats they read. False when some block's sources span
// more than four aligned vectors.
template <typename Src>
bool buildTable(int64_t nDst, const std::vector<int32_t>& order, const Src& src, std::vector<DwTap>& table,
                int64_t& fill) {
  fill = 0;
  const int64_t K = static_cast<int64_t>(order.size()), blocks = (nDst + 15) / 16;
  table.assign(static_cast<size_t>(blocks * K), DwTap{});
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t j = 0; j < K; ++j) {
      int64_t q[16], lo = -1, hi = -1;
      for (int r = 0; r < 16; ++r) {
        q[r] = 16 * b + r < nDst ? src(16 * b + r, order[static_cast<size_t>(j)]) : -1;
        if (q[r] >= 0) lo = lo < 0 ? q[r] : std::min(lo, q[r]), hi = std::max(hi, q[r]);
      }
      DwTap& e = table[static_cast<size_t>(b * K + j)];
      e.base = lo < 0 ? 0 : static_cast<int32_t>(lo / 16);
      if (hi >= 16 * e.base + 64) return false;
      for (int r = 0; r < 16; ++r)
        if (q[r] >= 16 * e.base + 32) {
          e.idx[r] = static_cast<int32_t>(q[r] - 16 * e.base - 32);
          e.mask2 |= 1u << r;
        } else if (q[r] >= 0) {
          e.idx[r] = static_cast<int32_t>(q[r] - 16 * e.base);
          e.mask |= 1u << r;
        }
      fill = std::max(fill, int64_t{16} * (e.base + (e.mask2 ? 4 : 2)));
    }
  return true;
}

bool smallPlanes(const ConvShape& s) {
  return std::string(gemmKernel().name) == "avx512" && s.H * s.W <= kDwMaxPlane && s.OH * s.OW <= kDwMaxPlane &&
         s.KH * s.KW <= kDwMaxTaps;
}

std::vector<int32_t> tapsInOrder(const ConvShape& s, bool khDescending) {
  std::vector<int32_t> order;
  for (int64_t i = 0; i < s.KH; ++i)
    for (int64_t kw = 0; kw < s.KW; ++kw)
      order.push_back(static_cast<int32_t>((khDescending ? s.KH - 1 - i : i) * s.KW + kw));
  return order;
}

template <typename Body>
void forPlanes(int64_t units, int64_t workPerUnit, const Body& body) {
  const int tasks = units * workPerUnit >= 16384 ? splitFor(units) : 1;
  parallelFor(tasks, [&](int t, int T) {
    int64_t b, e;
    chunkRange(units, t, T, b, e);
    body(b, e);
  });
}

// Stride-1, same-size planes of P | 16 positions (DwPackedGeo): the permute of tap order[j] for
// position p of a plane reads position src(p, order[j]) of the same plane.
template <typename Src>
bool packedPlanes(const ConvShape& s, const std::vector<int32_t>& order, const Src& src, const float* w,
                  const float* bias, bool backwardInput, const float* in, float* out) {
  const int64_t P = s.H * s.W, K = s.KH * s.KW, CP = s.C * P, CPp = (CP + 15) / 16 * 16;
  if (!(std::string(gemmKernel().name) == "avx512" && s.OH == s.H && s.OW == s.W && 16 % P == 0 && K <= kDwMaxTaps))
    return false;
  std::vector<int32_t> idx(static_cast<size_t>(16 * K));
  std::vector<uint32_t> mask(static_cast<size_t>(K), 0);
  for (int64_t j = 0; j < K; ++j)
    for (int64_t l = 0; l < 16; ++l) {
      const int64_t q = src(l % P, order[static_cast<size_t>(j)]);
      idx[static_cast<size_t>(16 * j + l)] = static_cast<int32_t>(q >= 0 ? l / P * P + q : 0);
      if (q >= 0) mask[static_cast<size_t>(j)] |= 1u << l;
    }
  // Aligned: the kernel loads lanes of wE and bE 16 at a time.
  float* wE = scratch(kSlotWeights, static_cast<size_t>((K + 1) * CPp));
  float* bE = bias ? wE + K * CPp : nullptr;
  for (int64_t j = 0; j < K; ++j)
    for (int64_t i = 0; i < CPp; ++i)
      wE[j * CPp + i] = i < CP ? w[(i / P) * K + order[static_cast<size_t>(j)]] : 0.0f;
  if (bE)
    for (int64_t i = 0; i < CPp; ++i) bE[i] = i < CP ? bias[i / P] : 0.0f;
  const DwPackedGeo g{s.C, P, K, idx.data(), mask.data(), wE, bE};
  forPlanes(s.N, CP * K, [&](int64_t b, int64_t e) { depthwisePackedAvx512(g, backwardInput, in, out, b, e); });
  return true;
}

bool smallForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  const std::vector<int32_t> order = tapsInOrder(s, false);
  if (packedPlanes(s, order, [&](int64_t p, int64_t k) { return sourceOf(s, p, k); }, w, bias, false, x, out))
    return true;
  std::vector<DwTap> table;
  int64_t fill;
  if (!smallPlanes(s) ||
      !buildTable(s.OH * s.OW, order, [&](int64_t p, int64_t k) { return sourceOf(s, p, k); }, table, fill))
    return false;
  const DwSmallGeo g{s.N, s.C, s.KH * s.KW, s.H * s.W, s.OH * s.OW, order.data(), fill};
  forPlanes(s.N * s.C, g.nDst * g.K, [&](int64_t b, int64_t e) {
    depthwiseSmallForwardAvx512(g, table.data(), x, w, bias, out, b, e);
  });
  return true;
}

// Taps in the row kernel's accumulation order (kh descending: output rows ascending).
bool smallBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  if (!smallPlanes(s)) return false;
  const int64_t HW = s.H * s.W, P = s.OH * s.OW, K = s.KH * s.KW;
  std::vector<int32_t> inverse(static_cast<size_t>(K * HW), -1);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t q = sourceOf(s, p, k);
      if (q >= 0) inverse[static_cast<size_t>(k * HW + q)] = static_cast<int32_t>(p);
    }
  const std::vector<int32_t> order = tapsInOrder(s, true);
  const auto inv = [&](int64_t i, int64_t k) { return int64_t{inverse[static_cast<size_t>(k * HW + i)]}; };
  if (packedPlanes(s, order, inv, w, nullptr, true, gradOut, gradIn)) return true;
  std::vector<DwTap> table;
  int64_t fill;
  if (!buildTable(HW, order, [&](int64_t i, int64_t k) { return int64_t{inverse[static_cast<size_t>(k * HW + i)]}; },
                  table, fill))
    return false;
  const DwSmallGeo g{s.N, s.C, K, P, HW, order.data(), fill};
  forPlanes(s.N * s.C, g.nDst * g.K, [&](int64_t b, int64_t e) {
    depthwiseSmallBackwardInputAvx512(g, table.data(), gradOut, w, gradIn, b, e);
  });
  return true;
}

bool smallBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW, float* gradBias) {
  const std::vector<int32_t> order = tapsInOrder(s, false);
  std::vector<DwTap> table;
  int64_t fill;
  if (!smallPlanes(s) ||
      !buildTable(s.OH * s.OW, order, [&](int64_t p, int64_t k) { return sourceOf(s, p, k); }, table, fill))
    return false;
  const DwSmallGeo g{s.N, s.C, s.KH * s.KW, s.H * s.W, s.OH * s.OW, order.data(), fill};
  forPlanes(s.C, s.N * g.nDst * g.K, [&](int64_t b, int64_t e) {
    depthwiseSmallBackwardWeightAvx512(g, table.data(), x, gradOut, gradW, gradBias, b, e);
  });
  return true;
}

}  // namespace

bool depthwiseConvOk(const ConvShape& s) { return s.groups > 1 && s.groups == s.C && s.OC == s.C; }

void depthwiseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
  if (smallForward(s, x, w, bias, out)) return;
  const Plane p = planeOf(s);
  const int64_t K = s.KH * s.KW, P = s.OH * s.OW;
  forEachUnit(s.N * s.C, P * K, [&](int64_t plane) {
    const int64_t c = plane % s.C;
    float* xp = paddedScratch(p);
    padPlane(p, x + plane * s.H * s.W, xp);
    const float* wc = w + c * K;
    float* o = out + plane * P;
    std::memset(o, 0, sizeof(float) * P);
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      float* orow = o + oh * s.OW;
      for (int64_t kh = 0; kh < s.KH; ++kh) {
        const float* r = xp + (oh * s.sH + kh * s.dH) * p.Wp;
        for (int64_t kw = 0; kw < s.KW; ++kw) axpyRow(orow, r + kw * s.dW, s.sW, wc[kh * s.KW + kw], s.OW);
      }
    }
    if (bias)
      for (int64_t i = 0; i < P; ++i) o[i] += bias[c];
  });
}

void depthwiseConvBackwardInput(const ConvShape& s, const float* gradOut, const float* w, float* gradIn) {
  if (smallBackwardInput(s, gradOut, w, gradIn)) return;
  const Plane p = planeOf(s);
  const int64_t K = s.KH * s.KW, P = s.OH * s.OW;
  forEachUnit(s.N * s.C, P * K, [&](int64_t plane) {
    const int64_t c = plane % s.C;
    float* gp = paddedScratch(p);
    std::memset(gp, 0, sizeof(float) * p.Hp * p.Wp);
    const float* wc = w + c * K;
    const float* g = gradOut + plane * P;
    for (int64_t oh = 0; oh < s.OH; ++oh)
      for (int64_t kh = 0; kh < s.KH; ++kh) {
        float* r = gp + (oh * s.sH + kh * s.dH) * p.Wp;
        for (int64_t kw = 0; kw < s.KW; ++kw) scatterRow(r + kw * s.dW, g + oh * s.OW, s.sW, wc[kh * s.KW + kw], s.OW);
      }
    float* gi = gradIn + plane * s.H * s.W;
    for (int64_t h = 0; h < s.H; ++h) std::memcpy(gi + h * s.W, gp + (h + p.pH) * p.Wp + p.pW, sizeof(float) * s.W);
  });
}

void depthwiseConvBackwardWeight(const ConvShape& s, const float* x, const float* gradOut, float* gradW,
                                 float* gradBias) {
  if (smallBackwardWeight(s, x, gradOut, gradW, gradBias)) return;
  const Plane p = planeOf(s);
  const int64_t K = s.KH * s.KW, P = s.OH * s.OW;
  forEachUnit(s.C, s.N * P * K, [&](int64_t c) {
    float* xp = paddedScratch(p);
    float* gw = gradW + c * K;
    for (int64_t k = 0; k < K; ++k) gw[k] = 0;
    double bsum = 0;
    for (int64_t n = 0; n < s.N; ++n) {
      const int64_t plane = n * s.C + c;
      padPlane(p, x + plane * s.H * s.W, xp);
      const float* g = gradOut + plane * P;
      for (int64_t kh = 0; kh < s.KH; ++kh)
        for (int64_t kw = 0; kw < s.KW; ++kw) {
          float acc = 0;
          for (int64_t oh = 0; oh < s.OH; ++oh)
            acc += dotRow(g + oh * s.OW, xp + (oh * s.sH + kh * s.dH) * p.Wp + kw * s.dW, s.sW, s.OW);
          gw[kh * s.KW + kw] += acc;
        }
      if (gradBias)
        for (int64_t i = 0; i < P; ++i) bsum += g[i];
    }
    if (gradBias) gradBias[c] = static_cast<float>(bsum);
  });
}

}  // namespace flint
