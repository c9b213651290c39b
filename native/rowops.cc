#include "rowops.h"

#include <cmath>
#include <limits>
#include <vector>

#include "scratch.h"
#include "threadpool.h"

namespace flint {

void sumRows(const float* x, float* out, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
    parallelFor(tasksFor(outer * n, 1 << 16), [&](int t, int T) {
      int64_t b, e;
      chunkRange(outer, t, T, b, e);
      for (int64_t o = b; o < e; ++o) {
        const float* r = x + o * n;
        // Four partial sums keep the loop pipelined; double keeps long rows exact enough.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int64_t j = 0;
        for (; j + 4 <= n; j += 4) {
          s0 += r[j];
          s1 += r[j + 1];
          s2 += r[j + 2];
          s3 += r[j + 3];
        }
        for (; j < n; ++j) s0 += r[j];
        out[o] = static_cast<float>((s0 + s1) + (s2 + s3));
      }
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
      for (int64_t n = 0; n < N; ++n) {
        const float* r = g + (n * C + c) * HW;
        for (int64_t i = 0; i < HW; ++i) s += r[i];
      }
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

inline float rowMax(const float* x, int64_t cols) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < cols; ++j) {
    if (x[j] != x[j]) return x[j];  // NaN poisons the row, as in PyTorch
    if (x[j] > m) m = x[j];
  }
  return m;
}

}  // namespace

void logSoftmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float m = rowMax(xr, cols);
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += std::exp(xr[j] - m);
    float logSum = static_cast<float>(std::log(s));
    for (int64_t j = 0; j < cols; ++j) o[j] = (xr[j] - m) - logSum;
  });
}

void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float m = rowMax(xr, cols);
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) {
      o[j] = std::exp(xr[j] - m);
      s += o[j];
    }
    float sum = static_cast<float>(s);
    for (int64_t j = 0; j < cols; ++j) o[j] = o[j] / sum;
  });
}

void logSoftmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int64_t rows, int64_t cols) {
  forRows(rows, cols, [&](int64_t r) {
    const float* g = gradOut + r * cols;
    const float* yr = y + r * cols;
    float* gi = gradIn + r * cols;
    double s = 0;
    for (int64_t j = 0; j < cols; ++j) s += g[j];
    float sum = static_cast<float>(s);
    for (int64_t j = 0; j < cols; ++j) gi[j] = g[j] - std::exp(yr[j]) * sum;
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

}  // namespace flint
