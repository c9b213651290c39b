#include "optim.h"

#include <cmath>
#include <vector>

#include "threadpool.h"

namespace flint {
namespace {

template <typename Fn>
void chunks(int64_t n, const Fn& fn) {
  parallelFor(tasksFor(n, 1 << 16), [&](int t, int T) {
    int64_t b, e;
    chunkRange(n, t, T, b, e);
    fn(b, e);
  });
}

// PyTorch's add(x, alpha=) is a fused multiply-add in its vectorised CPU kernel.
inline float addAlpha(float self, float other, float alpha) { return std::fma(other, alpha, self); }
// On x86-64 the loops are compiled for AVX-512 and AVX2+FMA too, picked at load time
// (target_clones): addAlpha's std::fma is one instruction there, and a library call on the
// baseline ISA. Those clone names exist only on x86 (GCC rejects them elsewhere); aarch64 has a
// fused multiply-add in its baseline ISA, and wasm32 takes the library fmaf (exact).
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__wasm__)
#define FLINT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FLINT_CLONES
#endif

struct SgdScalars {
  float wd, mom, oneMinusDamp, negLr;
};

FLINT_CLONES void sgdRange(float* param, const float* grad, float* buf, int64_t b, int64_t e, const SgdOptions& o,
                           const SgdScalars& c) {
  for (int64_t i = b; i < e; ++i) {
    float d = o.maximize ? -grad[i] : grad[i];
    if (o.weightDecay != 0.0) d = addAlpha(d, param[i], c.wd);             // d_p.add(param, alpha=wd)
    if (o.momentum != 0.0) {
      float m = o.firstStep ? d : addAlpha(buf[i] * c.mom, d, c.oneMinusDamp);  // buf.mul_(m).add_(d_p, alpha=1-damp)
      buf[i] = m;
      d = o.nesterov ? addAlpha(d, m, c.mom) : m;                           // d_p.add(buf, alpha=m)
    }
    param[i] = addAlpha(param[i], d, c.negLr);                              // param.add_(d_p, alpha=-lr)
  }
}

struct AdamScalars {
  float bc2Sqrt, negStep, b1, b2, oneMinusB1, oneMinusB2, eps, wd, decay;
};

FLINT_CLONES void adamRange(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq,
                            int64_t b, int64_t e, const AdamOptions& o, const AdamScalars& c) {
  for (int64_t i = b; i < e; ++i) {
    float g = o.maximize ? -grad[i] : grad[i];
    float p = param[i];
    if (o.decoupled)
      p = p * c.decay;                                      // param.mul_(1 - lr * wd)
    else if (o.weightDecay != 0.0)
      g = addAlpha(g, p, c.wd);                             // grad.add(param, alpha=wd)
    float m = addAlpha(expAvg[i] * c.b1, g, c.oneMinusB1);  // exp_avg.mul_(b1).add_(grad, alpha=1-b1)
    float v = expAvgSq[i] * c.b2 + (c.oneMinusB2 * g) * g;  // exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
    expAvg[i] = m;
    expAvgSq[i] = v;
    float vHat = v;
    if (o.amsgrad) {
      float mx = maxExpAvgSq[i];
      vHat = (mx != mx || v != v) ? mx + v : (mx > v ? mx : v);  // torch.maximum
      maxExpAvgSq[i] = vHat;
    }
    float denom = std::sqrt(vHat) / c.bc2Sqrt + c.eps;      // (sqrt(v) / bc2_sqrt).add_(eps)
    param[i] = p + (c.negStep * m) / denom;                 // param.addcdiv_(m, denom, value=-step_size)
  }
}

}  // namespace

void sgdStep(float* param, const float* grad, float* buf, int64_t n, const SgdOptions& o) {
  const SgdScalars c{static_cast<float>(o.weightDecay), static_cast<float>(o.momentum),
                     static_cast<float>(1.0 - o.dampening), static_cast<float>(-o.lr)};
  chunks(n, [&](int64_t b, int64_t e) { sgdRange(param, grad, buf, b, e, o, c); });
}

void adamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq,
              int64_t n, const AdamOptions& o) {
  // Python-side scalars, in double as Python computes them.
  const double bc1 = 1.0 - std::pow(o.beta1, o.step);
  const double bc2 = 1.0 - std::pow(o.beta2, o.step);
  const double stepSize = o.lr / bc1;
  const AdamScalars c{static_cast<float>(std::sqrt(bc2)), static_cast<float>(-stepSize),
                      static_cast<float>(o.beta1), static_cast<float>(o.beta2),
                      static_cast<float>(1.0 - o.beta1), static_cast<float>(1.0 - o.beta2),
                      static_cast<float>(o.eps), static_cast<float>(o.weightDecay),
                      static_cast<float>(1.0 - o.lr * o.weightDecay)};
  chunks(n, [&](int64_t b, int64_t e) { adamRange(param, grad, expAvg, expAvgSq, maxExpAvgSq, b, e, o, c); });
}

namespace {
AdamScalars adamScalars(const AdamOptions& o, double step) {
  const double bc1 = 1.0 - std::pow(o.beta1, step);
  const double bc2 = 1.0 - std::pow(o.beta2, step);
  return AdamScalars{static_cast<float>(std::sqrt(bc2)), static_cast<float>(-(o.lr / bc1)),
                     static_cast<float>(o.beta1), static_cast<float>(o.beta2),
                     static_cast<float>(1.0 - o.beta1), static_cast<float>(1.0 - o.beta2),
                     static_cast<float>(o.eps), static_cast<float>(o.weightDecay),
                     static_cast<float>(1.0 - o.lr * o.weightDecay)};
}
}  // namespace

void adamStepMulti(const AdamTensor* ts, int64_t count, const AdamOptions& o) {
  std::vector<int64_t> start(static_cast<size_t>(count) + 1, 0);
  std::vector<AdamScalars> sc;
  sc.reserve(static_cast<size_t>(count));
  for (int64_t t = 0; t < count; ++t) {
    start[static_cast<size_t>(t) + 1] = start[static_cast<size_t>(t)] + ts[t].n;
    sc.push_back(adamScalars(o, ts[t].step));
  }
  const int64_t total = start[static_cast<size_t>(count)];
  chunks(total, [&](int64_t b, int64_t e) {
    // The tensors overlapping [b, e) of the concatenation, each over its own sub-range.
    int64_t t = 0;
    while (t < count && start[static_cast<size_t>(t) + 1] <= b) ++t;
    for (; t < count && start[static_cast<size_t>(t)] < e; ++t) {
      const AdamTensor& x = ts[t];
      const int64_t s0 = start[static_cast<size_t>(t)];
      const int64_t lo = (b > s0 ? b : s0) - s0, hi = (e < s0 + x.n ? e : s0 + x.n) - s0;
      if (hi > lo) adamRange(x.param, x.grad, x.expAvg, x.expAvgSq, x.maxExpAvgSq, lo, hi, o, sc[static_cast<size_t>(t)]);
    }
  });
}

}  // namespace flint
