// Shape ops composed from views, indexSelect and cat (so they are differentiable on every
// backend): flip, roll, rot90, repeat, tile, meshgrid, kron,
// repeatInterleave, movedim, unfold, diff. Diagonals, stacks/splits and the *Scatter ops live in
// ./shape-diag.ts, ./shape-stack.ts and ./shape-scatter.ts (re-exported here).
import { Tensor } from "../tensor.js";
import { IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { normDim, broadcastShapes as broadcast2 } from "../shape.js";
import { record } from "../autograd/record.js";
import { isOptions, isTensor } from "./util.js";
import { full, tensor } from "./creation.js";
import { expand, flatten, narrow, permute, reshape, transpose, unsqueeze } from "./view.js";
import { cat, stack } from "./join.js";
import { gather, indexSelect } from "./indexing.js";
import { logicalXor, mul, sub } from "./binary.js";
import { toDType } from "./cast.js";
import { sum } from "./reduce.js";
import { sumToShape } from "./broadcast.js";

export * from "./shape-diag.js";
export * from "./shape-stack.js";
export * from "./shape-scatter.js";

type IntList = number | readonly number[];
/** Sizes or dims given as varargs or as one array (torch accepts both). */
const intsOf = (args: readonly unknown[]): number[] =>
  args.flatMap((a) => (Array.isArray(a) ? (a as number[]) : typeof a === "number" ? [a] : []));
const listOf = (v: IntList): number[] => (typeof v === "number" ? [v] : [...v]);
const idx = (values: number[]): Tensor => tensor(values, { dtype: "int64" });

export function flip(x: Tensor, ...dimsArg: (IntList | { dims: IntList })[]): Tensor {
  const dims =
    dimsArg.length === 1 && isOptions(dimsArg[0]) ? listOf((dimsArg[0] as { dims: IntList }).dims) : intsOf(dimsArg);
  let out = x;
  const seen = new Set<number>();
  for (const dim of dims) {
    const d = normDim(dim, x.dim(), "flip");
    if (seen.has(d)) throw new ValueError(`flip: dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
    const n = x.shape[d];
    out = indexSelect(out, d, idx(Array.from({ length: n }, (_, i) => n - 1 - i)));
  }
  return dims.length === 0 ? x.clone() : out;
}
export function fliplr(x: Tensor): Tensor {
  if (x.dim() < 2) throw new ShapeError(`fliplr: input must be >= 2-d, got ${fmtShape(x.shape)}`);
  return flip(x, [1]);
}
export function flipud(x: Tensor): Tensor {
  if (x.dim() < 1) throw new ShapeError(`flipud: input must be >= 1-d, got ${fmtShape(x.shape)}`);
  return flip(x, [0]);
}

export function roll(
  x: Tensor,
  shifts: IntList | { shifts: IntList; dims?: IntList | null },
  dims?: IntList | null,
): Tensor {
  let s: number[], d: number[] | null;
  if (isOptions(shifts)) {
    const o = shifts as { shifts: IntList; dims?: IntList | null };
    s = listOf(o.shifts);
    d = o.dims === undefined || o.dims === null ? null : listOf(o.dims);
  } else {
    s = listOf(shifts as IntList);
    d = dims === undefined || dims === null ? null : listOf(dims);
  }
  if (d === null || d.length === 0) {
    if (s.length !== 1)
      throw new ValueError(`roll: shifts must have one element when dims is not given, got ${s.length}`);
    return reshape(roll(flatten(x), s, [0]), x.shape);
  }
  if (s.length !== d.length)
    throw new ValueError(`roll: shifts and dimensions must align. shifts: ${s.length}, dims: ${d.length}`);
  let out = x;
  s.forEach((shift, i) => {
    const dd = normDim(d[i], x.dim(), "roll");
    const n = x.shape[dd];
    if (n === 0) return;
    const k = ((shift % n) + n) % n;
    if (k === 0) return;
    out = cat([narrow(out, dd, n - k, k), narrow(out, dd, 0, n - k)], dd);
  });
  return out === x ? x.clone() : out;
}

export function rot90(
  x: Tensor,
  k: number | { k?: number; dims?: readonly number[] } = 1,
  dims: readonly number[] = [0, 1],
): Tensor {
  let kk = k as number;
  if (isOptions(k)) ({ k: kk = 1, dims = [0, 1] } = k as { k?: number; dims?: readonly number[] });
  if (dims.length !== 2)
    throw new ValueError(`rot90: expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (x.dim() < 2) throw new ShapeError(`rot90: expected total dims >= 2, but got total dims = ${x.dim()}`);
  const d0 = normDim(dims[0], x.dim(), "rot90"),
    d1 = normDim(dims[1], x.dim(), "rot90");
  if (d0 === d1)
    throw new ValueError(`rot90: expected rotation dims to be different, got dim0 = ${d0} and dim1 = ${d1}`);
  const r = ((kk % 4) + 4) % 4;
  if (r === 1) return transpose(flip(x, [d1]), d0, d1);
  if (r === 2) return flip(x, [d0, d1]);
  if (r === 3) return transpose(flip(x, [d0]), d0, d1);
  return x.clone();
}

export function repeat(x: Tensor, ...sizesArg: IntList[]): Tensor {
  const reps = intsOf(sizesArg);
  if (reps.length < x.dim())
    throw new ShapeError(
      `repeat: number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${x.dim()})`,
    );
  const shape = [...new Array<number>(reps.length - x.dim()).fill(1), ...x.shape];
  const inter = shape.flatMap((s) => [1, s]);
  const target = shape.flatMap((s, i) => [reps[i], s]);
  return reshape(
    expand(reshape(x, inter), target),
    shape.map((s, i) => s * reps[i]),
  );
}
export function tile(x: Tensor, ...dimsArg: IntList[]): Tensor {
  const reps = intsOf(dimsArg);
  return repeat(x, [...new Array<number>(Math.max(0, x.dim() - reps.length)).fill(1), ...reps]);
}

export function meshgrid(...args: (Tensor | readonly Tensor[] | { indexing?: "ij" | "xy" })[]): Tensor[] {
  let indexing: "ij" | "xy" = "ij";
  if (args.length > 0 && isOptions(args[args.length - 1]))
    indexing = (args.pop() as { indexing?: "ij" | "xy" }).indexing ?? "ij";
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  for (const t of ts)
    if (t.dim() > 1)
      throw new ShapeError(`meshgrid: expects all tensors to have 0 or 1 dimensions, got ${fmtShape(t.shape)}`);
  const flat = ts.map((t) => reshape(t, [-1]));
  const swap = indexing === "xy" && flat.length >= 2;
  const order = swap ? [1, 0, ...flat.slice(2).map((_, i) => i + 2)] : flat.map((_, i) => i);
  const shape = order.map((i) => flat[i].shape[0]);
  return flat.map((t, i) => {
    const pos = order.indexOf(i);
    const view = shape.map((s, j) => (j === pos ? s : 1));
    return expand(reshape(t, view), shape);
  });
}

export function kron(a: Tensor, b: Tensor): Tensor {
  const nd = Math.max(a.dim(), b.dim());
  const sa = [...new Array<number>(nd - a.dim()).fill(1), ...a.shape],
    sb = [...new Array<number>(nd - b.dim()).fill(1), ...b.shape];
  const ra = reshape(
      a,
      sa.flatMap((s) => [s, 1]),
    ),
    rb = reshape(
      b,
      sb.flatMap((s) => [1, s]),
    );
  return reshape(
    mul(ra, rb),
    sa.map((s, i) => s * sb[i]),
  );
}

export interface RepeatInterleaveOptions {
  repeats?: number | Tensor;
  dim?: number | null;
  outputSize?: number | null;
}
export function repeatInterleave(
  x: Tensor,
  repeats?: number | Tensor | RepeatInterleaveOptions,
  dim?: number | null | RepeatInterleaveOptions,
  opts?: RepeatInterleaveOptions,
): Tensor {
  if (isOptions(repeats) && (repeats as RepeatInterleaveOptions).repeats !== undefined) {
    const o = repeats as RepeatInterleaveOptions;
    return repeatInterleave(x, o.repeats, o.dim ?? null);
  }
  if (repeats === undefined || isOptions(repeats)) {
    // repeat_interleave(repeats): each index i repeated repeats[i] times.
    const r = Array.from(x.typedArray(), Number);
    return idx(r.flatMap((n, i) => new Array<number>(n).fill(i)));
  }
  let d = dim as number | null | undefined;
  if (isOptions(dim)) d = (dim as RepeatInterleaveOptions).dim;
  else if (opts !== undefined) d = opts.dim ?? d;
  let src = x;
  if (d === undefined || d === null) {
    src = flatten(x);
    d = 0;
  }
  const dd = normDim(d, src.dim(), "repeat_interleave");
  const n = src.shape[dd];
  const counts = isTensor(repeats) ? Array.from(repeats.typedArray(), Number) : [repeats as number];
  if (counts.length !== 1 && counts.length !== n)
    throw new ShapeError(
      `repeat_interleave: repeats must have the same size as input along dim, got ${counts.length} and ${n}`,
    );
  if (counts.some((c) => c < 0)) throw new ValueError("repeat_interleave: repeats can not be negative");
  const index: number[] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < (counts.length === 1 ? counts[0] : counts[i]); k++) index.push(i);
  return indexSelect(src, dd, idx(index));
}

export function movedim(x: Tensor, source: IntList, destination: IntList): Tensor {
  const src = listOf(source).map((d) => normDim(d, x.dim(), "movedim")),
    dst = listOf(destination).map((d) => normDim(d, x.dim(), "movedim"));
  if (src.length !== dst.length)
    throw new ValueError(
      `movedim: Invalid source or destination dims: source (${src.length} dims) should contain the same number of dims as destination (${dst.length} dims)`,
    );
  const order = new Array<number>(x.dim()).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  let r = 0;
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[r++];
  return permute(x, order);
}
export const ravel = (x: Tensor): Tensor => reshape(x, [-1]);

export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => expand(x, shape);
export function broadcastShapes(...shapes: (number | readonly number[])[]): number[] {
  return shapes.map((s) => (typeof s === "number" ? [s] : [...s])).reduce((a, b) => broadcastShapes2(a, b), []);
}
const broadcastShapes2 = (a: number[], b: number[]): number[] => broadcast2(a, b, "broadcast_shapes");
export function broadcastTensors(...args: (Tensor | readonly Tensor[])[]): Tensor[] {
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  const shape = ts.map((t) => [...t.shape]).reduce((a, b) => broadcast2(a, b, "broadcast_tensors"), []);
  return ts.map((t) => expand(t, shape));
}

export function cartesianProd(...ts: Tensor[]): Tensor {
  if (ts.length === 1) return ts[0];
  return stack(
    meshgrid(ts).map((g) => reshape(g, [-1])),
    1,
  );
}

export function combinations(
  x: Tensor,
  r: number | { r?: number; withReplacement?: boolean } = 2,
  withReplacement = false,
): Tensor {
  let rr = r as number;
  if (isOptions(r)) ({ r: rr = 2, withReplacement = false } = r as { r?: number; withReplacement?: boolean });
  if (x.dim() !== 1) throw new ShapeError(`combinations: Expect a 1D vector, but got shape ${fmtShape(x.shape)}`);
  const n = x.shape[0];
  const combos: number[][] = [];
  const walk = (start: number, acc: number[]): void => {
    if (acc.length === rr) {
      combos.push([...acc]);
      return;
    }
    for (let i = start; i < n; i++) walk(withReplacement ? i : i + 1, [...acc, i]);
  };
  if (rr > 0) walk(0, []);
  if (combos.length === 0) return rr === 0 ? indexSelect(x, 0, idx([])) : reshape(indexSelect(x, 0, idx([])), [0, rr]);
  const cols = Array.from({ length: rr }, (_, j) => indexSelect(x, 0, idx(combos.map((c) => c[j]))));
  return stack(cols, 1);
}

export const narrowCopy = (x: Tensor, dim: number, start: number, length: number): Tensor =>
  narrow(x, dim, start, length).clone();
export const swapaxes = (x: Tensor, a: number, b: number): Tensor => transpose(x, a, b);

export function take(x: Tensor, index: Tensor): Tensor {
  const n = x.numel();
  const flat = Array.from(index.typedArray(), Number);
  for (const i of flat)
    if (i < -n || i >= n)
      throw new IndexError(`take: out of range: tried to access index ${i} on a tensor of ${n} elements.`);
  return reshape(indexSelect(reshape(x, [-1]), 0, idx(flat.map((i) => (i < 0 ? i + n : i)))), index.shape);
}
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  const d = isOptions(dim) ? (dim as { dim?: number | null }).dim : (dim as number | null | undefined);
  if (d === undefined || d === null) return indexSelect(reshape(x, [-1]), 0, reshape(indices, [-1]));
  const dd = normDim(d, x.dim(), "take_along_dim");
  const sx = [...x.shape],
    si = [...indices.shape];
  sx[dd] = 1;
  si[dd] = 1;
  const b = broadcast2(sx, si, "take_along_dim");
  const xs = [...b],
    is = [...b];
  xs[dd] = x.shape[dd];
  is[dd] = indices.shape[dd];
  return gather(expand(x, xs), dd, expand(indices, is));
}

/** Windows of `size` every `step` along `dimension`, as a new last dim (Tensor.unfold). */
export function unfold(x: Tensor, dimension: number, size: number, step: number): Tensor {
  const d = x.dim() === 0 ? 0 : normDim(dimension, x.dim(), "unfold");
  const src = x.dim() === 0 ? reshape(x, [1]) : x;
  const n = src.shape[d];
  if (size > n) throw new ShapeError(`unfold: maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  if (step <= 0) throw new ValueError(`unfold: step is ${step} but must be > 0`);
  const windows = Math.floor((n - size) / step) + 1;
  const index: number[] = [];
  for (let w = 0; w < windows; w++) for (let j = 0; j < size; j++) index.push(w * step + j);
  const picked = indexSelect(src, d, idx(index));
  const split2 = reshape(picked, [...src.shape.slice(0, d), windows, size, ...src.shape.slice(d + 1)]);
  const out = movedim(split2, d + 1, src.dim());
  return x.dim() === 0 ? reshape(out, [size]) : out;
}

export interface DiffOptions {
  n?: number;
  dim?: number;
  prepend?: Tensor | null;
  append?: Tensor | null;
}
export function diff(
  x: Tensor,
  n: number | DiffOptions = 1,
  dim = -1,
  prepend: Tensor | null = null,
  append: Tensor | null = null,
): Tensor {
  let nn = n as number;
  if (isOptions(n)) ({ n: nn = 1, dim = -1, prepend = null, append = null } = n as DiffOptions);
  const d = normDim(dim, x.dim(), "diff");
  let y = x;
  const parts = [prepend, x, append]
    .filter((t): t is Tensor => t !== null && t !== undefined)
    .map((t) =>
      t.dim() === 0
        ? expand(
            unsqueeze(t, 0),
            x.shape.map((s, i) => (i === d ? 1 : s)),
          )
        : t,
    );
  if (parts.length > 1) y = cat(parts, d);
  for (let k = 0; k < nn && y.shape[d] > 0; k++) {
    const len = y.shape[d] - 1;
    const hi = narrow(y, d, 1, len),
      lo = narrow(y, d, 0, len);
    y = y.dtype === "bool" ? logicalXor(hi, lo) : sub(hi, lo);
  }
  return y;
}

export function sumToSize(x: Tensor, ...size: IntList[]): Tensor {
  return sumToShape(x, intsOf(size));
}

/** torch.fill(x, value): a new tensor of x's shape and dtype filled with value (a number or 0-dim tensor). */
export function fill(x: Tensor, valueArg: number | boolean | Tensor | { value: number | boolean | Tensor }): Tensor {
  const value = isOptions(valueArg)
    ? (valueArg as { value: number | boolean | Tensor }).value
    : (valueArg as number | boolean | Tensor);
  if (isTensor(value)) {
    if (value.dim() !== 0)
      throw new ShapeError(
        `fill: only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`,
      );
    const v = value.dtype === x.dtype ? value : toDType(value, x.dtype);
    const out = full(x.shape, Number(v.item()), { dtype: x.dtype });
    return record("FillBackward", [x, v], out, ([g]) => [mul(g, 0), sum(g)]);
  }
  const out = full(x.shape, value, { dtype: x.dtype });
  return record("FillBackward", [x], out, ([g]) => [mul(g, 0)]);
}
