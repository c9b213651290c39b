// The torch functions of issue 12's op surface (math, special, shape, sort, cumulative,
// reductions, linalg, fft), re-exported by src/index.ts; their Tensor methods are in
// src/tensor-methods-ext.ts.
export {
  asin, acos, atan, sinh, cosh, asinh, acosh, atanh, asin as arcsin, acos as arccos, atan as arctan,
  asinh as arcsinh, acosh as arccosh, atanh as arctanh,
  exp2, sinc, deg2rad, rad2deg, lgamma, digamma, erfc, erfinv, i0, polygamma, mvlgamma,
  logaddexp, logaddexp2, hypot, xlogy, logit, fmax, fmin, clampMin, clampMax, copysign, nextafter, heaviside,
  frac, signbit, sgn, positive, isposinf, isneginf, isreal, angle, nanToNum, ldexp, floatPower, trueDivide, rsub,
  gcd, lcm, bitwiseLeftShift, bitwiseRightShift, lerp, addcmul, addcdiv, real, imag, conj, resolveConj, resolveNeg, conjPhysical,
  isclose, allclose, equal,
} from "./ops/math-ext.js";
export type { NanToNumOptions, CloseOptions } from "./ops/math-ext.js";
export {
  flip, fliplr, flipud, roll, rot90, repeatInterleave, tile, tril, triu, trilIndices, triuIndices, diagonal, diagEmbed, diag, diagflat, trace,
  meshgrid, kron, movedim, movedim as moveaxis, ravel, atleast1d, atleast2d, atleast3d, hstack, vstack, vstack as rowStack, dstack, columnStack,
  broadcastTo, broadcastShapes, broadcastTensors, blockDiag, cartesianProd, combinations, splitWithSizes, tensorSplit, hsplit, vsplit, dsplit,
  narrowCopy, swapaxes, swapaxes as swapdims, take, takeAlongDim, diff, selectScatter, sliceScatter, diagonalScatter, fill,
} from "./ops/shape-ext.js";
export type { RepeatInterleaveOptions, DiffOptions } from "./ops/shape-ext.js";
export { sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique, uniqueConsecutive, searchsorted, bucketize, quantile, nanquantile } from "./ops/sort.js";
export { cumsum, cumprod, cummax, cummin, logcumsumexp } from "./ops/cumulative.js";
export {
  nansum, nanmean, varMean, stdMean, aminmax, norm, dist, cdist, cov, corrcoef, trapezoid, trapezoid as trapz, cumulativeTrapezoid,
  logspace, histc, bincount, histogram,
} from "./ops/reduce-ext.js";
export * from "./ops/linalg/torch-level.js";
export { viewAsComplex, viewAsReal, complex } from "./ops/fft/complex.js";
export {
  indexFill, indexCopy, indexAdd, indexReduce, scatterReduce, indexPut, put, maskedScatter, argwhere, isin, frexp,
} from "./ops/index-ext.js";
export { renorm, polar, asStrided, asStridedScatter, constantPadNd, gradient, igamma, igammac, normal, nativeLayerNorm, nativeBatchNorm } from "./ops/misc-ext.js";
export { multinomial } from "./ops/multinomial.js";
export { segmentReduce } from "./ops/index-ext.js";
export { stft, istft } from "./ops/fft/index.js";
