// Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode,
// unique, uniqueConsecutive, searchsorted, bucketize, quantile. Indices come from the
// reference kernel (slices.ts); values are gathered with them, so gradients flow as gather's.
import { isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { IndexError, ValueError, fmtShape } from "../errors.js";
import { isOptions, isTensor, wrap } from "./util.js";
import { tensor } from "./creation.js";
import { gather, indexSelect } from "./indexing.js";
import { reshape, squeeze, narrow } from "./view.js";
import { add, mul, sub } from "./binary.js";
import { toDType } from "./cast.js";
import { argsortSlice, ascending, fromSlices, slicesOf } from "./slices.js";
import { valuesOf } from "./pointwise-map.js";
import { movedim } from "./shape-ext.js";
import { stack } from "./join.js";

export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
const vi = (values: Tensor, indices: Tensor): ValuesIndices =>
  Object.assign([values, indices] as [Tensor, Tensor], { values, indices });

interface SortOptions {
  dim?: number;
  descending?: boolean;
  stable?: boolean;
}
function sortArgs(a: unknown[]): Required<SortOptions> {
  const o: Required<SortOptions> = { dim: -1, descending: false, stable: false };
  const last = a[a.length - 1];
  if (isOptions(last)) Object.assign(o, Object.fromEntries(Object.entries(last).filter(([, v]) => v !== undefined)));
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  if (typeof pos[0] === "number") o.dim = pos[0];
  if (typeof pos[1] === "boolean") o.descending = pos[1];
  return o;
}

function sortIndices(x: Tensor, dim: number, descending: boolean, op: string): Tensor {
  const s = slicesOf(x, dim, op);
  const idx = new Float64Array(s.data.length);
  for (let k = 0; k < s.count; k++) {
    const order = argsortSlice(s.data, k * s.n, s.n, descending);
    for (let i = 0; i < s.n; i++) idx[k * s.n + i] = order[i];
  }
  return fromSlices(x, s, idx, s.n, "int64");
}
const gatherAlong = (x: Tensor, dim: number, idx: Tensor): Tensor => (x.dim() === 0 ? x.clone() : gather(x, dim, idx));

/** sort(x, dim = -1, descending = false) → [values, indices]; stable (ties keep their order). */
export function sort(x: Tensor, ...a: unknown[]): ValuesIndices {
  const o = sortArgs(a);
  const idx = sortIndices(x, o.dim, o.descending, "sort");
  return vi(gatherAlong(x, o.dim, idx), idx);
}
export const argsort = (x: Tensor, ...a: unknown[]): Tensor => {
  const o = sortArgs(a);
  return sortIndices(x, o.dim, o.descending, "argsort");
};
export const msort = (x: Tensor): Tensor => sort(x, 0).values;

interface TopkOptions {
  k?: number;
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}
export function topk(
  x: Tensor,
  k: number | TopkOptions,
  dim: number | TopkOptions = -1,
  largest: boolean | TopkOptions = true,
  sorted: boolean | TopkOptions = true,
): ValuesIndices {
  const o: Required<TopkOptions> = { k: 0, dim: -1, largest: true, sorted: true };
  const args = [k, dim, largest, sorted];
  const opts = args.find(isOptions) as TopkOptions | undefined;
  const pos = args.filter((v) => !isOptions(v));
  if (typeof pos[0] === "number") o.k = pos[0];
  if (typeof pos[1] === "number") o.dim = pos[1];
  if (typeof pos[2] === "boolean") o.largest = pos[2];
  if (opts) Object.assign(o, Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)));
  const d = x.dim() === 0 ? 0 : o.dim;
  const n = x.dim() === 0 ? 1 : x.shape[(d + x.dim()) % x.dim()];
  if (o.k < 0 || o.k > n)
    throw new IndexError(`topk: k (${o.k}) out of range for dimension of size ${n} (input shape ${fmtShape(x.shape)})`);
  const idxAll = sortIndices(x, d, o.largest, "topk");
  const idx = x.dim() === 0 ? idxAll : narrow(idxAll, d, 0, o.k);
  return vi(gatherAlong(x, d, idx), idx);
}

interface DimKeep {
  dim?: number;
  keepdim?: boolean;
}
function dimKeep(a: unknown[], dflt: number): { dim: number; keepdim: boolean } {
  const last = a[a.length - 1];
  const o: DimKeep = isOptions(last) ? (last as DimKeep) : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  return {
    dim: (pos[0] as number | undefined) ?? o.dim ?? dflt,
    keepdim: (pos[1] as boolean | undefined) ?? o.keepdim ?? false,
  };
}

