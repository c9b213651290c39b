// Advanced (tensor) indexing with several index tensors, as PyTorch's x[i, j] and x[i, j] = v:
// the index tensors broadcast together; the indexed dims are replaced by the broadcast shape, at
// the first indexed dim when the indexed dims are adjacent, else at the front (NumPy's rule).
// Built from reshape/permute/indexSelect/scatter, so gradients come from those ops (called as
// Tensor methods: indexing.ts imports this file, so importing it back would make a cycle).
import { Tensor } from "../tensor.js";
import { IndexError, ShapeError, fmtShape } from "../errors.js";
import { isFloating } from "../dtype.js";
import { broadcastShapes, numelOf } from "../shape.js";
import { relabel } from "../autograd/record.js";
import { add, lt, mul, where } from "./binary.js";
import { contiguous, toDType } from "./cast.js";
import { expand, permute, reshape } from "./view.js";
import { unbind } from "./join.js";
import { isTensor, wrap } from "./util.js";

/** An index tensor at dim `dim` of the (basic-indexed) tensor. */
export interface AdvancedIndex {
  dim: number;
  idx: Tensor;
}

/** Bool/byte masks become one long index per mask dim (x[mask] ≙ x[mask.nonzero().unbind(1)]). */
export function expandMasks(adv: readonly AdvancedIndex[], shape: readonly number[]): AdvancedIndex[] {
  const out: AdvancedIndex[] = [];
  for (const { dim, idx } of adv) {
    const d = dim;
    if (idx.dtype === "bool" || idx.dtype === "uint8") {
      const k = idx.dim(),
        covered = shape.slice(d, d + k);
      if (k === 0 || covered.length !== k || covered.some((s, i) => s !== idx.shape[i])) {
        throw new IndexError(
          `index: the shape of the mask ${fmtShape(idx.shape)} does not match the shape of the indexed tensor ${fmtShape(shape)} starting at dim ${d}`,
        );
      }
      const nz = idx.nonzero();
      unbind(nz, 1).forEach((t, i) => out.push({ dim: d + i, idx: t }));
    } else {
      if (isFloating(idx.dtype))
        throw new IndexError("index: tensors used as indices must be long, int, byte or bool tensors");
      out.push({ dim: d, idx });
    }
  }
  return out;
}

/** The linear position (int64, broadcast shape) of each indexed element within the indexed dims. */
function linearIndex(adv: readonly AdvancedIndex[], shape: readonly number[]): Tensor {
  const bshape = adv.reduce<number[]>((s, a) => broadcastShapes(s, a.idx.shape, "index"), []);
  let lin: Tensor | null = null;
  for (const { dim, idx } of adv) {
    const n = shape[dim];
    const vals = idx.typedArray();
    for (const v of vals) {
      if (v < -n || v >= n)
        throw new IndexError(
          `index: index ${v} is out of bounds for dimension ${dim} with size ${n} (shape ${fmtShape(shape)})`,
        );
    }
    const i64 = idx.dtype === "int64" ? idx : toDType(idx, "int64");
    const fixed = where(lt(i64, 0), add(i64, n), i64);
    lin = lin === null ? fixed : add(mul(lin, n), fixed);
  }
  return contiguous(expand(lin as Tensor, bshape));
}

/** Whether the indexed dims are consecutive (then the result keeps them in place). */
const adjacent = (adv: readonly AdvancedIndex[]): boolean =>
  adv.every((a, i) => i === 0 || a.dim === adv[i - 1].dim + 1);

/** The permutation that brings the indexed dims first (in order), the others after. */
function frontOrder(adv: readonly AdvancedIndex[], nd: number): number[] {
  const dims = adv.map((a) => a.dim);
  for (let i = 0; i < dims.length; i++) {
    if (dims.indexOf(dims[i]) !== i) throw new IndexError(`index: dim ${dims[i]} is indexed twice`);
  }
  return [...dims, ...[...Array(nd).keys()].filter((d) => !dims.includes(d))];
}

/** x[..adv..] for a tensor whose non-tensor indices were already applied. */
export function advancedGet(x: Tensor, advIn: readonly AdvancedIndex[]): Tensor {
  const adv = expandMasks(advIn, x.shape);
  const order = frontOrder(adv, x.dim());
  const k = adv.length;
  const moved = permute(x, order);
  const rest = moved.shape.slice(k);
  const flat = reshape(moved, [numelOf(moved.shape.slice(0, k)), ...rest]);
  const lin = linearIndex(adv, x.shape);
  const picked = reshape(flat.indexSelect(0, reshape(lin, [-1])), [...lin.shape, ...rest]);
  if (!adjacent(adv) || adv[0].dim === 0) return picked;
  // Put the broadcast dims back where the first indexed dim was.
  const nb = lin.dim(),
    at = adv[0].dim;
  const perm = [...Array(picked.dim()).keys()];
  const back = [...perm.slice(nb, nb + at), ...perm.slice(0, nb), ...perm.slice(nb + at)];
  return permute(picked, back);
}

/**
 * torch.index_put (out of place): x with x[indices] = values (or += with accumulate). `indices`
 * index x's leading dims (null entries skip a dim, as a full slice).
 */
export function indexPut(
  x: Tensor,
  indices: readonly (Tensor | null)[],
  values: Tensor | number,
  accumulate = false,
): Tensor {
  const adv: AdvancedIndex[] = [];
  indices.forEach((t, d) => {
    if (t !== null) adv.push({ dim: d, idx: t });
  });
  if (adv.length === 0) throw new IndexError("index_put: needs at least one index tensor");
  return relabel(putAdvanced(x, adv, values, accumulate), "IndexPutBackward", [x]);
}

/** x with the positions x[..adv..] (in getitem's result layout) replaced by / increased by values. */
export function putAdvanced(
  x: Tensor,
  advIn: readonly AdvancedIndex[],
  values: Tensor | number,
  accumulate: boolean,
): Tensor {
  const adv = expandMasks(advIn, x.shape);
  const order = frontOrder(adv, x.dim());
  const k = adv.length;
  const moved = permute(x, order);
  const rest = moved.shape.slice(k);
  const lead = numelOf(moved.shape.slice(0, k));
  const flat = reshape(moved, [lead, ...rest]);
  const lin = linearIndex(adv, x.shape);
  const nb = lin.dim();
  // Values broadcast to getitem's result shape, then laid out as [broadcast dims, rest].
  const at = adjacent(adv) ? adv[0].dim : 0;
  const getShape = [...rest.slice(0, at), ...lin.shape, ...rest.slice(at)];
  let v = isTensor(values) ? values : wrap(Float64Array.of(values), [], "float64");
  if (v.dtype !== x.dtype) v = toDType(v, x.dtype);
  let vb = expand(v, broadcastShapes(getShape, v.shape, "index_put"));
  if (vb.dim() !== getShape.length || vb.shape.some((s, i) => s !== getShape[i])) {
    throw new ShapeError(
      `index_put: shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(getShape)}`,
    );
  }
  if (at > 0) {
    const p = [...Array(vb.dim()).keys()];
    vb = permute(vb, [...p.slice(at, at + nb), ...p.slice(0, at), ...p.slice(at + nb)]);
  }
  const n = numelOf(lin.shape);
  const src = reshape(vb, [n, ...rest]);
  const idx = expand(reshape(lin, [n, ...rest.map(() => 1)]), [n, ...rest]);
  const written = accumulate ? flat.scatterAdd(0, idx, src) : flat.scatter(0, idx, src);
  const inv = new Array<number>(order.length);
  order.forEach((d, i) => (inv[d] = i));
  return permute(reshape(written, moved.shape), inv);
}
