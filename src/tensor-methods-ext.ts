// Tensor methods of issue 12's op surface, installed on Tensor.prototype next to those of
// tensor-methods.ts: each calls the torch function of the same name with the tensor first.
import { Tensor } from "./tensor.js";
import type { TensorLike } from "./ops/util.js";
import * as M from "./ops/math-ext.js";
import * as SH from "./ops/shape-ext.js";
import { transpose } from "./ops/view.js";
import * as SO from "./ops/sort.js";
import * as CU from "./ops/cumulative.js";
import * as RX from "./ops/reduce-ext.js";
import type { DType } from "./dtype.js";
import * as LT from "./ops/linalg/torch-level.js";
import * as IX from "./ops/index-ext.js";
import * as MX from "./ops/misc-ext.js";
import { multinomial } from "./ops/multinomial.js";
import * as FT from "./ops/fft/index.js";
import type { Generator } from "./random/index.js";
import * as U from "./ops/unary.js";
import { type RoundOptions, round as roundWithDecimals } from "./ops/round.js";
import * as I from "./ops/indexing.js";
import { type GradHook, type RemovableHandle, registerHook } from "./autograd/tensor-hooks.js";
import type { CreateOptions, NestedData } from "./ops/creation.js";

declare module "./tensor.js" {
  interface Tensor {
    round(options?: RoundOptions): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    arcsin(): Tensor;
    arccos(): Tensor;
    arctan(): Tensor;
    arcsinh(): Tensor;
    arccosh(): Tensor;
    arctanh(): Tensor;
    exp2(): Tensor;
    sinc(): Tensor;
    deg2rad(): Tensor;
    rad2deg(): Tensor;
    lgamma(): Tensor;
    digamma(): Tensor;
    erfc(): Tensor;
    erfinv(): Tensor;
    i0(): Tensor;
    frac(): Tensor;
    signbit(): Tensor;
    sgn(): Tensor;
    positive(): Tensor;
    isposinf(): Tensor;
    isneginf(): Tensor;
    isreal(): Tensor;
    angle(): Tensor;
    conj(): Tensor;
    resolveConj(): Tensor;
    resolveNeg(): Tensor;
    conjPhysical(): Tensor;
    polygamma(n: number): Tensor;
    mvlgamma(p: number | { p: number }): Tensor;
    logit(eps?: number | null | { eps?: number | null }): Tensor;
    logaddexp(other: Tensor): Tensor;
    logaddexp2(other: Tensor): Tensor;
    hypot(other: Tensor): Tensor;
    xlogy(other: TensorLike): Tensor;
    fmax(other: Tensor): Tensor;
    fmin(other: Tensor): Tensor;
    clampMin(min: TensorLike): Tensor;
    clampMax(max: TensorLike): Tensor;
    copysign(other: TensorLike): Tensor;
    nextafter(other: TensorLike): Tensor;
    heaviside(values: TensorLike): Tensor;
    nanToNum(nan?: number | null | M.NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
    ldexp(other: Tensor): Tensor;
    floatPower(exponent: TensorLike): Tensor;
    trueDivide(other: TensorLike): Tensor;
    gcd(other: Tensor): Tensor;
    lcm(other: Tensor): Tensor;
    bitwiseLeftShift(other: TensorLike): Tensor;
    bitwiseRightShift(other: TensorLike): Tensor;
    lerp(end: TensorLike, weight: TensorLike): Tensor;
    addcmul(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    addcdiv(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    isclose(other: Tensor, rtol?: number | M.CloseOptions, atol?: number, equalNan?: boolean): Tensor;
    allclose(other: Tensor, rtol?: number | M.CloseOptions, atol?: number, equalNan?: boolean): boolean;
    equal(other: Tensor): boolean;
    // shape
    flip(...dims: (number | readonly number[])[]): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    rot90(k?: number, dims?: readonly number[]): Tensor;
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    tile(...dims: (number | readonly number[])[]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor;
    diag(diagonal?: number): Tensor;
    diagflat(offset?: number): Tensor;
    trace(): Tensor;
    kron(other: Tensor): Tensor;
    repeatInterleave(
      repeats: number | Tensor,
      dim?: number | null | SH.RepeatInterleaveOptions,
      opts?: SH.RepeatInterleaveOptions,
    ): Tensor;
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    ravel(): Tensor;
    narrowCopy(dim: number, start: number, length: number): Tensor;
    swapaxes(a: number, b: number): Tensor;
    swapdims(a: number, b: number): Tensor;
    take(index: Tensor): Tensor;
    takeAlongDim(indices: Tensor, dim?: number | null): Tensor;
    unfold(dimension: number, size: number, step: number): Tensor;
    diff(n?: number | SH.DiffOptions, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor;
    selectScatter(src: Tensor, dim: number, index: number): Tensor;
    sliceScatter(src: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number): Tensor;
    diagonalScatter(src: Tensor, offset?: number, dim1?: number, dim2?: number): Tensor;
    sumToSize(...size: (number | readonly number[])[]): Tensor;
    tensorSplit(sections: number | readonly number[] | Tensor, dim?: number): Tensor[];
    hsplit(sections: number | readonly number[]): Tensor[];
    vsplit(sections: number | readonly number[]): Tensor[];
    dsplit(sections: number | readonly number[]): Tensor[];
    splitWithSizes(sizes: readonly number[], dim?: number): Tensor[];
    broadcastTo(shape: readonly number[]): Tensor;
    // sorting, scans, reductions
    sort(
      dim?: number | { dim?: number; descending?: boolean; stable?: boolean },
      descending?: boolean,
    ): SO.ValuesIndices;
    argsort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor;
    msort(): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): SO.ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): SO.ValuesIndices;
    median(): Tensor;
    median(dim: number, keepdim?: boolean): SO.ValuesIndices;
    nanmedian(): Tensor;
    nanmedian(dim: number, keepdim?: boolean): SO.ValuesIndices;
    mode(dim?: number, keepdim?: boolean): SO.ValuesIndices;
    unique(...args: unknown[]): Tensor | Tensor[];
    uniqueConsecutive(...args: unknown[]): Tensor | Tensor[];
    quantile(q: Tensor | number, dim?: number | null, keepdim?: boolean): Tensor;
    nanquantile(q: Tensor | number, dim?: number | null, keepdim?: boolean): Tensor;
    cumsum(dim: number | { dim: number; dtype?: DType }, dtype?: DType | null): Tensor;
    cumprod(dim: number | { dim: number; dtype?: DType }, dtype?: DType | null): Tensor;
    cummax(dim: number): SO.ValuesIndices;
    cummin(dim: number): SO.ValuesIndices;
    logcumsumexp(dim: number): Tensor;
    nansum(...args: unknown[]): Tensor;
    nanmean(...args: unknown[]): Tensor;
    aminmax(opts?: { dim?: number | null; keepdim?: boolean }): [Tensor, Tensor];
    norm(
      p?: number | "fro" | "nuc" | null,
      dim?: number | readonly number[] | null,
      keepdim?: boolean,
      dtype?: DType,
    ): Tensor;
    dist(other: Tensor, p?: number): Tensor;
    histc(bins?: number, min?: number, max?: number): Tensor;
    bincount(weights?: Tensor | null, minlength?: number): Tensor;
    histogram(
      bins?: number | Tensor,
      opts?: { range?: [number, number] | null; weight?: Tensor | null; density?: boolean },
    ): [Tensor, Tensor];
    // linear algebra
    addmm(m1: Tensor, m2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    addmv(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    addbmm(b1: Tensor, b2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    baddbmm(b1: Tensor, b2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    addr(v1: Tensor, v2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    vdot(other: Tensor): Tensor;
    inner(other: Tensor): Tensor;
    det(): Tensor;
    logdet(): Tensor;
    slogdet(): [Tensor, Tensor];
    inverse(): Tensor;
    cholesky(upper?: boolean): Tensor;
    choleskySolve(L: Tensor, upper?: boolean): Tensor;
    choleskyInverse(upper?: boolean): Tensor;
    pinverse(rcond?: number): Tensor;
    matrixPower(n: number): Tensor;
    matrixExp(): Tensor;
    triangularSolve(A: Tensor, upper?: boolean, transpose?: boolean, unitriangular?: boolean): [Tensor, Tensor];
    lu(pivot?: boolean, getInfos?: boolean): Tensor[];
    luSolve(LU: Tensor, pivots: Tensor): Tensor;
    qr(some?: boolean): [Tensor, Tensor];
    geqrf(): [Tensor, Tensor];
    symeig(eigenvectors?: boolean, upper?: boolean): [Tensor, Tensor];
    ormqr(tau: Tensor, other: Tensor, left?: boolean, transpose?: boolean): Tensor;
    cross(other: Tensor, dim?: number | null): Tensor;
    // indexed updates
    indexFill(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number | { alpha?: number }): Tensor;
    indexReduce(
      dim: number,
      index: Tensor,
      source: Tensor,
      reduce: "prod" | "mean" | "amax" | "amin",
      includeSelf?: boolean | { includeSelf?: boolean },
    ): Tensor;
    scatterReduce(
      dim: number,
      index: Tensor,
      src: Tensor,
      reduce: "sum" | "prod" | "mean" | "amax" | "amin",
      includeSelf?: boolean | { includeSelf?: boolean },
    ): Tensor;
    indexPut(
      indices: readonly (Tensor | null)[],
      values: Tensor,
      accumulate?: boolean | { accumulate?: boolean },
    ): Tensor;
    put(index: Tensor, source: Tensor, accumulate?: boolean | { accumulate?: boolean }): Tensor;
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    argwhere(): Tensor;
    isin(test: Tensor | number): Tensor;
    frexp(): [Tensor, Tensor];
    renorm(p: number, dim: number, maxnorm: number): Tensor;
    /** A differentiable copy of the (size, stride, offset) view of this tensor's contiguous layout (torch.asStrided is the raw storage view). */
    asStrided(
      size: readonly number[],
      stride: readonly number[],
      storageOffset?: number | { storageOffset?: number },
    ): Tensor;
    cov(opts?: { correction?: number; fweights?: Tensor | null; aweights?: Tensor | null }): Tensor;
    corrcoef(): Tensor;
    igamma(other: Tensor): Tensor;
    igammac(other: Tensor): Tensor;
    newZeros(...size: (number | readonly number[] | CreateOptions)[]): Tensor;
    newOnes(...size: (number | readonly number[] | CreateOptions)[]): Tensor;
    newEmpty(...size: (number | readonly number[] | CreateOptions)[]): Tensor;
    newFull(size: readonly number[], value: number | boolean, opts?: CreateOptions): Tensor;
    newEmptyStrided(size: readonly number[], stride: readonly number[], opts?: CreateOptions): Tensor;
    newTensor(data: NestedData, opts?: CreateOptions): Tensor;
    /** Calls hook with this tensor's gradient whenever it is computed; a returned tensor replaces it. */
    registerHook(hook: GradHook): RemovableHandle;
    stft(nFft: number | FT.StftOptions, opts?: FT.StftOptions): Tensor;
    istft(nFft: number | FT.IstftOptions, opts?: FT.IstftOptions): Tensor;
    /** Gives the tensor a new shape in place (storage grows with zeros when needed). */
    resize_(...sizes: (number | readonly number[])[]): Tensor;
    resizeAs_(other: Tensor): Tensor;
    nonzero(opts?: { asTuple?: false }): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    /** clamp with tensor bounds (broadcast), as torch.clamp(x, minTensor, maxTensor). */
    clamp(min: Tensor | number | null, max?: Tensor | number | null): Tensor;
    multinomial(
      numSamples: number,
      replacement?: boolean | { replacement?: boolean; generator?: Generator },
      opts?: { generator?: Generator },
    ): Tensor;
    /** The transpose of the last two dims (a batch of matrices). */
    readonly mT: Tensor;
    /** Conjugate transpose (the transpose, for real tensors). */
    readonly H: Tensor;
    readonly mH: Tensor;
  }
}

type Fn = (...a: never[]) => unknown;
/** Methods that are the function of the same name with the tensor as first argument. */
const SAME: Record<string, Fn> = {
  asin: M.asin,
  acos: M.acos,
  atan: M.atan,
  sinh: M.sinh,
  cosh: M.cosh,
  asinh: M.asinh,
  acosh: M.acosh,
  atanh: M.atanh,
  arcsin: M.asin,
  arccos: M.acos,
  arctan: M.atan,
  arcsinh: M.asinh,
  arccosh: M.acosh,
  arctanh: M.atanh,
  exp2: M.exp2,
  sinc: M.sinc,
  deg2rad: M.deg2rad,
  rad2deg: M.rad2deg,
  lgamma: M.lgamma,
  digamma: M.digamma,
  erfc: M.erfc,
  erfinv: M.erfinv,
  i0: M.i0,
  frac: M.frac,
  signbit: M.signbit,
  sgn: M.sgn,
  positive: M.positive,
  isposinf: M.isposinf,
  isneginf: M.isneginf,
  isreal: M.isreal,
  angle: M.angle,
  conj: M.conj,
  resolveConj: M.resolveConj,
  resolveNeg: M.resolveNeg,
  conjPhysical: M.conjPhysical,
  mvlgamma: M.mvlgamma,
  logit: M.logit,
  logaddexp: M.logaddexp,
  logaddexp2: M.logaddexp2,
  hypot: M.hypot,
  xlogy: M.xlogy,
  fmax: M.fmax,
  fmin: M.fmin,
  clampMin: M.clampMin,
  clampMax: M.clampMax,
  copysign: M.copysign,
  nextafter: M.nextafter,
  heaviside: M.heaviside,
  nanToNum: M.nanToNum,
  ldexp: M.ldexp,
  floatPower: M.floatPower,
  trueDivide: M.trueDivide,
  gcd: M.gcd,
  lcm: M.lcm,
  bitwiseLeftShift: M.bitwiseLeftShift,
  bitwiseRightShift: M.bitwiseRightShift,
  lerp: M.lerp,
  addcmul: M.addcmul,
  addcdiv: M.addcdiv,
  isclose: M.isclose,
  allclose: M.allclose,
  equal: M.equal,
};

/** Installs `fns` as methods taking the tensor as their first argument. */
export function installSame(fns: Record<string, Fn>): void {
  for (const [name, f] of Object.entries(fns)) {
    Object.defineProperty(Tensor.prototype, name, {
      value(this: Tensor, ...a: unknown[]) {
        return (f as (...b: unknown[]) => unknown)(this, ...a);
      },
      writable: true,
      configurable: true,
    });
  }
}
installSame(SAME);
installSame({
  flip: SH.flip,
  fliplr: SH.fliplr,
  flipud: SH.flipud,
  roll: SH.roll,
  rot90: SH.rot90,
  repeat: SH.repeat,
  tile: SH.tile,
  tril: SH.tril,
  triu: SH.triu,
  diagonal: SH.diagonal,
  diagEmbed: SH.diagEmbed,
  diag: SH.diag,
  diagflat: SH.diagflat,
  trace: SH.trace,
  kron: SH.kron,
  repeatInterleave: SH.repeatInterleave,
  movedim: SH.movedim,
  moveaxis: SH.movedim,
  ravel: SH.ravel,
  narrowCopy: SH.narrowCopy,
  swapaxes: SH.swapaxes,
  swapdims: SH.swapaxes,
  take: SH.take,
  takeAlongDim: SH.takeAlongDim,
  unfold: SH.unfold,
  diff: SH.diff,
  selectScatter: SH.selectScatter,
  sliceScatter: SH.sliceScatter,
  diagonalScatter: SH.diagonalScatter,
  sumToSize: SH.sumToSize,
  tensorSplit: SH.tensorSplit,
  hsplit: SH.hsplit,
  vsplit: SH.vsplit,
  dsplit: SH.dsplit,
  splitWithSizes: SH.splitWithSizes,
  broadcastTo: SH.broadcastTo,
});
installSame({
  sort: SO.sort,
  argsort: SO.argsort,
  msort: SO.msort,
  topk: SO.topk,
  kthvalue: SO.kthvalue,
  median: SO.median,
  nanmedian: SO.nanmedian,
  mode: SO.mode,
  unique: SO.unique,
  uniqueConsecutive: SO.uniqueConsecutive,
  quantile: SO.quantile,
  nanquantile: SO.nanquantile,
  cumsum: CU.cumsum,
  cumprod: CU.cumprod,
  cummax: CU.cummax,
  cummin: CU.cummin,
  logcumsumexp: CU.logcumsumexp,
  nansum: RX.nansum,
  nanmean: RX.nanmean,
  aminmax: RX.aminmax,
  norm: RX.norm,
  dist: RX.dist,
  histc: RX.histc,
  bincount: RX.bincount,
  histogram: RX.histogram,
});
installSame({
  addmm: LT.addmm,
  addmv: LT.addmv,
  addbmm: LT.addbmm,
  baddbmm: LT.baddbmm,
  addr: LT.addr,
  vdot: LT.vdot,
  inner: LT.inner,
  det: LT.det,
  logdet: LT.logdet,
  slogdet: LT.slogdet,
  inverse: LT.inverse,
  cholesky: LT.cholesky,
  choleskySolve: LT.choleskySolve,
  choleskyInverse: LT.choleskyInverse,
  pinverse: LT.pinverse,
  matrixPower: LT.matrixPower,
  matrixExp: LT.matrixExp,
  triangularSolve: LT.triangularSolve,
  geqrf: LT.geqrf,
  ormqr: LT.ormqr,
  symeig: LT.symeig,
  lu: LT.lu,
  luSolve: LT.luSolve,
  qr: LT.qr,
  cross: LT.cross,
});
installSame({
  indexFill: IX.indexFill,
  indexCopy: IX.indexCopy,
  indexAdd: IX.indexAdd,
  indexReduce: IX.indexReduce,
  scatterReduce: IX.scatterReduce,
  indexPut: IX.indexPut,
  put: IX.put,
  maskedScatter: IX.maskedScatter,
  argwhere: IX.argwhere,
  isin: IX.isin,
  frexp: IX.frexp,
  renorm: MX.renorm,
  asStrided: MX.asStrided,
  cov: RX.cov,
  corrcoef: RX.corrcoef,
  igamma: MX.igamma,
  igammac: MX.igammac,
  newZeros: MX.newZeros,
  newOnes: MX.newOnes,
  newEmpty: MX.newEmpty,
  newFull: MX.newFull,
  newEmptyStrided: MX.newEmptyStrided,
  newTensor: MX.newTensor,
  registerHook,
  multinomial,
  stft: FT.stft,
  istft: FT.istft,
  resize_: MX.resize_,
  resizeAs_: MX.resizeAs_,
  nonzero: (x: Tensor, o?: { asTuple?: boolean }) => I.nonzero(x, o),
});

const mT = (x: Tensor): Tensor => transpose(x, -2, -1);
Object.defineProperty(Tensor.prototype, "mT", {
  get(this: Tensor) {
    return mT(this);
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "mH", {
  get(this: Tensor) {
    return mT(this);
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "H", {
  get(this: Tensor) {
    return this.T;
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "round", {
  value(this: Tensor, options?: RoundOptions) {
    return options === undefined ? U.round(this) : roundWithDecimals(this, options);
  },
  writable: true,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "polygamma", {
  value(this: Tensor, n: number) {
    return M.polygamma(n, this);
  },
  writable: true,
  configurable: true,
});
