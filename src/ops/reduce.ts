// Reductions over dims with keepdim, and their gradients.
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { backend, type ReduceOp } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { record, recordsGrad, relabel } from "../autograd/record.js";
import { parseArgs, wrap } from "./util.js";
import { add, div, eq, logicalAnd, mul, sub, where } from "./binary.js";
import { exp, isinf, log, sqrt } from "./unary.js";
import { expand, narrow, reshape } from "./view.js";
import { toDType } from "./cast.js";

export type Dims = number | readonly number[] | null | undefined;

export function normDims(x: Tensor, dim: Dims, op: string): number[] {
  // An empty list reduces over all dims too, as in PyTorch 1.13.
  if (dim === null || dim === undefined || (typeof dim !== "number" && dim.length === 0)) return [...x.shape.keys()];
  const ds = (typeof dim === "number" ? [dim] : [...dim]).map((d) => normDim(d, x.dim(), op));
  if (new Set(ds).size !== ds.length)
    throw new ValueError(`${op}: dim ${JSON.stringify(dim)} appears multiple times in the list of dims`);
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

interface ReduceArgs {
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}

const NO_ARGS: ReduceArgs = { keepdim: false };

export function sum(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim, dtype } =
    args.length === 0
      ? NO_ARGS
      : parseArgs<ReduceArgs & Record<string, unknown>>("sum", args, ["dim", "keepdim", "dtype"], { keepdim: false });
  const dims = normDims(x, dim, "sum");
  const dt = dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");
  const out = rawReduce("sum", x, dims, keepdim ?? false, dt);
  // PyTorch's overloads: sum() is SumBackward0, sum(dim) SumBackward1 (likewise mean, prod, max)
  if (!recordsGrad(x)) return out; // (no node: no closure)
  const name = dim === null || dim === undefined ? "SumBackward" : "SumBackward1";
  return record(name, [x], out, ([g]) => [toDType(expandBack(g, x, dims), x.dtype)]);
}

/** mean() of a floating CPU tensor over all dims: one sum kernel, divided in place. */
function meanAll(x: Tensor): Tensor {
  const dims = [...x.shape.keys()];
  const count = x.numel();
  const data = backend().reduce("sum", x, dims, x.dtype) as Float32Array | Float64Array;
  // As div(sum, count): the count is a float32 scalar for a float32 mean.
  data[0] = data[0] / (x.dtype === "float32" ? Math.fround(count) : count);
  return record("MeanBackward", [x], wrap(data, [], x.dtype), ([g]) => [expandBack(div(g, count), x, dims)]);
}

export function mean(x: Tensor, ...args: unknown[]): Tensor {
  if (args.length === 0 && x.dim() > 0 && isFloating(x.dtype) && x.storage.device === "cpu") return meanAll(x);
  const { dim, keepdim, dtype } = parseArgs<ReduceArgs & Record<string, unknown>>(
    "mean",
    args,
    ["dim", "keepdim", "dtype"],
    { keepdim: false },
  );
  const dt = dtype ?? x.dtype;
  if (!isFloating(dt)) {
    throw new DTypeError(
      `mean: could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`,
    );
  }
  const dims = normDims(x, dim, "mean");
  const count = dims.reduce((n, d) => n * (x.shape[d] ?? 1), 1);
  const xs = dt === x.dtype ? x : toDType(x, dt);
  const out = noGrad(() => div(sum(xs, { dim: dims, keepdim }), count));
  return record(dim === null || dim === undefined ? "MeanBackward" : "MeanBackward1", [xs], out, ([g]) => [
    expandBack(div(g, count), xs, dims),
  ]); // divide the small tensor, then expand
}

