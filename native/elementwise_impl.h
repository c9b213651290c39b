// Kernel bodies shared by the per-ISA translation units (elementwise_{base,avx2,avx512}.cc).
// Each includes this file after its target pragma, inside its own anonymous namespace, so the
// compiler vectorises the same loops for that ISA. Keep library calls to <cmath> (declared
// before the pragma). exp, sigmoid and tanh are vmath.h's branch-free functions, which the
// compiler vectorises (libm calls would keep those loops scalar); log is still libm's.
// Requires: <cmath>, <cstdint>, "elementwise.h" included before the pragma.
#include "vmath.h"

inline float nanOr(float a, float b, float v) { return (a != a || b != b) ? a + b : v; }

void unaryImpl(int op, const float* x, float* out, int64_t n) {
  switch (op) {
    case kNeg: for (int64_t i = 0; i < n; ++i) out[i] = -x[i]; break;
    case kAbs: for (int64_t i = 0; i < n; ++i) out[i] = std::fabs(x[i]); break;
    case kExp: for (int64_t i = 0; i < n; ++i) out[i] = vmath::expf(x[i]); break;
    case kLog: for (int64_t i = 0; i < n; ++i) out[i] = std::log(x[i]); break;
    case kSqrt: for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]); break;
    case kRsqrt: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / std::sqrt(x[i]); break;
    case kSigmoid:  // PyTorch's vectorised form, 1 / (1 + exp(-x))
      for (int64_t i = 0; i < n; ++i) out[i] = vmath::sigmoidf(x[i]);
      break;
    case kTanh: for (int64_t i = 0; i < n; ++i) out[i] = vmath::tanhf(x[i]); break;
    case kRelu:
      // relu(NaN) = NaN as in PyTorch (clamp_min propagates NaN).
      for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0.0f ? x[i] : (x[i] != x[i] ? x[i] : 0.0f);
      break;
    default: break;
  }
}

void binaryImpl(int op, const float* a, const float* b, float* out, int64_t n) {
  switch (op) {
    case kAdd: for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i]; break;
    case kSub: for (int64_t i = 0; i < n; ++i) out[i] = a[i] - b[i]; break;
    case kMul: for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i]; break;
    case kDiv: for (int64_t i = 0; i < n; ++i) out[i] = a[i] / b[i]; break;
    case kMax:
      for (int64_t i = 0; i < n; ++i) out[i] = nanOr(a[i], b[i], a[i] > b[i] ? a[i] : b[i]);
      break;
    case kMin:
      for (int64_t i = 0; i < n; ++i) out[i] = nanOr(a[i], b[i], a[i] < b[i] ? a[i] : b[i]);
      break;
    case kReluBackward:  // threshold_backward: grad where x > 0 (x <= 0 gives 0)
      for (int64_t i = 0; i < n; ++i) out[i] = b[i] <= 0.0f ? 0.0f : a[i];
      break;
    case kSigmoidBackward:  // grad * (1 - y) * y
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] * (1.0f - b[i]) * b[i];
      break;
    case kTanhBackward:  // grad * (1 - y * y)
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] * (1.0f - b[i] * b[i]);
      break;
    case kRSub: for (int64_t i = 0; i < n; ++i) out[i] = b[i] - a[i]; break;
    case kRDiv: for (int64_t i = 0; i < n; ++i) out[i] = b[i] / a[i]; break;
    default: break;
  }
}

void binaryScalarImpl(int op, const float* a, float s, float* out, int64_t n) {
  switch (op) {
    case kAdd: for (int64_t i = 0; i < n; ++i) out[i] = a[i] + s; break;
    case kSub: for (int64_t i = 0; i < n; ++i) out[i] = a[i] - s; break;
    case kMul: for (int64_t i = 0; i < n; ++i) out[i] = a[i] * s; break;
    case kDiv: for (int64_t i = 0; i < n; ++i) out[i] = a[i] / s; break;
    case kMax: for (int64_t i = 0; i < n; ++i) out[i] = nanOr(a[i], s, a[i] > s ? a[i] : s); break;
    case kMin: for (int64_t i = 0; i < n; ++i) out[i] = nanOr(a[i], s, a[i] < s ? a[i] : s); break;
    case kReluBackward: for (int64_t i = 0; i < n; ++i) out[i] = s <= 0.0f ? 0.0f : a[i]; break;
    case kSigmoidBackward: for (int64_t i = 0; i < n; ++i) out[i] = a[i] * (1.0f - s) * s; break;
    case kTanhBackward: for (int64_t i = 0; i < n; ++i) out[i] = a[i] * (1.0f - s * s); break;
    case kRSub: for (int64_t i = 0; i < n; ++i) out[i] = s - a[i]; break;
    case kRDiv: for (int64_t i = 0; i < n; ++i) out[i] = s / a[i]; break;
    default: break;
  }
}

void addScaledImpl(const float* a, const float* b, float alpha, float* out, int64_t n) {
  if (alpha == 1.0f) {
    for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = std::fma(b[i], alpha, a[i]);
  }
}

// hardtanh / relu6 forward, exactly minimum(maximum(x, lo), hi) of the kernels above (one pass, one
// output instead of two).
void hardtanhImpl(const float* x, float lo, float hi, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float r = nanOr(x[i], lo, x[i] > lo ? x[i] : lo);
    out[i] = nanOr(r, hi, r < hi ? r : hi);
  }
}

// HardtanhBackward: g where lo < x < hi, else 0; a NaN x passes g on (PyTorch's). Written as the
// two threshold_backward steps it replaces, on x - lo and hi - x, so results are unchanged.
void hardtanhBackwardImpl(const float* g, const float* x, float lo, float hi, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = (x[i] - lo <= 0.0f || hi - x[i] <= 0.0f) ? 0.0f : g[i];
}
