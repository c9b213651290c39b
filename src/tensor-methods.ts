// Tensor methods: torch's method names (camelCased), each a one-line call into src/ops/.
// Importing this module installs them on Tensor.prototype; dtype and device conversions are in
// ./tensor-methods-device.ts.
import type { DType } from "./dtype.js";
import { Tensor } from "./tensor.js";
import { formatTensor } from "./format.js";
import * as B from "./ops/binary.js";
import * as U from "./ops/unary.js";
import { isUnaryOpFn } from "./ops/unary-op.js";
import type { UnaryOp } from "./backend/backend.js";
import * as R from "./ops/reduce.js";
import * as V from "./ops/view.js";
import * as C from "./ops/cast.js";
import * as L from "./ops/linalg.js";
import * as J from "./ops/join.js";
import * as I from "./ops/indexing.js";
import * as S from "./ops/softmax.js";
import * as CL from "./ops/clamp.js";
import * as P from "./ops/inplace.js";
import * as RND from "./ops/random.js";
import type { Generator } from "./random/index.js";
import { type BackwardArgs, backward } from "./autograd/api.js";
import type { Scalar, TensorLike } from "./ops/util.js";
import { isOptions } from "./ops/util.js";
import type { Args } from "./internal/args.js";
import { ValueError } from "./errors.js";

type Sizes = (number | readonly number[])[];
// Reductions' call shapes: torch's positional parameters, then one options object.
type ReduceCall = Args<{ dim?: R.Dims; keepdim?: boolean; dtype?: DType | null }, readonly ["dim", "keepdim", "dtype"]>;
type ArgIndexCall = Args<{ dim?: number | null; keepdim?: boolean }, readonly ["dim", "keepdim"]>;
/** var/std(dim, unbiased, keepdim, { correction }), or var/std(unbiased) as torch's second overload. */
type VarCall =
  | Args<
      { dim?: R.Dims; unbiased?: boolean; keepdim?: boolean; correction?: number | null },
      readonly ["dim", "unbiased", "keepdim", "correction"]
    >
  | [unbiased: boolean];

/** x.neg(), x.exp(), …: one method per declared unary op (src/ops/unary.ts). */
type UnaryMethods = { [K in UnaryOp]: () => Tensor };

