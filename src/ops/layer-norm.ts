// F.layer_norm's arithmetic: one fused kernel forward (row statistics kept) and one backward
// (ATen's closed form for the input gradient, column sums for the weight and bias) when the
// backend has them; otherwise, and for gradients of gradients (createGraph), the composed
// definition below (biased variance, as PyTorch).
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { grad } from "../autograd/api.js";
import { add, mul, sub } from "./binary.js";
import { rsqrt } from "./unary.js";
import { mean } from "./reduce.js";
import { wrap } from "./util.js";

function composed(input: Tensor, dims: number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const m = mean(input, dims, true);
  const c = sub(input, m);
  const v = mean(mul(c, c), dims, true);
  let y = mul(c, rsqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** An affine parameter the fused kernel takes (module-level: tsx's keepNames makes a per-call closure cost a defineProperty). */
const fits = (t: Tensor | null, cols: number) => t === null || (t.dtype === "float32" && t.numel() === cols);

/** Layer norm over the trailing dims `dims` (already checked against normalized_shape). */
export function layerNormOp(
  input: Tensor,
  dims: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  const b = backend();
  const cols = dims.reduce((p, d) => p * input.shape[d], 1);
  const fused =
    input.dtype === "float32" && fits(weight, cols) && fits(bias, cols) && b.layerNorm && cols > 0
      ? b.layerNorm(input, weight, bias, cols, eps)
      : null;
  if (fused === null) return composed(input, dims, weight, bias, eps);
  const y = wrap(fused.y, input.shape, "float32");
  const inputs = [input, weight, bias];
  return record(
    "NativeLayerNormBackward",
    inputs,
    y,
    ([g]) => {
      const needs = inputs.map((t) => t !== null && t.requiresGrad);
      if (isGradEnabled()) {
        const wanted = inputs.filter((t, k): t is Tensor => t !== null && needs[k]);
        const gs = grad([composed(input, dims, weight, bias, eps)], wanted, {
          gradOutputs: [g],
          createGraph: true,
          allowUnused: true,
        });
        let k = 0;
        return needs.map((n) => (n ? gs[k++] : null));
      }
      const r = b.layerNormBackward!(g, input, weight, fused.mean, fused.rstd, cols, needs[1], needs[2]);
      return [
        needs[0] ? wrap(r.dx, input.shape, "float32") : null,
        needs[1] && weight && r.dw ? wrap(r.dw, weight.shape, "float32") : null,
        needs[2] && bias && r.db ? wrap(r.db, bias.shape, "float32") : null,
      ];
    },
    [input, ...(weight ? [weight] : [])],
  );
}
