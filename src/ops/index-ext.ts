// Indexed updates and lookups: indexFill/indexCopy/indexAdd/indexReduce, scatterReduce,
// indexPut, put, maskedScatter, argwhere, isin; composed from scatter/gather/where so their
// gradients are those ops' (scatterReduce's amax/amin/mean/prod gradients as PyTorch's).
import { isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { record } from "../autograd/record.js";
import { isOptions, isTensor, wrap } from "./util.js";
import { add, div, eq, mul, where } from "./binary.js";
import { tensor, zeros, onesLike } from "./creation.js";
import { expand, reshape } from "./view.js";
import { gather, nonzero, scatter, scatterAdd } from "./indexing.js";
import { toDType } from "./cast.js";
import { normDim, broadcastShapes } from "../shape.js";
import { valuesOf } from "./pointwise-map.js";

const idx = (v: number[], shape?: number[]): Tensor => {
  const t = tensor(v, { dtype: "int64" });
  return shape ? reshape(t, shape) : t;
};
/** index (1-D, along dim) expanded to the full shape of `like` with that dim of size index.numel(). */
function fullIndex(x: Tensor, dim: number, index: Tensor, like: readonly number[]): Tensor {
  const d = x.dim() === 0 ? 0 : dim;
  const shape = like.length === 0 ? [index.numel()] : [...like];
  const view = shape.map((_, i) => (i === d ? index.numel() : 1));
  return expand(reshape(index, view), shape);
}
const asND = (x: Tensor): Tensor => (x.dim() === 0 ? reshape(x, [1]) : x);
const back = (x: Tensor, out: Tensor): Tensor => (x.dim() === 0 ? reshape(out, []) : out);

function checkIndex(op: string, x: Tensor, d: number, index: Tensor): void {
  const n = x.dim() === 0 ? 1 : x.shape[d];
  for (const i of valuesOf(index))
    if (i < -n || i >= n) throw new IndexError(`${op}: index ${i} is out of bounds for dimension ${d} with size ${n}`);
}
const wrapIdx = (index: Tensor, n: number): Tensor => idx(Array.from(valuesOf(index), (i) => (i < 0 ? i + n : i)));

export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  const xx = asND(x),
    d = normDim(dim, xx.dim(), "index_fill");
  checkIndex("index_fill", xx, d, index);
  const mask = new Uint8Array(xx.shape[d]);
  for (const i of valuesOf(wrapIdx(index, xx.shape[d]))) mask[i] = 1;
  const m = reshape(
    wrap(mask, [xx.shape[d]], "bool"),
    xx.shape.map((s, i) => (i === d ? s : 1)),
  );
  const v = isTensor(value) ? toDType(value, x.dtype) : tensor(value as number, { dtype: x.dtype });
  return back(x, where(m, v, xx));
}
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const xx = asND(x),
    d = normDim(dim, xx.dim(), "index_copy");
  checkIndex("index_copy", xx, d, index);
  const src = asND(source);
  return back(x, scatter(xx, d, fullIndex(xx, d, wrapIdx(index, xx.shape[d]), src.shape), src));
}
export function indexAdd(
  x: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  alpha: number | { alpha?: number } = 1,
): Tensor {
  const a = typeof alpha === "object" ? (alpha.alpha ?? 1) : alpha;
  const xx = asND(x),
    d = normDim(dim, xx.dim(), "index_add");
  checkIndex("index_add", xx, d, index);
  const src = asND(a === 1 ? source : mul(source, a));
  return back(x, scatterAdd(xx, d, fullIndex(xx, d, wrapIdx(index, xx.shape[d]), src.shape), src));
}

