// The rest of issue 12's tensor ops: new* factories, renorm, polar, asStrided (differentiable),
// constantPadNd, gradient, igamma/igammac, normal with tensor moments.
import { type DType, arrayFor, isFloating } from "../dtype.js";
import { CpuStorage, type Tensor } from "../tensor.js";
import { contiguousStrides } from "../shape.js";
import { ValueError } from "../errors.js";
import { isOptions, isTensor } from "./util.js";
import { add, div, gt, mul, sub, where } from "./binary.js";
import { cos, rsqrt, sin } from "./unary.js";
import { mean } from "./reduce.js";
import { batchNorm } from "./normalization.js";
import { full, tensor, zeros, type CreateOptions, type NestedData } from "./creation.js";
import { reshape, narrow, asStrided as viewAsStrided } from "./view.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { cat } from "./join.js";
import { gather, scatter } from "./indexing.js";
import { toDType, contiguous } from "./cast.js";
import { pad } from "./pad.js";
import { normal_ } from "./random.js";
import { vectorNorm } from "./reduce-ext.js";
import { fromParts } from "./fft/complex.js";
import { mapBinary, promoted, floatOf } from "./pointwise-map.js";
import { lgamma } from "./special/scalar.js";
import { sizesArg } from "../shape.js";
import { record } from "../autograd/record.js";
import { sumToShape as sumTo } from "./broadcast.js";

type Sizes = (number | readonly number[] | CreateOptions)[];
function sizeAndOpts(x: Tensor, args: Sizes): [number[], CreateOptions] {
  const last = args[args.length - 1];
  const opts = isOptions(last) ? (last as CreateOptions) : {};
  const sizes = sizesArg((isOptions(last) ? args.slice(0, -1) : args) as (number | readonly number[])[]);
  return [sizes, { dtype: x.dtype, ...opts }];
}
export const newZeros = (x: Tensor, ...a: Sizes): Tensor => {
  const [s, o] = sizeAndOpts(x, a);
  return full(s, 0, o);
};
export const newOnes = (x: Tensor, ...a: Sizes): Tensor => {
  const [s, o] = sizeAndOpts(x, a);
  return full(s, 1, o);
};
export const newEmpty = newZeros;
export function newFull(x: Tensor, size: readonly number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  return full(size, value, { dtype: x.dtype, ...opts });
}
export const newEmptyStrided = (
  x: Tensor,
  size: readonly number[],
  _stride: readonly number[],
  opts: CreateOptions = {},
): Tensor => full(size, 0, { dtype: x.dtype, ...opts });
export const newTensor = (x: Tensor, data: NestedData, opts: CreateOptions = {}): Tensor =>
  tensor(data, { dtype: x.dtype, ...opts });

/** Sub-tensors along dim whose p-norm exceeds maxnorm are scaled down to maxnorm. */
export function renorm(x: Tensor, p: number, dim: number, maxnorm: number): Tensor {
  const d = dim < 0 ? dim + x.dim() : dim;
  const others = x.shape.map((_, i) => i).filter((i) => i !== d);
  const norms = vectorNorm(x, p, others, true);
  const factor = where(gt(norms, maxnorm), div(maxnorm, add(norms, 1e-7)), 1);
  return mul(x, factor);
}

/** torch.polar(abs, angle): the complex abs * (cos angle + i sin angle) (see fft/complex.ts). */
export const polar = (abs: Tensor, angle: Tensor): Tensor => fromParts(mul(abs, cos(angle)), mul(abs, sin(angle)));

/** Linear positions in x's contiguous layout of a (size, stride, offset) view. */
function stridedPositions(size: readonly number[], stride: readonly number[], offset: number): number[] {
  const out: number[] = [];
  const walk = (k: number, base: number): void => {
    if (k === size.length) {
      out.push(base);
      return;
    }
    for (let i = 0; i < size[k]; i++) walk(k + 1, base + i * stride[k]);
  };
  walk(0, offset);
  return out;
}
/**
 * torch.as_strided: a view of x's storage (checked against it, as PyTorch's setStorage); when x
 * needs a gradient, a differentiable gather over x's contiguous layout instead (a copy).
 */
