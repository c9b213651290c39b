// torch.masked: reductions and normalizations over the elements where `mask` is true (PyTorch
// 1.13's torch.masked._ops, strided layout): masked-out elements are replaced by the operation's
// identity (0 for sum, 1 for prod, -inf for amax...), so gradients flow to the kept elements only.
import { wrap } from "./util.js";
import { type DType, isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { div, maximum, mul, sub, where } from "./binary.js";
import { sqrt } from "./unary.js";
import {
  amax as amaxOp,
  amin as aminOp,
  argmax as argmaxOp,
  argmin as argminOp,
  logsumexp as lseOp,
  normDims,
  prod as prodOp,
  sum as sumOp,
} from "./reduce.js";
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from "./softmax.js";
import { toDType } from "./cast.js";
import { expand, reshape } from "./view.js";
import { full, onesLike } from "./creation.js";
import { cumsum as cumsumOp, cumprod as cumprodOp } from "./cumulative.js";
import { nanmedian } from "./sort.js";
import { vectorNorm } from "./reduce-ext.js";
import { logaddexp as logaddexpOp } from "./math-ext.js";
import { neg } from "./unary.js";

type Dims = number | readonly number[] | null | undefined;
interface MaskOpts {
  keepdim?: boolean;
  dtype?: DType;
  mask?: Tensor | null;
}

const INT_MIN: Partial<Record<DType, number>> = { int64: -(2 ** 63), int32: -(2 ** 31), uint8: 0 };
const INT_MAX: Partial<Record<DType, number>> = { int64: 2 ** 63 - 1, int32: 2 ** 31 - 1, uint8: 255 };
/** x with masked-out elements replaced by `fill` (mask broadcast to x's shape). */
function combine(x: Tensor, mask: Tensor | null | undefined, fill: number): Tensor {
  if (mask === null || mask === undefined) return x;
  const m = toDType(expand(mask, x.shape), "bool");
  // int64 elements are held as float64, where INT64_MAX reads as 2^63: written directly, since a
  // cast would turn that out-of-range value into the indefinite INT64_MIN.
  const f = x.dtype === "int64" ? wrap(Float64Array.of(fill), [], "int64") : full([], fill, { dtype: x.dtype });
  return where(m, x, f);
}
const lowest = (x: Tensor): number => (isFloating(x.dtype) ? -Infinity : (INT_MIN[x.dtype] ?? 0));
const highest = (x: Tensor): number => (isFloating(x.dtype) ? Infinity : (INT_MAX[x.dtype] ?? 1));
const dimsOf = (x: Tensor, dim: Dims): number[] => normDims(x, dim ?? null, "masked");
interface AllOpts extends MaskOpts {
  dim?: Dims;
  ord?: number;
  unbiased?: boolean;
  eps?: number;
}
/** Positional args in torch's order (names), merged with a trailing options object. */
function read(args: unknown[], names: (keyof AllOpts)[]): AllOpts {
  const last = args[args.length - 1];
  const isOpt = typeof last === "object" && last !== null && !Array.isArray(last) && !("shape" in (last as object));
  const o: AllOpts = isOpt ? { ...(last as AllOpts) } : {};
  (isOpt ? args.slice(0, -1) : args).forEach((v, i) => {
    if (v !== undefined) (o as Record<string, unknown>)[names[i]] = v;
  });
  return o;
}

export function sum(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return sumOp(combine(x, o.mask, 0), {
    dim: dimsOf(x, o.dim),
    keepdim: o.keepdim ?? false,
    ...(o.dtype ? { dtype: o.dtype } : {}),
  });
}
export function prod(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]),
    dim = o.dim;
  let r = combine(x, o.mask, 1);
  const dims = dimsOf(x, dim).sort((a, b) => b - a);
  for (const d of dims) r = prodOp(r, d, true);
  if (!(o.keepdim ?? false))
    r = reshape(
      r,
      x.shape.filter((_, i) => !dims.includes(i)),
    );
  return o.dtype ? toDType(r, o.dtype) : r;
}
export function amax(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return toDType(amaxOp(combine(x, o.mask, lowest(x)), dimsOf(x, o.dim), o.keepdim ?? false), o.dtype ?? x.dtype);
}
export function amin(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return toDType(aminOp(combine(x, o.mask, highest(x)), dimsOf(x, o.dim), o.keepdim ?? false), o.dtype ?? x.dtype);
}
export function argmax(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return toDType(
    argmaxOp(combine(x, o.mask, lowest(x)), (o.dim as number | null | undefined) ?? null, o.keepdim ?? false),
    o.dtype ?? x.dtype,
  );
}
export function argmin(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return toDType(
    argminOp(combine(x, o.mask, highest(x)), (o.dim as number | null | undefined) ?? null, o.keepdim ?? false),
    o.dtype ?? x.dtype,
  );
}