type Reduce = "sum" | "prod" | "mean" | "amax" | "amin";
/** scatter_reduce(x, dim, index, src, reduce, includeSelf = true). */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: Reduce,
  includeSelf: boolean | { includeSelf?: boolean } = true,
): Tensor {
  const inc = typeof includeSelf === "object" ? (includeSelf.includeSelf ?? true) : includeSelf;
  const d = normDim(dim, Math.max(x.dim(), 1), "scatter_reduce");
  const xx = asND(x),
    ii = asND(index),
    ss = asND(src);
  const ones = onesLike(ss, { dtype: x.dtype });
  // which positions of x receive anything
  const hit = scatterAdd(zeros(xx.shape, { dtype: x.dtype }), d, ii, ones).detach();
  const touched = hit.gt(0);
  if (reduce === "sum" || reduce === "mean") {
    const base = inc ? xx : where(touched, 0, xx);
    let out = scatterAdd(base, d, ii, ss);
    if (reduce === "mean") {
      const count = where(touched, add(hit, inc ? 1 : 0), 1);
      out = where(touched, div(out, count), xx);
      if (!isFloating(x.dtype)) out = toDType(out.floor(), x.dtype);
    }
    return back(x, out);
  }
  // prod, amax, amin: values by the reference kernel, gradients composed
  const xv = valuesOf(xx),
    iv = valuesOf(ii),
    sv = valuesOf(ss);
  const out = Float64Array.from(xv),
    seen = new Uint8Array(xv.length);
  const strides = xx.shape.map((_, k) => xx.shape.slice(k + 1).reduce((p, s) => p * s, 1));
  const istr = ii.shape.map((_, k) => ii.shape.slice(k + 1).reduce((p, s) => p * s, 1));
  const sstr = ss.shape.map((_, k) => ss.shape.slice(k + 1).reduce((p, s) => p * s, 1));
  for (let p = 0; p < iv.length; p++) {
    let rem = p,
      dst = 0,
      srcPos = 0;
    for (let k = 0; k < ii.dim(); k++) {
      const c = Math.floor(rem / istr[k]);
      rem -= c * istr[k];
      dst += (k === d ? iv[p] : c) * strides[k];
      srcPos += c * sstr[k];
    }
    const v = sv[srcPos];
    if (!inc && !seen[dst]) {
      out[dst] = v;
      seen[dst] = 1;
      continue;
    }
    seen[dst] = 1;
    out[dst] =
      reduce === "prod"
        ? out[dst] * v
        : reduce === "amax"
          ? Number.isNaN(v) || v > out[dst]
            ? v
            : out[dst]
          : Number.isNaN(v) || v < out[dst]
            ? v
            : out[dst];
  }
  const y = toDType(wrap(out, xx.shape, "float64"), x.dtype);
  const res = record(
    "ScatterReduceBackward",
    [xx, ss],
    y,
    ([g]) => {
      if (reduce === "prod") {
        const gx = inc ? div(mul(g, y), xx) : where(touched, 0, g);
        return [gx, div(mul(gather(g, d, ii), gather(y, d, ii)), ss)];
      }
      // amax/amin: the gradient is shared among the elements equal to the result
      const selfHit = inc ? toDType(eq(xx, y), g.dtype) : where(touched, 0, onesLike(g));
      const srcHit = toDType(eq(ss, gather(y, d, ii)), g.dtype);
      const n = scatterAdd(selfHit, d, ii, srcHit);
      const share = div(g, n);
      return [mul(selfHit, share), mul(srcHit, gather(share, d, ii))];
    },
    [y],
  );
  return back(x, res);
}
export function indexReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  reduce: Reduce,
  includeSelf: boolean | { includeSelf?: boolean } = true,
): Tensor {
  const xx = asND(x),
    d = normDim(dim, xx.dim(), "index_reduce");
  const src = asND(source);
  return back(
    x,
    scatterReduce(xx, d, fullIndex(xx, d, wrapIdx(index, xx.shape[d]), src.shape), src, reduce, includeSelf),
  );
}

/** Row-major linear positions selected by torch-style index tensors over the leading dims. */
function linearIndex(x: Tensor, indices: readonly (Tensor | null)[]): { lin: number[]; shape: number[] } {
  const expanded: Tensor[] = [];
  for (const t of indices) {
    if (t === null) throw new ValueError("index_put: None indices are not supported");
    if (t.dtype === "bool" || t.dtype === "uint8") {
      const nz = nonzero(t);
      for (let k = 0; k < t.dim(); k++) expanded.push(nz.select(1, k));
    } else expanded.push(t);
  }
  const bshape = expanded.map((t) => [...t.shape]).reduce((a, b) => broadcastShapes(a, b, "index_put"), []);
  const vals = expanded.map((t) => valuesOf(expand(t, bshape)));
  const k = expanded.length;
  const rest = x.shape.slice(k);
  const restN = rest.reduce((p, s) => p * s, 1);
  const count = bshape.reduce((p, s) => p * s, 1);
  const lin: number[] = [];
  for (let p = 0; p < count; p++) {
    let base = 0;
    for (let j = 0; j < k; j++) {
      const n = x.shape[j];
      let i = vals[j][p];
      if (i < -n || i >= n)
        throw new IndexError(`index_put: index ${i} is out of bounds for dimension ${j} with size ${n}`);
      if (i < 0) i += n;
      base = base * n + i;
    }
    for (let r = 0; r < restN; r++) lin.push(base * restN + r);
  }
  return { lin, shape: [...bshape, ...rest] };
}
export function indexPut(
  x: Tensor,
  indices: readonly (Tensor | null)[],
  values: Tensor,
  accumulate: boolean | { accumulate?: boolean } = false,
): Tensor {
  const acc = typeof accumulate === "object" ? (accumulate.accumulate ?? false) : accumulate;
  const { lin, shape } = linearIndex(x, indices);
  const v = reshape(expand(toDType(values, x.dtype), shape), [-1]);
  const flat = reshape(x, [-1]),
    li = idx(lin);
  return reshape(acc ? scatterAdd(flat, 0, li, v) : scatter(flat, 0, li, v), x.shape);
}
export function put(
  x: Tensor,
  index: Tensor,
  source: Tensor,
  accumulate: boolean | { accumulate?: boolean } = false,
): Tensor {
  const acc = typeof accumulate === "object" ? (accumulate.accumulate ?? false) : accumulate;
  const n = x.numel();
  const li = wrapIdx(reshape(index, [-1]), n);
  for (const i of valuesOf(index))
    if (i < -n || i >= n) throw new IndexError(`put: index ${i} is out of bounds for a tensor of ${n} elements`);
  const flat = reshape(x, [-1]),
    src = reshape(source, [-1]);
  return reshape(acc ? scatterAdd(flat, 0, li, src) : scatter(flat, 0, li, src), x.shape);
}
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  const m = valuesOf(expand(mask, x.shape));
  const lin: number[] = [];
  m.forEach((v, i) => {
    if (v) lin.push(i);
  });
  if (lin.length > source.numel())
    throw new ShapeError(
      `masked_scatter: expected source to have at least ${lin.length} elements, got ${fmtShape(source.shape)}`,
    );
  const src = reshape(source, [-1]).narrow(0, 0, lin.length);
  return reshape(scatter(reshape(x, [-1]), 0, idx(lin), src), x.shape);
}
export const argwhere = (x: Tensor): Tensor => nonzero(x);

