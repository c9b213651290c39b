// AVX-512 build of the BatchNorm kernels (selected at run time by batchnorm.cc). Same code and
// summation order as the baseline build; -ffp-contract=off keeps multiplies and adds unfused.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "batchnorm.h"
#include "threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define FLINT_BN_NATIVE_ISA 1
#endif

namespace flint {
#ifdef FLINT_BN_NATIVE_ISA
namespace {
#include "batchnorm_impl.h"
}  // namespace

void batchNormTrainForwardAvx512(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                                 double eps, float* mean, float* var, float* invstd, float* out) {
  trainForwardImpl(s, x, weight, bias, eps, mean, var, invstd, out);
}
void batchNormEvalForwardAvx512(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                                const float* runningMean, const float* runningVar, double eps, float* invstd,
                                float* out) {
  evalForwardImpl(s, x, weight, bias, runningMean, runningVar, eps, invstd, out);
}
void batchNormBackwardAvx512(const BatchNormShape& s, const float* x, const float* gradOut, const float* weight,
                             const float* mean, const float* invstd, bool training, float* gradIn,
                             float* gradWeight, float* gradBias) {
  backwardImpl(s, x, gradOut, weight, mean, invstd, training, gradIn, gradWeight, gradBias);
}
#pragma GCC pop_options
#else
// Not x86: avx512Supported() is false, so these are never called.
void batchNormTrainForwardAvx512(const BatchNormShape&, const float*, const float*, const float*, double, float*,
                                 float*, float*, float*) {}
void batchNormEvalForwardAvx512(const BatchNormShape&, const float*, const float*, const float*, const float*,
                                const float*, double, float*, float*) {}
void batchNormBackwardAvx512(const BatchNormShape&, const float*, const float*, const float*, const float*,
                             const float*, bool, float*, float*, float*) {}
#endif
}  // namespace flint
