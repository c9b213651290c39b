#include "conv_depthwise.h"

#include <cstring>

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

}  // namespace

bool depthwiseConvOk(const ConvShape& s) { return s.groups > 1 && s.groups == s.C && s.OC == s.C; }

void depthwiseConvForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* out) {
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
