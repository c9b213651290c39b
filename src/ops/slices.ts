// Per-slice reference kernels: an op that works along one dim reads each 1-D slice (the dim
// moved last, made contiguous) as a plain array, and writes results of its own length.
import { type DType, arrayFor, castValue } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { normDim } from "../shape.js";
import { wrap } from "./util.js";
import { valuesOf } from "./pointwise-map.js";
import { movedim } from "./shape-ext.js";
import { reshape } from "./view.js";

export interface Slices {
  data: Float64Array;
  n: number;
  count: number;
  lead: number[];
  d: number;
}

/** x's slices along dim (a 0-dim tensor is one slice of length 1). */
export function slicesOf(x: Tensor, dim: number, op: string): Slices {
  const d = x.dim() === 0 ? 0 : normDim(dim, x.dim(), op);
  const moved = x.dim() === 0 ? reshape(x, [1]) : movedim(x, d, -1);
  const n = moved.shape[moved.dim() - 1];
  const data = valuesOf(moved);
  return { data, n, count: n === 0 ? 0 : data.length / n, lead: moved.shape.slice(0, -1), d };
}

/** Builds a tensor from per-slice results of length m, putting the dim back where it was. */
export function fromSlices(x: Tensor, s: Slices, values: ArrayLike<number>, m: number, dtype: DType): Tensor {
  const a = arrayFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) a[i] = castValue(values[i], dtype);
  const t = wrap(a, [...s.lead, m], dtype);
  if (x.dim() === 0) return reshape(t, m === 1 ? [] : [m]);
  return movedim(t, -1, s.d);
}

/** Total order of PyTorch's sort: NaN is the largest value. */
export const ascending = (a: number, b: number): number =>
  Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0;

/** The stable sorting permutation of one slice. */
export function argsortSlice(data: Float64Array, start: number, n: number, descending: boolean): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(
    (i, j) =>
      (descending ? ascending(data[start + j], data[start + i]) : ascending(data[start + i], data[start + j])) || i - j,
  );
  return order;
}
