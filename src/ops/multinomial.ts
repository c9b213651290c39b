// torch.multinomial with PyTorch 1.13's CPU stream: without replacement (or one sample) it is
// the exponential race argmax/topk(p / q), q ~ Exp(1) drawn by exponential_ over the whole input;
// with replacement, one 53-bit uniform per sample searched in the row's normalized cumulative sum.
import type { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { arrayFor } from "../dtype.js";
import { type Generator, defaultGenerator, exponential, uniform53 } from "../random/index.js";
import { isOptions, wrap } from "./util.js";
import { div } from "./binary.js";
import { argmax } from "./reduce.js";
import { topk } from "./sort.js";
import { valuesOf } from "./pointwise-map.js";
import { reshape } from "./view.js";

interface MultinomialOptions {
  replacement?: boolean;
  generator?: Generator;
}
export function multinomial(
  probs: Tensor,
  numSamples: number,
  replacement: boolean | MultinomialOptions = false,
  opts: MultinomialOptions = {},
): Tensor {
  const o: MultinomialOptions = isOptions(replacement)
    ? (replacement as MultinomialOptions)
    : { ...opts, replacement: replacement as boolean };
  const gen = o.generator ?? defaultGenerator;
  if (probs.dim() < 1 || probs.dim() > 2)
    throw new ShapeError(`multinomial: prob_dist must be 1 or 2 dim, got ${fmtShape(probs.shape)}`);
  if (probs.dtype !== "float32" && probs.dtype !== "float64")
    throw new ValueError(`multinomial only supports floating-point dtypes for input, got: ${probs.dtype}`);
  const n = probs.shape[probs.dim() - 1];
  const v = valuesOf(probs);
  for (const p of v)
    if (!(p >= 0) || !Number.isFinite(p))
      throw new ValueError("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
  if (!o.replacement && numSamples > n)
    throw new ValueError(
      `multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement (${numSamples} > ${n})`,
    );
  if (!o.replacement || numSamples === 1) {
    const q = arrayFor(probs.dtype, v.length) as Float32Array | Float64Array;
    exponential(gen, q);
    const ratio = div(probs, wrap(q, probs.shape, probs.dtype));
    if (numSamples === 1) return argmax(ratio, -1, true);
    return topk(ratio, numSamples).indices;
  }
  const rows = probs.dim() === 1 ? 1 : probs.shape[0];
  const out = new Float64Array(rows * numSamples);
  const f32 = probs.dtype === "float32";
  for (let r = 0; r < rows; r++) {
    const cum = new Float64Array(n);
    let s = 0;
    for (let k = 0; k < n; k++) {
      s = f32 ? Math.fround(s + v[r * n + k]) : s + v[r * n + k];
      cum[k] = s;
    }
    if (s <= 0) throw new ValueError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    for (let k = 0; k < n; k++) cum[k] = f32 ? Math.fround(cum[k] / s) : cum[k] / s;
    cum[n - 1] = 1;
    for (let j = 0; j < numSamples; j++) {
      const u = uniform53(gen);
      let lo = 0,
        hi = n;
      while (hi - lo > 0) {
        const mid = lo + ((hi - lo) >> 1);
        if (cum[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      out[r * numSamples + j] = lo;
    }
  }
  const res = wrap(out, [rows, numSamples], "int64");
  return probs.dim() === 1 ? reshape(res, [numSamples]) : res;
}
