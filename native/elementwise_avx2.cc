// AVX2 + FMA build of the elementwise kernels (selected at run time).
#include <cmath>
#include <cstdint>

#include "elementwise.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace flint {
namespace {
#include "elementwise_impl.h"
}  // namespace
ElementwiseKernels elementwiseAvx2() { return {unaryImpl, binaryImpl, binaryScalarImpl, addScaledImpl}; }
}  // namespace flint
#pragma GCC pop_options
