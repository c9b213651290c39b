// Triangles and diagonals, composed from views, maskedFill and cat (differentiable on every backend):
// tril/triu and their index lists, diagonal, diagEmbed, diag, diagflat, trace, blockDiag.
import { type DType, resultType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { normDim } from "../shape.js";
import { record } from "../autograd/record.js";
import { isOptions } from "./util.js";
import { tensor, zeros } from "./creation.js";
import { flatten, reshape, viewScatter, asStrided } from "./view.js";
import { cat } from "./join.js";
import { maskedFill } from "./indexing.js";
import { contiguous, toDType } from "./cast.js";
import { sum } from "./reduce.js";

const idx = (values: number[]): Tensor => tensor(values, { dtype: "int64" });

/** Keeps the elements with j - i <= k (tril) or >= k (triu) over the last two dims. */
function triangle(op: string, x: Tensor, k: number, lower: boolean): Tensor {
  if (x.dim() < 2)
    throw new ShapeError(`${op}: input tensor must have at least 2 dimensions, got ${fmtShape(x.shape)}`);
  const [m, n] = x.shape.slice(-2);
  const keep: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) keep.push((lower ? j - i <= k : j - i >= k) ? 0 : 1);
  return maskedFill(x, reshape(tensor(keep, { dtype: "bool" }), [m, n]), 0);
}
const diagArg = (v: number | { diagonal?: number } | undefined): number =>
  typeof v === "object" ? (v.diagonal ?? 0) : (v ?? 0);
export const tril = (x: Tensor, diagonal?: number | { diagonal?: number }): Tensor =>
  triangle("tril", x, diagArg(diagonal), true);
export const triu = (x: Tensor, diagonal?: number | { diagonal?: number }): Tensor =>
  triangle("triu", x, diagArg(diagonal), false);

export function trilIndices(row: number, col: number, offset: number | { offset?: number } = 0): Tensor {
  return triIndices(row, col, typeof offset === "object" ? (offset.offset ?? 0) : offset, true);
}
export function triuIndices(row: number, col: number, offset: number | { offset?: number } = 0): Tensor {
  return triIndices(row, col, typeof offset === "object" ? (offset.offset ?? 0) : offset, false);
}
function triIndices(row: number, col: number, k: number, lower: boolean): Tensor {
  const r: number[] = [],
    c: number[] = [];
  for (let i = 0; i < row; i++)
    for (let j = 0; j < col; j++)
      if (lower ? j - i <= k : j - i >= k) {
        r.push(i);
        c.push(j);
      }
  return reshape(idx([...r, ...c]), [2, r.length]);
}

export interface DiagonalOptions {
  offset?: number;
  dim1?: number;
  dim2?: number;
}
/** The diagonal view of the contiguous layout of x (new dims last), without autograd. */
/** @internal */
export function diagonalRaw(x: Tensor, offset: number, d1: number, d2: number): Tensor {
  const c = x.isContiguous() ? x : contiguous(x);
  const n1 = c.shape[d1],
    n2 = c.shape[d2];
  const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  const start = len === 0 ? c.offset : c.offset + (offset >= 0 ? offset * c.strides[d2] : -offset * c.strides[d1]);
  const keep = c.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
  return asStrided(
    c,
    [...keep.map((i) => c.shape[i]), len],
    [...keep.map((i) => c.strides[i]), c.strides[d1] + c.strides[d2]],
    start,
  );
}
export function diagonal(x: Tensor, offset: number | DiagonalOptions = 0, dim1 = 0, dim2 = 1): Tensor {
  let off = offset as number;
  if (isOptions(offset)) ({ offset: off = 0, dim1 = 0, dim2 = 1 } = offset as DiagonalOptions);
  const d1 = normDim(dim1, x.dim(), "diagonal"),
    d2 = normDim(dim2, x.dim(), "diagonal");
  if (d1 === d2) throw new ValueError(`diagonal: dimensions cannot be identical ${dim1}, ${dim2}`);
  const out = diagonalRaw(x, off, d1, d2);
  return record("DiagonalBackward", [x], out, ([g]) => [viewScatter(g, x.shape, (z) => diagonalRaw(z, off, d1, d2))]);
}
export function diagEmbed(x: Tensor, offset: number | DiagonalOptions = 0, dim1 = -2, dim2 = -1): Tensor {
  let off = offset as number;
  if (isOptions(offset)) ({ offset: off = 0, dim1 = -2, dim2 = -1 } = offset as DiagonalOptions);
  const nd = x.dim() + 1;
  const d1 = normDim(dim1, nd, "diag_embed"),
    d2 = normDim(dim2, nd, "diag_embed");
  if (d1 === d2) throw new ValueError(`diag_embed: diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const n = x.shape[x.dim() - 1] + Math.abs(off);
  const lead = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let i = 0, j = 0; i < nd; i++) shape.push(i === d1 || i === d2 ? n : lead[j++]);
  return viewScatter(x, shape, (z) => diagonal(z, off, d1, d2));
}
export function diag(x: Tensor, diagonalArg: number | { diagonal?: number } = 0): Tensor {
  const k = diagArg(diagonalArg);
  if (x.dim() === 1) return diagEmbed(x, k, 0, 1);
  if (x.dim() === 2) return diagonal(x, k, 0, 1);
  throw new ShapeError(`diag: matrix or a vector expected, got ${fmtShape(x.shape)}`);
}
export const diagflat = (x: Tensor, offset: number | { offset?: number } = 0): Tensor =>
  diagEmbed(flatten(x), typeof offset === "object" ? (offset.offset ?? 0) : offset, 0, 1);
export function trace(x: Tensor): Tensor {
  if (x.dim() !== 2) throw new ShapeError(`trace: expected a matrix, but got tensor with dim ${x.dim()}`);
  return sum(diagonal(x));
}

export function blockDiag(...ts: Tensor[]): Tensor {
  const mats = ts.map((t) => (t.dim() === 0 ? reshape(t, [1, 1]) : t.dim() === 1 ? reshape(t, [1, -1]) : t));
  for (const m of mats)
    if (m.dim() !== 2)
      throw new ShapeError(
        `block_diag: Input tensors must have 2 or fewer dimensions. Input has ${m.dim()} dimensions`,
      );
  const dtype = mats
    .map((m) => m.dtype)
    .reduce<DType>(
      (a, b) =>
        resultType([
          { dtype: a, dim: 1 },
          { dtype: b, dim: 1 },
        ]),
      mats[0]?.dtype ?? "float32",
    );
  const cols = mats.reduce((s, m) => s + m.shape[1], 0);
  let before = 0;
  const rows = mats.map((m) => {
    const c = m.shape[1],
      r = m.shape[0];
    const mm = m.dtype === dtype ? m : toDType(m, dtype);
    const row = cat([zeros([r, before], { dtype }), mm, zeros([r, cols - before - c], { dtype })], 1);
    before += c;
    return row;
  });
  return rows.length === 0 ? zeros([0, 0]) : cat(rows, 0);
}
