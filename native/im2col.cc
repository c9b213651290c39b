#include "im2col.h"

#include <algorithm>
#include <cstring>

#include "gemm.h"
#include "scratch.h"

namespace flint {
namespace {

// The range of output positions o in [0, O) whose input index o*stride - pad + koff lies in
// [0, L); positions outside it read padding.
inline void validRange(int64_t O, int64_t L, int64_t stride, int64_t pad, int64_t koff, int64_t& lo,
                       int64_t& hi) {
  int64_t base = koff - pad;
  lo = base >= 0 ? 0 : (-base + stride - 1) / stride;
  hi = L - base <= 0 ? 0 : (L - base + stride - 1) / stride;
  if (hi > O) hi = O;
  if (lo > hi) lo = hi;
}

// One im2col row (tap kh, kw of channel plane xc) into row [OH*OW]. Plain loops rather than
// memcpy: rows of small feature maps are a few floats long and a call per row costs more.
void im2colRow(const ConvShape& s, const float* xc, int64_t kh, int64_t kw, float* row) {
  int64_t ohLo, ohHi, owLo, owHi;
  validRange(s.OH, s.H, s.sH, s.pH, kh * s.dH, ohLo, ohHi);
  validRange(s.OW, s.W, s.sW, s.pW, kw * s.dW, owLo, owHi);
  for (int64_t i = 0; i < ohLo * s.OW; ++i) row[i] = 0.0f;
  for (int64_t oh = ohLo; oh < ohHi; ++oh) {
    float* r = row + oh * s.OW;
    const float* xr = xc + (oh * s.sH - s.pH + kh * s.dH) * s.W + (kw * s.dW - s.pW);
    for (int64_t ow = 0; ow < owLo; ++ow) r[ow] = 0.0f;
    if (s.sW == 1) {
      for (int64_t ow = owLo; ow < owHi; ++ow) r[ow] = xr[ow];
    } else {
      for (int64_t ow = owLo; ow < owHi; ++ow) r[ow] = xr[ow * s.sW];
    }
    for (int64_t ow = owHi; ow < s.OW; ++ow) r[ow] = 0.0f;
  }
  for (int64_t i = ohHi * s.OW; i < s.OH * s.OW; ++i) row[i] = 0.0f;
}

}  // namespace

void im2col(const ConvShape& s, int64_t Cg, const float* x, float* col) {
  const int64_t P = s.OH * s.OW;
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t kh = 0; kh < s.KH; ++kh)
      for (int64_t kw = 0; kw < s.KW; ++kw)
        im2colRow(s, x + c * s.H * s.W, kh, kw, col + ((c * s.KH + kh) * s.KW + kw) * P);
}

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

void im2colPacked(const ConvShape& s, int64_t Cg, const float* x, float* Bp) {
  const GemmKernel& g = gemmKernel();
  const int64_t NR = g.nr, KC = g.kc, P = s.OH * s.OW, K = Cg * s.KH * s.KW;
  const int64_t packedN = packedWidth(P);
  float* row = scratch(kSlotRow, static_cast<size_t>(P));
  for (int64_t k = 0; k < K; ++k) {
    int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
    im2colRow(s, x + c * s.H * s.W, kh, kw, row);
    int64_t pc = k / KC * KC, kc = std::min(KC, K - pc);
    float* base = Bp + pc * packedN + (k - pc) * NR;
    for (int64_t j = 0; j < P; j += NR) {
      float* d = base + j * kc;  // panel j / NR starts at (j / NR) * kc * NR
      int64_t len = std::min(NR, P - j);
      for (int64_t t = 0; t < len; ++t) d[t] = row[j + t];
      for (int64_t t = len; t < NR; ++t) d[t] = 0.0f;
    }
  }
}

void im2colPackedT(const ConvShape& s, int64_t Cg, const float* x, float* Bp) {
  const GemmKernel& g = gemmKernel();
  const int64_t NR = g.nr, KC = g.kc, P = s.OH * s.OW, N = Cg * s.KH * s.KW;
  const int64_t packedN = packedWidth(N);
  // NR im2col rows at a time, then transposed into one [p][NR] panel.
  float* rows = scratch(kSlotRow, static_cast<size_t>(NR * P));
  for (int64_t j0 = 0; j0 < N; j0 += NR) {
    int64_t nr = std::min(NR, N - j0);
    for (int64_t t = 0; t < nr; ++t) {
      int64_t k = j0 + t;
      int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
      im2colRow(s, x + c * s.H * s.W, kh, kw, rows + t * P);
    }
    for (int64_t pc = 0; pc < P; pc += KC) {
      int64_t kc = std::min(KC, P - pc);
      float* panel = Bp + pc * packedN + j0 * kc;
      for (int64_t kk = 0; kk < kc; ++kk) {
        float* d = panel + kk * NR;
        const float* src = rows + pc + kk;
        for (int64_t t = 0; t < nr; ++t) d[t] = src[t * P];
        for (int64_t t = nr; t < NR; ++t) d[t] = 0.0f;
      }
    }
  }
}

}  // namespace flint
