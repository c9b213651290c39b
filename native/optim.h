// In-place optimizer updates following PyTorch 1.13's single-tensor (foreach=False) code paths
// op by op: each tensor op rounds to float32 as PyTorch's does, and Python-side scalars are
// computed in double and rounded to float32 where PyTorch passes them to a float tensor op.
#pragma once
#include <cstdint>

namespace flint {

struct SgdOptions {
  double lr, momentum, dampening, weightDecay;
  bool nesterov, maximize, firstStep;
};
// momentumBuf may be null only when momentum == 0.
void sgdStep(float* param, const float* grad, float* momentumBuf, int64_t n, const SgdOptions& o);

struct AdamOptions {
  double lr, beta1, beta2, eps, weightDecay;
  double step;  // the step count after this update's increment (1 on the first call)
  bool amsgrad, maximize, decoupled;  // decoupled = AdamW
};
// maxExpAvgSq may be null only when amsgrad is false.
void adamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq,
              int64_t n, const AdamOptions& o);

// PyTorch's foreach=True path: one call over a list of tensors, each with its own step count
// (AdamOptions::step is ignored). Same per-element arithmetic as adamStep; the threads split the
// concatenated elements, so many small tensors share the pool instead of running one by one.
struct AdamTensor {
  float* param;
  const float* grad;
  float* expAvg;
  float* expAvgSq;
  float* maxExpAvgSq;  // null unless amsgrad
  int64_t n;
  double step;
};
void adamStepMulti(const AdamTensor* ts, int64_t count, const AdamOptions& o);

}  // namespace flint
