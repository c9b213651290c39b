// Reductions over dims with keepdim, and their gradients.
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError, ValueError, fmtShape } from "../errors.js";
import { backend, type ReduceOp } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { record } from "../autograd/record.js";
import { parseArgs, wrap } from "./util.js";
import { add, div, eq, logicalAnd, mul, sub, where } from "./binary.js";
import { exp, isinf, log, sqrt } from "./unary.js";
import { expand, reshape, squeeze } from "./view.js";
import { toDType } from "./cast.js";
import { detach } from "./view.js";

export type Dims = number | readonly number[] | null | undefined;

export function normDims(x: Tensor, dim: Dims, op: string): number[] {
  if (dim === null || dim === undefined) return [...x.shape.keys()];
  const ds = (typeof dim === "number" ? [dim] : [...dim]).map((d) => normDim(d, x.dim(), op));
  if (new Set(ds).size !== ds.length) throw new ValueError(`${op}: dim ${JSON.stringify(dim)} appears multiple times in the list of dims`);
  return ds.sort((a, b) => a - b);
}

const keptShape = (x: Tensor, dims: number[]): number[] => x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
const outShape = (x: Tensor, dims: number[], keepdim: boolean): number[] =>
  keepdim ? keptShape(x, dims) : x.shape.filter((_, i) => !dims.includes(i));

/** The gradient of a reduction, broadcast back over the reduced dims. */
const expandBack = (g: Tensor, x: Tensor, dims: number[]): Tensor => expand(reshape(g, keptShape(x, dims)), x.shape);

function rawReduce(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean, dt: DType): Tensor {
  if (x.dim() === 0) return wrap(backend().reduce(op, x, [], dt), [], dt);
  return wrap(backend().reduce(op, x, dims, dt), outShape(x, dims, keepdim), dt);
}

interface ReduceArgs { dim?: Dims; keepdim?: boolean; dtype?: DType }

export function sum(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim, dtype } = parseArgs<ReduceArgs & Record<string, unknown>>("sum", args, ["dim", "keepdim", "dtype"], { keepdim: false });
  const dims = normDims(x, dim, "sum");
  const dt = dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");
  const out = rawReduce("sum", x, dims, keepdim ?? false, dt);
  return record("SumBackward", [x], out, ([g]) => [toDType(expandBack(g, x, dims), x.dtype)]);
}

export function mean(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim, dtype } = parseArgs<ReduceArgs & Record<string, unknown>>("mean", args, ["dim", "keepdim", "dtype"], { keepdim: false });
  const dt = dtype ?? x.dtype;
  if (!isFloating(dt)) {
    throw new DTypeError(`mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`);
  }
  const dims = normDims(x, dim, "mean");
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return div(sum(dt === x.dtype ? x : toDType(x, dt), { dim: dims, keepdim }), count);
}

export function prod(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim, dtype } = parseArgs<ReduceArgs & Record<string, unknown>>("prod", args, ["dim", "keepdim", "dtype"], { keepdim: false });
  const dims = normDims(x, dim, "prod");
  const dt = dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");
  const out = rawReduce("prod", x, dims, keepdim ?? false, dt);
  return record("ProdBackward", [x], out, ([g]) => {
    // Product of the others: out / x where x != 0; with exactly one zero in the slice, the
    // product of the non-zeros goes to that zero; with more zeros everything gets 0.
    const isZero = eq(x, 0);
    const nonZero = where(isZero, 1, x);
    const prodNz = expandBack(rawReduce("prod", nonZero, dims, true, dt), x, dims);
    const zeros = expandBack(sum(isZero, { dim: dims, keepdim: true }), x, dims);
    const others = where(isZero, where(eq(zeros, 1), prodNz, 0), div(expandBack(out, x, dims), x));
    return [mul(expandBack(g, x, dims), others)];
  }, [x, out]);
}

/** amax/amin: gradient split evenly between tied extremes, as PyTorch. */
function extreme(op: "amax" | "amin", x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = normDims(x, dim, op);
  if (x.numel() === 0) throw new ValueError(`${op}: expected a non-empty tensor, got shape ${fmtShape(x.shape)}`);
  const out = rawReduce(op, x, dims, keepdim, x.dtype);
  return record(op === "amax" ? "AmaxBackward" : "AminBackward", [x], out, ([g]) => {
    const hit = eq(x, expandBack(out, x, dims));
    const count = sum(hit, { dim: dims, keepdim: true });
    return [where(hit, div(expandBack(g, x, dims), expandBack(count, x, dims)), 0)];
  }, [x, out]);
}
export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme("amax", x, dim, keepdim);
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme("amin", x, dim, keepdim);

/** Values and indices, destructurable like torch's namedtuple: const [v, i] = x.max(1). */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
const valuesIndices = (values: Tensor, indices: Tensor): ValuesIndices => Object.assign([values, indices] as [Tensor, Tensor], { values, indices });

