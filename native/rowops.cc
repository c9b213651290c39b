#include "rowops.h"

#include <cmath>
#include <limits>
#include <vector>

#include "scratch.h"
#include "threadpool.h"
#include "vmath.h"

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

// The row's maximum; NaN when the row holds a NaN (it then poisons the row, as in PyTorch).
FLINT_ROW_CLONES float rowMax(const float* x, int64_t cols) {
  float m = -std::numeric_limits<float>::infinity();
  int nan = 0;
  for (int64_t j = 0; j < cols; ++j) {
    m = x[j] > m ? x[j] : m;
    nan |= x[j] != x[j];
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : m;
}

// o[j] = exp(x[j] - m); returns the sum of o in double (8 partial sums, as sumDouble).
FLINT_ROW_CLONES double expShiftedSum(const float* x, float m, float* o, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) o[j] = vmath::expf(x[j] - m);
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= cols; j += 8)
    for (int t = 0; t < 8; ++t) s[t] += o[j + t];
  for (; j < cols; ++j) s[0] += o[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

FLINT_ROW_CLONES void divideBy(float* o, float d, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) o[j] = o[j] / d;
}

FLINT_ROW_CLONES void shiftBy(const float* x, float m, float logSum, float* o, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) o[j] = (x[j] - m) - logSum;
}

FLINT_ROW_CLONES void subExpScaled(const float* g, const float* y, float sum, float* gi, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j) gi[j] = g[j] - vmath::expf(y[j]) * sum;
}

}  // namespace

void logSoftmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    const float m = rowMax(xr, cols);
    const float logSum = static_cast<float>(std::log(expShiftedSum(xr, m, o, cols)));  // o: scratch here
    shiftBy(xr, m, logSum, o, cols);
  });
}

void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    const float m = rowMax(xr, cols);
    divideBy(o, static_cast<float>(expShiftedSum(xr, m, o, cols)), cols);
  });
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
