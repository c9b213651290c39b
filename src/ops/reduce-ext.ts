// Reductions beyond reduce.ts: NaN-skipping sums and means, var/std with the mean, aminmax,
// norms (torch.norm, linalg.vectorNorm/matrixNorm/norm), dist, cdist, cov, corrcoef,
// trapezoid rules, histograms and bincount.
import { type DType, isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { ShapeError, ValueError, DTypeError, fmtShape } from "../errors.js";
import { record } from "../autograd/record.js";
import { isOptions, isTensor, wrap } from "./util.js";
import { add, div, eq, mul, ne, pow, sub, where } from "./binary.js";
import { abs, isnan, sqrt } from "./unary.js";
import { amax, amin, mean, normDims, std, sum, variance } from "./reduce.js";
import { toDType } from "./cast.js";
import { full, linspace } from "./creation.js";
import { matmul } from "./linalg.js";
import { narrow, reshape, squeeze, unsqueeze, transpose } from "./view.js";
import { clamp } from "./clamp.js";
import { cumsum } from "./cumulative.js";
import { diagonal } from "./shape-ext.js";
import { valuesOf } from "./pointwise-map.js";

type Dims = number | readonly number[] | null | undefined;
interface DimKeepDtype {
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}
function dkd(a: unknown[]): DimKeepDtype {
  const last = a[a.length - 1];
  const o: DimKeepDtype = isOptions(last) ? { ...(last as DimKeepDtype) } : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  if (pos[0] !== undefined) o.dim = pos[0] as Dims;
  if (pos[1] !== undefined) o.keepdim = pos[1] as boolean;
  if (pos[2] !== undefined) o.dtype = pos[2] as DType;
  return o;
}

export function nansum(x: Tensor, ...a: unknown[]): Tensor {
  const o = dkd(a);
  const clean = isFloating(x.dtype) ? where(isnan(x), 0, x) : x;
  return sum(clean, { dim: o.dim ?? undefined, keepdim: o.keepdim ?? false, ...(o.dtype ? { dtype: o.dtype } : {}) });
}
export function nanmean(x: Tensor, ...a: unknown[]): Tensor {
  const o = dkd(a);
  if (!isFloating(x.dtype) && o.dtype === undefined)
    throw new DTypeError(`nanmean(): expected input to have floating point dtype but got ${x.dtype}`);
  const xx = o.dtype ? toDType(x, o.dtype) : x;
  const count = sum(toDType(ne(xx, xx).logicalNot(), xx.dtype), {
    dim: o.dim ?? undefined,
    keepdim: o.keepdim ?? false,
  });
  return div(nansum(xx, o.dim ?? null, o.keepdim ?? false), count);
}

type Pair = [Tensor, Tensor];
export const varMean = (x: Tensor, ...a: unknown[]): Pair => [variance(x, ...a), meanLike(x, a)];
export const stdMean = (x: Tensor, ...a: unknown[]): Pair => [std(x, ...a), meanLike(x, a)];
/** The mean over the dims (and keepdim) of var/std's arguments. */
function meanLike(x: Tensor, a: unknown[]): Tensor {
  let args = a;
  if (typeof args[0] === "boolean") args = [undefined, ...args];
  const last = args[args.length - 1];
  const o = isOptions(last) ? (last as { dim?: Dims; keepdim?: boolean }) : {};
  const pos = isOptions(last) ? args.slice(0, -1) : args;
  const dim = (pos[0] as Dims) ?? o.dim;
  const keepdim = (pos[2] as boolean | undefined) ?? o.keepdim ?? false;
  return mean(x, { dim: dim ?? undefined, keepdim });
}

export function aminmax(
  x: Tensor,
  opts: { dim?: number | null; keepdim?: boolean } = {},
): Pair & { min: Tensor; max: Tensor } {
  const dim = opts.dim ?? null,
    keepdim = opts.keepdim ?? false;
  const mn = dim === null ? amin(x, undefined, keepdim) : amin(x, dim, keepdim);
  const mx = dim === null ? amax(x, undefined, keepdim) : amax(x, dim, keepdim);
  const fix = (t: Tensor): Tensor =>
    dim === null && keepdim
      ? reshape(
          t,
          x.shape.map(() => 1),
        )
      : t;
  return Object.assign([fix(mn), fix(mx)] as Pair, { min: fix(mn), max: fix(mx) });
}

/** sum(|x|^p)^(1/p) over dims, with PyTorch's zero gradient where the norm is 0. */
function pNorm(x: Tensor, p: number, dims: number[], keepdim: boolean): Tensor {
  if (p === Infinity) return amax(abs(x), dims, keepdim);
  if (p === -Infinity) return amin(abs(x), dims, keepdim);
  if (p === 0) {
    const count = sum(toDType(ne(x, 0), x.dtype), { dim: dims, keepdim });
    return record("NormBackward", [x], count, ([g]) => [mul(zerosLikeOf(x), g.sum())]);
  }
  if (p === 1) return sum(abs(x), { dim: dims, keepdim });
  const ax = abs(x).detach();
  const out =
    p === 2 ? sqrt(sum(mul(ax, ax), { dim: dims, keepdim })) : pow(sum(pow(ax, p), { dim: dims, keepdim }), 1 / p);
  return record(
    "NormBackward",
    [x],
    out,
    ([g]) => {
      const gk = keepdim ? g : expandDims(g, dims);
      const nk = keepdim ? out : expandDims(out, dims);
      // d/dx = x |x|^(p-2) / norm^(p-1)
      const num = p === 2 ? x : mul(x, pow(abs(x), p - 2));
      const r = mul(gk, div(num, p === 2 ? nk : pow(nk, p - 1)));
      return [where(eq(nk, 0), 0, r)];
    },
    [x, out],
  );
}
const zerosLikeOf = (x: Tensor): Tensor => full(x.shape, 0, { dtype: x.dtype });
/** Puts the reduced dims back as size 1 (then broadcasting does the rest). */
const expandDims = (t: Tensor, dims: number[]): Tensor =>
  [...dims].sort((a, b) => a - b).reduce((acc, d) => unsqueeze(acc, d), t);

interface VectorNormOptions {
  ord?: number;
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}
export function vectorNorm(
  x: Tensor,
  ord: number | VectorNormOptions = 2,
  dim?: Dims | VectorNormOptions,
  keepdim = false,
  opts: VectorNormOptions = {},
): Tensor {
  let o: VectorNormOptions = {
    ord: typeof ord === "number" ? ord : 2,
    dim: isOptions(dim) ? undefined : (dim as Dims),
    keepdim,
  };
  if (isOptions(ord)) o = { ord: 2, ...ord };
  if (isOptions(dim)) o = { ...o, ...(dim as VectorNormOptions) };
  o = { ...o, ...opts };
  if (!isFloating(x.dtype) && !o.dtype)
    throw new DTypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${x.dtype}`);
  const xx = o.dtype ? toDType(x, o.dtype) : x;
  const dims = normDims(xx, o.dim ?? null, "linalg.vector_norm");
  if (xx.numel() === 0 && (o.ord ?? 2) < 0)
    throw new ValueError("linalg.vector_norm: cannot compute a negative-order norm of an empty tensor");
  return pNorm(xx, o.ord ?? 2, dims, o.keepdim ?? false);
}

type MatrixOrd = number | "fro" | "nuc";
interface MatrixNormOptions {
  ord?: MatrixOrd;
  dim?: readonly number[];
  keepdim?: boolean;
  dtype?: DType;
}
export function matrixNorm(
  A: Tensor,
  ord: MatrixOrd | MatrixNormOptions = "fro",
  dim: readonly number[] | MatrixNormOptions = [-2, -1],
  keepdim = false,
  opts: MatrixNormOptions = {},
): Tensor {
  let o: MatrixNormOptions = {
    ord: isOptions(ord) ? "fro" : (ord as MatrixOrd),
    dim: isOptions(dim) ? [-2, -1] : (dim as number[]),
    keepdim,
  };
  if (isOptions(ord)) o = { ...o, ...(ord as MatrixNormOptions) };
  if (isOptions(dim)) o = { ...o, ...(dim as MatrixNormOptions) };
  o = { ...o, ...opts };
  if (A.dim() < 2)
    throw new ShapeError(
      `linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`,
    );
  const x = o.dtype ? toDType(A, o.dtype) : A;
  const [d0, d1] = (o.dim ?? [-2, -1]).map((d) => (d < 0 ? d + x.dim() : d));
  const kd = o.keepdim ?? false;
  const ordv = o.ord ?? "fro";
  if (ordv === "fro") return pNorm(x, 2, [d0, d1], kd);
  if (ordv === "nuc" || ordv === 2 || ordv === -2) {
    const moved = movePair(x, d0, d1);
    const sv = svdvalsOf(moved);
    let r = ordv === "nuc" ? sum(sv, -1) : ordv === 2 ? amax(sv, -1) : amin(sv, -1);
    if (kd) r = unsqueeze(unsqueeze(r, Math.min(d0, d1)), Math.max(d0, d1));
    return r;
  }
  if (ordv === Infinity || ordv === -Infinity || ordv === 1 || ordv === -1) {
    const rowDim = ordv === 1 || ordv === -1 ? d0 : d1,
      keepDim = ordv === 1 || ordv === -1 ? d1 : d0;
    const s = sum(abs(x), { dim: rowDim, keepdim: true });
    let r = ordv > 0 ? amax(s, keepDim, true) : amin(s, keepDim, true);
    if (!kd) r = squeeze(r, [d0, d1]);
    return r;
  }
  throw new ValueError(`linalg.matrix_norm: Order ${String(ordv)} not supported.`);
}
/** Moves dims d0, d1 to the end (the batch of matrices layout). */
function movePair(x: Tensor, d0: number, d1: number): Tensor {
  const rest = x.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
  return x.permute([...rest, d0, d1]);
}
let svdvalsOf: (x: Tensor) => Tensor = () => {
  throw new ValueError("matrix_norm: singular values are not available");
};
/** Set by linalg/ (which depends on this file): the singular values of a batch of matrices. */
export function setSvdvals(f: (x: Tensor) => Tensor): void {
  svdvalsOf = f;
}

interface LinalgNormOptions {
  ord?: number | "fro" | "nuc" | null;
  dim?: Dims;
  keepdim?: boolean;
  dtype?: DType;
}
export function linalgNorm(
  x: Tensor,
  ord?: number | "fro" | "nuc" | null | LinalgNormOptions,
  dim?: Dims | LinalgNormOptions,
  keepdim = false,
  opts: LinalgNormOptions = {},
): Tensor {
  let o: LinalgNormOptions = {
    ord: isOptions(ord) ? null : ((ord as number | "fro" | "nuc" | null | undefined) ?? null),
    dim: isOptions(dim) ? undefined : (dim as Dims),
    keepdim,
  };
  if (isOptions(ord)) o = { ...o, ...(ord as LinalgNormOptions) };
  if (isOptions(dim)) o = { ...o, ...(dim as LinalgNormOptions) };
  o = { ...o, ...opts };
  const d = o.dim ?? null;
  const dimList = d === null ? null : typeof d === "number" ? [d] : [...d];
  if (o.ord === null || o.ord === undefined) {
    if (dimList !== null && dimList.length === 2)
      return matrixNorm(x, "fro", dimList, o.keepdim ?? false, o.dtype ? { dtype: o.dtype } : {});
    return vectorNorm(x, 2, d, o.keepdim ?? false, o.dtype ? { dtype: o.dtype } : {});
  }
  const isMatrix = dimList !== null ? dimList.length === 2 : x.dim() === 2;
  if (isMatrix) return matrixNorm(x, o.ord, dimList ?? [-2, -1], o.keepdim ?? false, o.dtype ? { dtype: o.dtype } : {});
  if (typeof o.ord === "string") throw new ValueError(`linalg.norm: order ${o.ord} requires a 2-D input or 2 dims`);
  return vectorNorm(x, o.ord, d, o.keepdim ?? false, o.dtype ? { dtype: o.dtype } : {});
}

/** torch.norm(input, p = "fro", dim, keepdim, dtype) (the legacy entry point). */
export function norm(
  x: Tensor,
  p:
    | number
    | "fro"
    | "nuc"
    | null
    | { p?: number | "fro" | "nuc" | null; dim?: Dims; keepdim?: boolean; dtype?: DType } = "fro",
  dim?: Dims,
  keepdim = false,
  dtype?: DType,
): Tensor {
  let pp = p as number | "fro" | "nuc" | null,
    dd = dim,
    kd = keepdim,
    dt = dtype;
  if (isOptions(p)) {
    const o = p as { p?: number | "fro" | "nuc" | null; dim?: Dims; keepdim?: boolean; dtype?: DType };
    pp = o.p ?? "fro";
    dd = o.dim;
    kd = o.keepdim ?? false;
    dt = o.dtype;
  }
  const xx = dt ? toDType(x, dt) : x;
  const dims = dd === undefined || dd === null ? null : typeof dd === "number" ? [dd] : [...dd];
  if (pp === "nuc") return matrixNorm(xx, "nuc", dims ?? [-2, -1], kd);
  if (pp === "fro" || pp === null) {
    if (dims !== null && dims.length === 2) return matrixNorm(xx, "fro", dims, kd);
    return vectorNorm(xx, 2, dims, kd);
  }
  return vectorNorm(xx, pp, dims, kd);
}

export const dist = (a: Tensor, b: Tensor, p: number | { p?: number } = 2): Tensor =>
  vectorNorm(sub(a, b), typeof p === "object" ? (p.p ?? 2) : p);

export function cdist(
  x1: Tensor,
  x2: Tensor,
  p: number | { p?: number; computeMode?: string } = 2,
  _computeMode?: string,
): Tensor {
  const pp = typeof p === "object" ? (p.p ?? 2) : p;
  if (x1.dim() < 2 || x2.dim() < 2)
    throw new ShapeError(`cdist only supports at least 2D tensors, X1 got: ${x1.dim()}D, X2 got: ${x2.dim()}D`);
  const diffs = sub(unsqueeze(x1, -2), unsqueeze(x2, -3));
  return vectorNorm(diffs, pp, -1);
}

interface CovOptions {
  correction?: number;
  fweights?: Tensor | null;
  aweights?: Tensor | null;
}
export function cov(x: Tensor, opts: CovOptions = {}): Tensor {
  if (x.dim() > 2)
    throw new ShapeError(
      `cov(): expected input to have two or fewer dimensions but got an input with ${x.dim()} dimensions`,
    );
  const correction = opts.correction ?? 1;
  let m = x.dim() < 2 ? reshape(x, [1, -1]) : x;
  if (!isFloating(m.dtype)) m = toDType(m, "float32");
  const n = m.shape[1];
  let w: Tensor | null = null;
  if (opts.fweights) w = toDType(opts.fweights, m.dtype);
  if (opts.aweights) w = w === null ? opts.aweights : mul(w, opts.aweights);
  const wsum = w === null ? full([], n, { dtype: m.dtype }) : sum(w);
  const avg = w === null ? mean(m, 1) : div(sum(mul(m, w), 1), wsum);
  let normFactor: Tensor;
  if (w === null) normFactor = sub(wsum, correction);
  else if (correction === 0) normFactor = wsum;
  else if (opts.aweights) normFactor = sub(wsum, mul(div(sum(mul(w, opts.aweights)), wsum), correction));
  else normFactor = sub(wsum, correction);
  normFactor = clamp(normFactor, 0);
  const xm = sub(m, unsqueeze(avg, 1));
  const c = div(matmul(w === null ? xm : mul(xm, w), transpose(xm, 0, 1)), normFactor);
  return x.dim() < 2 ? reshape(c, []) : c;
}
export function corrcoef(x: Tensor): Tensor {
  const c = cov(x);
  if (c.numel() === 1) return reshape(div(c, c), []);
  const sd = sqrt(diagonal(c));
  return clamp(div(div(c, unsqueeze(sd, 1)), unsqueeze(sd, 0)), -1, 1);
}

interface TrapOptions {
  x?: Tensor | null;
  dx?: number | null;
  dim?: number;
}
function trapArgs(a: unknown[]): TrapOptions {
  const last = a[a.length - 1];
  const o: TrapOptions = isOptions(last) ? { ...(last as TrapOptions) } : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  if (isTensor(pos[0])) o.x = pos[0];
  else if (typeof pos[0] === "number") o.dx = pos[0];
  if (typeof pos[1] === "number") o.dim = pos[1];
  return o;
}
function trapTerms(y: Tensor, o: TrapOptions): { terms: Tensor; d: number } {
  const d = (o.dim ?? -1) < 0 ? (o.dim ?? -1) + y.dim() : (o.dim ?? -1);
  const n = y.shape[d];
  if (n === 0) return { terms: narrow(y, d, 0, 0), d };
  const avg = div(add(narrow(y, d, 1, n - 1), narrow(y, d, 0, n - 1)), 2);
  if (o.x) {
    const xs =
      o.x.dim() === 1
        ? reshape(
            o.x,
            y.shape.map((s, i) => (i === d ? s : 1)),
          )
        : o.x;
    const xd = xs.dim() === 1 ? 0 : d;
    const m = xs.shape[xd];
    return { terms: mul(avg, sub(narrow(xs, xd, 1, m - 1), narrow(xs, xd, 0, m - 1))), d };
  }
  return { terms: mul(avg, o.dx ?? 1), d };
}
export function trapezoid(y: Tensor, ...a: unknown[]): Tensor {
  const { terms, d } = trapTerms(y, trapArgs(a));
  return sum(terms, d);
}
export function cumulativeTrapezoid(y: Tensor, ...a: unknown[]): Tensor {
  const { terms, d } = trapTerms(y, trapArgs(a));
  return cumsum(terms, d);
}

export function logspace(
  start: number,
  end: number,
  steps: number,
  base: number | { base?: number; dtype?: DType } = 10,
  opts: { dtype?: DType } = {},
): Tensor {
  const b = typeof base === "object" ? (base.base ?? 10) : base;
  const dtype = (typeof base === "object" ? base.dtype : undefined) ?? opts.dtype ?? "float32";
  const exps = valuesOf(linspace(start, end, steps, { dtype: "float64" }));
  return toDType(
    wrap(
      Float64Array.from(exps, (e) => Math.pow(b, e)),
      [steps],
      "float64",
    ),
    dtype,
  );
}

export function histc(
  x: Tensor,
  bins: number | { bins?: number; min?: number; max?: number } = 100,
  min = 0,
  max = 0,
): Tensor {
  let nb = bins as number;
  if (isOptions(bins)) ({ bins: nb = 100, min = 0, max = 0 } = bins as { bins?: number; min?: number; max?: number });
  if (!isFloating(x.dtype)) throw new DTypeError(`histc: not implemented for '${x.dtype}'`);
  const v = valuesOf(x);
  let lo = min,
    hi = max;
  if (lo === hi && v.length > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (const e of v) {
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const out = new Float64Array(nb);
  for (const e of v) {
    if (!(e >= lo && e <= hi)) continue;
    const i = Math.min(Math.floor(((e - lo) * nb) / (hi - lo)), nb - 1);
    out[i] += 1;
  }
  return toDType(wrap(out, [nb], "float64"), x.dtype);
}

export function bincount(
  x: Tensor,
  weights?: Tensor | null | { weights?: Tensor | null; minlength?: number },
  minlength = 0,
): Tensor {
  let w = weights as Tensor | null | undefined;
  if (isOptions(weights))
    ({ weights: w = null, minlength = 0 } = weights as { weights?: Tensor | null; minlength?: number });
  if (x.dim() !== 1)
    throw new ShapeError(`bincount only supports 1-d non-negative integral inputs, got ${fmtShape(x.shape)}`);
  const v = valuesOf(x);
  for (const e of v) if (e < 0) throw new ValueError("bincount only supports 1-d non-negative integral inputs.");
  const n = Math.max(minlength, v.length === 0 ? 0 : Math.max(...v) + 1);
  const out = new Float64Array(n);
  const wv = w ? valuesOf(w) : null;
  v.forEach((e, i) => (out[e] += wv ? wv[i] : 1));
  if (!w) return wrap(out, [n], "int64");
  return toDType(wrap(out, [n], "float64"), w.dtype === "float32" ? "float32" : "float64");
}

export function histogram(
  x: Tensor,
  bins:
    | number
    | Tensor
    | { bins?: number | Tensor; range?: [number, number] | null; weight?: Tensor | null; density?: boolean } = 100,
  opts: { range?: [number, number] | null; weight?: Tensor | null; density?: boolean } = {},
): [Tensor, Tensor] {
  let b = bins as number | Tensor,
    o = opts;
  if (isOptions(bins)) {
    o = bins as typeof opts;
    b = (bins as { bins?: number | Tensor }).bins ?? 100;
  }
  const v = valuesOf(x);
  let edges: Float64Array;
  if (isTensor(b)) edges = valuesOf(b);
  else {
    let lo = o.range ? o.range[0] : Infinity,
      hi = o.range ? o.range[1] : -Infinity;
    if (!o.range)
      for (const e of v) {
        lo = Math.min(lo, e);
        hi = Math.max(hi, e);
      }
    if (v.length === 0 && !o.range) {
      lo = 0;
      hi = 0;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    edges = valuesOf(linspace(lo, hi, b + 1, { dtype: "float64" }));
    if (x.dtype === "float32") edges = Float64Array.from(edges, Math.fround);
  }
  const nb = edges.length - 1;
  const hist = new Float64Array(nb);
  const wv = o.weight ? valuesOf(o.weight) : null;
  v.forEach((e, i) => {
    if (!(e >= edges[0] && e <= edges[nb])) return;
    let lo = 0,
      hi = nb;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (e >= edges[mid]) lo = mid;
      else hi = mid;
    }
    hist[lo] += wv ? wv[i] : 1;
  });
  if (o.density) {
    const total = hist.reduce((s, h) => s + h, 0);
    for (let i = 0; i < nb; i++) hist[i] /= total * (edges[i + 1] - edges[i]);
  }
  return [toDType(wrap(hist, [nb], "float64"), x.dtype), toDType(wrap(edges, [nb + 1], "float64"), x.dtype)];
}

/**
 * torch.histogramdd(input [N, D], bins): counts of the N points in a D-dimensional grid of bins
 * (a count per dim over [min, max] or the range, or explicit edges per dim); the last bin of each
 * dim is closed. Returns [hist, edges per dim].
 */
export function histogramdd(
  x: Tensor,
  bins: number | readonly number[] | readonly Tensor[],
  opts: { range?: readonly number[] | null; weight?: Tensor | null; density?: boolean } = {},
): [Tensor, Tensor[]] {
  const D = x.shape[x.dim() - 1];
  const pts = valuesOf(x),
    N = pts.length / D;
  const edges: Float64Array[] = [];
  for (let d = 0; d < D; d++) {
    const b = typeof bins === "number" ? bins : bins[d];
    if (isTensor(b)) {
      edges.push(valuesOf(b));
      continue;
    }
    let lo = Infinity,
      hi = -Infinity;
    if (opts.range) {
      lo = opts.range[2 * d];
      hi = opts.range[2 * d + 1];
    } else
      for (let i = 0; i < N; i++) {
        lo = Math.min(lo, pts[i * D + d]);
        hi = Math.max(hi, pts[i * D + d]);
      }
    if (N === 0 && !opts.range) {
      lo = 0;
      hi = 0;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    let e = valuesOf(linspace(lo, hi, (b as number) + 1, { dtype: "float64" }));
    if (x.dtype === "float32") e = Float64Array.from(e, Math.fround);
    edges.push(e);
  }
  const sizes = edges.map((e) => e.length - 1);
  const hist = new Float64Array(sizes.reduce((p, s) => p * s, 1));
  const wv = opts.weight ? valuesOf(opts.weight) : null;
  for (let i = 0; i < N; i++) {
    let flat = 0,
      inside = true;
    for (let d = 0; d < D && inside; d++) {
      const e = edges[d],
        v = pts[i * D + d],
        nb = sizes[d];
      if (!(v >= e[0] && v <= e[nb])) {
        inside = false;
        break;
      }
      let lo = 0,
        hi = nb;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (v >= e[mid]) lo = mid;
        else hi = mid;
      }
      flat = flat * nb + lo;
    }
    if (inside) hist[flat] += wv ? wv[i] : 1;
  }
  if (opts.density) {
    const total = hist.reduce((a, b) => a + b, 0);
    const strides = sizes.map((_, d) => sizes.slice(d + 1).reduce((p, s) => p * s, 1));
    for (let f = 0; f < hist.length; f++) {
      let vol = 1;
      sizes.forEach((_, d) => {
        const k = Math.floor(f / strides[d]) % sizes[d];
        vol *= edges[d][k + 1] - edges[d][k];
      });
      hist[f] /= total * vol;
    }
  }
  return [
    toDType(wrap(hist, sizes, "float64"), x.dtype),
    edges.map((e) => toDType(wrap(e, [e.length], "float64"), x.dtype)),
  ];
}
