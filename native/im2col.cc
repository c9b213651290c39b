// im2col variants work from a zero-padded copy of the image's channel group, so every column
// segment is a plain strided copy with no bounds logic (small feature maps make per-segment
// branching the dominant cost otherwise).
#include "im2col.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "gemm.h"
#include "scratch.h"

namespace flint {
namespace {

struct Padded {
  const float* data;
  int64_t Hp, Wp;
};

// Copies x [Cg, H, W] into a zero-padded [Cg, H + 2 pH, W + 2 pW] scratch buffer.
Padded padImage(const ConvShape& s, int64_t Cg, const float* x, ScratchSlot slot) {
  const int64_t Hp = s.H + 2 * s.pH, Wp = s.W + 2 * s.pW;
  if (s.pH == 0 && s.pW == 0) return {x, Hp, Wp};
  float* buf = scratch(slot, static_cast<size_t>(Cg * Hp * Wp));
  for (int64_t c = 0; c < Cg; ++c) {
    float* bc = buf + c * Hp * Wp;
    std::memset(bc, 0, sizeof(float) * s.pH * Wp);
    for (int64_t h = 0; h < s.H; ++h) {
      float* r = bc + (h + s.pH) * Wp;
      for (int64_t w = 0; w < s.pW; ++w) r[w] = 0.0f;
      const float* xr = x + (c * s.H + h) * s.W;
      for (int64_t w = 0; w < s.W; ++w) r[s.pW + w] = xr[w];
      for (int64_t w = s.pW + s.W; w < Wp; ++w) r[w] = 0.0f;
    }
    std::memset(bc + (s.pH + s.H) * Wp, 0, sizeof(float) * s.pH * Wp);
  }
  return {buf, Hp, Wp};
}

// Start of the padded input row read by output row oh for column k = (c, kh, kw).
inline const float* tapRow(const ConvShape& s, const Padded& xp, int64_t k, int64_t oh) {
  int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
  return xp.data + (c * xp.Hp + oh * s.sH + kh * s.dH) * xp.Wp + kw * s.dW;
}

// One im2col row (column index k) into row [OH * OW].
void im2colRow(const ConvShape& s, const Padded& xp, int64_t k, float* row) {
  const float* plane = tapRow(s, xp, k, 0);
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    const float* src = plane + oh * s.sH * xp.Wp;
    float* r = row + oh * s.OW;
    if (s.sW == 1)
      for (int64_t ow = 0; ow < s.OW; ++ow) r[ow] = src[ow];
    else
      for (int64_t ow = 0; ow < s.OW; ++ow) r[ow] = src[ow * s.sW];
  }
}

}  // namespace

void im2col(const ConvShape& s, int64_t Cg, const float* x, float* col) {
  const int64_t P = s.OH * s.OW, K = Cg * s.KH * s.KW;
  Padded xp = padImage(s, Cg, x, kSlotRow);
  for (int64_t k = 0; k < K; ++k) im2colRow(s, xp, k, col + k * P);
}

void col2imAdd(const ConvShape& s, int64_t Cg, const float* col, float* gx) {
  // Accumulate into a zero-padded buffer with plain loops, then copy its interior out.
  const int64_t P = s.OH * s.OW, K = Cg * s.KH * s.KW;
  const int64_t Hp = s.H + 2 * s.pH, Wp = s.W + 2 * s.pW;
  float* gp = scratch(kSlotRow, static_cast<size_t>(Cg * Hp * Wp));
  std::memset(gp, 0, sizeof(float) * Cg * Hp * Wp);
  for (int64_t k = 0; k < K; ++k) {
    int64_t c = k / (s.KH * s.KW), kh = (k / s.KW) % s.KH, kw = k % s.KW;
    const float* row = col + k * P;
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      float* d = gp + (c * Hp + oh * s.sH + kh * s.dH) * Wp + kw * s.dW;
      const float* r = row + oh * s.OW;
      if (s.sW == 1)
        for (int64_t ow = 0; ow < s.OW; ++ow) d[ow] += r[ow];
      else
        for (int64_t ow = 0; ow < s.OW; ++ow) d[ow * s.sW] += r[ow];
    }
  }
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t h = 0; h < s.H; ++h) {
      const float* src = gp + (c * Hp + h + s.pH) * Wp + s.pW;
      float* d = gx + (c * s.H + h) * s.W;
      for (int64_t w = 0; w < s.W; ++w) d[w] += src[w];
    }
}

