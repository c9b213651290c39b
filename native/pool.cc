#include "pool.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

// Runs body(plane) for all N*C planes, in a few tasks per thread.
template <typename Body>
void forEachPlane(const PoolShape& s, const Body& body) {
  int64_t planes = s.N * s.C;
  int64_t work = planes * s.OH * s.OW * s.KH * s.KW;
  parallelFor(static_cast<int>(std::min<int64_t>(planes, splitWork(work, 1 << 15))), [&](int t, int T) {
    int64_t b, e;
    chunkRange(planes, t, T, b, e);
    for (int64_t p = b; p < e; ++p) body(p);
  });
}

// PyTorch's avg-pool window: pool_size counts padding (up to the padded edge), then the window
// is clipped to the input. Returns false when the clipped window is empty.
struct AvgWindow {
  int64_t h0, h1, w0, w1;
  float divisor;
};

inline bool avgWindow(const PoolShape& s, int64_t oh, int64_t ow, bool countIncludePad,
                      int64_t divisorOverride, AvgWindow& win) {
  int64_t h0 = oh * s.sH - s.pH, w0 = ow * s.sW - s.pW;
  int64_t h1 = std::min(h0 + s.KH, s.H + s.pH), w1 = std::min(w0 + s.KW, s.W + s.pW);
  int64_t poolSize = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, s.H);
  w1 = std::min(w1, s.W);
  win = {h0, h1, w0, w1, 0.0f};
  if (h0 >= h1 || w0 >= w1) return false;
  int64_t d = divisorOverride != 0 ? divisorOverride
              : countIncludePad   ? poolSize
                                  : (h1 - h0) * (w1 - w0);
  win.divisor = static_cast<float>(d);
  return true;
}

}  // namespace

namespace {

// Windows without padding that all lie inside the input (the usual pooling layer): the loops
// run over whole output rows per tap, so the per-output compare/select chains are independent
// and pipeline (and vectorise); the tap order per output is PyTorch's (kh, then kw).
bool maxPoolInterior(const PoolShape& s) {
  return s.pH == 0 && s.pW == 0 && (s.OH - 1) * s.sH + (s.KH - 1) * s.dH < s.H &&
         (s.OW - 1) * s.sW + (s.KW - 1) * s.dW < s.W;
}

template <typename IndexT>
void maxPoolPlaneInterior(const PoolShape& s, const float* xp, float* op, IndexT* ip) {
  float* maxv = scratch(kSlotRow, static_cast<size_t>(2 * s.OW + 16));
  int32_t* best = reinterpret_cast<int32_t*>(maxv + s.OW + 8);
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    for (int64_t ow = 0; ow < s.OW; ++ow) {
      maxv[ow] = -std::numeric_limits<float>::infinity();
      best[ow] = static_cast<int32_t>(oh * s.sH * s.W + ow * s.sW);
    }
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      const int64_t ih = oh * s.sH + kh * s.dH;
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const float* row = xp + ih * s.W + kw * s.dW;
        const int32_t base = static_cast<int32_t>(ih * s.W + kw * s.dW);
        for (int64_t ow = 0; ow < s.OW; ++ow) {
          float v = row[ow * s.sW];
          bool take = (v > maxv[ow]) | (v != v);
          maxv[ow] = take ? v : maxv[ow];
          best[ow] = take ? base + static_cast<int32_t>(ow * s.sW) : best[ow];
        }
      }
    }
    for (int64_t ow = 0; ow < s.OW; ++ow) {
      op[oh * s.OW + ow] = maxv[ow];
      ip[oh * s.OW + ow] = static_cast<IndexT>(best[ow]);
    }
  }
}

}  // namespace

