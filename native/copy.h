// Strided float32 copies: gathering a view into a dense array (a transposed gradient, a slice)
// and writing a dense array into a view, without a per-element loop in JavaScript.
#pragma once
#include <cstdint>

namespace flint {

// dst[index] = src[index] over an nd-dim index space `shape`, with element strides given for each
// side (offsets already applied to the pointers). Adjacent dims that are contiguous on both sides
// are merged first; contiguous rows are block copies and a transposed pair of dims is copied in
// tiles that stay in cache. Threaded over the outer dims for large copies.
void copyStrided(const float* src, const int64_t* srcStrides, float* dst, const int64_t* dstStrides,
                 const int64_t* shape, int nd);

}  // namespace flint
