// select_scatter, slice_scatter and diagonal_scatter: a copy of the input with src written into one
// of its views, gradients to both.
import { Tensor } from "../tensor.js";
import { ShapeError, fmtShape } from "../errors.js";
import { backend } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { record } from "../autograd/record.js";
import { isOptions } from "./util.js";
import { select, slice, viewScatter } from "./view.js";
import { sub } from "./binary.js";
import { toDType } from "./cast.js";
import { type DiagonalOptions, diagonalRaw } from "./shape-diag.js";

/** A copy of x with `src` written into the view viewOf(x); gradients to both. */
function scatterInto(name: string, x: Tensor, src: Tensor, viewOf: (z: Tensor) => Tensor): Tensor {
  const out = x.clone().detach();
  const view = viewOf(out);
  if (view.shape.length !== src.shape.length || view.shape.some((s, i) => s !== src.shape[i])) {
    throw new ShapeError(
      `${name}: expected src to have a size equal to the slice of self. src size = ${fmtShape(src.shape)}, slice size = ${fmtShape(view.shape)}`,
    );
  }
  backend().assign(view, src.dtype === x.dtype ? src : toDType(src, x.dtype));
  return record(name[0].toUpperCase() + name.slice(1) + "Backward", [x, src], out, ([g]) => [
    sub(g, viewScatter(viewOf(g), g.shape, viewOf)),
    viewOf(g),
  ]);
}
export function selectScatter(x: Tensor, src: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.dim(), "select_scatter");
  return scatterInto("selectScatter", x, src, (z) => select(z, d, index));
}
export function sliceScatter(
  x: Tensor,
  src: Tensor,
  dim: number | { dim?: number; start?: number | null; end?: number | null; step?: number } = 0,
  start: number | null = null,
  end: number | null = null,
  step = 1,
): Tensor {
  let dd = dim as number;
  if (isOptions(dim))
    ({
      dim: dd = 0,
      start = null,
      end = null,
      step = 1,
    } = dim as { dim?: number; start?: number | null; end?: number | null; step?: number });
  const d = normDim(dd, x.dim(), "slice_scatter");
  return scatterInto("sliceScatter", x, src, (z) => slice(z, d, start ?? 0, end ?? undefined, step));
}
export function diagonalScatter(
  x: Tensor,
  src: Tensor,
  offset: number | DiagonalOptions = 0,
  dim1 = 0,
  dim2 = 1,
): Tensor {
  let off = offset as number;
  if (isOptions(offset)) ({ offset: off = 0, dim1 = 0, dim2 = 1 } = offset as DiagonalOptions);
  const d1 = normDim(dim1, x.dim(), "diagonal_scatter"),
    d2 = normDim(dim2, x.dim(), "diagonal_scatter");
  return scatterInto("diagonalScatter", x, src, (z) => diagonalRaw(z, off, d1, d2));
}