function count(x: Tensor, dim: Dims, mask: Tensor | null | undefined, keepdim: boolean): Tensor {
  return sum(onesLike(x, { dtype: "int64" }), dim, { keepdim, mask });
}
export function mean(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]),
    dim = o.dim;
  const total = sum(x, dim, { keepdim: o.keepdim, dtype: o.dtype ?? x.dtype, mask: o.mask });
  return div(total, count(x, dim, o.mask, o.keepdim ?? false));
}
export function median(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]),
    dim = (o.dim as number | undefined) ?? -1;
  const xf = isFloating(x.dtype) ? x : toDType(x, "float32");
  return nanmedian(combine(xf, o.mask, NaN), dim, o.keepdim ?? false).values;
}
export function norm(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["ord", "dim"]),
    ord = o.ord ?? 2,
    dim = o.dim;
  return vectorNorm(
    combine(x, o.mask, ord === -Infinity ? Infinity : 0),
    ord,
    dimsOf(x, dim),
    o.keepdim ?? false,
    o.dtype ? { dtype: o.dtype } : {},
  );
}
function stdVar(x: Tensor, dim: Dims, unbiased: boolean, o: MaskOpts, takeSqrt: boolean): Tensor {
  const dtype = o.dtype ?? (isFloating(x.dtype) ? x.dtype : "float32");
  let c = count(x, dim, o.mask, true);
  const sampleMean = div(sum(x, dim, { keepdim: true, dtype, mask: o.mask }), c);
  const xc = sub(x, sampleMean);
  const total = sum(mul(xc, xc), dim, { keepdim: o.keepdim ?? false, dtype, mask: o.mask });
  if (!(o.keepdim ?? false)) c = reshape(c, total.shape);
  if (unbiased) c = maximum(sub(c, 1), full([], 0, { dtype: c.dtype }));
  const out = toDType(div(total, c), dtype);
  return takeSqrt ? sqrt(out) : out;
}
const varArgs = (a: unknown[]): AllOpts => read(a, ["dim", "unbiased"]);
export const var_ = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = varArgs(a);
  return stdVar(x, o.dim, o.unbiased ?? false, o, false);
};
export const std = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = varArgs(a);
  return stdVar(x, o.dim, o.unbiased ?? false, o, true);
};
const dimOnly = (a: unknown[]): AllOpts & { dim: number } => read(a, ["dim"]) as AllOpts & { dim: number };
export const softmax = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = dimOnly(a);
  return softmaxOp(combine(x, o.mask, lowest(x)), o.dim, o.dtype ?? x.dtype);
};
export const logSoftmax = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = dimOnly(a);
  return logSoftmaxOp(combine(x, o.mask, lowest(x)), o.dim, o.dtype ?? x.dtype);
};
export const softmin = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = dimOnly(a);
  return softmaxOp(neg(combine(x, o.mask, highest(x))), o.dim, o.dtype ?? x.dtype);
};
export function normalize(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["ord", "dim"]),
    ord = o.ord ?? 2,
    dim = o.dim as number;
  const nrm = norm(x, ord, dim, { keepdim: true, dtype: o.dtype ?? x.dtype, mask: o.mask });
  const denom = maximum(nrm, full([], o.eps ?? 1e-12, { dtype: nrm.dtype }));
  return div(combine(x, o.mask, 0), denom);
}
export function logsumexp(x: Tensor, ...a: unknown[]): Tensor {
  const o = read(a, ["dim"]);
  return toDType(lseOp(combine(x, o.mask, lowest(x)), dimsOf(x, o.dim), o.keepdim ?? false), o.dtype ?? x.dtype);
}
export function logaddexp(
  x: Tensor,
  other: Tensor,
  o: { dtype?: DType; inputMask?: Tensor | null; otherMask?: Tensor | null } = {},
): Tensor {
  return toDType(
    logaddexpOp(combine(x, o.inputMask, lowest(x)), combine(other, o.otherMask, lowest(other))),
    o.dtype ?? x.dtype,
  );
}
export const cumsum = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = dimOnly(a);
  return cumsumOp(combine(x, o.mask, 0), o.dim, o.dtype ?? x.dtype);
};
export const cumprod = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = dimOnly(a);
  return cumprodOp(combine(x, o.mask, 1), o.dim, o.dtype ?? x.dtype);
};
export { var_ as var };
