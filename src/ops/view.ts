// View ops: new shape/strides/offset over the same storage, never a copy (reshape copies only
// when the layout makes a view impossible, as torch's). Each records its backward.
import { Tensor, makeView } from "../tensor.js";
import { IndexError, ShapeError, fmtShape } from "../errors.js";
import { inferShape, normDim, numelOf, sizesArg, viewStrides } from "../shape.js";
import { record, recordsGrad, relabel, viewScatter } from "../autograd/record.js";
import { contiguous } from "./cast.js";
import { sumToShape } from "./broadcast.js";
import { checkView } from "../checked-size.js";

/** permute's dims for a 2-D transpose (its own inverse). */
const SWAP: readonly number[] = [1, 0];

type Sizes = (number | readonly number[])[];

export function view(x: Tensor, ...sizes: Sizes): Tensor {
  const shape = inferShape(sizesArg(sizes), x.numel(), "view", x.shape);
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides === null) {
    throw new ShapeError(
      `view: size ${fmtShape(shape)} is not compatible with input tensor's size ${fmtShape(x.shape)} and stride [${x.strides.join(", ")}] (at least one dimension spans across two contiguous subspaces). Use reshape(...) instead.`,
    );
  }
  const out = makeView(x, shape, strides, x.offset);
  if (!recordsGrad(x)) return out;
  return record("ViewBackward", [x], out, ([g]) => [reshape(g, x.shape)]);
}

export function reshape(x: Tensor, ...sizes: Sizes): Tensor {
  const shape = inferShape(sizesArg(sizes), x.numel(), "reshape", x.shape);
  // PyTorch 1.13 names: a reshape that can view is _reshape_alias, one that copies _unsafe_view.
  if (viewStrides(x.shape, x.strides, shape) !== null) return relabel(view(x, shape), "ReshapeAliasBackward", [x]);
  return relabel(view(contiguous(x), shape), "UnsafeViewBackward", [x]);
}

export function flatten(x: Tensor, startArg: number | { startDim?: number; endDim?: number } = 0, endDim = -1): Tensor {
  const startDim = typeof startArg === "object" ? (startArg.startDim ?? 0) : startArg;
  if (typeof startArg === "object") endDim = startArg.endDim ?? -1;
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.dim(), "flatten"),
    e = normDim(endDim, x.dim(), "flatten");
  if (s > e) throw new ShapeError(`flatten: start_dim ${startDim} cannot come after end_dim ${endDim}`);
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normDim(dim, x.dim(), "unflatten");
  const inner = inferShape(sizes, x.shape[d], "unflatten");
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function permute(x: Tensor, ...dims: Sizes): Tensor {
  const ds = sizesArg(dims).map((d) => normDim(d, x.dim(), "permute"));
  if (ds.length !== x.dim() || new Set(ds).size !== ds.length) {
    throw new ShapeError(
      `permute: dims [${ds.join(", ")}] are not a permutation of the ${x.dim()} dims of ${fmtShape(x.shape)}`,
    );
  }
  const out = makeView(
    x,
    ds.map((d) => x.shape[d]),
    ds.map((d) => x.strides[d]),
    x.offset,
  );
  const inverse = new Array<number>(ds.length);
  ds.forEach((d, i) => (inverse[d] = i));
  return record("PermuteBackward", [x], out, ([g]) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const n = x.dim();
  if (n === 0) return x;
  const a = normDim(dim0, n, "transpose"),
    b = normDim(dim1, n, "transpose");
  const dims = [...Array(n).keys()];
  dims[a] = b;
  dims[b] = a;
  return relabel(permute(x, dims), "TransposeBackward", [x]);
}

export function t(x: Tensor): Tensor {
  if (x.dim() > 2)
    throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but self is ${x.dim()}D (${fmtShape(x.shape)})`);
  if (x.dim() < 2) return relabel(permute(x, [...x.shape.keys()]), "TBackward", [x]);
  // A matrix: the swapped view directly, and the node transpose -> permute would record (its
  // gradient is the permute of g by the same dims), without their dims arrays and checks.
  const out = makeView(x, [x.shape[1], x.shape[0]], [x.strides[1], x.strides[0]], x.offset);
  if (!recordsGrad(x)) return out;
  return record("TBackward", [x], out, ([g]) => [permute(g, SWAP)]);
}

export function squeeze(x: Tensor, dimArg?: number | readonly number[] | { dim?: number | readonly number[] }): Tensor {
  const dim =
    typeof dimArg === "object" && !Array.isArray(dimArg)
      ? (dimArg as { dim?: number | readonly number[] }).dim
      : (dimArg as number | readonly number[] | undefined);
  let drop: Set<number>;
  if (dim === undefined) drop = new Set(x.shape.flatMap((s, i) => (s === 1 ? [i] : [])));
  else {
    const ds = (typeof dim === "number" ? [dim] : dim).map((d) => normDim(d, x.dim(), "squeeze"));
    drop = new Set(ds.filter((d) => x.shape[d] === 1));
  }
  const name = dim === undefined ? "SqueezeBackward" : "SqueezeBackward1";
  if (x.dim() === 0) return relabel(view(x, []), name, [x]);
  return relabel(
    view(
      x,
      x.shape.filter((_, i) => !drop.has(i)),
    ),
    name,
    [x],
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.dim() + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  const strides = [...x.strides];
  strides.splice(d, 0, d < x.dim() ? x.strides[d] * x.shape[d] : 1);
  const out = makeView(x, shape, strides, x.offset);
  return record("UnsqueezeBackward", [x], out, ([g]) => [squeeze(g, d)]);
}

export function expand(x: Tensor, ...sizes: Sizes): Tensor {
  const target = sizesArg(sizes);
  if (target.length < x.dim()) {
    throw new ShapeError(
      `expand: the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const off = target.length - x.dim();
  const shape: number[] = [],
    strides: number[] = [];
  target.forEach((s, i) => {
    const src = i - off;
    const have = src >= 0 ? x.shape[src] : 1;
    const want = s === -1 ? have : s;
    if (src < 0 && s === -1)
      throw new ShapeError(`expand: -1 is not allowed in a leading, non-existing dimension (${fmtShape(target)})`);
    if (have !== want && have !== 1) {
      throw new ShapeError(
        `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}. Target sizes: ${fmtShape(target)}. Tensor sizes: ${fmtShape(x.shape)}`,
      );
    }
    shape.push(want);
    strides.push(src < 0 || have !== want ? 0 : x.strides[src]);
  });
  const out = makeView(x, shape, strides, x.offset);
  return record("ExpandBackward", [x], out, ([g]) => [sumToShape(g, x.shape)]);
}

export const expandAs = (x: Tensor, other: Tensor): Tensor => expand(x, other.shape);

/** A slice bound in [0, n] (negative counts from the end); module-level, as tsx (which runs the benches and tests) compiles with keepNames, so a named closure made per call costs a defineProperty each time. */
const clampIndex = (i: number, n: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);

/** A strided sub-view along one dim: elements start, start+step, … < end (torch's slice). */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normDim(dim, x.dim(), "slice");
  if (step <= 0) throw new ShapeError(`slice: step must be positive, got ${step}`);
  const n = x.shape[d];
  const s = clampIndex(start, n),
    e = Math.max(clampIndex(end ?? n, n), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape],
    strides = [...x.strides];
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  const out = makeView(x, shape, strides, x.offset + s * x.strides[d]);
  return record("SliceBackward", [x], out, ([g]) => [viewScatter(g, x.shape, (z) => slice(z, d, s, e, step))]);
}

