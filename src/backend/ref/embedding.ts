// Embedding lookups and their gradient on the CPU: whole rows copied and accumulated, instead of
// the element-by-element gather / scatter_add walks the composed op would run.
import { type TypedArray, arrayFor, uninitArray } from "../../dtype.js";
import type { Strided } from "../backend.js";
import { isContiguous } from "./iterate.js";

const isFloat = (x: Strided): boolean => x.dtype === "float32" || x.dtype === "float64";

/** Rows of a contiguous weight [num, dim] picked by contiguous integer indices; null when declined. */
export function embeddingForward(weight: Strided, indices: Strided): TypedArray | null {
  if (!isFloat(weight) || weight.shape.length !== 2 || !isContiguous(weight) || !isContiguous(indices)) return null;
  const dim = weight.shape[1],
    n = indices.shape.reduce((a, b) => a * b, 1);
  const w = weight.storage.data as TypedArray,
    idx = indices.storage.data as TypedArray;
  const out = uninitArray(weight.dtype, n * dim);
  for (let k = 0; k < n; k++) {
    const row = weight.offset + Number(idx[indices.offset + k]) * dim;
    out.set(w.subarray(row, row + dim), k * dim);
  }
  return out;
}

/**
 * The weight gradient [num, dim] from grad [n, dim] and indices [n]: grad rows summed into the rows
 * they were looked up from, in index order (as PyTorch's index_add_), skipping paddingIdx, each
 * scaled by 1 / (its index's count) with scaleByFreq. Null when declined.
 */
export function embeddingBackward(
  grad: Strided,
  indices: Strided,
  num: number,
  paddingIdx: number | null,
  scaleByFreq: boolean,
): TypedArray | null {
  if (!isFloat(grad) || grad.shape.length !== 2 || !isContiguous(grad) || !isContiguous(indices)) return null;
  const [n, dim] = grad.shape;
  const g = grad.storage.data as TypedArray,
    idx = indices.storage.data as TypedArray;
  const out = arrayFor(grad.dtype, num * dim) as Float32Array | Float64Array;
  const f32 = grad.dtype === "float32";
  let counts: Float64Array | null = null;
  if (scaleByFreq) {
    counts = new Float64Array(num);
    for (let k = 0; k < n; k++) counts[Number(idx[indices.offset + k])]++;
  }
  for (let k = 0; k < n; k++) {
    const i = Number(idx[indices.offset + k]);
    if (i === paddingIdx) continue;
    const src = grad.offset + k * dim,
      dst = i * dim;
    if (counts) {
      // grad * (1 / count) rounded to the dtype first, as the composed op's multiply
      const s = f32 ? Math.fround(1 / counts[i]) : 1 / counts[i];
      for (let j = 0; j < dim; j++) out[dst + j] += f32 ? Math.fround(Number(g[src + j]) * s) : Number(g[src + j]) * s;
    } else for (let j = 0; j < dim; j++) out[dst + j] += Number(g[src + j]);
  }
  return out;
}
