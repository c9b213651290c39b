// Column producers for conv2d: im2col (plain and straight into the GEMM's packed-B layout, in
// both orientations) and the col2im scatter-add for the input gradient.
#pragma once
#include <cstdint>

#include "conv.h"

namespace flint {

// col [Cg*KH*KW, OH*OW] from one image's channel group x [Cg, H, W].
void im2col(const ConvShape& s, int64_t Cg, const float* x, float* col);
// Scatter-adds col [Cg*KH*KW, OH*OW] into gx [Cg, H, W].
void col2imAdd(const ConvShape& s, int64_t Cg, const float* col, float* gx);
// Packed B for the forward GEMM: B = col, K = Cg*KH*KW rows, N = OH*OW columns.
void im2colPacked(const ConvShape& s, int64_t Cg, const float* x, float* Bp);
// Packed B for the weight-gradient GEMM: B = col^T, K = OH*OW rows, N = Cg*KH*KW columns.
void im2colPackedT(const ConvShape& s, int64_t Cg, const float* x, float* Bp);

// AVX-512 version of im2colPackedT on an already padded image (NR must be 32).
void im2colPackedTAvx512(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp,
                         float* Bp, int64_t packedN, int64_t KC);
// AVX-512 version of im2colPacked on an already padded image (NR must be 32).
void im2colPackedAvx512(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp,
                        float* Bp, int64_t packedN, int64_t KC);

// WebAssembly SIMD128 version of im2colPacked on an already padded image (native/wasm/im2col_wasm.cc,
// compiled only into the wasm builds): when Ok (NR 12, unit stride along W, OW a multiple of 4).
bool im2colPackedWasmOk(const ConvShape& s, int64_t NR);
void im2colPackedWasm(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp, float* Bp,
                      int64_t packedN, int64_t KC);
// WebAssembly SIMD128 version of im2colPackedT on an already padded image (native/wasm/im2col_wasm.cc,
// compiled only into the wasm builds): when Ok (NR 12, unit stride along W).
bool im2colPackedTWasmOk(const ConvShape& s, int64_t NR);
void im2colPackedTWasm(const ConvShape& s, int64_t Cg, const float* xpad, int64_t Hp, int64_t Wp, float* Bp,
                       int64_t packedN, int64_t KC);

}  // namespace flint
