#include "copy.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace flint {

MergedDims mergeDims(const int64_t* shape, const int64_t* as, const int64_t* bs, int nd) {
  MergedDims d;
  for (int i = 0; i < nd; ++i) {
    if (shape[i] == 1) continue;
    if (!d.shape.empty() && d.a.back() == as[i] * shape[i] && d.b.back() == bs[i] * shape[i]) {
      d.shape.back() *= shape[i];
      d.a.back() = as[i];
      d.b.back() = bs[i];
      continue;
    }
    d.shape.push_back(shape[i]);
    d.a.push_back(as[i]);
    d.b.push_back(bs[i]);
  }
  return d;
}

namespace {

constexpr int64_t kTile = 16;

// Copies the last two dims [rows, cols] at one outer position, in kTile x kTile tiles.
void copyPlane(const float* s, int64_t sr, int64_t sc, float* d, int64_t dr, int64_t dc, int64_t rows, int64_t cols) {
  if (sc == 1 && dc == 1) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(d + r * dr, s + r * sr, static_cast<size_t>(cols) * sizeof(float));
    return;
  }
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) d[r * dr + c * dc] = s[r * sr + c * sc];
    }
  }
}

}  // namespace

void copyStrided(const float* src, const int64_t* srcStrides, float* dst, const int64_t* dstStrides,
                 const int64_t* shape, int nd) {
  for (int i = 0; i < nd; ++i)
    if (shape[i] == 0) return;
  MergedDims d = mergeDims(shape, srcStrides, dstStrides, nd);
  if (d.shape.empty()) {
    *dst = *src;
    return;
  }
  if (d.shape.size() == 1) {  // one dim: a row (memcpy) or a strided gather/scatter
    d.shape.insert(d.shape.begin(), 1);
    d.a.insert(d.a.begin(), 0);
    d.b.insert(d.b.begin(), 0);
  }
  const int k = static_cast<int>(d.shape.size()) - 2;  // outer dims [0, k), plane dims k, k + 1
  int64_t outer = 1;
  for (int i = 0; i < k; ++i) outer *= d.shape[static_cast<size_t>(i)];
  const int64_t rows = d.shape[k], cols = d.shape[k + 1];
  const int64_t total = outer * rows * cols;
  // Parallel over (outer, row-tile) units: each writes its own part of dst.
  const int64_t rowTiles = (rows + kTile - 1) / kTile, units = outer * rowTiles;
  parallelFor(tasksFor(total, 1 << 16) < 2 ? 1 : static_cast<int>(std::min<int64_t>(units, numThreads())), [&](int t, int T) {
    int64_t b, e;
    chunkRange(units, t, T, b, e);
    for (int64_t u = b; u < e; ++u) {
      int64_t o = u / rowTiles, rt = u % rowTiles, so = 0, dof = 0;
      for (int i = k - 1; i >= 0; --i) {  // outer index -> offsets
        const int64_t n = d.shape[static_cast<size_t>(i)], idx = o % n;
        o /= n;
        so += idx * d.a[static_cast<size_t>(i)];
        dof += idx * d.b[static_cast<size_t>(i)];
      }
      const int64_t r0 = rt * kTile, r1 = std::min(rows, r0 + kTile);
      copyPlane(src + so + r0 * d.a[k], d.a[k], d.a[k + 1], dst + dof + r0 * d.b[k], d.b[k], d.b[k + 1],
                r1 - r0, cols);
    }
  });
}

}  // namespace flint
