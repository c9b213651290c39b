// softmax of a small tensor computed here in one pass, rather than as exp(log_softmax) in two
// kernel calls: below a few dozen elements the calls, not the math, are the cost.
import type { Tensor } from "../tensor.js";
import { uninitArray } from "../dtype.js";
import { wrap } from "./util.js";

/** Up to this many elements (as the native backend's JS elementwise paths). */
const SMALL = 64;
/** The row's exponentials in double precision, rounded once at the division. */
const scratch = new Float64Array(SMALL);

/** softmax along the last dim of a small contiguous floating CPU tensor, or null for any other case. */
export function softmaxSmall(x: Tensor, dim: number): Tensor | null {
  const n = x.numel();
  if (n === 0 || n > SMALL || dim !== x.dim() - 1 || x.storage.device !== "cpu" || !x.isContiguous()) return null;
  if (x.dtype !== "float32" && x.dtype !== "float64") return null;
  const cols = x.shape[dim],
    src = x.storage.data,
    out = uninitArray(x.dtype, n);
  for (let r = x.offset, o = 0; o < n; r += cols, o += cols) {
    // A NaN anywhere makes the row NaN, as PyTorch's max-subtracting kernel does.
    let m = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = src[r + j];
      if (v > m || v !== v) m = v;
      if (m !== m) break;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) s += scratch[j] = Math.exp(src[r + j] - m);
    for (let j = 0; j < cols; j++) out[o + j] = scratch[j] / s;
  }
  return wrap(out, x.shape, x.dtype);
}
