// The in-place Tensor methods of issue 12's op surface (x.exp_(), x.scatter_(...), ...): each is
// the out-of-place op of the same name written back into the tensor (src/ops/inplace.ts commit),
// installed on Tensor.prototype next to those of tensor-methods-ext.ts.
import { Tensor } from "./tensor.js";
import type { TensorLike } from "./ops/util.js";
import * as M from "./ops/math-ext.js";
import * as SH from "./ops/shape-ext.js";
import * as CU from "./ops/cumulative.js";
import * as IX from "./ops/index-ext.js";
import * as MX from "./ops/misc-ext.js";
import * as U from "./ops/unary.js";
import * as I from "./ops/indexing.js";
import * as B from "./ops/binary.js";
import { commit } from "./ops/inplace.js";

declare module "./tensor.js" {
  interface Tensor {
    exp_(): Tensor;
    log_(): Tensor;
    sqrt_(): Tensor;
    rsqrt_(): Tensor;
    sin_(): Tensor;
    cos_(): Tensor;
    tan_(): Tensor;
    tanh_(): Tensor;
    sigmoid_(): Tensor;
    relu_(): Tensor;
    abs_(): Tensor;
    neg_(): Tensor;
    floor_(): Tensor;
    ceil_(): Tensor;
    round_(): Tensor;
    trunc_(): Tensor;
    reciprocal_(): Tensor;
    log1p_(): Tensor;
    expm1_(): Tensor;
    log2_(): Tensor;
    log10_(): Tensor;
    erf_(): Tensor;
    sign_(): Tensor;
    square_(): Tensor;
    asin_(): Tensor;
    acos_(): Tensor;
    atan_(): Tensor;
    sinh_(): Tensor;
    cosh_(): Tensor;
    asinh_(): Tensor;
    acosh_(): Tensor;
    atanh_(): Tensor;
    exp2_(): Tensor;
    frac_(): Tensor;
    erfinv_(): Tensor;
    erfc_(): Tensor;
    lgamma_(): Tensor;
    digamma_(): Tensor;
    sgn_(): Tensor;
    deg2rad_(): Tensor;
    rad2deg_(): Tensor;
    sinc_(): Tensor;
    i0_(): Tensor;
    logit_(eps?: number | null): Tensor;
    nanToNum_(nan?: number | null, posinf?: number | null, neginf?: number | null): Tensor;
    remainder_(other: TensorLike): Tensor;
    fmod_(other: TensorLike): Tensor;
    floorDivide_(other: TensorLike): Tensor;
    atan2_(other: Tensor): Tensor;
    hypot_(other: Tensor): Tensor;
    copysign_(other: TensorLike): Tensor;
    nextafter_(other: TensorLike): Tensor;
    xlogy_(other: TensorLike): Tensor;
    clampMin_(min: TensorLike): Tensor;
    clampMax_(max: TensorLike): Tensor;
    tril_(diagonal?: number): Tensor;
    triu_(diagonal?: number): Tensor;
    renorm_(p: number, dim: number, maxnorm: number): Tensor;
    cumsum_(dim: number): Tensor;
    cumprod_(dim: number): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterReduce_(
      dim: number,
      index: Tensor,
      src: Tensor,
      reduce: "sum" | "prod" | "mean" | "amax" | "amin",
      includeSelf?: boolean | { includeSelf?: boolean },
    ): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, alpha?: number | { alpha?: number }): Tensor;
    indexCopy_(dim: number, index: Tensor, source: Tensor): Tensor;
    indexFill_(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    indexPut_(
      indices: readonly (Tensor | null)[],
      values: Tensor,
      accumulate?: boolean | { accumulate?: boolean },
    ): Tensor;
    put_(index: Tensor, source: Tensor, accumulate?: boolean | { accumulate?: boolean }): Tensor;
    maskedScatter_(mask: Tensor, source: Tensor): Tensor;
  }
}

type AnyOp = (x: Tensor, ...a: never[]) => Tensor;
/** name_ writes op(this, ...args) back into this tensor (PyTorch's in-place form); existing methods are kept. */
function installInPlace(ops: Record<string, AnyOp>): void {
  for (const [name, op] of Object.entries(ops)) {
    const key = `${name}_`;
    if (Object.prototype.hasOwnProperty.call(Tensor.prototype, key)) continue;
    Object.defineProperty(Tensor.prototype, key, {
      value(this: Tensor, ...a: unknown[]) {
        return commit(this, (op as (x: Tensor, ...b: unknown[]) => Tensor)(this, ...a), key);
      },
      writable: true,
      configurable: true,
    });
  }
}
installInPlace({
  exp: U.exp,
  log: U.log,
  sqrt: U.sqrt,
  rsqrt: U.rsqrt,
  sin: U.sin,
  cos: U.cos,
  tan: U.tan,
  tanh: U.tanh,
  sigmoid: U.sigmoid,
  relu: U.relu,
  abs: U.abs,
  neg: U.neg,
  floor: U.floor,
  ceil: U.ceil,
  round: U.round,
  trunc: U.trunc,
  reciprocal: U.reciprocal,
  log1p: U.log1p,
  expm1: U.expm1,
  log2: U.log2,
  log10: U.log10,
  erf: U.erf,
  sign: U.sign,
  square: U.square,
  asin: M.asin,
  acos: M.acos,
  atan: M.atan,
  sinh: M.sinh,
  cosh: M.cosh,
  asinh: M.asinh,
  acosh: M.acosh,
  atanh: M.atanh,
  exp2: M.exp2,
  frac: M.frac,
  erfinv: M.erfinv,
  erfc: M.erfc,
  lgamma: M.lgamma,
  digamma: M.digamma,
  sgn: M.sgn,
  deg2rad: M.deg2rad,
  rad2deg: M.rad2deg,
  sinc: M.sinc,
  i0: M.i0,
  logit: M.logit,
  nanToNum: M.nanToNum,
  remainder: B.remainder,
  fmod: B.fmod,
  floorDivide: B.floorDivide,
  atan2: B.atan2,
  hypot: M.hypot,
  copysign: M.copysign,
  nextafter: M.nextafter,
  xlogy: M.xlogy,
  clampMin: M.clampMin,
  clampMax: M.clampMax,
  tril: SH.tril,
  triu: SH.triu,
  renorm: MX.renorm,
  cumsum: CU.cumsum,
  cumprod: CU.cumprod,
  scatter: I.scatter,
  scatterAdd: I.scatterAdd,
  scatterReduce: IX.scatterReduce,
  indexAdd: IX.indexAdd,
  indexCopy: IX.indexCopy,
  indexFill: IX.indexFill,
  indexPut: IX.indexPut,
  put: IX.put,
  maskedScatter: IX.maskedScatter,
});