export function prod(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim, dtype } = parseArgs<ReduceArgs & Record<string, unknown>>(
    "prod",
    args,
    ["dim", "keepdim", "dtype"],
    { keepdim: false },
  );
  const dims = normDims(x, dim, "prod");
  const dt = dtype ?? (isFloating(x.dtype) ? x.dtype : "int64");
  const out = rawReduce("prod", x, dims, keepdim ?? false, dt);
  if (dims.length === 1 && dim !== null && dim !== undefined && x.dim() > 0) {
    // PyTorch's prod_safe_zeros_backward: the product of the others as prefix * suffix
    // products, so zeros and overflow (1e30 * -1e30) come out as in PyTorch.
    const d = dims[0];
    return record("ProdBackward1", [x], out, ([g]) => [mul(expandBack(g, x, dims), othersAlong(x, d))], [x]);
  }
  return record(
    "ProdBackward",
    [x],
    out,
    ([g]) => {
      // Product of the others: out / x where x != 0; with exactly one zero in the slice, the
      // product of the non-zeros goes to that zero; with more zeros everything gets 0.
      const isZero = eq(x, 0);
      const nonZero = where(isZero, 1, x);
      const prodNz = expandBack(prod(nonZero, { dim: dims, keepdim: true }), x, dims);
      const zeros = expandBack(sum(isZero, { dim: dims, keepdim: true }), x, dims);
      const others = where(isZero, where(eq(zeros, 1), prodNz, 0), div(expandBack(out, x, dims), nonZero));
      return [mul(expandBack(g, x, dims), others)];
    },
    [x, out],
  );
}

function othersAlong(x: Tensor, d: number): Tensor {
  const n = x.shape[d];
  if (n === 0) return zerosOf(x, x.dtype);
  const parts: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const pre = prod(narrow(x, d, 0, i), d, true),
      post = prod(narrow(x, d, i + 1, n - i - 1), d, true);
    parts.push(mul(pre, post));
  }
  return cat(parts, d);
}

/** amax/amin: gradient split evenly between tied extremes, as PyTorch. */
function extreme(op: "amax" | "amin", x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = normDims(x, dim, op);
  // Like PyTorch: only reducing over a zero-size dim has no identity; other empty tensors give empty results.
  const empty = x.dim() === 0 ? -1 : (dims.find((d) => x.shape[d] === 0) ?? -1);
  if (empty >= 0)
    throw new IndexError(
      `${op}: expected reduction dim ${empty} to have non-zero size (input shape ${fmtShape(x.shape)})`,
    );
  const out = rawReduce(op, x, dims, keepdim, x.dtype);
  return record(
    op === "amax" ? "AmaxBackward" : "AminBackward",
    [x],
    out,
    ([g]) => {
      const hit = eq(x, expandBack(out, x, dims));
      const count = sum(hit, { dim: dims, keepdim: true });
      // PyTorch's scale_grad_by_count: (g / count) * mask, so a slice whose extreme is NaN (no hits) gets NaN.
      return [mul(div(expandBack(g, x, dims), expandBack(count, x, dims)), hit)];
    },
    [x, out],
  );
}
interface DimKeep {
  dim?: Dims;
  keepdim?: boolean;
}
const dimKeep = (op: string, args: unknown[]): DimKeep =>
  parseArgs<DimKeep & Record<string, unknown>>(op, args, ["dim", "keepdim"], { keepdim: false });
export const amax = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = dimKeep("amax", args);
  return extreme("amax", x, dim, keepdim ?? false);
};
export const amin = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = dimKeep("amin", args);
  return extreme("amin", x, dim, keepdim ?? false);
};

/** Values and indices, destructurable like torch's namedtuple: const [v, i] = x.max(1). */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
const valuesIndices = (values: Tensor, indices: Tensor): ValuesIndices =>
  Object.assign([values, indices] as [Tensor, Tensor], { values, indices });