declare module "./tensor.js" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends UnaryMethods {}
  interface Tensor {
    // arithmetic
    add(other: TensorLike, alpha?: number | { alpha?: number }): Tensor;
    sub(other: TensorLike, alpha?: number | { alpha?: number }): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike, roundingMode?: "trunc" | "floor" | { roundingMode?: "trunc" | "floor" }): Tensor;
    pow(exponent: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor;
    fmod(other: TensorLike): Tensor;
    floorDivide(other: TensorLike): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    atan2(other: Tensor): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    where(condition: Tensor, other: TensorLike): Tensor;
    clamp(min?: CL.ClampBound | CL.ClampOptions, max?: CL.ClampBound | CL.ClampOptions): Tensor;
    clip(min?: CL.ClampBound | CL.ClampOptions, max?: CL.ClampBound | CL.ClampOptions): Tensor;
    softmax(dim: number | { dim: number; dtype?: DType }, dtype?: DType | { dtype?: DType }): Tensor;
    logSoftmax(dim: number | { dim: number; dtype?: DType }, dtype?: DType | { dtype?: DType }): Tensor;
    // reductions
    sum(...args: ReduceCall): Tensor;
    mean(...args: ReduceCall): Tensor;
    prod(...args: ReduceCall): Tensor;
    max(): Tensor;
    max(other: Tensor): Tensor;
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
    max(opts: { dim: number; keepdim?: boolean }): R.ValuesIndices;
    min(): Tensor;
    min(other: Tensor): Tensor;
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
    min(opts: { dim: number; keepdim?: boolean }): R.ValuesIndices;
    amax(dim?: R.Dims | { dim?: R.Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    amin(dim?: R.Dims | { dim?: R.Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    argmax(...args: ArgIndexCall): Tensor;
    argmin(...args: ArgIndexCall): Tensor;
    var(...args: VarCall): Tensor;
    std(...args: VarCall): Tensor;
    logsumexp(dim: R.Dims | { dim?: R.Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    all(dim?: R.Dims | { dim?: R.Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    any(dim?: R.Dims | { dim?: R.Dims; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    // views and shape
    view(...shape: Sizes): Tensor;
    reshape(...shape: Sizes): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    flatten(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    permute(...dims: Sizes): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    readonly T: Tensor;
    squeeze(dim?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(...sizes: Sizes): Tensor;
    expandAs(other: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    index(...specs: I.IndexSpec[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    split(splitSize: number | readonly number[], dim?: number | { dim?: number }): Tensor[];
    chunk(chunks: number, dim?: number | { dim?: number }): Tensor[];
    unbind(dim?: number | { dim?: number }): Tensor[];
    // indexing
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | Scalar, options?: I.ScatterOptions): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: Tensor | Scalar): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    // linear algebra
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    mv(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    bitwiseAnd(other: TensorLike): Tensor;
    bitwiseOr(other: TensorLike): Tensor;
    bitwiseXor(other: TensorLike): Tensor;
    countNonzero(dim?: R.Dims): Tensor;
    // in place
    add_(other: TensorLike, alpha?: number | { alpha?: number }): Tensor;
    sub_(other: TensorLike, alpha?: number | { alpha?: number }): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    pow_(other: TensorLike): Tensor;
    clamp_(min?: CL.ClampBound | CL.ClampOptions, max?: CL.ClampBound | CL.ClampOptions): Tensor;
    zero_(): Tensor;
    fill_(value: Scalar | Tensor): Tensor;
    copy_(src: Tensor): Tensor;
    maskedFill_(mask: Tensor, value: Tensor | Scalar): Tensor;
    addcmul_(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    addcdiv_(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    lerp_(end: TensorLike, weight: TensorLike): Tensor;
    uniform_(from?: number, to?: number, opts?: { generator?: Generator }): Tensor;
    normal_(mean?: number, std?: number, opts?: { generator?: Generator }): Tensor;
    bernoulli_(p?: number, opts?: { generator?: Generator }): Tensor;
    random_(low: number, high: number, opts?: { generator?: Generator }): Tensor;
    // autograd
    backward(gradient?: Tensor | null, opts?: BackwardArgs): void;
    requiresGrad_(requiresGrad?: boolean): Tensor;
    retainGrad(): void;
    toString(): string;
  }
}

const num = (v: unknown, key: string, dflt: number): number =>
  isOptions(v) ? ((v[key] as number | undefined) ?? dflt) : ((v as number | undefined) ?? dflt);

/** x.max() / x.max(other) / x.max(dim, keepdim?): the result type follows the arguments, as declared. */
function extremeMethod(f: (x: Tensor, ...a: []) => Tensor | R.ValuesIndices): Tensor["max"] {
  function m(this: Tensor): Tensor;
  function m(this: Tensor, other: Tensor): Tensor;
  function m(this: Tensor, dim: number, keepdim?: boolean): R.ValuesIndices;
  function m(this: Tensor, opts: { dim: number; keepdim?: boolean }): R.ValuesIndices;
  function m(this: Tensor, ...a: unknown[]): Tensor | R.ValuesIndices {
    return f(this, ...(a as []));
  }
  return m;
}

/** Each implementation is checked against its declared signature above. */
type MethodTable = ThisType<Tensor> & { [K in keyof Tensor]?: Tensor[K] };
const methods = {
  add(o: TensorLike, a?: unknown) {
    return B.add(this, o, num(a, "alpha", 1));
  },
  sub(o: TensorLike, a?: unknown) {
    return B.sub(this, o, num(a, "alpha", 1));
  },
  mul(o: TensorLike) {
    return B.mul(this, o);
  },
  div(o: TensorLike, m?: unknown) {
    return B.div(
      this,
      o,
      isOptions(m) ? (m.roundingMode as "trunc" | "floor" | undefined) : (m as "trunc" | "floor" | undefined),
    );
  },
  pow(o: TensorLike) {
    return B.pow(this, o);
  },
  remainder(o: TensorLike) {
    return B.remainder(this, o);
  },
  fmod(o: TensorLike) {
    return B.fmod(this, o);
  },
  floorDivide(o: TensorLike) {
    return B.floorDivide(this, o);
  },
  maximum(o: Tensor) {
    return B.maximum(this, o);
  },
  minimum(o: Tensor) {
    return B.minimum(this, o);
  },
  atan2(o: Tensor) {
    return B.atan2(this, o);
  },
  eq(o: TensorLike) {
    return B.eq(this, o);
  },
  ne(o: TensorLike) {
    return B.ne(this, o);
  },
  lt(o: TensorLike) {
    return B.lt(this, o);
  },
  le(o: TensorLike) {
    return B.le(this, o);
  },
  gt(o: TensorLike) {
    return B.gt(this, o);
  },
  ge(o: TensorLike) {
    return B.ge(this, o);
  },
  logicalAnd(o: TensorLike) {
    return B.logicalAnd(this, o);
  },
  logicalOr(o: TensorLike) {
    return B.logicalOr(this, o);
  },
  logicalXor(o: TensorLike) {
    return B.logicalXor(this, o);
  },
  where(c: Tensor, o: TensorLike) {
    return B.where(c, this, o);
  },
  clamp(...a: unknown[]) {
    return CL.clamp(this, ...(a as []));
  },
  clip(...a: unknown[]) {
    return CL.clamp(this, ...(a as []));
  },
  softmax(...a: unknown[]) {
    return S.softmax(this, ...(a as [number]));
  },
  logSoftmax(...a: unknown[]) {
    return S.logSoftmax(this, ...(a as [number]));
  },
  sum(...a: unknown[]) {
    return R.sum(this, ...a);
  },
  mean(...a: unknown[]) {
    return R.mean(this, ...a);
  },
  prod(...a: unknown[]) {
    return R.prod(this, ...a);
  },
  max: extremeMethod(R.max),
  min: extremeMethod(R.min),
  amax(...a: unknown[]) {
    return R.amax(this, ...a);
  },
  amin(...a: unknown[]) {
    return R.amin(this, ...a);
  },
  argmax(...a: unknown[]) {
    return R.argmax(this, ...a);
  },
  argmin(...a: unknown[]) {
    return R.argmin(this, ...a);
  },
  var(...a: unknown[]) {
    return R.variance(this, ...a);
  },
  std(...a: unknown[]) {
    return R.std(this, ...a);
  },
  logsumexp(...a: unknown[]) {
    return R.logsumexp(this, ...a);
  },
  all(...a: unknown[]) {
    return R.all(this, ...a);
  },
  any(...a: unknown[]) {
    return R.any(this, ...a);
  },
  view(...s: Sizes) {
    return V.view(this, ...s);
  },
  reshape(...s: Sizes) {
    return V.reshape(this, ...s);
  },
  viewAs(o: Tensor) {
    return V.view(this, o.shape);
  },
  reshapeAs(o: Tensor) {
    return V.reshape(this, o.shape);
  },
  flatten(s?: number | { startDim?: number; endDim?: number }, e?: number) {
    return V.flatten(this, s, e);
  },
  unflatten(d: number, s: readonly number[]) {
    return V.unflatten(this, d, s);
  },
  permute(...d: Sizes) {
    return V.permute(this, ...d);
  },
  transpose(a: number, b: number) {
    return V.transpose(this, a, b);
  },
  t() {
    return V.t(this);
  },
  squeeze(d?: number | readonly number[] | { dim?: number | readonly number[] }) {
    return V.squeeze(this, d);
  },
  unsqueeze(d: number) {
    return V.unsqueeze(this, d);
  },
  expand(...s: Sizes) {
    return V.expand(this, ...s);
  },
  expandAs(o: Tensor) {
    return V.expandAs(this, o);
  },
  narrow(d: number, s: number, l: number) {
    return V.narrow(this, d, s, l);
  },
  select(d: number, i: number) {
    return V.select(this, d, i);
  },
  slice(d: number, s?: number, e?: number, st?: number) {
    return V.slice(this, d, s, e, st);
  },
  index(...specs: I.IndexSpec[]) {
    return I.index(this, ...specs);
  },
  contiguous() {
    return C.contiguous(this);
  },
  clone() {
    return C.clone(this);
  },
  detach() {
    return V.detach(this);
  },
  split(s: number | readonly number[], d?: number | { dim?: number }) {
    return J.split(this, s, d);
  },
  chunk(c: number, d?: number | { dim?: number }) {
    return J.chunk(this, c, d);
  },
  unbind(d?: number | { dim?: number }) {
    return J.unbind(this, d);
  },
  gather(d: number, i: Tensor) {
    return I.gather(this, d, i);
  },
  scatter(d: number, i: Tensor, s: Tensor | Scalar, o?: I.ScatterOptions) {
    return I.scatter(this, d, i, s, o);
  },
  scatterAdd(d: number, i: Tensor, s: Tensor) {
    return I.scatterAdd(this, d, i, s);
  },
  indexSelect(d: number, i: Tensor) {
    return I.indexSelect(this, d, i);
  },
  maskedFill(m: Tensor, v: Tensor | Scalar) {
    return I.maskedFill(this, m, v);
  },
  maskedSelect(m: Tensor) {
    return I.maskedSelect(this, m);
  },
  matmul(o: Tensor) {
    return L.matmul(this, o);
  },
  mm(o: Tensor) {
    return L.mm(this, o);
  },
  bmm(o: Tensor) {
    return L.bmm(this, o);
  },
  dot(o: Tensor) {
    return L.dot(this, o);
  },
  mv(o: Tensor) {
    return L.mv(this, o);
  },
  outer(o: Tensor) {
    return L.outer(this, o);
  },
  bitwiseAnd(o: TensorLike) {
    return B.bitwiseAnd(this, o);
  },
  bitwiseOr(o: TensorLike) {
    return B.bitwiseOr(this, o);
  },
  bitwiseXor(o: TensorLike) {
    return B.bitwiseXor(this, o);
  },
  countNonzero(d?: R.Dims) {
    return R.countNonzero(this, d);
  },
  add_(o: TensorLike, a?: unknown) {
    return P.add_(this, o, num(a, "alpha", 1));
  },
  sub_(o: TensorLike, a?: unknown) {
    return P.sub_(this, o, num(a, "alpha", 1));
  },
  mul_(o: TensorLike) {
    return P.mul_(this, o);
  },
  div_(o: TensorLike) {
    return P.div_(this, o);
  },
  pow_(o: TensorLike) {
    return P.pow_(this, o);
  },
  clamp_(...a: unknown[]) {
    return P.clamp_(this, ...(a as []));
  },
  zero_() {
    return P.zero_(this);
  },
  fill_(v: Scalar | Tensor) {
    return P.fill_(this, v);
  },
  copy_(s: Tensor) {
    return P.copy_(this, s);
  },
  maskedFill_(m: Tensor, v: Tensor | Scalar) {
    return P.maskedFill_(this, m, v);
  },
  addcmul_(a: TensorLike, b: TensorLike, v?: unknown) {
    return P.addcmul_(this, a, b, num(v, "value", 1));
  },
  addcdiv_(a: TensorLike, b: TensorLike, v?: unknown) {
    return P.addcdiv_(this, a, b, num(v, "value", 1));
  },
  lerp_(e: TensorLike, w: TensorLike) {
    return P.lerp_(this, e, w);
  },
  uniform_(a?: number, b?: number, o?: { generator?: Generator }) {
    return RND.uniform_(this, a, b, o);
  },
  normal_(m?: number, sd?: number, o?: { generator?: Generator }) {
    return RND.normal_(this, m, sd, o);
  },
  bernoulli_(p?: number, o?: { generator?: Generator }) {
    return RND.bernoulli_(this, p, o);
  },
  random_(lo: number, hi: number, o?: { generator?: Generator }) {
    return RND.random_(this, lo, hi, o);
  },
  backward(g?: Tensor | null, o?: BackwardArgs) {
    backward(this, g, o);
  },
  requiresGrad_(flag = true) {
    if (!this.isLeaf && !flag)
      throw new ValueError("requiresGrad_: you can only change requires_grad flags of leaf variables.");
    if (flag && this.dtype !== "float32" && this.dtype !== "float64")
      throw new ValueError(
        `requiresGrad_: only Tensors of floating point dtype can require gradients (got ${this.dtype})`,
      );
    this.requiresGrad = flag;
    return this;
  },
  retainGrad() {
    if (this.isLeaf) return;
    const node = this.gradFn as NonNullable<Tensor["gradFn"]>;
    (node.retained ??= new Map()).set(this.outputNr, this);
    this.retainsGrad = true;
  },
  toString() {
    return formatTensor(this);
  },
} satisfies MethodTable;

const unaryMethods = {} as ThisType<Tensor> & UnaryMethods;
for (const fn of Object.values(U)) {
  if (isUnaryOpFn(fn))
    unaryMethods[fn.opName as UnaryOp] = function (this: Tensor) {
      return fn(this);
    };
}
Object.assign(Tensor.prototype, unaryMethods);

Object.assign(Tensor.prototype, methods);
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return V.permute(this, [...this.shape.keys()].reverse());
  },
});
// Node's console.log shows tensors as PyTorch prints them.
Object.defineProperty(Tensor.prototype, Symbol.for("nodejs.util.inspect.custom"), {
  value(this: Tensor) {
    return formatTensor(this);
  },
});