namespace {

// One output of a max pool, any geometry: as PyTorch, start at the first in-range tap with -inf;
// a larger value or a NaN takes over (so the last NaN's index wins).
template <typename IndexT>
inline void maxPoolOne(const PoolShape& s, const float* xp, int64_t oh, int64_t ow, float* op, IndexT* ip) {
  int64_t h0 = oh * s.sH - s.pH;
  int64_t h1 = std::min(h0 + (s.KH - 1) * s.dH + 1, s.H);
  while (h0 < 0) h0 += s.dH;
  int64_t w0 = ow * s.sW - s.pW;
  int64_t w1 = std::min(w0 + (s.KW - 1) * s.dW + 1, s.W);
  while (w0 < 0) w0 += s.dW;
  int64_t best = h0 * s.W + w0;
  float maxval = -std::numeric_limits<float>::infinity();
  for (int64_t ih = h0; ih < h1; ih += s.dH)
    for (int64_t iw = w0; iw < w1; iw += s.dW) {
      int64_t idx = ih * s.W + iw;
      float v = xp[idx];
      if (v > maxval || std::isnan(v)) {
        maxval = v;
        best = idx;
      }
    }
  op[oh * s.OW + ow] = maxval;
  ip[oh * s.OW + ow] = static_cast<IndexT>(best);
}

// Padded windows (ResNet's 3x3 stride-2 pad-1 stem pool): per output row, the columns whose
// taps all lie inside the row run tap by tap over whole row segments as the interior path does
// (rows outside the input are skipped); only the few border columns go one by one.
template <typename IndexT>
void maxPoolPlanePadded(const PoolShape& s, const float* xp, float* op, IndexT* ip) {
  const int64_t owLo = std::min<int64_t>(s.OW, (s.pW + s.sW - 1) / s.sW);
  const int64_t lastFree = s.W - 1 + s.pW - (s.KW - 1) * s.dW;  // ow * sW must not exceed it
  const int64_t owHi = lastFree < 0 ? owLo : std::max(owLo, std::min<int64_t>(s.OW, lastFree / s.sW + 1));
  float* maxv = scratch(kSlotRow, static_cast<size_t>(2 * s.OW + 16));
  int32_t* best = reinterpret_cast<int32_t*>(maxv + s.OW + 8);
  for (int64_t oh = 0; oh < s.OH; ++oh) {
    for (int64_t ow = 0; ow < owLo; ++ow) maxPoolOne(s, xp, oh, ow, op, ip);
    for (int64_t ow = owHi; ow < s.OW; ++ow) maxPoolOne(s, xp, oh, ow, op, ip);
    if (owHi <= owLo) continue;
    int64_t ih0 = oh * s.sH - s.pH;
    while (ih0 < 0) ih0 += s.dH;
    const int64_t ihEnd = std::min(oh * s.sH - s.pH + (s.KH - 1) * s.dH + 1, s.H);
    for (int64_t ow = owLo; ow < owHi; ++ow) {
      maxv[ow] = -std::numeric_limits<float>::infinity();
      best[ow] = static_cast<int32_t>(ih0 * s.W + ow * s.sW - s.pW);
    }
    for (int64_t ih = ih0; ih < ihEnd; ih += s.dH)
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const int64_t off = ih * s.W + kw * s.dW - s.pW;
        const float* row = xp + off;
        for (int64_t ow = owLo; ow < owHi; ++ow) {
          float v = row[ow * s.sW];
          bool take = (v > maxv[ow]) | (v != v);
          maxv[ow] = take ? v : maxv[ow];
          best[ow] = take ? static_cast<int32_t>(off + ow * s.sW) : best[ow];
        }
      }
    for (int64_t ow = owLo; ow < owHi; ++ow) {
      op[oh * s.OW + ow] = maxv[ow];
      ip[oh * s.OW + ow] = static_cast<IndexT>(best[ow]);
    }
  }
}

}  // namespace

template <typename IndexT>
void maxPool2dForward(const PoolShape& s, const float* x, float* out, IndexT* indices) {
  const int64_t HW = s.H * s.W, P = s.OH * s.OW;
  const bool small = HW < (int64_t{1} << 31);
  const bool interior = maxPoolInterior(s) && small;
#if defined(__wasm_simd128__)
  const bool wasm2x2 = maxPool2x2WasmOk(s);
#endif
  forEachPlane(s, [&](int64_t plane) {
    const float* xp = x + plane * HW;
    float* op = out + plane * P;
    IndexT* ip = indices + plane * P;
#if defined(__wasm_simd128__)
    if constexpr (std::is_same_v<IndexT, double>)
      if (wasm2x2) return maxPool2x2PlaneWasm(s, xp, op, ip);
#endif
    if (interior)
      maxPoolPlaneInterior(s, xp, op, ip);
    else if (small)
      maxPoolPlanePadded(s, xp, op, ip);
    else
      for (int64_t oh = 0; oh < s.OH; ++oh)
        for (int64_t ow = 0; ow < s.OW; ++ow) maxPoolOne(s, xp, oh, ow, op, ip);
  });
}