void im2colPacked(const ConvShape& s, int64_t Cg, const float* x, float* Bp) {
  const GemmKernel& g = gemmKernel();
  const int64_t NR = g.nr, KC = g.kc, P = s.OH * s.OW, K = Cg * s.KH * s.KW;
  const int64_t packedN = packedWidth(P);
  Padded xp = padImage(s, Cg, x, kSlotRow);
  if (NR == 32 && std::string(g.name) == "avx512" && Cg * xp.Hp * xp.Wp < (int64_t{1} << 31)) {
    im2colPackedAvx512(s, Cg, xp.data, xp.Hp, xp.Wp, Bp, packedN, KC);
    return;
  }
#if defined(__wasm_simd128__)
  if (im2colPackedWasmOk(s, NR)) return im2colPackedWasm(s, Cg, xp.data, xp.Hp, xp.Wp, Bp, packedN, KC);
#endif
  const int64_t rowStep = s.sH * xp.Wp;
  for (int64_t k = 0; k < K; ++k) {
    int64_t pc = k / KC * KC, kc = std::min(KC, K - pc);
    const int64_t panelStep = kc * NR;
    float* panel = Bp + pc * packedN + (k - pc) * NR;  // row k - pc of panel 0 in block pc
    const float* plane = tapRow(s, xp, k, 0);
    int64_t col = 0;  // position inside the current NR-wide panel
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      const float* src = plane + oh * rowStep;
      int64_t left = s.OW;
      while (left > 0) {  // split where the positions cross into the next panel
        int64_t len = std::min(left, NR - col);
        float* d = panel + col;
        if (s.sW == 1)
          for (int64_t t = 0; t < len; ++t) d[t] = src[t];
        else
          for (int64_t t = 0; t < len; ++t) d[t] = src[t * s.sW];
        src += len * s.sW;
        left -= len;
        col += len;
        if (col == NR) {
          col = 0;
          panel += panelStep;
        }
      }
    }
    for (int64_t t = col; col != 0 && t < NR; ++t) panel[t] = 0.0f;
  }
}

void im2colPackedT(const ConvShape& s, int64_t Cg, const float* x, float* Bp) {
  const GemmKernel& g = gemmKernel();
  const int64_t NR = g.nr, KC = g.kc, P = s.OH * s.OW, N = Cg * s.KH * s.KW;
  const int64_t packedN = packedWidth(N);
  Padded xp = padImage(s, Cg, x, kSlotCol2);
  if (NR == 32 && std::string(g.name) == "avx512" && Cg * xp.Hp * xp.Wp < (int64_t{1} << 31)) {
    im2colPackedTAvx512(s, Cg, xp.data, xp.Hp, xp.Wp, Bp, packedN, KC);
    return;
  }
#if defined(__wasm_simd128__)
  if (im2colPackedTWasmOk(s, NR)) return im2colPackedTWasm(s, Cg, xp.data, xp.Hp, xp.Wp, Bp, packedN, KC);
#endif
  const int64_t rowStep = s.sH * xp.Wp;
  // Column j of B is im2col row j, written down its panel (stride NR). Positions go in chunks
  // of 64 so the part of the panel being filled (64 x NR floats) stays in L1 across the NR
  // columns, while each column's reads are sequential.
  constexpr int64_t kChunk = 64;
  for (int64_t j0 = 0; j0 < N; j0 += NR) {
    const int64_t nr = std::min(NR, N - j0);
    for (int64_t pc = 0; pc < P; pc += KC) {
      const int64_t kc = std::min(KC, P - pc);
      float* panel = Bp + pc * packedN + j0 * kc;
      for (int64_t q0 = 0; q0 < kc; q0 += kChunk) {
        const int64_t len = std::min(kChunk, kc - q0);
        const int64_t oh0 = (pc + q0) / s.OW, ow0 = (pc + q0) % s.OW;
        for (int64_t t = 0; t < nr; ++t) {
          const float* plane = tapRow(s, xp, j0 + t, 0);
          float* d = panel + q0 * NR + t;
          int64_t oh = oh0, ow = ow0;
          const float* src = plane + oh * rowStep;
          for (int64_t q = 0; q < len; ++q) {
            d[q * NR] = src[ow * s.sW];
            if (++ow == s.OW) {
              ow = 0;
              src += rowStep;
            }
          }
        }
      }
    }
  }
  // Zero the padding columns of the last panel.
  if (N % NR != 0) {
    const int64_t j0 = N - N % NR;
    for (int64_t pc = 0; pc < P; pc += KC) {
      int64_t kc = std::min(KC, P - pc);
      float* panel = Bp + pc * packedN + j0 * kc;
      for (int64_t kk = 0; kk < kc; ++kk)
        for (int64_t t = N % NR; t < NR; ++t) panel[kk * NR + t] = 0.0f;
    }
  }
}

}  // namespace flint
