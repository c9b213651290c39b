// The torch functions of issue 12's op surface (math, special, shape, sort, cumulative,
// reductions, linalg, fft), re-exported by src/index.ts; their Tensor methods are in
// src/tensor-methods-ext.ts.
export {
  asin, acos, atan, sinh, cosh, asinh, acosh, atanh, asin as arcsin, acos as arccos, atan as arctan,
  asinh as arcsinh, acosh as arccosh, atanh as arctanh,
  exp2, sinc, deg2rad, rad2deg, lgamma, digamma, erfc, erfinv, i0, polygamma, mvlgamma,
  logaddexp, logaddexp2, hypot, xlogy, logit, fmax, fmin, clampMin, clampMax, copysign, nextafter, heaviside,
  frac, signbit, sgn, positive, isposinf, isneginf, isreal, angle, nanToNum, ldexp, floatPower, trueDivide, rsub,
  gcd, lcm, bitwiseLeftShift, bitwiseRightShift, lerp, addcmul, addcdiv, real, conj, resolveConj, resolveNeg, conjPhysical,
  isclose, allclose, equal,
} from "./ops/math-ext.js";
export type { NanToNumOptions, CloseOptions } from "./ops/math-ext.js";
