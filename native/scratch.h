// Per-thread reusable scratch buffers (64-byte aligned) so big kernels never allocate per call:
// each slot grows to the largest size requested and is then reused. Slots let one kernel hold
// several buffers at once (packed A, packed B, im2col columns, partial sums).
#pragma once
#include <cstddef>

namespace flint {

enum ScratchSlot { kSlotPackA = 0, kSlotPackB = 1, kSlotCol = 2, kSlotPartial = 3, kSlotRow = 4, kSlotWeights = 5,
                   kSlotCol2 = 6, kSlotCount = 7 };

// Returns a buffer of at least n floats for the calling thread; contents are unspecified.
// Throws std::bad_alloc when it cannot be allocated (never returns null).
float* scratch(ScratchSlot slot, size_t n);

}  // namespace flint