function argExtreme(op: "max" | "min", x: Tensor, dim: number, keepdim: boolean, caller: string = op): ValuesIndices {
  const d = normDim(dim, x.dim(), caller);
  if (x.dim() > 0 && x.shape[d] === 0)
    throw new IndexError(
      `${caller}: expected reduction dim ${d} to have non-zero size (input shape ${fmtShape(x.shape)})`,
    );
  const r =
    x.dim() === 0
      ? { values: backend().copy(x, x.dtype), indices: new Float64Array(1) }
      : backend().argReduce(op, x, d);
  const shape = x.dim() === 0 ? [] : outShape(x, [d], keepdim);
  const values = wrap(r.values, shape, x.dtype),
    indices = wrap(r.indices, shape, "int64");
  record(
    op === "max" ? "MaxBackward" : "MinBackward",
    [x],
    values,
    ([g]) => [indexBackward(g, indices, x, d, keepdim)],
    [indices],
  );
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
  if (args.length === 0) return relabel(extreme("amax", x, null, false), "MaxBackward1", [x]);
  if (args[0] instanceof Tensor) return maximum(x, args[0]);
  const { dim, keepdim } = parseArgs<{ dim: number; keepdim: boolean }>("max", args, ["dim", "keepdim"], {
    keepdim: false,
  });
  return argExtreme("max", x, dim, keepdim);
}
export function min(x: Tensor, ...args: ExtremeArgs): Tensor | ValuesIndices {
  if (args.length === 0) return relabel(extreme("amin", x, null, false), "MinBackward1", [x]);
  if (args[0] instanceof Tensor) return minimum(x, args[0]);
  const { dim, keepdim } = parseArgs<{ dim: number; keepdim: boolean }>("min", args, ["dim", "keepdim"], {
    keepdim: false,
  });
  return argExtreme("min", x, dim, keepdim);
}

function argIndex(op: "max" | "min", x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  if (dim === null || dim === undefined) {
    const flat = reshape(x, [-1]);
    if (x.numel() === 0)
      throw new IndexError(
        `arg${op}: expected reduction dim to be specified for input.numel() == 0 (input shape ${fmtShape(x.shape)})`,
      );
    const r = argExtreme(op, flat, 0, false, `arg${op}`).indices;
    return keepdim
      ? reshape(
          r,
          x.shape.map(() => 1),
        )
      : r;
  }
  return argExtreme(op, x, dim, keepdim, `arg${op}`).indices;
}
export const argmax = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = parseArgs<{ dim: number | null; keepdim: boolean }>("argmax", args, ["dim", "keepdim"], {
    keepdim: false,
  });
  return argIndex("max", x, dim, keepdim);
};
export const argmin = (x: Tensor, ...args: unknown[]): Tensor => {
  const { dim, keepdim } = parseArgs<{ dim: number | null; keepdim: boolean }>("argmin", args, ["dim", "keepdim"], {
    keepdim: false,
  });
  return argIndex("min", x, dim, keepdim);
};

interface VarArgs {
  dim?: Dims;
  unbiased?: boolean;
  keepdim?: boolean;
  correction?: number;
}
interface VarPlan {
  dims: number[];
  n: number;
  corr: number;
  keepdim: boolean;
  full: boolean;
}

/** var/std arguments: positional (dim, unbiased, keepdim), or { dim, unbiased, correction, keepdim }. */
function varPlan(op: string, x: Tensor, args: unknown[]): VarPlan {
  if (typeof args[0] === "boolean") args = [undefined, ...args];
  const { dim, unbiased, keepdim, correction } = parseArgs<VarArgs & Record<string, unknown>>(
    op,
    args,
    ["dim", "unbiased", "keepdim", "correction"],
    { keepdim: false },
  );
  if (!isFloating(x.dtype))
    throw new DTypeError(`${op}: std and var only support floating point dtypes, got ${x.dtype}`);
  const dims = normDims(x, dim, op);
  const n = dims.reduce((k, d) => k * (x.shape[d] ?? 1), 1);
  return {
    dims,
    n,
    corr: correction ?? (unbiased === false ? 0 : 1),
    keepdim: keepdim ?? false,
    full: dim === null || dim === undefined || x.dim() === 0,
  };
}

