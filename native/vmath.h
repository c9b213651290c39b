// Float32 exp, tanh and sigmoid as branch-free scalar functions that compilers vectorise
// (the loops of elementwise_impl.h run them 16 (AVX-512), 8 (AVX2) or 4 (SSE2, wasm SIMD128) at a
// time). libm's expf/tanhf are calls the vectoriser cannot widen, and cost 5-7x PyTorch's
// SLEEF-vectorised kernels at 64k elements. Accuracy is SLEEF's u10 class (about 1 ulp, checked
// against double precision over all float32 inputs in scripts/check-vmath.cc): the Cephes
// polynomials, evaluated with separate multiplies and adds (no FMA: -ffp-contract=off), so every
// ISA, the wasm build and the scalar fused cells (rnn_cell.cc) compute bit for bit the same value.
// Edge cases as libm / PyTorch: NaN in -> NaN out, exp(-inf) = 0, exp(inf) = inf, subnormal
// results rounded once, tanh(+-0) = +-0.
// Include with <cstdint> already included; this file includes nothing (it may follow a target pragma).
#pragma once

namespace vmath {

inline int32_t asInt(float f) {
  int32_t i;
  __builtin_memcpy(&i, &f, 4);
  return i;
}
inline float asFloat(int32_t i) {
  float f;
  __builtin_memcpy(&f, &i, 4);
  return f;
}

// exp: x = n ln2 + r (Cody-Waite, ln2 split so n * kLn2Hi is exact), e^r by Cephes' degree-7
// polynomial (|r| <= ln2 / 2), times 2^n built from bits in two halves so that subnormal results
// round once and n never needs a float-to-int conversion (NaN would make that undefined).
inline float expf(float x) {
  const float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
  float xc = x > 89.0f ? 89.0f : x;  // NaN compares false and stays NaN
  xc = xc < -104.0f ? -104.0f : xc;
  const float t = xc * 1.44269504088896341f + kMagic;
  const float n = t - kMagic;
  const int32_t ni = asInt(t) - asInt(kMagic);  // n as an integer, -150..129
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r;
  p = p + 1.0f;
  const int32_t n1 = ni >> 1, n2 = ni - n1;
  return p * asFloat((n1 + 127) << 23) * asFloat((n2 + 127) << 23);
}

inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

// tanh: Cephes' odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1) above, then x's sign bit on
// the magnitude (so tanh(-0) = -0: the polynomial's sum would give +0).
inline float tanhf(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * ax + ax;
  const float big = 1.0f - 2.0f / (expf(ax + ax) + 1.0f);
  const float mag = ax < 0.625f ? small : big;  // NaN: ax < 0.625 is false, big is NaN
  return asFloat(asInt(mag) | (asInt(x) & static_cast<int32_t>(0x80000000u)));
}

}  // namespace vmath
