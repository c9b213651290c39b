// The pointwise part of an LSTM cell (gates -> new hidden and cell state) as one op, so that a
// recurrent layer runs one fused kernel per step and direction instead of ten elementwise ops
// forward and twenty backward. The backend's fused kernel computes the same float32 operations in
// the same order as the composed ops below, which remain the definition (and the path for the
// reference backend, float64, and gradients taken with createGraph).
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { add, mul, sub } from "./binary.js";
import { sigmoid, tanh } from "./unary.js";
import { chunk } from "./join.js";
import { wrap } from "./util.js";
import { differentiableGrads } from "./fused-grad.js";

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
      // A gradient that must itself be differentiable: differentiate the composed definition.
      if (isGradEnabled()) return differentiableGrads((g, cc) => composed(g, cc), [gates, c], needs, [dhy, dcy]);
      const r = b.lstmCellBackward(fused.saved, c, dhy, dcy);
      return [needs[0] ? wrap(r.dgates, gates.shape, "float32") : null, needs[1] ? wrap(r.dc, shape, "float32") : null];
    },
    [gates, c],
  );
  return [outs[0], outs[1]];
}

/** xw, hw [B, 3H] (r, z, n projections of x and h, biases included), h [B, H] -> hy, as ATen composes it. */
function gruComposed(xw: Tensor, hw: Tensor, h: Tensor): Tensor {
  const [ir, iz, iN] = chunk(xw, 3, 1);
  const [hr, hz, hN] = chunk(hw, 3, 1);
  const r = sigmoid(add(hr, ir));
  const z = sigmoid(add(hz, iz));
  const n = tanh(add(iN, mul(hN, r)));
  return add(mul(sub(h, n), z), n);
}

/** The pointwise part of a GRU cell as one op (one fused kernel forward and one backward per step). */
export function gruCellPointwise(xw: Tensor, hw: Tensor, h: Tensor): Tensor {
  const b = backend();
  const fused =
    xw.dtype === "float32" && hw.dtype === "float32" && h.dtype === "float32" && h.dim() === 2 && b.gruCell
      ? b.gruCell(xw, hw, h)
      : null;
  if (fused === null || !b.gruCellBackward) return gruComposed(xw, hw, h);
  const backward = b.gruCellBackward.bind(b);
  const hy = wrap(fused.hy, h.shape, "float32");
  record(
    "GruCellBackward",
    [xw, hw, h],
    [hy],
    ([dhy]) => {
      const needs = [xw.requiresGrad, hw.requiresGrad, h.requiresGrad];
      if (isGradEnabled()) return differentiableGrads((a, b, c) => [gruComposed(a, b, c)], [xw, hw, h], needs, [dhy]);
      const r = backward(fused.saved, h, dhy);
      return [
        needs[0] ? wrap(r.dxw, xw.shape, "float32") : null,
        needs[1] ? wrap(r.dhw, hw.shape, "float32") : null,
        needs[2] ? wrap(r.dh, h.shape, "float32") : null,
      ];
    },
    [xw, hw, h],
  );
  return hy;
}
