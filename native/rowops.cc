#include "rowops.h"

#include <cmath>
#include <limits>
#include <vector>

#include "scratch.h"
#include "threadpool.h"
#include "vmath.h"
#include "rowvec.h"

namespace flint {

double sumDouble(const float* x, int64_t n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int t = 0; t < 8; ++t) s[t] += x[j + t];
  for (; j < n; ++j) s[0] += x[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

void sumRows(const float* x, float* out, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
    parallelFor(tasksFor(outer * n, 1 << 16), [&](int t, int T) {
      int64_t b, e;
      chunkRange(outer, t, T, b, e);
      for (int64_t o = b; o < e; ++o) out[o] = static_cast<float>(sumDouble(x + o * n, n));
    });
    return;
  }
  // Middle-axis reduction: stream rows of length `inner`, accumulate in a double buffer.
  // Parallel over outer when there are enough slices, else over inner columns.
  bool overOuter = outer >= numThreads();
  int64_t span = overOuter ? outer : inner;
  parallelFor(tasksFor(outer * n * inner, 1 << 16) < 2 ? 1 : tasksFor(span, 1), [&](int t, int T) {
    int64_t b, e;
    chunkRange(span, t, T, b, e);
    int64_t o0 = overOuter ? b : 0, o1 = overOuter ? e : outer;
    int64_t i0 = overOuter ? 0 : b, i1 = overOuter ? inner : e;
    std::vector<double> acc(static_cast<size_t>(i1 - i0));
    for (int64_t o = o0; o < o1; ++o) {
      for (auto& v : acc) v = 0.0;
      for (int64_t j = 0; j < n; ++j) {
        const float* r = x + (o * n + j) * inner + i0;
        for (int64_t i = 0; i < i1 - i0; ++i) acc[static_cast<size_t>(i)] += r[i];
      }
      for (int64_t i = i0; i < i1; ++i) out[o * inner + i] = static_cast<float>(acc[static_cast<size_t>(i - i0)]);
    }
  });
}

void biasGradNCHW(const float* g, float* out, int64_t N, int64_t C, int64_t HW) {
  parallelFor(tasksFor(N * C * HW, 1 << 16), [&](int t, int T) {
    int64_t b, e;
    chunkRange(C, t, T, b, e);
    for (int64_t c = b; c < e; ++c) {
      double s = 0;
      for (int64_t n = 0; n < N; ++n) s += sumDouble(g + (n * C + c) * HW, HW);
      out[c] = static_cast<float>(s);
    }
  });
}

namespace {

// fn(r0, r1) on contiguous ranges of rows, one per task.
template <typename Fn>
void forRowRanges(int64_t rows, int64_t cols, const Fn& fn) {
  parallelFor(tasksFor(rows * cols, 1 << 14), [&](int t, int T) {
    int64_t b, e;
    chunkRange(rows, t, T, b, e);
    if (e > b) fn(b, e);
  });
}

template <typename Fn>
void forRows(int64_t rows, int64_t cols, const Fn& fn) {
  parallelFor(tasksFor(rows * cols, 1 << 14), [&](int t, int T) {
    int64_t b, e;
    chunkRange(rows, t, T, b, e);
    for (int64_t r = b; r < e; ++r) fn(r);
  });
}

// The row loops are compiled for AVX-512, AVX2 and baseline (target_clones) so that vmath.h's exp
// vectorises: rows are often short (a [2048, 32] softmax), so the work per row is kept branch-free.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FLINT_ROW_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FLINT_ROW_CLONES
#endif

// The row kernels below work on blocks of kRowBlock rows, one step at a time for every row of the
// block (all maxima, then all exponentials, then all scalings): within one row each step waits for
// the one before (max, then exp, then the sum, its reciprocal and the scaling), a chain of a few
// hundred cycles for a row of 32, while the rows of a block are independent and overlap in the
// out-of-order core (measured: one row at a time ran at 2.5x the cost of exp alone).
constexpr int64_t kRowBlock = 8;

// Rows of at least W floats are whole vectors, the last one overlapping the one before when W
// does not divide the row (the max does not mind; sums keep only its new lanes). Shorter rows
// take the scalar loops (rowMaxScalar, expSumScalar).

// The maximum of a row (a NaN may or may not win: the exp and the sum make that row NaN anyway).
FLINT_VINLINE float rowMaxV(const float* xr, int64_t cols) {
  using namespace rowvec;
  V a = load(xr), b = load(xr + cols - W);
  int64_t j = W;
  for (; j + 2 * W <= cols; j += 2 * W) {
    a = vmax(a, load(xr + j));
    b = vmax(b, load(xr + j + W));
  }
  if (j + W <= cols) a = vmax(a, load(xr + j));
  return hmax(vmax(a, b));
}
FLINT_VINLINE float rowMaxScalar(const float* xr, int64_t cols) {
  float m = -__builtin_inff();
  for (int64_t j = 0; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
  return m;
}

// Sum of exp(x - m) over a row; with store_, the exponentials go to o. Float lanes summed per
// chunk of 256 values (16 per lane), the chunks in double: PyTorch sums in float throughout.
template <bool store_>
FLINT_VINLINE double expSumV(const float* xr, float mf, float* o, int64_t cols) {
  using namespace rowvec;
  const V m = splat(mf);
  const int64_t full = cols - cols % W;
  double total = 0;
  int64_t j = 0;
  while (j < full) {
    const int64_t end = full - j > 256 ? j + 256 : full;
    V s = V{};
    for (; j < end; j += W) {
      const V e = expv(load(xr + j) - m);
      if (store_) store(o + j, e);
      s += e;
    }
    total += hsum(s);
  }
  if (full < cols) {
    const V e = expv(load(xr + cols - W) - m);
    if (store_) store(o + cols - W, e);
    total += hsum(lastLanes(e, cols - full));
  }
  return total;
}
template <bool store_>
FLINT_VINLINE double expSumScalar(const float* xr, float m, float* o, int64_t cols) {
  double s = 0;
  for (int64_t j = 0; j < cols; ++j) {
    const float e = vmath::expf(xr[j] - m);
    if (store_) o[j] = e;
    s += e;
  }
  return s;
}

// The max and sum of exp(x - max) of each of a block's rb rows, every row advanced one step at a
// time so their dependency chains overlap; with store_, the exps are written to ob as well.
template <bool store_>
FLINT_VINLINE void blockMaxExpSum(const float* xb, float* ob, int64_t rb, int64_t cols, float* m, double* sum) {
  if (cols >= rowvec::W) {
    for (int64_t i = 0; i < rb; ++i) m[i] = rowMaxV(xb + i * cols, cols);
    for (int64_t i = 0; i < rb; ++i) sum[i] = expSumV<store_>(xb + i * cols, m[i], store_ ? ob + i * cols : nullptr, cols);
  } else {
    for (int64_t i = 0; i < rb; ++i) m[i] = rowMaxScalar(xb + i * cols, cols);
    for (int64_t i = 0; i < rb; ++i) sum[i] = expSumScalar<store_>(xb + i * cols, m[i], store_ ? ob + i * cols : nullptr, cols);
  }
}

// Rows [r0, r1) of a softmax: e = exp(x - max) stored while summed, then e * (1 / sum) (one
// reciprocal per row, as PyTorch's vectorised kernel). A NaN in a row makes its sum NaN, so the
// whole row comes out NaN, as in PyTorch.
FLINT_ROW_CLONES void softmaxRowRange(const float* x, float* out, int64_t r0, int64_t r1, int64_t cols) {
  using namespace rowvec;
  const int64_t full = cols - cols % W;
  float m[kRowBlock];
  double sum[kRowBlock];
  for (int64_t r = r0; r < r1; r += kRowBlock) {
    const int64_t rb = r1 - r < kRowBlock ? r1 - r : kRowBlock;
    const float* xb = x + r * cols;
    float* ob = out + r * cols;
    blockMaxExpSum<true>(xb, ob, rb, cols, m, sum);
    for (int64_t i = 0; i < rb; ++i) {
      float* o = ob + i * cols;
      const float inv = static_cast<float>(1.0 / sum[i]);
      const V v = splat(inv);
      for (int64_t j = 0; j < full; j += W) store(o + j, load(o + j) * v);
      for (int64_t j = full; j < cols; ++j) o[j] = o[j] * inv;
    }
  }
}

// Rows [r0, r1) of a log-softmax: (x - max) - log(sum exp(x - max)).
FLINT_ROW_CLONES void logSoftmaxRowRange(const float* x, float* out, int64_t r0, int64_t r1, int64_t cols) {
  using namespace rowvec;
  const int64_t full = cols - cols % W;
  float m[kRowBlock];
  double sum[kRowBlock];
  for (int64_t r = r0; r < r1; r += kRowBlock) {
    const int64_t rb = r1 - r < kRowBlock ? r1 - r : kRowBlock;
    const float* xb = x + r * cols;
    float* ob = out + r * cols;
    blockMaxExpSum<false>(xb, ob, rb, cols, m, sum);
    for (int64_t i = 0; i < rb; ++i) {
      const float* xr = xb + i * cols;
      float* o = ob + i * cols;
      const float logSum = static_cast<float>(std::log(sum[i]));
      const V mv = splat(m[i]), l = splat(logSum);
      for (int64_t j = 0; j < full; j += W) store(o + j, (load(xr + j) - mv) - l);
      for (int64_t j = full; j < cols; ++j) o[j] = (xr[j] - m[i]) - logSum;
    }
  }
}

FLINT_ROW_CLONES void subExpScaled(const float* g, const float* y, float sum, float* gi, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) gi[j] = g[j] - vmath::expf(y[j]) * sum;
}

}  // namespace

void logSoftmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRowRanges(rows, cols, [&](int64_t r0, int64_t r1) { logSoftmaxRowRange(x, out, r0, r1, cols); });
}

