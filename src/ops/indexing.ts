// Index-based ops: gather/scatter, indexSelect, maskedFill, nonzero, and Python-style indexing.
import { isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { backend } from "../backend/backend.js";
import { broadcastShapes, normDim } from "../shape.js";
import { record, relabel } from "../autograd/record.js";
import { type Scalar, isTensor, scalarTensor, wrap } from "./util.js";
import { clone, contiguous, toDType } from "./cast.js";
import { toDevice } from "./device-copy.js";
import { mul, ne, where } from "./binary.js";
import { expand, reshape, select, slice, unsqueeze } from "./view.js";
import { full, tensor, zeros } from "./creation.js";
import { type AdvancedIndex, advancedGet } from "./advanced-index.js";

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== "int64" && index.dtype !== "int32")
    throw new DTypeError(`${op}: expected index of dtype int64, got ${index.dtype}`);
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("gather", index);
  // PyTorch treats a 0-dim input or index as one of size [1] here.
  if (x.dim() === 0 && index.dim() <= 1)
    return reshape(gather(reshape(x, [1]), dim, reshape(index, [-1])), index.shape);
  const d = normDim(dim, x.dim(), "gather");
  if (index.dim() !== x.dim())
    throw new ShapeError(
      `gather: index ${fmtShape(index.shape)} and input ${fmtShape(x.shape)} must have the same number of dimensions`,
    );
  const out = wrap(backend().gather(x, d, index), index.shape, x.dtype);
  return record(
    "GatherBackward",
    [x],
    out,
    ([g]) => [scatterAdd(zeros(x.shape, { dtype: g.dtype, device: g.storage.device }), d, index, g)],
    [index],
  );
}

function scatterImpl(
  name: string,
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | Scalar,
  accumulate: boolean,
): Tensor {
  checkIndex(name, index);
  const d = normDim(dim, x.dim(), name);
  // A scalar src becomes a tensor on x's device (the kernel takes all its operands on one device).
  const s0 = isTensor(src) ? src : scalarTensor(src, x.dtype);
  const srcT = isTensor(src)
    ? src
    : expand(x.storage.device === "cpu" ? s0 : toDevice(s0, x.storage.device), index.shape);
  const data = backend().copy(x, x.dtype);
  backend().scatter(data, x.shape, d, index, srcT, accumulate);
  const out = wrap(data, x.shape, x.dtype);
  const node = accumulate ? "ScatterAddBackward" : isTensor(src) ? "ScatterBackward" : "ScatterBackward1";
  return record(
    node,
    [x, isTensor(src) ? src : null],
    out,
    ([g]) => [accumulate ? g : scatter(g, d, index, 0), isTensor(src) ? gather(g, d, index) : null],
    [index],
  );
}
export interface ScatterOptions {
  /** PyTorch's older reduction form of scatter (scatter_reduce is the newer one). */
  reduce?: "add" | "multiply";
}
/** torch.scatter(input, dim, index, src, { reduce }); where indices repeat, the last in index order wins, as on PyTorch's CPU. */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | Scalar,
  options: ScatterOptions = {},
): Tensor {
  const { reduce } = options;
  if (reduce === undefined) return scatterImpl("scatter", x, dim, index, src, false);
  if (reduce === "add") return scatterImpl("scatter", x, dim, index, src, true);
  if (reduce !== "multiply")
    throw new ValueError(`scatter: reduce argument must be either add or multiply, got '${String(reduce)}'`);
  // One slice of index along dim never names an output element twice, so the product is the
  // product over the slices of a scatter into ones.
  checkIndex("scatter", index);
  const d = normDim(dim, x.dim(), "scatter");
  const srcT = isTensor(src) ? src : expand(scalarTensor(src, x.dtype), index.shape);
  let out = x;
  for (let j = 0; j < index.shape[d]; j++) {
    const ones = full(x.shape, 1, { dtype: x.dtype });
    out = mul(out, scatterImpl("scatter", ones, d, slice(index, d, j, j + 1), slice(srcT, d, j, j + 1), false));
  }
  return out;
}
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  scatterImpl("scatter_add", x, dim, index, src, true);

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("index_select", index);
  if (index.dim() > 1)
    throw new ShapeError(`index_select: index should have 1 dimension, got ${fmtShape(index.shape)}`);
  const d = normDim(dim, Math.max(x.dim(), 1), "index_select");
  const size = x.dim() === 0 ? 1 : x.shape[d];
  for (const i of index.storage.device === "cpu" ? index.typedArray() : []) {
    if (i < 0 || i >= size)
      throw new IndexError(
        `index_select: index ${i} is out of bounds for dimension ${d} with size ${size} (input shape ${fmtShape(x.shape)})`,
      );
  }
  if (x.dim() === 0) return reshape(gather(reshape(x, [1]), 0, reshape(index, [-1])), []);
  const outShape = [...x.shape];
  outShape[d] = index.numel();
  const idxShape = x.shape.map((_, i) => (i === d ? index.numel() : 1));
  return relabel(gather(x, d, expand(reshape(index, idxShape), outShape)), "IndexSelectBackward", [x]);
}

