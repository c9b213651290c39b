// AVX-512 build of the elementwise kernels (selected at run time).
#include <cmath>
#include <cstdint>

#include "elementwise.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
namespace flint {
namespace {
#include "elementwise_impl.h"
}  // namespace
ElementwiseKernels elementwiseAvx512() { return {unaryImpl, binaryImpl, binaryScalarImpl, addScaledImpl}; }
}  // namespace flint
#pragma GCC pop_options
