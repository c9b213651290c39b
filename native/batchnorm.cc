#include "batchnorm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gemm.h"  // avx512Supported
#include "threadpool.h"

namespace flint {
namespace {
#include "batchnorm_impl.h"
}  // namespace

// The AVX-512 builds (batchnorm_avx512.cc); the baseline ones on other CPUs.
void batchNormTrainForwardAvx512(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                                 double eps, float* mean, float* var, float* invstd, float* out);
void batchNormEvalForwardAvx512(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                                const float* runningMean, const float* runningVar, double eps, float* invstd,
                                float* out);
void batchNormBackwardAvx512(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
                             const float* mean, const float* invstd, bool training, float* gradIn,
                             float* gradWeight, float* gradBias);

void batchNormTrainForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                           double eps, float* mean, float* var, float* invstd, float* out) {
  if (avx512Supported()) return batchNormTrainForwardAvx512(s, x, weight, bias, eps, mean, var, invstd, out);
  trainForwardImpl(s, x, weight, bias, eps, mean, var, invstd, out);
}

void batchNormEvalForward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                          const float* runningMean, const float* runningVar, double eps, float* invstd,
                          float* out) {
  if (avx512Supported())
    return batchNormEvalForwardAvx512(s, x, weight, bias, runningMean, runningVar, eps, invstd, out);
  evalForwardImpl(s, x, weight, bias, runningMean, runningVar, eps, invstd, out);
}

void batchNormBackward(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
                       const float* mean, const float* invstd, bool training, float* gradIn, float* gradWeight,
                       float* gradBias) {
  if (avx512Supported())
    return batchNormBackwardAvx512(s, x, gradOut, weight, mean, invstd, training, gradIn, gradWeight, gradBias);
  backwardImpl(s, x, gradOut, weight, mean, invstd, training, gradIn, gradWeight, gradBias);
}

}  // namespace flint