void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRowRanges(rows, cols, [&](int64_t r0, int64_t r1) { softmaxRowRange(x, out, r0, r1, cols); });
}

void logSoftmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* g = gradOut + r * cols;
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += g[j];
    subExpScaled(g, y + r * cols, static_cast<float>(s), gradIn + r * cols, cols);
  });
}

void softmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* g = gradOut + r * cols;
    const float* yr = y + r * cols;
    float* gi = gradIn + r * cols;
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += static_cast<double>(g[j]) * yr[j];
    float dot = static_cast<float>(s);
    for (int64_t j = 0; j < cols; ++j) gi[j] = yr[j] * (g[j] - dot);
  });
}

double crossEntropy(const float* logits, const double* targets, float* grad, int64_t rows,
                    int64_t cols, double labelSmoothing, int64_t ignoreIndex, int64_t* badRow) {
  *badRow = -1;
  for (int64_t r = 0; r < rows; ++r) {
    double t = targets[r];
    if (static_cast<int64_t>(t) == ignoreIndex) continue;
    if (!(t >= 0 && t < static_cast<double>(cols)) || t != std::floor(t)) {
      *badRow = r;
      return 0.0;
    }
  }
  // Per row: log-softmax in float (as PyTorch), then NLL and the smoothing term summed in double.
  float* logp = scratch(kSlotPartial, static_cast<size_t>(rows * cols));
  logSoftmaxRows(logits, logp, rows, cols);
  double nll = 0, smooth = 0;
  int64_t count = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t t = static_cast<int64_t>(targets[r]);
    if (t == ignoreIndex) continue;
    ++count;
    const float* lp = logp + r * cols;
    nll -= lp[t];
    if (labelSmoothing != 0.0) {
      double s = 0;
      for (int64_t j = 0; j < cols; ++j) s += lp[j];
      smooth -= s;
    }
  }
  double denom = static_cast<double>(count);
  double eps = labelSmoothing;
  double loss = count == 0 ? std::numeric_limits<double>::quiet_NaN()
                           : (eps == 0.0 ? nll / denom
                                         : (1.0 - eps) * (nll / denom) + (smooth / denom) * (eps / static_cast<double>(cols)));
  if (grad) {
    // d/dz_j = (softmax_j - (1 - eps) [j == t] - eps / C) / count; ignored rows get 0.
    float inv = count == 0 ? 0.0f : static_cast<float>(1.0 / denom);
    float onehot = static_cast<float>(1.0 - eps), uniform = static_cast<float>(eps / static_cast<double>(cols));
    forRows(rows, cols, [&](int64_t r) {
      float* g = grad + r * cols;
      int64_t t = static_cast<int64_t>(targets[r]);
      if (t == ignoreIndex) {
        for (int64_t j = 0; j < cols; ++j) g[j] = 0.0f;
        return;
      }
      const float* lp = logp + r * cols;
      for (int64_t j = 0; j < cols; ++j) {
        float p = std::exp(lp[j]) - uniform;
        if (j == t) p -= onehot;
        g[j] = p * inv;
      }
    });
  }
  return loss;
}