/** The element at sorted position pick(slice) of each slice along dim, with its index. */
function orderStat(
  x: Tensor,
  dim: number,
  keepdim: boolean,
  op: string,
  pick: (sorted: number[], data: Float64Array, start: number) => number,
): ValuesIndices {
  const s = slicesOf(x, dim, op);
  if (x.dim() > 0 && s.n === 0)
    throw new IndexError(`${op}: cannot compute ${op} of an empty dimension (input shape ${fmtShape(x.shape)})`);
  const idx = new Float64Array(s.count);
  for (let k = 0; k < s.count; k++) {
    const order = argsortSlice(s.data, k * s.n, s.n, false);
    idx[k] = order[pick(order, s.data, k * s.n)];
  }
  const indices = fromSlices(x, s, idx, 1, "int64");
  const values = gatherAlong(x, s.d, indices);
  if (keepdim || x.dim() === 0) return vi(values, x.dim() === 0 ? reshape(indices, []) : indices);
  return vi(squeeze(values, s.d), squeeze(indices, s.d));
}

/**
 * ATen's quick_select_template (median of three, Hoare partition) on one slice, moving the
 * indices along: which of equal values ends at position k is PyTorch's choice.
 */
function quickSelect(vals: number[], idx: number[], k: number): void {
  const gt = (a: number, b: number): boolean => (Number.isNaN(a) && !Number.isNaN(b)) || a > b;
  const swap = (i: number, j: number): void => {
    [vals[i], vals[j]] = [vals[j], vals[i]];
    [idx[i], idx[j]] = [idx[j], idx[i]];
  };
  let L = 0,
    R = vals.length - 1;
  for (;;) {
    if (R <= L) return;
    if (R === L + 1) {
      if (gt(vals[L], vals[R])) swap(L, R);
      return;
    }
    const P = L + ((R - L) >> 1);
    swap(P, L + 1);
    if (gt(vals[L + 1], vals[R])) swap(L + 1, R);
    if (gt(vals[L], vals[R])) swap(L, R);
    if (gt(vals[L + 1], vals[L])) swap(L + 1, L);
    let i = L + 1,
      j = R;
    const piv = vals[L];
    for (;;) {
      do i++;
      while (gt(piv, vals[i]));
      do j--;
      while (gt(vals[j], piv));
      if (j < i) break;
      swap(i, j);
    }
    swap(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}

export function kthvalue(x: Tensor, k: number, ...a: unknown[]): ValuesIndices {
  const { dim, keepdim } = dimKeep(a, -1);
  const n = x.dim() === 0 ? 1 : x.shape[(dim + x.dim()) % x.dim()];
  if (k < 1 || k > n)
    throw new IndexError(`kthvalue: selected number k (${k}) out of range for dimension of size ${n}`);
  const s = slicesOf(x, dim, "kthvalue");
  const out = new Float64Array(s.count);
  for (let c = 0; c < s.count; c++) {
    const vals = Array.from(s.data.subarray(c * s.n, (c + 1) * s.n)),
      idx = vals.map((_, i) => i);
    quickSelect(vals, idx, k - 1);
    out[c] = idx[k - 1];
  }
  const indices = fromSlices(x, s, out, 1, "int64");
  const values = gatherAlong(x, s.d, indices);
  if (keepdim || x.dim() === 0) return vi(values, x.dim() === 0 ? reshape(indices, []) : indices);
  return vi(squeeze(values, s.d), squeeze(indices, s.d));
}

/** The lower median; NaN when a slice has NaN (median) or of the non-NaN values (nanmedian). */
function medianOf(x: Tensor, a: unknown[], op: string, ignoreNan: boolean): Tensor | ValuesIndices {
  const pick = (sorted: number[], data: Float64Array, start: number): number => {
    const nans = sorted.filter((i) => Number.isNaN(data[start + i])).length;
    if (nans > 0 && !ignoreNan) return sorted.length - nans;
    const m = sorted.length - (ignoreNan ? nans : 0);
    return m === 0 ? 0 : Math.floor((m - 1) / 2);
  };
  if (a.length === 0) {
    if (x.numel() === 0) return toDType(tensor(NaN, { dtype: isFloating(x.dtype) ? x.dtype : "float32" }), x.dtype);
    return orderStat(reshape(x, [-1]), 0, false, op, pick).values;
  }
  const { dim, keepdim } = dimKeep(a, -1);
  return orderStat(x, dim, keepdim, op, pick);
}
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number | DimKeep, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, ...a: unknown[]): Tensor | ValuesIndices {
  return medianOf(x, a, "median", false);
}
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number | DimKeep, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, ...a: unknown[]): Tensor | ValuesIndices {
  return medianOf(x, a, "nanmedian", true);
}

