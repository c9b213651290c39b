// F.scaledDotProductAttention with PyTorch 2.0's semantics (torch 1.13 has no public op):
//   attn = softmax(Q K^T / sqrt(E) + mask) (dropout on attn in training), out = attn V
// where a boolean attnMask marks the pairs that take part (False -> -inf), a float one is added,
// and isCausal uses the lower-triangular mask. One autograd node: the forward keeps the attention
// weights, the backward is five batched matrix products and one softmax backward, not the graph
// of the composition (which is still what a gradient of a gradient differentiates).
import type { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { type DType, isFloating, uninitArray } from "../dtype.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { grad } from "../autograd/api.js";
import { backend } from "../backend/backend.js";
import { add, div, mul, sub } from "../ops/binary.js";
import { matmul } from "../ops/linalg.js";
import { softmax } from "../ops/softmax.js";
import { sum } from "../ops/reduce.js";
import { transpose } from "../ops/view.js";
import { maskedFill } from "../ops/indexing.js";
import { logicalNot } from "../ops/unary.js";
import { sumToShape } from "../ops/broadcast.js";
import { wrap } from "../ops/util.js";
import { defaultGenerator, dropoutMask } from "../random/index.js";

export interface ScaledDotProductAttentionOptions {
  attnMask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
}

function causalMask(L: number, S: number, dtype: DType): Tensor {
  const data = uninitArray(dtype, L * S) as Float32Array | Float64Array;
  for (let i = 0; i < L; i++) for (let j = 0; j < S; j++) data[i * S + j] = j <= i ? 0 : -Infinity;
  return wrap(data, [L, S], dtype);
}

/** The definition, op by op (used for createGraph); `keep` is the scaled dropout mask or null. */
function composed(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, keep: Tensor | null): Tensor {
  let s = div(matmul(q, transpose(k, -2, -1)), Math.sqrt(q.shape[q.dim() - 1]));
  if (mask) s = add(s, mask);
  let p = softmax(s, -1);
  if (keep) p = mul(p, keep);
  return matmul(p, v);
}

export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  o: ScaledDotProductAttentionOptions = {},
): Tensor {
  const op = "scaled_dot_product_attention";
  const dropoutP = o.dropoutP ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new ValueError(`${op}: dropout_p must be in [0, 1], got ${dropoutP}`);
  if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2)
    throw new ShapeError(
      `${op}: expected query, key and value of at least 2 dims, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
    );
  const E = query.shape[query.dim() - 1],
    L = query.shape[query.dim() - 2],
    S = key.shape[key.dim() - 2];
  if (key.shape[key.dim() - 1] !== E || value.shape[value.dim() - 2] !== S)
    throw new ShapeError(
      `${op}: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} do not fit (..., L, E), (..., S, E), (..., S, Ev)`,
    );
  if (!isFloating(query.dtype) || key.dtype !== query.dtype || value.dtype !== query.dtype)
    throw new DTypeError(
      `${op}: expected query, key and value of one floating dtype, got ${query.dtype}, ${key.dtype}, ${value.dtype}`,
    );
  let mask = o.attnMask ?? null;
  if (o.isCausal) {
    if (mask) throw new ValueError(`${op}: explicit attn_mask should not be set when is_causal=True`);
    mask = causalMask(L, S, query.dtype);
  } else if (mask && mask.dtype === "bool") {
    mask = maskedFill(
      wrap(new (query.dtype === "float64" ? Float64Array : Float32Array)(mask.numel()), mask.shape, query.dtype),
      logicalNot(mask),
      -Infinity,
    );
  } else if (mask && mask.dtype !== query.dtype) {
    throw new DTypeError(
      `${op}: expected a bool attn_mask or a float one of the query's dtype ${query.dtype}, got ${mask.dtype}`,
    );
  }
  const scale = Math.sqrt(E);
  const [out, p, keep] = noGrad((): [Tensor, Tensor, Tensor | null] => {
    let s = div(matmul(query, transpose(key, -2, -1)), scale);
    if (mask) s = add(s, mask);
    const w = softmax(s, -1);
    let keepMask: Tensor | null = null;
    if (dropoutP > 0) {
      const arr = uninitArray(query.dtype, w.numel()) as Float32Array | Float64Array;
      dropoutMask(defaultGenerator, arr, dropoutP);
      keepMask = wrap(arr, w.shape, query.dtype);
    }
    return [matmul(keepMask ? mul(w, keepMask) : w, value), w, keepMask];
  });
  return record(
    "ScaledDotProductAttentionBackward",
    [query, key, value, mask],
    out,
    ([g]) => {
      const inputs = [query, key, value, mask];
      const needs = inputs.map((t) => t !== null && t.requiresGrad);
      if (isGradEnabled()) {
        const wanted = inputs.filter((t, k): t is Tensor => t !== null && needs[k]);
        const gs = grad([composed(query, key, value, mask, keep)], wanted, {
          gradOutputs: [g],
          createGraph: true,
          allowUnused: true,
        });
        let k = 0;
        return needs.map((n) => (n ? gs[k++] : null));
      }
      const pd = keep ? mul(p, keep) : p;
      const dv = needs[2] ? sumToShape(matmul(transpose(pd, -2, -1), g), value.shape) : null;
      let dp = matmul(g, transpose(value, -2, -1));
      if (keep) dp = mul(dp, keep);
      const fused = backend().softmaxBackward?.(dp, p, p.dim() - 1, false);
      const ds = fused ? wrap(fused, p.shape, p.dtype) : mul(p, sub(dp, sum(mul(dp, p), -1, true)));
      const dsScaled = div(ds, scale);
      return [
        needs[0] ? sumToShape(matmul(dsScaled, key), query.shape) : null,
        needs[1] ? sumToShape(matmul(transpose(dsScaled, -2, -1), query), key.shape) : null,
        dv,
        needs[3] && mask ? sumToShape(ds, mask.shape) : null,
      ];
    },
    [query, key, value, ...(mask ? [mask] : [])],
  );
}