export function narrow(x: Tensor, dim: number, startArg: number | Tensor, length: number): Tensor {
  // (torch.narrow also takes the start as a 0-dim integer tensor)
  const start = typeof startArg === "number" ? startArg : Number(startArg.item());
  const d = normDim(dim, x.dim(), "narrow");
  const s = start < 0 ? start + x.shape[d] : start;
  if (s < 0 || length < 0 || s + length > x.shape[d]) {
    throw new IndexError(
      `narrow: start (${start}) + length (${length}) exceeds dimension size (${x.shape[d]}) of ${fmtShape(x.shape)}`,
    );
  }
  return slice(x, d, s, s + length);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.dim(), "select");
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new IndexError(
      `select: index ${index} is out of bounds for dimension ${d} with size ${n} (shape ${fmtShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + n : index;
  const shape = x.shape.filter((_, k) => k !== d),
    strides = x.strides.filter((_, k) => k !== d);
  const out = makeView(x, shape, strides, x.offset + i * x.strides[d]);
  return record("SelectBackward", [x], out, ([g]) => [viewScatter(g, x.shape, (z) => select(z, d, i))]);
}

// The gradient of a view (zeros with g written into the same view) lives in autograd/record.ts.
export { viewScatter };

/**
 * A tensor sharing storage (and its version counter) but cut from the graph. Not a view for
 * autograd, as in PyTorch (x.detach()._base is None): in-place changes through it are allowed
 * even when x is a leaf that requires grad (p.detach().mul_(2)), and never touch x's history.
 */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
}

/** torch.as_strided: a view of x's storage; the offset positionally or as { storageOffset }. */
export function asStrided(
  x: Tensor,
  size: readonly number[],
  stride: readonly number[],
  storageOffsetArg: number | { storageOffset?: number } = x.offset,
): Tensor {
  const storageOffset =
    typeof storageOffsetArg === "object" ? (storageOffsetArg.storageOffset ?? x.offset) : storageOffsetArg;
  checkView("as_strided", size, stride, storageOffset, x.storage.length);
  return makeView(x, [...size], [...stride], storageOffset);
}
