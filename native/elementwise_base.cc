// Baseline (SSE2 on x86-64) build of the elementwise kernels.
#include <cmath>
#include <cstdint>

#include "elementwise.h"

namespace flint {
namespace {
#include "elementwise_impl.h"
}  // namespace
ElementwiseKernels elementwiseBase() { return {unaryImpl, binaryImpl, binaryScalarImpl, addScaledImpl, hardtanhImpl, hardtanhBackwardImpl}; }
}  // namespace flint