export function maskedFill(x: Tensor, mask: Tensor, value: Tensor | Scalar): Tensor {
  if (isFloating(mask.dtype))
    throw new DTypeError(`masked_fill: expected a bool mask, got ${mask.dtype} (shape ${fmtShape(mask.shape)})`);
  // PyTorch 1.13 also takes integer masks: non-zero means true.
  if (mask.dtype !== "bool") mask = ne(mask, 0);
  if (isTensor(value) && value.dim() !== 0) {
    throw new ShapeError(
      `masked_fill: only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s) (shape ${fmtShape(value.shape)})`,
    );
  }
  // Out of place, PyTorch broadcasts input and mask together (expand_outplace), so the result can
  // be larger than the input; the value is cast to the input's dtype.
  broadcastShapes(x.shape, mask.shape, "masked_fill");
  const v = isTensor(value)
    ? value.dtype === x.dtype
      ? value
      : toDType(value, x.dtype)
    : scalarTensor(value, x.dtype);
  return relabel(where(mask, v, x), "MaskedFillBackward", [x, v]);
}

/** Indices of non-zero elements, shape [count, ndim] (int64). */
/** nonzero(x): the [count, ndim] coordinates of the nonzero elements; { asTuple: true } gives one 1-D tensor per dim. */
export function nonzero(x: Tensor, opts?: { asTuple?: boolean }): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  const coords = nonzeroCoords(x);
  if (!opts.asTuple) return coords;
  if (x.dim() === 0) return [reshape(coords, [-1])];
  return Array.from({ length: x.dim() }, (_, d) => contiguous(select(coords, 1, d)));
}
function nonzeroCoords(x: Tensor): Tensor {
  const flat = x.typedArray();
  const hits: number[] = [];
  const nd = x.dim();
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] === 0) continue;
    let rem = i;
    const coord = new Array<number>(nd);
    for (let d = nd - 1; d >= 0; d--) {
      coord[d] = rem % x.shape[d];
      rem = Math.floor(rem / x.shape[d]);
    }
    hits.push(...coord);
  }
  return wrap(Float64Array.from(hits), [hits.length / Math.max(nd, 1), nd], "int64");
}

export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  // x and mask broadcast together, as PyTorch's masked_select
  const shape = broadcastShapes(x.shape, mask.shape, "masked_select");
  const m = expand(mask, shape);
  const idx = nonzeroCoords(reshape(clone(m), [-1]));
  return indexSelect(reshape(expand(x, shape), [-1]), 0, reshape(idx, [-1]));
}

/** One item of x.index(...): a number (select), a slice string ("1:3", ":", "::2"), "..." , null (new axis), or an index tensor / number array. */
export type IndexSpec = number | string | null | Tensor | readonly number[];

// Module-level helpers, not closures made per call: tsx (which runs the benches and tests) compiles with keepNames, so a named closure made per call costs a defineProperty each time.
const sliceNum = (p: string | undefined) => (p === undefined || p === "" ? undefined : Number(p));
const consumes = (s: IndexSpec) => s !== null && s !== "...";

function parseSlice(s: string): [number | undefined, number | undefined, number] {
  const parts = s.split(":").map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) throw new IndexError(`index: cannot parse slice '${s}'`);
  const [a, b, c] = [sliceNum(parts[0]), sliceNum(parts[1]), sliceNum(parts[2])];
  if ([a, b, c].some((v) => v !== undefined && !Number.isInteger(v))) throw new IndexError(`index: bad slice '${s}'`);
  return [a, b, c ?? 1];
}

/** Applies the numbers, slices, "..." and nulls of an index; returns the view and the tensor indices (dims within the view). */
export function basicIndex(x: Tensor, specs: readonly IndexSpec[]): { out: Tensor; adv: AdvancedIndex[] } {
  const ell = specs.indexOf("...");
  if (ell >= 0 && specs.lastIndexOf("...") !== ell)
    throw new IndexError("index: an index can only have a single ellipsis ('...')");
  const used = specs.reduce<number>(
    (n, s) =>
      n + (!consumes(s) ? 0 : isTensor(s) && (s.dtype === "bool" || s.dtype === "uint8") ? Math.max(s.dim(), 1) : 1),
    0,
  );
  if (used > x.dim()) throw new IndexError(`index: too many indices for tensor of dimension ${x.dim()} (got ${used})`);
  const expanded: IndexSpec[] =
    ell >= 0
      ? [...specs.slice(0, ell), ...new Array<IndexSpec>(x.dim() - used).fill(":"), ...specs.slice(ell + 1)]
      : [...specs];
  let out = x,
    d = 0;
  const adv: AdvancedIndex[] = [];
  for (const s of expanded) {
    if (s === null) out = unsqueeze(out, d++);
    else if (typeof s === "number") out = select(out, d, s);
    else if (typeof s === "string") {
      const [a, b, c] = parseSlice(s);
      out = slice(out, d++, a ?? 0, b, c);
    } else {
      const idx = isTensor(s) ? s : tensor([...s], { dtype: "int64" });
      adv.push({ dim: d, idx });
      d += idx.dtype === "bool" || idx.dtype === "uint8" ? idx.dim() : 1;
    }
  }
  return { out, adv };
}

/**
 * Python-style indexing: x.index(0, "1:3", "...", null) ≙ x[0, 1:3, ..., None]; index tensors
 * (or number arrays, or bool masks) index as PyTorch's advanced indexing: x.index(rows, cols) ≙ x[rows, cols].
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  // Python's x[[[0, 2], [1, 3]]]: a single list holding lists indexes as the tuple x[[0, 2], [1, 3]]
  // (PyTorch keeps NumPy's old rule, treatSequenceAsTuple).
  const only = specs[0] as unknown;
  if (specs.length === 1 && Array.isArray(only) && only.some((e) => typeof e !== "number")) specs = only as IndexSpec[];
  const { out, adv } = basicIndex(x, specs);
  if (adv.length === 0) return out;
  return relabel(advancedGet(out, adv), "IndexBackward", [x]);
}
