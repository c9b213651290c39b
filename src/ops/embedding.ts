// F.embedding: rows picked by index, with padding_idx, max_norm renormalisation and
// scale_grad_by_freq in the backward.
import { DTypeError, IndexError } from "../errors.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { add, div, eq, gt, mul, where } from "./binary.js";
import { amax, sum } from "./reduce.js";
import { reshape } from "./view.js";
import { indexSelect, scatter, scatterAdd } from "./indexing.js";
import { ones, zeros } from "./creation.js";
import type { DType } from "../dtype.js";
import { wrap } from "./util.js";
import type { Tensor } from "../tensor.js";

/**
 * F.embedding(input, weight, paddingIdx, maxNorm, normType, scaleGradByFreq): rows of weight
 * picked by integer indices. The padding row gets no gradient; maxNorm renormalises the looked-up
 * rows of weight in place (as PyTorch's embedding_renorm_).
 */
export function embedding(
  input: Tensor,
  weight: Tensor,
  paddingIdx: number | null = null,
  maxNorm: number | null = null,
  normType = 2,
  scaleGradByFreq = false,
): Tensor {
  if (input.dtype !== "int64" && input.dtype !== "int32")
    throw new DTypeError(`embedding: expected indices of dtype int64 or int32, got ${input.dtype}`);
  const num = weight.shape[0];
  const flat = reshape(input, [-1]);
  if (flat.numel() > 0 && flat.storage.device === "cpu") {
    let lo = 0,
      hi = 0;
    for (const i of flat.typedArray()) {
      lo = Math.min(lo, i);
      hi = Math.max(hi, i);
    }
    if (lo < 0 || hi >= num)
      throw new IndexError(`embedding: index ${lo < 0 ? lo : hi} is out of range for an embedding with ${num} rows`);
  }
  const pidx = paddingIdx === null ? null : paddingIdx < 0 ? paddingIdx + num : paddingIdx;
  if (maxNorm !== null) embeddingRenorm(weight, flat, maxNorm, normType);
  const outShape = [...input.shape, weight.shape[1]];
  const b = backend();
  // The backend's row copy (one kernel) when it has one, else index_select (a gather).
  const rows = weight.dim() === 2 ? b.embedding?.(weight, flat) : null;
  const out = rows ? wrap(rows, outShape, weight.dtype) : noGrad(() => reshape(indexSelect(weight, 0, flat), outShape));
  return record("EmbeddingBackward", [weight], out, ([g]) => {
    let g2 = reshape(g, [-1, weight.shape[1]]);
    if (!isGradEnabled()) {
      // The weight gradient as one sparse accumulate of rows (not zeros + scatter_add).
      const gw = b.embeddingBackward?.(g2, flat, num, pidx, scaleGradByFreq);
      if (gw) return [wrap(gw, weight.shape, g.dtype)];
    }
    if ((pidx !== null || scaleGradByFreq) && flat.storage.device !== "cpu") {
      // Off the CPU the indices are not read: counts by scatter_add, the padding row masked.
      g2 = mul(g2, reshape(deviceGradScale(flat, num, pidx, scaleGradByFreq, g.dtype), [-1, 1]));
    } else if (pidx !== null || scaleGradByFreq) {
      const idx = flat.typedArray();
      const counts = new Map<number, number>();
      for (const i of idx) counts.set(i, (counts.get(i) ?? 0) + 1);
      const scale = new Float64Array(idx.length);
      idx.forEach((i, k) => (scale[k] = i === pidx ? 0 : scaleGradByFreq ? 1 / (counts.get(i) as number) : 1));
      g2 = mul(g2, wrap(scale, [idx.length, 1], "float64").to(g.dtype).to(g.device));
    }
    const index = reshape(flat, [-1, 1]).expand(-1, weight.shape[1]).to("int64");
    return [scatterAdd(zeros(weight.shape, { dtype: g.dtype, device: g.storage.device }), 0, index, g2)];
  });
}

/** Per looked-up index: 0 for the padding row, else 1 / its count (scaleGradByFreq) or 1. */
function deviceGradScale(flat: Tensor, num: number, pidx: number | null, byFreq: boolean, dtype: DType): Tensor {
  return noGrad(() => {
    const device = flat.storage.device;
    const idx = flat.to("int64");
    let scale = ones(flat.shape, { dtype, device });
    if (byFreq) {
      const counts = scatterAdd(zeros([num], { dtype, device }), 0, idx, scale);
      scale = div(1, indexSelect(counts, 0, idx));
    }
    return pidx === null ? scale : where(eq(idx, pidx), 0, scale);
  });
}

function embeddingRenorm(weight: Tensor, flat: Tensor, maxNorm: number, normType: number): void {
  if (flat.storage.device !== "cpu") {
    // Off the CPU: every looked-up row's norm at once, rescaled rows scattered back (a repeated
    // index writes the same row twice), without reading the indices.
    noGrad(() => {
      const idx = flat.to("int64");
      const rows = indexSelect(weight, 0, idx);
      const norms =
        normType === Infinity
          ? amax(rows.abs(), [1], true)
          : sum(rows.abs().pow(normType), { dim: [1], keepdim: true }).pow(1 / normType);
      const scale = where(gt(norms, maxNorm), div(maxNorm, add(norms, 1e-7)), 1);
      const index = reshape(idx, [-1, 1]).expand(-1, weight.shape[1]);
      weight.copy_(scatter(weight, 0, index, mul(rows, scale)));
    });
    return;
  }
  noGrad(() => {
    const rows = [...new Set(flat.typedArray())];
    for (const r of rows) {
      const row = weight.select(0, r);
      const norm =
        normType === Infinity ? amax(row.abs()).item() : Math.pow(sum(row.abs().pow(normType)).item(), 1 / normType);
      if (norm > maxNorm) row.mul_(maxNorm / (norm + 1e-7));
    }
  });
}
