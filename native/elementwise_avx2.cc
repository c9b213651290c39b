// AVX2 + FMA build of the elementwise kernels (selected at run time).
#include <cmath>
#include <cstdint>

#include "elementwise.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace flint {
namespace {
#include "elementwise_impl.h"
}  // namespace
ElementwiseKernels elementwiseAvx2() { return {unaryImpl, binaryImpl, binaryScalarImpl, addScaledImpl, hardtanhImpl, hardtanhBackwardImpl}; }
}  // namespace flint
#pragma GCC pop_options
#else  // not x86
namespace flint {
ElementwiseKernels elementwiseAvx2() { return elementwiseBase(); }
}  // namespace flint
#endif