export function asStrided(
  x: Tensor,
  size: readonly number[],
  stride: readonly number[],
  storageOffset: number | { storageOffset?: number } = 0,
): Tensor {
  if (!(x.requiresGrad && isGradEnabled())) return viewAsStrided(x, size, stride, storageOffset);
  return asStridedCopy(x, size, stride, storageOffset);
}

/** as_strided on the contiguous layout of x, as a differentiable gather (a copy, not a view). */
export function asStridedCopy(
  x: Tensor,
  size: readonly number[],
  stride: readonly number[],
  storageOffset: number | { storageOffset?: number } = 0,
): Tensor {
  const off = typeof storageOffset === "object" ? (storageOffset.storageOffset ?? 0) : storageOffset;
  const pos = stridedPositions(size, stride, off);
  const flat = reshape(contiguous(x), [-1]);
  if (pos.some((p) => p >= flat.numel() || p < 0))
    throw new ValueError(
      `as_strided: the view of size [${size.join(", ")}] and stride [${stride.join(", ")}] goes outside the storage of ${flat.numel()} elements`,
    );
  return reshape(gather(flat, 0, tensor(pos, { dtype: "int64" })), [...size]);
}
export function asStridedScatter(
  x: Tensor,
  src: Tensor,
  size: readonly number[],
  stride: readonly number[],
  storageOffset: number | { storageOffset?: number } = 0,
): Tensor {
  const off = typeof storageOffset === "object" ? (storageOffset.storageOffset ?? 0) : storageOffset;
  const pos = stridedPositions(size, stride, off);
  const out = scatter(reshape(contiguous(x), [-1]), 0, tensor(pos, { dtype: "int64" }), reshape(src, [-1]));
  return reshape(out, x.shape);
}
export const constantPadNd = (x: Tensor, padding: readonly number[], value: number | { value?: number } = 0): Tensor =>
  pad(x, padding, "constant", typeof value === "object" ? (value.value ?? 0) : value);

interface GradientOptions {
  spacing?: number | readonly number[] | null;
  dim?: number | readonly number[] | null;
  edgeOrder?: number;
}
/** numpy-style gradient: central differences inside, one-sided (order 1 or 2) at the edges; one tensor per dim. */
export function gradient(y: Tensor, opts: GradientOptions = {}): Tensor[] {
  const dims =
    opts.dim === undefined || opts.dim === null
      ? y.shape.map((_, i) => i)
      : typeof opts.dim === "number"
        ? [opts.dim]
        : [...opts.dim];
  const sp = opts.spacing ?? 1;
  const order = opts.edgeOrder ?? 1;
  const yy = isFloating(y.dtype) ? y : toDType(y, "float32");
  return dims.map((dim, k) => {
    const d = dim < 0 ? dim + y.dim() : dim;
    const h = typeof sp === "number" ? sp : (sp[k] as number);
    const n = yy.shape[d];
    if (n < order + 1)
      throw new ValueError(`torch.gradient expected each dimension size to be at least edge_order+1, got ${n}`);
    const s = (i: number, len: number): Tensor => narrow(yy, d, i, len);
    const inner = div(sub(s(2, n - 2), s(0, n - 2)), 2 * h);
    const first =
      order === 1
        ? div(sub(s(1, 1), s(0, 1)), h)
        : div(add(add(mul(s(0, 1), -1.5), mul(s(1, 1), 2)), mul(s(2, 1), -0.5)), h);
    const last =
      order === 1
        ? div(sub(s(n - 1, 1), s(n - 2, 1)), h)
        : div(add(add(mul(s(n - 1, 1), 1.5), mul(s(n - 2, 1), -2)), mul(s(n - 3, 1), 0.5)), h);
    return cat([first, inner, last], d);
  });
}

/** Regularized lower incomplete gamma P(a, x) (series below a + 1, continued fraction above). */
function igammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return NaN;
  if (a === 0) return x > 0 ? 1 : NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  if (a === Infinity) return 0;
  const lg = lgamma(a);
  if (x < a + 1) {
    let sum = 1 / a,
      term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  return 1 - igammaQcf(a, x, lg);
}
function igammaQcf(a: number, x: number, lg: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a,
    c = 1 / tiny,
    d = 1 / b,
    h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}
function igammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return NaN;
  if (a === 0) return x > 0 ? 0 : NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (a === Infinity) return 1;
  if (x < a + 1) return 1 - igammaP(a, x);
  return igammaQcf(a, x, lgamma(a));
}
export function igamma(a: Tensor, x: Tensor): Tensor {
  const { ta, tb, dtype } = promoted(a, x);
  return mapBinary(ta, tb, floatOf(dtype), igammaP, "igamma");
}
export function igammac(a: Tensor, x: Tensor): Tensor {
  const { ta, tb, dtype } = promoted(a, x);
  return mapBinary(ta, tb, floatOf(dtype), igammaQ, "igammac");
}

/** torch.normal(mean, std): standard normal draws (PyTorch's stream) scaled by std and shifted by mean. */
export function normal(mean: Tensor | number, std: Tensor | number, ...rest: unknown[]): Tensor {
  const last = rest[rest.length - 1];
  const o = (isOptions(last) ? last : {}) as { generator?: never; size?: readonly number[]; dtype?: DType };
  const shapeOf = (v: Tensor | number): number[] => (isTensor(v) ? [...v.shape] : []);
  const sa = shapeOf(mean),
    sb = shapeOf(std);
  const shape = Array.isArray(rest[0])
    ? [...(rest[0] as number[])]
    : o.size
      ? [...o.size]
      : sa.length >= sb.length
        ? sa
        : sb;
  const dtype = isTensor(mean) ? mean.dtype : isTensor(std) ? std.dtype : (o.dtype ?? "float32");
  const z = normal_(zeros(shape, { dtype }), 0, 1, o.generator ? { generator: o.generator } : {});
  const out = add(mul(z, isTensor(std) ? std.detach() : std), isTensor(mean) ? mean.detach() : mean);
  // PyTorch defines normal's gradients as zeros (derivatives.yaml)
  return record("NormalBackward", [isTensor(mean) ? mean : null, isTensor(std) ? std : null], out, ([g]) => [
    isTensor(mean) ? sumTo(mul(g, 0), mean.shape) : null,
    isTensor(std) ? sumTo(mul(g, 0), std.shape) : null,
  ]);
}

/**
 * Tensor.resize_: the tensor takes the new shape (contiguous) over its storage, which grows
 * (new elements zero) when too small, as PyTorch's resize_ keeps the leading elements.
 */
export function resize_(x: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
  if (x.requiresGrad && x.isLeaf) throw new ValueError("resize_: cannot resize variables that require grad");
  const shape = sizesArg(sizes);
  const n = shape.reduce((p, s) => p * s, 1);
  if (!x.isContiguous() || x.offset + n > x.storage.length) {
    const old = contiguous(x).typedArray();
    const data = arrayFor(x.dtype, n);
    data.set(old.subarray(0, Math.min(n, old.length)));
    x.storage = new CpuStorage(data);
    x.offset = 0;
  }
  (x as unknown as { shape: number[] }).shape = shape;
  x.strides = contiguousStrides(shape);
  x.storage.version++;
  return x;
}
export const resizeAs_ = (x: Tensor, other: Tensor): Tensor => resize_(x, other.shape);

/** torch.native_layer_norm: (layer_norm(input), mean, 1/std) with the statistics kept over the normalized dims. */
export function nativeLayerNorm(
  input: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): [Tensor, Tensor, Tensor] {
  const dims = normalizedShape.map((_, i) => input.dim() - normalizedShape.length + i);
  const m = mean(input, dims, true);
  const c = sub(input, m);
  const rstd = rsqrt(add(mean(mul(c, c), dims, true), eps));
  let y = mul(c, rstd);
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  // (the saved statistics are not differentiable outputs in PyTorch)
  return [y, m.detach(), rstd.detach()];
}
/** torch.native_batch_norm: (batch_norm(input), saved mean, saved 1/std); the saved statistics are empty in evaluation. */
export function nativeBatchNorm(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): [Tensor, Tensor, Tensor] {
  const y = batchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
  if (!training) return [y, zeros([0], { dtype: input.dtype }), zeros([0], { dtype: input.dtype })];
  const dims = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)];
  const m = mean(input, dims, true);
  const c = sub(input, m);
  const invstd = rsqrt(add(mean(mul(c, c), dims, true), eps));
  const C = input.shape[1];
  return [y, reshape(m, [C]).detach(), reshape(invstd, [C]).detach()];
}
