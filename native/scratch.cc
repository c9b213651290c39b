#include "scratch.h"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace flint {
namespace {

struct Buffers {
  float* ptr[kSlotCount] = {};
  size_t cap[kSlotCount] = {};
  ~Buffers() {
    for (auto* p : ptr) std::free(p);
  }
};

thread_local Buffers buffers;

}  // namespace

float* scratch(ScratchSlot slot, size_t n) {
  if (n > buffers.cap[slot]) {
    // Grow by at least 1.5x so slowly increasing sizes do not reallocate every call.
    // Sizes come from tensor geometry: refuse (bad_alloc, turned into a JS error by exportFn)
    // rather than wrap around into a small buffer the kernel would overrun.
    size_t want = n + n / 2;
    if (want < n || want > (SIZE_MAX - 63) / sizeof(float)) want = n;
    if (n > (SIZE_MAX - 63) / sizeof(float)) throw std::bad_alloc();
    size_t bytes = ((want * sizeof(float)) + 63) & ~static_cast<size_t>(63);
    std::free(buffers.ptr[slot]);
    buffers.ptr[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
    buffers.cap[slot] = buffers.ptr[slot] ? bytes / sizeof(float) : 0;
    if (!buffers.ptr[slot]) throw std::bad_alloc();
  }
  return buffers.ptr[slot];
}

}  // namespace flint