export function isin(
  elements: Tensor | number,
  test: Tensor | number,
  assumeUnique: boolean | { assumeUnique?: boolean; invert?: boolean } = false,
  invert = false,
): Tensor {
  const inv = isOptions(assumeUnique) ? ((assumeUnique as { invert?: boolean }).invert ?? false) : invert;
  const e = isTensor(elements) ? elements : tensor(elements);
  const set = new Set(isTensor(test) ? Array.from(valuesOf(test)) : [test]);
  return wrap(
    Uint8Array.from(valuesOf(e), (v) => (set.has(v) ? 1 : 0) ^ (inv ? 1 : 0)),
    e.shape,
    "bool",
  );
}

/** frexp: mantissa in [0.5, 1) and integer exponent with x = mantissa * 2^exponent. */
export function frexp(x: Tensor): [Tensor, Tensor] {
  if (!isFloating(x.dtype)) throw new ValueError(`torch.frexp() only supports floating-point dtypes, got ${x.dtype}`);
  const v = valuesOf(x);
  const m = new Float64Array(v.length),
    e = new Int32Array(v.length);
  v.forEach((a, i) => {
    if (a === 0 || !Number.isFinite(a)) {
      m[i] = a;
      e[i] = 0;
      return;
    }
    let ex = Math.floor(Math.log2(Math.abs(a))) + 1;
    let mant = a / 2 ** ex;
    if (Math.abs(mant) >= 1) {
      mant /= 2;
      ex += 1;
    } else if (Math.abs(mant) < 0.5) {
      mant *= 2;
      ex -= 1;
    }
    m[i] = mant;
    e[i] = ex;
  });
  const mant = toDType(wrap(m, x.shape, "float64"), x.dtype);
  const expo = wrap(e, x.shape, "int32");
  return [record("FrexpBackward", [x], mant, ([g]) => [div(g, toDType(expo, g.dtype).exp2())]), expo];
}

interface SegmentOptions {
  lengths?: Tensor | null;
  indices?: Tensor | null;
  offsets?: Tensor | null;
  axis?: number;
  unsafe?: boolean;
  initial?: number | null;
}
/** torch.segment_reduce: reduce (sum, mean, max, min, prod) over consecutive segments along axis; `initial` joins each reduction. */
export function segmentReduce(
  data: Tensor,
  reduce: "sum" | "mean" | "max" | "min" | "prod",
  opts: SegmentOptions = {},
): Tensor {
  const axis = normDim(opts.axis ?? 0, data.dim(), "segment_reduce");
  let lengths: number[];
  if (opts.lengths) lengths = Array.from(valuesOf(opts.lengths));
  else if (opts.offsets) {
    const off = Array.from(valuesOf(opts.offsets));
    lengths = off.slice(1).map((v, i) => v - off[i]);
  } else throw new ValueError("segment_reduce: either lengths or offsets must be given");
  const n = data.shape[axis];
  if (lengths.reduce((a, b) => a + b, 0) !== n)
    throw new ShapeError(
      `segment_reduce: the segment lengths must add up to ${n} (data shape ${fmtShape(data.shape)})`,
    );
  const seg: number[] = [];
  lengths.forEach((len, s) => {
    for (let k = 0; k < len; k++) seg.push(s);
  });
  const outShape = data.shape.map((s, i) => (i === axis ? lengths.length : s));
  const index = expand(
    reshape(
      idx(seg),
      data.shape.map((s, i) => (i === axis ? s : 1)),
    ),
    data.shape,
  );
  const init = opts.initial ?? null;
  const identity = reduce === "max" ? -Infinity : reduce === "min" ? Infinity : reduce === "prod" ? 1 : 0;
  const base = zeros(outShape, { dtype: data.dtype }).add(init ?? identity);
  if (reduce === "sum" || reduce === "mean") {
    const total = scatterAdd(base, axis, index, data);
    if (reduce === "sum") return total;
    const lens = reshape(
      tensor(lengths, { dtype: data.dtype }),
      outShape.map((s, i) => (i === axis ? s : 1)),
    );
    return where(eq(lens, 0), init ?? NaN, div(total, where(eq(lens, 0), 1, lens)));
  }
  return scatterReduce(base, axis, index, data, reduce === "max" ? "amax" : reduce === "min" ? "amin" : "prod", true);
}
