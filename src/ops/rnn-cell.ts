// The pointwise part of an LSTM cell (gates -> new hidden and cell state) as one op, so that a
// recurrent layer runs one fused kernel per step and direction instead of ten elementwise ops
// forward and twenty backward. The backend's fused kernel computes the same float32 operations in
// the same order as the composed ops below, which remain the definition (and the path for the
// reference backend, float64, and gradients taken with createGraph).
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { grad } from "../autograd/api.js";
import { add, mul } from "./binary.js";
import { sigmoid, tanh } from "./unary.js";
import { chunk } from "./join.js";
import { wrap } from "./util.js";

/** gates [B, 4H] (input, forget, cell, output pre-activations), c [B, H] -> [hy, cy], as ATen composes it. */
function composed(gates: Tensor, c: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = chunk(gates, 4, 1);
  const cy = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(cy)), cy];
}

export function lstmCellPointwise(gates: Tensor, c: Tensor): [Tensor, Tensor] {
  const b = backend();
  const fused = gates.dtype === "float32" && c.dtype === "float32" && gates.dim() === 2 ? b.lstmCell(gates, c) : null;
  if (fused === null) return composed(gates, c);
  const shape = c.shape;
  const outs = [wrap(fused.hy, shape, "float32"), wrap(fused.cy, shape, "float32")];
  record(
    "LstmCellBackward",
    [gates, c],
    outs,
    ([dhy, dcy]) => {
      const needs = [gates.requiresGrad, c.requiresGrad];
      if (isGradEnabled()) {
        // A gradient that must itself be differentiable: differentiate the composed definition.
        const inputs = [gates, c].filter((_, k) => needs[k]);
        const gs = grad(composed(gates, c), inputs, { gradOutputs: [dhy, dcy], createGraph: true, allowUnused: true });
        let k = 0;
        return needs.map((n) => (n ? gs[k++] : null));
      }
      const r = b.lstmCellBackward(fused.saved, c, dhy, dcy);
      return [needs[0] ? wrap(r.dgates, gates.shape, "float32") : null, needs[1] ? wrap(r.dc, shape, "float32") : null];
    },
    [gates, c],
  );
  return [outs[0], outs[1]];
}