// Max over the window's rows first (contiguous, vectorisable), then over its columns of that
// row maximum: 3 + 3 instead of 9 compares for a 3x3 window, and no argmax to carry.
void maxPool2dValues(const PoolShape& s, const float* x, float* out) {
  const int64_t HW = s.H * s.W, P = s.OH * s.OW;
  forEachPlane(s, [&](int64_t plane) {
    const float* xp = x + plane * HW;
    float* op = out + plane * P;
    float* rowMax = scratch(kSlotRow, static_cast<size_t>(s.W + 16));
    for (int64_t oh = 0; oh < s.OH; ++oh) {
      int64_t h0 = oh * s.sH - s.pH;
      const int64_t h1 = std::min(h0 + (s.KH - 1) * s.dH + 1, s.H);
      while (h0 < 0) h0 += s.dH;
      for (int64_t iw = 0; iw < s.W; ++iw) rowMax[iw] = -std::numeric_limits<float>::infinity();
      for (int64_t ih = h0; ih < h1; ih += s.dH) {
        const float* r = xp + ih * s.W;
        for (int64_t iw = 0; iw < s.W; ++iw) {
          const float v = r[iw], m = rowMax[iw];
          rowMax[iw] = ((v > m) | (v != v)) ? v : m;
        }
      }
      for (int64_t ow = 0; ow < s.OW; ++ow) {
        int64_t w0 = ow * s.sW - s.pW;
        const int64_t w1 = std::min(w0 + (s.KW - 1) * s.dW + 1, s.W);
        while (w0 < 0) w0 += s.dW;
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t iw = w0; iw < w1; iw += s.dW) {
          const float v = rowMax[iw];
          m = ((v > m) | (v != v)) ? v : m;
        }
        op[oh * s.OW + ow] = m;
      }
    }
  });
}

template <typename IndexT>
void maxPool2dBackward(const PoolShape& s, const float* gradOut, const IndexT* indices, float* gradIn) {
  const int64_t HW = s.H * s.W, P = s.OH * s.OW;
  forEachPlane(s, [&](int64_t plane) {
    float* gi = gradIn + plane * HW;
    const float* go = gradOut + plane * P;
    const IndexT* ip = indices + plane * P;
    std::memset(gi, 0, sizeof(float) * HW);
    for (int64_t i = 0; i < P; ++i) {
      int64_t idx = static_cast<int64_t>(ip[i]);
      if (idx >= 0 && idx < HW) gi[idx] += go[i];
    }
  });
}

template void maxPool2dForward<int32_t>(const PoolShape&, const float*, float*, int32_t*);
template void maxPool2dForward<double>(const PoolShape&, const float*, float*, double*);
template void maxPool2dBackward<int32_t>(const PoolShape&, const float*, const int32_t*, float*);
template void maxPool2dBackward<double>(const PoolShape&, const float*, const double*, float*);

void avgPool2dForward(const PoolShape& s, const float* x, float* out, bool countIncludePad,
                      int64_t divisorOverride) {
  const int64_t HW = s.H * s.W, P = s.OH * s.OW;
  forEachPlane(s, [&](int64_t plane) {
    const float* xp = x + plane * HW;
    float* op = out + plane * P;
    for (int64_t oh = 0; oh < s.OH; ++oh)
      for (int64_t ow = 0; ow < s.OW; ++ow) {
        AvgWindow win;
        if (!avgWindow(s, oh, ow, countIncludePad, divisorOverride, win)) {
          op[oh * s.OW + ow] = 0.0f;
          continue;
        }
        float sum = 0.0f;
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) sum += xp[ih * s.W + iw];
        op[oh * s.OW + ow] = sum / win.divisor;
      }
  });
}

void avgPool2dBackward(const PoolShape& s, const float* gradOut, float* gradIn, bool countIncludePad,
                       int64_t divisorOverride) {
  const int64_t HW = s.H * s.W, P = s.OH * s.OW;
  forEachPlane(s, [&](int64_t plane) {
    float* gi = gradIn + plane * HW;
    const float* go = gradOut + plane * P;
    std::memset(gi, 0, sizeof(float) * HW);
    for (int64_t oh = 0; oh < s.OH; ++oh)
      for (int64_t ow = 0; ow < s.OW; ++ow) {
        AvgWindow win;
        if (!avgWindow(s, oh, ow, countIncludePad, divisorOverride, win)) continue;
        float delta = go[oh * s.OW + ow] / win.divisor;
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) gi[ih * s.W + iw] += delta;
      }
  });
}

}  // namespace flint