/** The most frequent value of each slice (the smallest among equally frequent), with its last index. */
export function mode(x: Tensor, ...a: unknown[]): ValuesIndices {
  const { dim, keepdim } = dimKeep(a, -1);
  return orderStat(x, dim, keepdim, "mode", (sorted, data, start) => {
    let best = 0,
      bestCount = 0;
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j < sorted.length && ascending(data[start + sorted[j]], data[start + sorted[i]]) === 0) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = j - 1;
      }
      i = j;
    }
    return best;
  });
}

interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}
function uniqueArgs(a: unknown[], names: (keyof UniqueOptions)[]): UniqueOptions {
  const last = a[a.length - 1];
  const o: UniqueOptions = isOptions(last) ? { ...(last as UniqueOptions) } : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  pos.forEach((v, i) => ((o as Record<string, unknown>)[names[i]] = v));
  return o;
}
/** Unique values (or slices along dim), sorted; with inverse indices and counts on request. */
function uniqueImpl(x: Tensor, o: UniqueOptions, consecutive: boolean): Tensor | Tensor[] {
  const dim = o.dim ?? null;
  const src = dim === null ? reshape(x, [-1]) : movedim(x, dim, 0);
  const n = src.shape[0];
  const rowLen = n === 0 ? 0 : src.numel() / n;
  const vals = valuesOf(src);
  const cmp = (i: number, j: number): number => {
    for (let k = 0; k < rowLen; k++) {
      const c = ascending(vals[i * rowLen + k], vals[j * rowLen + k]);
      if (c !== 0) return c;
    }
    return 0;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  if (!consecutive) order.sort((i, j) => cmp(i, j) || i - j);
  const firsts: number[] = [],
    inverse = new Float64Array(n),
    counts: number[] = [];
  for (let p = 0; p < n; p++) {
    const i = order[p];
    if (p === 0 || cmp(order[p - 1], i) !== 0) {
      firsts.push(i);
      counts.push(0);
    }
    inverse[i] = firsts.length - 1;
    counts[counts.length - 1]++;
  }
  let out = indexSelect(src.detach(), 0, tensor(firsts, { dtype: "int64" }));
  if (dim !== null) out = movedim(out, 0, dim);
  if (!o.returnInverse && !o.returnCounts) return out;
  const res = [out];
  if (o.returnInverse) res.push(wrap(inverse, dim === null ? x.shape : [n], "int64"));
  if (o.returnCounts) res.push(tensor(counts, { dtype: "int64" }));
  return res;
}
export const unique = (x: Tensor, ...a: unknown[]): Tensor | Tensor[] =>
  uniqueImpl(x, uniqueArgs(a, ["sorted", "returnInverse", "returnCounts", "dim"]), false);
export const uniqueConsecutive = (x: Tensor, ...a: unknown[]): Tensor | Tensor[] =>
  uniqueImpl(x, uniqueArgs(a, ["returnInverse", "returnCounts", "dim"]), true);

interface SearchOptions {
  outInt32?: boolean;
  right?: boolean;
  side?: "left" | "right" | null;
  sorter?: Tensor | null;
}
/** Insertion points of values into the innermost dim of a sorted sequence (1-D or matching batch). */
export function searchsorted(seq: Tensor, values: Tensor | number, ...a: unknown[]): Tensor {
  const o = uniqueArgsSearch(a);
  const right = o.side === "right" || (o.side !== "left" && o.right === true);
  if (o.side === "left" && o.right === true)
    throw new ValueError(
      "searchsorted: side and right can't be set to opposites, got side of left while right was True",
    );
  const v = isTensor(values) ? values : tensor(values, { dtype: seq.dtype });
  const sv = valuesOf(seq),
    vv = valuesOf(v);
  const n = seq.shape[seq.dim() - 1] ?? 0;
  const perRow = v.dim() === 0 ? 1 : v.shape[v.dim() - 1];
  const sorter = o.sorter ? valuesOf(o.sorter) : null;
  const out = new Float64Array(vv.length);
  for (let i = 0; i < vv.length; i++) {
    const row = seq.dim() === 1 ? 0 : Math.floor(i / perRow);
    const at = (k: number): number => sv[row * n + (sorter ? sorter[row * n + k] : k)];
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = ascending(at(mid), vv[i]);
      if (c < 0 || (right && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  const r = wrap(out, v.shape, "int64");
  return o.outInt32 ? toDType(r, "int32") : r;
}
function uniqueArgsSearch(a: unknown[]): SearchOptions {
  const last = a[a.length - 1];
  const o: SearchOptions = isOptions(last) ? { ...(last as SearchOptions) } : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  if (pos[0] !== undefined) o.outInt32 = pos[0] as boolean;
  if (pos[1] !== undefined) o.right = pos[1] as boolean;
  return o;
}
export function bucketize(x: Tensor | number, boundaries: Tensor, ...a: unknown[]): Tensor {
  return searchsorted(boundaries, x, ...a);
}

interface QuantileOptions {
  dim?: number | null;
  keepdim?: boolean;
  interpolation?: "linear" | "lower" | "higher" | "midpoint" | "nearest";
}
/** Quantiles by sorting, then interpolating between neighbours (differentiable through gather). */
function quantileImpl(op: string, x: Tensor, q: Tensor | number, a: unknown[], ignoreNan: boolean): Tensor {
  if (x.dim() === 0) {
    const r = quantileImpl(op, reshape(x, [1]), q, a, ignoreNan);
    return isTensor(q) && q.dim() > 0 ? reshape(r, [-1]) : reshape(r, []);
  }
  const last = a[a.length - 1];
  const o: QuantileOptions = isOptions(last) ? { ...(last as QuantileOptions) } : {};
  const pos = isOptions(last) ? a.slice(0, -1) : a;
  if (pos[0] !== undefined) o.dim = pos[0] as number | null;
  if (pos[1] !== undefined) o.keepdim = pos[1] as boolean;
  if (pos[2] !== undefined) o.interpolation = pos[2] as QuantileOptions["interpolation"];
  const interp = o.interpolation ?? "linear";
  const qs = isTensor(q) ? Array.from(valuesOf(q)) : [q];
  for (const p of qs) if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: q values must be in the range [0, 1]`);
  const dim = o.dim ?? null;
  const src = dim === null ? reshape(x, [-1]) : x;
  const d = dim === null ? 0 : dim;
  const sorted = sort(src, d).values;
  const s = slicesOf(src, d, op);
  const outs = qs.map((p) => {
    const lo = new Float64Array(s.count),
      hi = new Float64Array(s.count),
      w = new Float64Array(s.count),
      nan = new Uint8Array(s.count);
    for (let k = 0; k < s.count; k++) {
      let valid = s.n;
      let hasNan = false;
      for (let i = 0; i < s.n; i++)
        if (Number.isNaN(s.data[k * s.n + i])) {
          hasNan = true;
          valid--;
        }
      if ((hasNan && !ignoreNan) || valid === 0) {
        nan[k] = 1;
        continue;
      }
      const rank = p * (valid - 1);
      let l = Math.floor(rank),
        h = Math.ceil(rank),
        frac = rank - l;
      if (interp === "lower") {
        h = l;
        frac = 0;
      } else if (interp === "higher") {
        l = h;
        frac = 0;
      } else if (interp === "midpoint") frac = l === h ? 0 : 0.5;
      else if (interp === "nearest") {
        // round half to even, as torch.round
        const r = frac === 0.5 ? (l % 2 === 0 ? l : h) : Math.round(rank);
        l = h = r;
        frac = 0;
      }
      lo[k] = l;
      hi[k] = h;
      w[k] = frac;
    }
    const li = fromSlices(src, s, lo, 1, "int64"),
      hiT = fromSlices(src, s, hi, 1, "int64");
    const wt = toDType(fromSlices(src, s, w, 1, "float64"), sorted.dtype);
    const vl = gather(sorted, s.d, li),
      vh = gather(sorted, s.d, hiT);
    let r = add(vl, mul(sub(vh, vl), wt));
    const nanMask = fromSlices(src, s, nan, 1, "bool");
    r = r.maskedFill(nanMask, NaN);
    return (o.keepdim ?? false)
      ? dim === null
        ? reshape(
            r,
            x.shape.map(() => 1),
          )
        : r
      : squeeze(r, s.d);
  });
  if (!isTensor(q) || q.dim() === 0) return outs[0];
  return stack(outs, 0);
}
export const quantile = (x: Tensor, q: Tensor | number, ...a: unknown[]): Tensor =>
  quantileImpl("quantile", x, q, a, false);
export const nanquantile = (x: Tensor, q: Tensor | number, ...a: unknown[]): Tensor =>
  quantileImpl("nanquantile", x, q, a, true);
