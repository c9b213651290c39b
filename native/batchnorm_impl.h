// The bodies of the BatchNorm kernels (native/batchnorm.h), included once per instruction set:
// inside an anonymous namespace by batchnorm.cc (baseline) and batchnorm_avx512.cc (AVX-512), which
// batchnorm.cc picks between at run time. The sums run in the same order in both builds, so the
// results do not depend on the instruction set.
// (No include guard: included once per translation unit, in a namespace.)
#pragma GCC diagnostic ignored "-Wpsabi"  // the 64-byte vectors below never cross a call boundary of the ABI

// Sums in double over 16 independent lanes, as two 8-double vectors (GCC / clang vector
// extensions: the loops below stay vectorised whatever the compiler's cost model says; lowered to
// SSE2 in the baseline build, one AVX-512 register each in the AVX-512 one).
typedef double D8 __attribute__((vector_size(64)));
typedef float F8 __attribute__((vector_size(32)));
constexpr int kLanes = 16;
inline D8 loadD8(const float* p) {
  F8 f;
  std::memcpy(&f, p, sizeof f);
  return __builtin_convertvector(f, D8);
}
inline double laneTotal(D8 lo, D8 hi) {
  const D8 h = lo + hi;
  return ((h[0] + h[1]) + (h[2] + h[3])) + ((h[4] + h[5]) + (h[6] + h[7]));
}

// sum(x - shift) and sum((x - shift)^2) over one row, added to s1 / s2: one pass for a channel's
// mean and variance. Shifting by one of the channel's own values keeps the cancellation in
// s2 - s1^2 / n small (the shifted-data variance algorithm); in double, the float results are
// those of PyTorch's two passes (mean, then squared deviations).
void rowShiftedSums(const float* p, int64_t n, double shift, double& s1, double& s2) {
  D8 a0 = {}, a1 = {}, q0 = {}, q1 = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const D8 d0 = loadD8(p + i) - shift, d1 = loadD8(p + i + 8) - shift;
    a0 += d0;
    a1 += d1;
    q0 += d0 * d0;
    q1 += d1 * d1;
  }
  double ta = 0, tq = 0;
  for (; i < n; ++i) {
    const double d = p[i] - shift;
    ta += d;
    tq += d * d;
  }
  s1 += laneTotal(a0, a1) + ta;
  s2 += laneTotal(q0, q1) + tq;
}

// sum(dy) and sum((x - mean) * dy) over one row.
void rowGradSums(const float* x, const float* dy, int64_t n, double mean, double& sum, double& dot) {
  D8 s0 = {}, s1 = {}, d0 = {}, d1 = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const D8 g0 = loadD8(dy + i), g1 = loadD8(dy + i + 8);
    s0 += g0;
    s1 += g1;
    d0 += (loadD8(x + i) - mean) * g0;
    d1 += (loadD8(x + i + 8) - mean) * g1;
  }
  double st = 0, dt = 0;
  for (; i < n; ++i) {
    st += dy[i];
    dt += (x[i] - mean) * dy[i];
  }
  sum += laneTotal(s0, s1) + st;
  dot += laneTotal(d0, d1) + dt;
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

void trainForwardImpl(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                           double eps, float* mean, float* var, float* invstd, float* out) {
  const double count = static_cast<double>(s.N * s.HW);
  forEachChannel(s, [&](int64_t c) {
    const double shift = x[c * s.HW];
    double s1 = 0, s2 = 0;
    for (int64_t n = 0; n < s.N; ++n) rowShiftedSums(x + (n * s.C + c) * s.HW, s.HW, shift, s1, s2);
    const double dm = s1 / count;
    const double m = shift + dm;
    const double v = std::max(0.0, s2 / count - dm * dm);
    mean[c] = static_cast<float>(m);
    var[c] = static_cast<float>(v);
    invstd[c] = static_cast<float>(1.0 / std::sqrt(v + eps));
    applyChannel(s, c, x, weight, bias, mean[c], invstd[c], out);
  });
}

void evalForwardImpl(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                          const float* runningMean, const float* runningVar, double eps, float* invstd,
                          float* out) {
  forEachChannel(s, [&](int64_t c) {
    invstd[c] = 1.0f / std::sqrt(runningVar[c] + static_cast<float>(eps));
    applyChannel(s, c, x, weight, bias, runningMean[c], invstd[c], out);
  });
}

void backwardImpl(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
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
