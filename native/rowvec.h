// Explicit 16-lane float vectors (GCC/Clang vector extensions) for the row kernels of rowops.cc.
// A row of a [2048, 32] softmax is two vectors: loops with a run-time trip count, left to the
// auto-vectoriser, spent more on their prologues, masked epilogues and horizontal sums than on
// the math (~5 ns per element against ~1 for exp alone). With a fixed width, a row is a few
// whole-vector steps, a padded tail, and one tree reduction. The compiler lowers the 64-byte
// vectors to one AVX-512 register, two AVX2 or four SSE2 / wasm SIMD128 ones.
// expv computes vmath::expf lane by lane with the same operations in the same order (no FMA:
// -ffp-contract=off), so its values are bit for bit vmath::expf's, on every ISA.
// Include with <cstdint> included, after vmath.h.
#pragma once

namespace flint {
namespace rowvec {

#define FLINT_VINLINE inline __attribute__((always_inline))

typedef float V __attribute__((vector_size(64)));
typedef int32_t VI __attribute__((vector_size(64)));
constexpr int64_t W = 16;



FLINT_VINLINE V splat(float f) { return V{} + f; }
FLINT_VINLINE V load(const float* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
FLINT_VINLINE void store(float* p, V v) { __builtin_memcpy(p, &v, sizeof v); }
// Lanes [0, W - k) zeroed, the last k kept (the part of an overlapping last vector that is new).
FLINT_VINLINE V lastLanes(V v, int64_t k) {
  const VI iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  return iota >= static_cast<int32_t>(W - k) ? v : V{};
}
// The lanes' maximum (a NaN lane may or may not win: callers let NaN through the exp and sum).
FLINT_VINLINE float hmax(V v) {
  v = v > __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15)
          ? v
          : __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  v = v > __builtin_shufflevector(v, v, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7)
          ? v
          : __builtin_shufflevector(v, v, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7);
  const float a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3];
  return a > b ? a : b;
}
FLINT_VINLINE V vmax(V a, V b) { return a > b ? a : b; }
// The sum of the lanes (a fixed tree: the result never depends on the ISA).
FLINT_VINLINE float hsum(V v) {
  v = v + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
  v = v + __builtin_shufflevector(v, v, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7);
  return (v[0] + v[2]) + (v[1] + v[3]);
}

// vmath::expf on 16 lanes.
FLINT_VINLINE V expv(V x) {
  const float kMagic = 12582912.0f;
  V xc = x > 89.0f ? splat(89.0f) : x;  // NaN compares false and stays NaN
  xc = xc < -104.0f ? splat(-104.0f) : xc;
  const V t = xc * 1.44269504088896341f + kMagic;
  const V n = t - kMagic;
  const VI ni = (VI)t - vmath::asInt(kMagic);
  V r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  const V z = r * r;
  V p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r;
  p = p + 1.0f;
  const VI n1 = ni >> 1, n2 = ni - n1;
  return p * (V)((n1 + 127) << 23) * (V)((n2 + 127) << 23);
}

}  // namespace rowvec
}  // namespace flint