function argExtreme(op: "max" | "min", x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const d = normDim(dim, x.dim(), op);
  if (x.dim() > 0 && x.shape[d] === 0) throw new ValueError(`${op}: cannot reduce over a zero-size dimension ${d} of ${fmtShape(x.shape)}`);
  const r = x.dim() === 0 ? { values: backend().copy(x, x.dtype), indices: new Float64Array(1) } : backend().argReduce(op, x, d);
  const shape = x.dim() === 0 ? [] : outShape(x, [d], keepdim);
  const values = wrap(r.values, shape, x.dtype), indices = wrap(r.indices, shape, "int64");
  record(op === "max" ? "MaxBackward" : "MinBackward", [x], values, ([g]) => [indexBackward(g, indices, x, d, keepdim)]);
  return valuesIndices(values, indices);
}

/** Scatters g into zeros of x's shape at `indices` along d. */
function indexBackward(g: Tensor, indices: Tensor, x: Tensor, d: number, keepdim: boolean): Tensor {
  if (x.dim() === 0) return g;
  const gk = keepdim ? g : reshape(g, keptShape(x, [d]));
  const ik = keepdim ? indices : reshape(indices, keptShape(x, [d]));
  return scatterAdd(zerosOf(x, g.dtype), d, ik, gk);
}

type ExtremeArgs = [] | [number | Tensor] | [number, boolean] | [{ dim: number; keepdim?: boolean }];
export function max(x: Tensor, ...args: ExtremeArgs): Tensor | ValuesIndices {
  if (args.length === 0) return extreme("amax", x, null, false);
  if (args[0] instanceof Tensor) return maximum(x, args[0]);
  const { dim, keepdim } = parseArgs<{ dim: number; keepdim: boolean }>("max", args, ["dim", "keepdim"], { keepdim: false });
  return argExtreme("max", x, dim, keepdim);
}
export function min(x: Tensor, ...args: ExtremeArgs): Tensor | ValuesIndices {
  if (args.length === 0) return extreme("amin", x, null, false);
  if (args[0] instanceof Tensor) return minimum(x, args[0]);
  const { dim, keepdim } = parseArgs<{ dim: number; keepdim: boolean }>("min", args, ["dim", "keepdim"], { keepdim: false });
  return argExtreme("min", x, dim, keepdim);
}

function argIndex(op: "max" | "min", x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  if (dim === null || dim === undefined) {
    const flat = reshape(x, [-1]);
    const r = argExtreme(op, flat, 0, false).indices;
    return keepdim ? reshape(r, x.shape.map(() => 1)) : r;
  }
  return argExtreme(op, x, dim, keepdim).indices;
}
export const argmax = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = parseArgs<{ dim: number | null; keepdim: boolean }>("argmax", args, ["dim", "keepdim"], { keepdim: false });
  return argIndex("max", x, dim, keepdim);
};
export const argmin = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = parseArgs<{ dim: number | null; keepdim: boolean }>("argmin", args, ["dim", "keepdim"], { keepdim: false });
  return argIndex("min", x, dim, keepdim);
};

interface VarArgs { dim?: Dims; unbiased?: boolean; keepdim?: boolean; correction?: number }
/** var/std: positional (dim, unbiased, keepdim), or { dim, correction, keepdim }. */
export function variance(x: Tensor, ...args: unknown[]): Tensor {
  if (typeof args[0] === "boolean") args = [undefined, ...args];
  const { dim, unbiased, keepdim, correction } = parseArgs<VarArgs & Record<string, unknown>>("var", args, ["dim", "unbiased", "keepdim", "correction"], { keepdim: false });
  if (!isFloating(x.dtype)) throw new DTypeError(`var: std and var only support floating point dtypes, got ${x.dtype}`);
  const dims = normDims(x, dim, "var");
  const n = dims.reduce((k, d) => k * x.shape[d], 1);
  const corr = correction ?? (unbiased === false ? 0 : 1);
  const centered = sub(x, mean(x, { dim: dims, keepdim: true }));
  return div(sum(mul(centered, centered), { dim: dims, keepdim }), Math.max(n - corr, 0));
}
export const std = (x: Tensor, ...args: unknown[]): Tensor => sqrt(variance(x, ...args));

export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = normDims(x, dim, "logsumexp");
  const xf = isFloating(x.dtype) ? x : toDType(x, "float32");
  // Shift by the (detached) max so exp cannot overflow; infinite maxima shift by 0.
  const m = detach(amax(xf, dims, true));
  const shift = where(isinf(m), 0, m);
  const r = add(log(sum(exp(sub(xf, shift)), { dim: dims, keepdim: true })), shift);
  return keepdim ? r : squeeze(r, dims);
}

export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return rawReduce("all", x, normDims(x, dim, "all"), keepdim, "bool");
}
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return rawReduce("any", x, normDims(x, dim, "any"), keepdim, "bool");
}

export const countNonzero = (x: Tensor, dim?: Dims): Tensor => sum(logicalAnd(x, x), { dim });

import { maximum, minimum } from "./binary.js";
import { scatterAdd } from "./indexing.js";
import { zeros } from "./creation.js";
const zerosOf = (x: Tensor, dtype: DType): Tensor => zeros(x.shape, { dtype });