void layerNormRows(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd, int64_t rows,
                   int64_t cols, double eps) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double m = sumDouble(xr, cols) / static_cast<double>(cols);
    double v = 0;
    for (int64_t j = 0; j < cols; ++j) {
      double d = xr[j] - m;
      v += d * d;
    }
    v /= static_cast<double>(cols);
    const float mf = static_cast<float>(m), rs = static_cast<float>(1.0 / std::sqrt(v + eps));
    mean[r] = mf;
    rstd[r] = rs;
    for (int64_t j = 0; j < cols; ++j) {
      float t = (xr[j] - mf) * rs;
      if (w) t = t * w[j];
      if (b) t = t + b[j];
      yr[j] = t;
    }
  });
}

void layerNormBackwardRows(const float* dy, const float* x, const float* w, const float* mean, const float* rstd,
                           float* dx, float* dw, float* db, int64_t rows, int64_t cols) {
  const double inv = 1.0 / static_cast<double>(cols);
  forRows(rows, cols, [&](int64_t r) {
    const float* g = dy + r * cols;
    const float* xr = x + r * cols;
    float* o = dx + r * cols;
    double ds = 0, dbs = 0;  // sum(dy w x), sum(dy w)
    for (int64_t j = 0; j < cols; ++j) {
      double gw = w ? static_cast<double>(g[j]) * w[j] : g[j];
      ds += gw * xr[j];
      dbs += gw;
    }
    const double a = rstd[r], m = mean[r];
    const double c1 = (dbs * m - ds) * a * a * a * inv;
    const double c2 = -c1 * m - dbs * a * inv;
    const float af = static_cast<float>(a), c1f = static_cast<float>(c1), c2f = static_cast<float>(c2);
    for (int64_t j = 0; j < cols; ++j) {
      float gw = w ? g[j] * w[j] : g[j];
      o[j] = af * gw + c1f * xr[j] + c2f;
    }
  });
  if (!dw && !db) return;
  // Column sums over rows, in double, split across threads by columns.
  parallelFor(tasksFor(rows * cols, 1 << 15) < 2 ? 1 : tasksFor(cols, 16), [&](int t, int T) {
    int64_t c0, c1;
    chunkRange(cols, t, T, c0, c1);
    std::vector<double> sw(static_cast<size_t>(c1 - c0)), sb(static_cast<size_t>(c1 - c0));
    for (int64_t r = 0; r < rows; ++r) {
      const float* g = dy + r * cols;
      const float* xr = x + r * cols;
      const float m = mean[r], a = rstd[r];
      for (int64_t j = c0; j < c1; ++j) {
        sw[static_cast<size_t>(j - c0)] += static_cast<double>(g[j]) * ((xr[j] - m) * a);
        sb[static_cast<size_t>(j - c0)] += g[j];
      }
    }
    for (int64_t j = c0; j < c1; ++j) {
      if (dw) dw[j] = static_cast<float>(sw[static_cast<size_t>(j - c0)]);
      if (db) db[j] = static_cast<float>(sb[static_cast<size_t>(j - c0)]);
    }
  });
}

}  // namespace flint
