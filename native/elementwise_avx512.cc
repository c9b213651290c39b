// AVX-512 build of the elementwise kernels (selected at run time).
#include <cmath>
#include <cstdint>

#include "elementwise.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
namespace flint {
namespace {
#include "elementwise_impl.h"
}  // namespace
ElementwiseKernels elementwiseAvx512() { return {unaryImpl, binaryImpl, binaryScalarImpl, addScaledImpl, hardtanhImpl, hardtanhBackwardImpl}; }
}  // namespace flint
#pragma GCC pop_options
#else  // not x86
namespace flint {
ElementwiseKernels elementwiseAvx512() { return elementwiseBase(); }
}  // namespace flint
#endif
