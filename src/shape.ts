// Shapes, strides and broadcasting: the metadata that makes views free.
import { IndexError, ShapeError, fmtShape } from "./errors.js";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  return strides;
}

export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) return false;
    acc *= shape[i];
  }
  return true;
}

/** Wraps a possibly negative dim into [0, ndim), as torch's maybe_wrap_dim. */
export function normDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new IndexError(
      `${op}: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: the size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}; shapes ${fmtShape(a)} and ${fmtShape(b)}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + off] = shape[i] === 1 ? 0 : strides[i];
  return out;
}

/** Resolves one -1 in a requested shape and checks the element count. */
export function inferShape(requested: Shape, numel: number, op: string, inputShape?: Shape): number[] {
  const of = inputShape ? ` (shape ${fmtShape(inputShape)})` : "";
  const shape = [...requested];
  let infer = -1,
    known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (infer >= 0) throw new ShapeError(`${op}: only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(shape[i]) || shape[i] < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${shape[i]} in ${fmtShape(requested)}`);
    } else known *= shape[i];
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(requested)} is invalid for input of size ${numel}${of}`);
    }
    shape[infer] = numel / known;
  } else if (known !== numel) {
    throw new ShapeError(`${op}: shape ${fmtShape(requested)} is invalid for input of size ${numel}${of}`);
  }
  return shape;
}

/**
 * Strides for viewing (shape, strides) as newShape without a copy, or null when the memory
 * layout does not allow it (then reshape copies and view throws) — the rule of ATen's computeStride.
 */
export function viewStrides(shape: Shape, strides: readonly number[], newShape: Shape): number[] | null {
  const numel = numelOf(shape);
  if (numel === 0 || shape.length === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1,
    viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** Accepts sizes as varargs or one array, as torch does: f(2, 3) or f([2, 3]). */
export function sizesArg(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  // A loop, not map: view/reshape call this on every call (no closure per call).
  const out = new Array<number>(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a !== "number")
      throw new ShapeError(`expected sizes as numbers or one array, got ${JSON.stringify(args)}`);
    out[i] = a;
  }
  return out;
}
