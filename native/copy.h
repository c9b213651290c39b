// Strided float32 copies: gathering a view into a dense array (a transposed gradient, a slice)
// and writing a dense array into a view, without a per-element loop in JavaScript.
#pragma once
#include <cstdint>
#include <vector>

namespace flint {

// Two strided views over one index space, with size-1 dims dropped and each dim merged into the
// next where both views are contiguous across them (so the innermost dim is as long as possible).
// Shared by copyStrided and binaryStrided.
struct MergedDims {
  std::vector<int64_t> shape, a, b;
};
MergedDims mergeDims(const int64_t* shape, const int64_t* aStrides, const int64_t* bStrides, int nd);

// dst[index] = src[index] over an nd-dim index space `shape`, with element strides given for each
// side (offsets already applied to the pointers). Adjacent dims that are contiguous on both sides
// are merged first; contiguous rows are block copies and a transposed pair of dims is copied in
// tiles that stay in cache. Threaded over the outer dims for large copies.
void copyStrided(const float* src, const int64_t* srcStrides, float* dst, const int64_t* dstStrides,
                 const int64_t* shape, int nd);

}  // namespace flint