/** The variance in float64 (PyTorch accumulates float32 in double: no overflow of the squares). */
function var64(x: Tensor, p: VarPlan): Tensor {
  return noGrad(() => {
    // WebGPU has no float64: there the squares accumulate in float32, as PyTorch's CUDA kernels do.
    const x64 = x.storage.device === "webgpu" ? x : toDType(x, "float64");
    const centered = sub(x64, mean(x64, { dim: p.dims, keepdim: true }));
    return div(sum(mul(centered, centered), { dim: p.dims, keepdim: p.keepdim }), Math.max(p.n - p.corr, 0));
  });
}

/** PyTorch's var_backward: (2 / (n - correction)) * g * (x - mean); a full reduction with no degrees of freedom gives inf * g. */
function varGrad(g: Tensor, x: Tensor, p: VarPlan): Tensor {
  const gk = expandBack(g, x, p.dims);
  if (p.full && p.n === p.corr) return mul(gk, Infinity);
  return mul(mul(gk, sub(x, mean(x, { dim: p.dims, keepdim: true }))), 2 / (p.n - p.corr));
}

export function variance(x: Tensor, ...args: unknown[]): Tensor {
  const p = varPlan("var", x, args);
  const out = toDType(var64(x, p), x.dtype);
  return record("VarBackward", [x], out, ([g]) => [varGrad(g, x, p)], [x]);
}

export function std(x: Tensor, ...args: unknown[]): Tensor {
  const p = varPlan("std", x, args);
  const out = toDType(
    noGrad(() => sqrt(var64(x, p))),
    x.dtype,
  );
  // std_backward: var_backward of g / (2 std), with 0 where std is 0.
  return record("StdBackward", [x], out, ([g]) => [varGrad(where(eq(out, 0), 0, div(g, mul(out, 2))), x, p)], [x, out]);
}

export function logsumexp(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim } = dimKeep("logsumexp", args);
  const dims = normDims(x, dim, "logsumexp");
  const xf = isFloating(x.dtype) ? x : toDType(x, "float32");
  const r = noGrad(() => {
    // Shift by the max so exp cannot overflow; infinite maxima (and empty slices) shift by 0.
    const m =
      xf.numel() === 0
        ? zeros(keptShape(xf, dims), { dtype: xf.dtype, device: xf.storage.device })
        : amax(xf, dims, true);
    const shift = where(isinf(m), 0, m);
    return add(log(sum(exp(sub(xf, shift)), { dim: dims, keepdim: true })), shift);
  });
  const out = keepdim ? r : reshape(r, outShape(xf, dims, false));
  // PyTorch's logsumexp_backward: g * exp(x - result), with the rounded result (so that
  // [1e30, 1e30] gives each gradient 1 in float32, as PyTorch does).
  return record(
    "LogsumexpBackward",
    [xf],
    out,
    ([g]) => [mul(expandBack(g, xf, dims), exp(sub(xf, expandBack(out, xf, dims))))],
    [xf, out],
  );
}

// uint8 inputs give uint8 results, as in PyTorch (a legacy of masks being uint8).
export function all(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim } = dimKeep("all", args);
  return rawReduce("all", x, normDims(x, dim, "all"), keepdim ?? false, x.dtype === "uint8" ? "uint8" : "bool");
}
export function any(x: Tensor, ...args: unknown[]): Tensor {
  const { dim, keepdim } = dimKeep("any", args);
  return rawReduce("any", x, normDims(x, dim, "any"), keepdim ?? false, x.dtype === "uint8" ? "uint8" : "bool");
}

export const countNonzero = (x: Tensor, dim?: Dims | { dim?: Dims }): Tensor =>
  sum(logicalAnd(x, x), {
    dim: dim !== null && typeof dim === "object" && !Array.isArray(dim) ? (dim as { dim?: Dims }).dim : (dim as Dims),
  });

import { maximum, minimum } from "./binary.js";
import { scatterAdd } from "./indexing.js";
import { zeros } from "./creation.js";
const zerosOf = (x: Tensor, dtype: DType): Tensor => zeros(x.shape, { dtype, device: x.storage.device });
import { cat } from "./join.js";
