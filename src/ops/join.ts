// Joining and splitting along a dim.
import { type DType, promoteTypes, uninitArray } from "../dtype.js";
import { Tensor, fromTypedArray } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { backend } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { needsGrad, record, relabel } from "../autograd/record.js";
import { noGrad } from "../autograd/grad-mode.js";
import { narrow, squeeze, unsqueeze } from "./view.js";
import { zeros } from "./creation.js";
import { toDType } from "./cast.js";

type DimArg = number | { dim?: number };
const dimOf = (d: DimArg | undefined): number => (typeof d === "object" ? (d.dim ?? 0) : (d ?? 0));

export function cat(tensors: readonly Tensor[], dimArg?: DimArg): Tensor {
  const dim = dimOf(dimArg);
  if (tensors.length === 0) throw new ValueError("cat: expected a non-empty list of Tensors");
  // Legacy rule: 1-D empty tensors are skipped. (Plain loops: cat of small tensors is mostly
  // this bookkeeping.)
  let parts: readonly Tensor[] = tensors;
  for (const t of tensors)
    if (t.dim() === 1 && t.shape[0] === 0) {
      parts = tensors.filter((u) => !(u.dim() === 1 && u.shape[0] === 0));
      break;
    }
  if (parts.length === 0) return tensors[0];
  const ref = parts[0];
  const nd = ref.dim();
  const d = normDim(dim, nd, "cat");
  let dtype = ref.dtype,
    total = 0;
  for (const t of parts) {
    let same = t.dim() === nd;
    for (let i = 0; same && i < nd; i++) same = i === d || t.shape[i] === ref.shape[i];
    if (!same) {
      throw new ShapeError(
        `cat: sizes of tensors must match except in dimension ${d}; got ${fmtShape(ref.shape)} and ${fmtShape(t.shape)}`,
      );
    }
    if (t.dtype !== dtype) dtype = promoteTypes(dtype, t.dtype);
    total += t.shape[d];
  }
  const shape = [...ref.shape];
  shape[d] = total;
  let out = catContiguous(parts, d, shape, dtype);
  if (out === null) {
    out = zeros(shape, { dtype, device: parts[0].storage.device });
    let at = 0;
    for (const t of parts) {
      backend().assign(narrow(out, d, at, t.shape[d]), t);
      at += t.shape[d];
    }
  }
  if (!needsGrad(parts)) return out;
  return record("CatBackward", parts, out, ([g]) => {
    let pos = 0;
    return parts.map((t) => {
      const r = narrow(g, d, pos, t.shape[d]);
      pos += t.shape[d];
      // Inputs promoted to a wider dtype get their gradient in their own dtype.
      return r.dtype === t.dtype ? r : toDType(r, t.dtype);
    });
  });
}

/**
 * cat of contiguous CPU tensors of the result's dtype: block copies (typed-array set), without a
 * zero fill and a narrowed view per part. Null when another path is needed.
 */
function catContiguous(parts: readonly Tensor[], d: number, shape: number[], dtype: DType): Tensor | null {
  for (const t of parts) if (t.dtype !== dtype || t.storage.device !== "cpu" || !t.isContiguous()) return null;
  let outer = 1,
    inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i];
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i];
  const data = uninitArray(dtype, outer * shape[d] * inner);
  const row = shape[d] * inner;
  let at = 0;
  for (const t of parts) {
    const block = t.shape[d] * inner,
      src = t.storage.data;
    if (outer === 1 && t.offset === 0 && block === src.length) data.set(src, at);
    else if (block >= 64 || outer === 1)
      for (let o = 0; o < outer; o++)
        data.set(src.subarray(t.offset + o * block, t.offset + (o + 1) * block), o * row + at);
    else
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < block; j++) data[o * row + at + j] = src[t.offset + o * block + j];
    at += block;
  }
  return fromTypedArray(data, shape, dtype);
}

export function stack(tensors: readonly Tensor[], dimArg?: DimArg): Tensor {
  const dim = dimOf(dimArg);
  if (tensors.length === 0) throw new ValueError("stack: expected a non-empty list of Tensors");
  const ref = tensors[0];
  for (const t of tensors) {
    if (t.dim() !== ref.dim() || t.shape.some((s, i) => s !== ref.shape[i])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${fmtShape(ref.shape)} and ${fmtShape(t.shape)}`,
      );
    }
  }
  const d = normDim(dim, ref.dim() + 1, "stack");
  return relabel(
    cat(
      tensors.map((t) => unsqueeze(t, d)),
      d,
    ),
    "StackBackward",
    tensors,
  );
}

/** split(x, size | sizes, dim): views along dim. */
export function split(x: Tensor, splitSize: number | readonly number[], dimArg?: DimArg): Tensor[] {
  const dim = dimOf(dimArg);
  const d = normDim(dim, x.dim(), "split");
  const n = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (splitSize <= 0 && n > 0) throw new ValueError(`split: split_size must be positive, got ${splitSize}`);
    sizes = [];
    for (let at = 0; at < n; at += splitSize) sizes.push(Math.min(splitSize, n - at));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...splitSize];
    if (sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new ShapeError(
        `split: split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(", ")}]`,
      );
    }
  }
  let at = 0;
  const pieces = noGrad(() =>
    sizes.map((s) => {
      const r = narrow(x, d, at, s);
      at += s;
      return r;
    }),
  );
  // One node for all the pieces, as PyTorch's SplitBackward: its backward concatenates their
  // gradients (zeros for pieces that got none) once, where a node per piece would scatter each
  // into a full-size zero tensor (quadratic over an RNN's time steps).
  return record("SplitBackward", [x], pieces, (grads) => [cat(grads, d)]);
}

export function chunk(x: Tensor, chunks: number, dimArg?: DimArg): Tensor[] {
  const dim = dimOf(dimArg);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ValueError(`chunk: number of chunks must be a positive integer, got ${chunks}`);
  const d = normDim(dim, x.dim(), "chunk");
  // An empty dim splits into `chunks` empty pieces, as PyTorch's chunk does.
  if (x.shape[d] === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.max(Math.ceil(x.shape[d] / chunks), 1), d);
}

export function unbind(x: Tensor, dimArg?: DimArg): Tensor[] {
  const dim = dimOf(dimArg);
  const d = normDim(dim, x.dim(), "unbind");
  return split(x, 1, d).map((t) => relabel(squeeze(t, d), "UnbindBackward", [x]));
}
