#include "batchnorm.h"

#include <cmath>

#include "threadpool.h"

namespace flint {
namespace {

// Sums in double over 8 independent lanes (vectorisable without reassociating one accumulator).
inline double laneTotal(const double* acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double rowSum(const float* p, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += p[i + j];
  double tail = 0;
  for (; i < n; ++i) tail += p[i];
  return laneTotal(acc) + tail;
}

double rowSquaredDeviation(const float* p, int64_t n, double mean) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      double d = p[i + j] - mean;
      acc[j] += d * d;
    }
  double tail = 0;
  for (; i < n; ++i) {
    double d = p[i] - mean;
    tail += d * d;
  }
  return laneTotal(acc) + tail;
}

// sum(dy) and sum((x - mean) * dy) over one row.
void rowGradSums(const float* x, const float* dy, int64_t n, double mean, double& sum, double& dot) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, d[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      s[j] += dy[i + j];
      d[j] += (x[i + j] - mean) * dy[i + j];
    }
  double st = 0, dt = 0;
  for (; i < n; ++i) {
    st += dy[i];
    dt += (x[i] - mean) * dy[i];
  }
  sum += laneTotal(s) + st;
  dot += laneTotal(d) + dt;
}

void affineRow(const float* x, float* out, int64_t n, float alpha, float beta) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * alpha + beta;
}

// Runs body(c) for every channel, channels split across the pool when there is enough data.
template <typename Body>
void forEachChannel(const BatchNormShape& s, const Body& body) {
  const int tasks = s.N * s.HW >= 4096 || s.C * s.N * s.HW >= 65536 ? splitFor(s.C) : 1;
  if (tasks <= 1) {
    for (int64_t c = 0; c < s.C; ++c) body(c);
    return;
  }
  parallelFor(tasks, [&](int t, int T) {
    int64_t b, e;
    chunkRange(s.C, t, T, b, e);
    for (int64_t c = b; c < e; ++c) body(c);
  });
}

void applyChannel(const BatchNormShape& s, int64_t c, const float* x, const float* weight, const float* bias,
                  float mean, float invstd, float* out) {
  const float w = weight ? weight[c] : 1.0f, b = bias ? bias[c] : 0.0f;
  const float alpha = invstd * w, beta = b - mean * alpha;
  for (int64_t n = 0; n < s.N; ++n) {
    const int64_t off = (n * s.C + c) * s.HW;
    affineRow(x + off, out + off, s.HW, alpha, beta);
  }
}

}  // namespace

void batchNormTrainForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                           double eps, float* mean, float* var, float* invstd, float* out) {
  const double count = static_cast<double>(s.N * s.HW);
  forEachChannel(s, [&](int64_t c) {
    double sum = 0;
    for (int64_t n = 0; n < s.N; ++n) sum += rowSum(x + (n * s.C + c) * s.HW, s.HW);
    const double m = sum / count;
    double sq = 0;
    for (int64_t n = 0; n < s.N; ++n) sq += rowSquaredDeviation(x + (n * s.C + c) * s.HW, s.HW, m);
    const double v = sq / count;
    mean[c] = static_cast<float>(m);
    var[c] = static_cast<float>(v);
    invstd[c] = static_cast<float>(1.0 / std::sqrt(v + eps));
    applyChannel(s, c, x, weight, bias, mean[c], invstd[c], out);
  });
}

void batchNormEvalForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                          const float* runningMean, const float* runningVar, double eps, float* invstd,
                          float* out) {
  forEachChannel(s, [&](int64_t c) {
    invstd[c] = 1.0f / std::sqrt(runningVar[c] + static_cast<float>(eps));
    applyChannel(s, c, x, weight, bias, runningMean[c], invstd[c], out);
  });
}

void batchNormBackward(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
                       const float* mean, const float* invstd, bool training, float* gradIn, float* gradWeight,
                       float* gradBias) {
  const double count = static_cast<double>(s.N * s.HW);
  forEachChannel(s, [&](int64_t c) {
    const float m = mean[c], is = invstd[c], w = weight ? weight[c] : 1.0f;
    double sum = 0, dot = 0;
    if (gradWeight || gradBias || (gradIn && training))
      for (int64_t n = 0; n < s.N; ++n) {
        const int64_t off = (n * s.C + c) * s.HW;
        rowGradSums(x + off, gradOut + off, s.HW, m, sum, dot);
      }
    if (gradWeight) gradWeight[c] = static_cast<float>(dot * is);
    if (gradBias) gradBias[c] = static_cast<float>(sum);
    if (!gradIn) return;
    const float scale = is * w;
    if (training) {
      const float k = static_cast<float>(dot * is * is / count), gradMean = static_cast<float>(sum / count);
      for (int64_t n = 0; n < s.N; ++n) {
        const int64_t off = (n * s.C + c) * s.HW;
        const float *xr = x + off, *dy = gradOut + off;
        float* dx = gradIn + off;
        for (int64_t i = 0; i < s.HW; ++i) dx[i] = (dy[i] - gradMean - (xr[i] - m) * k) * scale;
      }
    } else {
      for (int64_t n = 0; n < s.N; ++n) {
        const int64_t off = (n * s.C + c) * s.HW;
        const float* dy = gradOut + off;
        float* dx = gradIn + off;
        for (int64_t i = 0; i < s.HW; ++i) dx[i] = dy[i] * scale;
      }
    }
  });
}

}  // namespace flint
