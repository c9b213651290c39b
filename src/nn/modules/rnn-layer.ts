// One LSTM or GRU layer direction over a padded batch as a single op: the backend's rnnLayer runs
// every time step (recurrent matrix product, bias and fused cell) in one call, and one autograd
// node covers the whole sequence, whose backward also runs in one call (W_hh's gradient as one
// matrix product over all steps). The step-by-step composition of rnn-steps.ts stays the
// definition: it runs when the backend declines (reference backend, float64, packed batches that
// shrink, LSTM projections) and when the gradient must itself be differentiable (createGraph),
// as PyTorch's CPU layers are composed of differentiable ops.
import type { Tensor } from "../../tensor.js";
import { backend } from "../../backend/backend.js";
import { record } from "../../autograd/record.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { wrap } from "../../ops/util.js";
import { differentiableGrads } from "../../ops/fused-grad.js";
import { type CellWeights, forwardDirection, gruStep, lstmStep, reverseDirection } from "./rnn-steps.js";

/**
 * The fused layer direction, or null when it does not apply (then the caller steps through time).
 * xw [sum(batchSizes), G] the input projections, h0 [h] or [h, c]; returns the output [T*B, H] and
 * the final states.
 */
export function fusedDirection(
  mode: string,
  xw: Tensor,
  batchSizes: readonly number[],
  h0: Tensor[],
  w: CellWeights,
  reverse: boolean,
): [Tensor, Tensor[]] | null {
  if (mode !== "LSTM" && mode !== "GRU") return null;
  if (w.wHr || batchSizes.some((b) => b !== batchSizes[0])) return null;
  const b = backend();
  if (!b.rnnLayer || !b.rnnLayerBackward) return null;
  const kind = mode === "LSTM" ? "lstm" : "gru";
  const [h, c] = kind === "lstm" ? h0 : [h0[0], null];
  const tensors = [xw, h, c, w.wHh, w.bHh];
  if (tensors.some((t) => t !== null && (t.dtype !== "float32" || t.storage.device !== "cpu"))) return null;
  const T = batchSizes.length;
  const r = b.rnnLayer(kind, xw, h, c, w.wHh, w.bHh, T, reverse);
  if (r === null) return null;
  const [B, H] = h.shape;
  const outs = [wrap(r.out, [T * B, H], "float32"), wrap(r.hN, [B, H], "float32")];
  if (r.cN) outs.push(wrap(r.cN, [B, H], "float32"));
  const backwardFn = b.rnnLayerBackward.bind(b);
  record(
    kind === "lstm" ? "LstmLayerBackward" : "GruLayerBackward",
    tensors,
    outs,
    (gs) => {
      const needs = tensors.map((t) => t !== null && t.requiresGrad);
      if (isGradEnabled()) {
        // A gradient that must itself be differentiable: differentiate the step-by-step definition.
        const walk = reverse ? reverseDirection : forwardDirection;
        const define = (x: Tensor, hh: Tensor, cc: Tensor | null, wHh: Tensor, bHh: Tensor | null): Tensor[] => {
          const [out, finals] = walk(kind === "lstm" ? lstmStep : gruStep, x, batchSizes, cc ? [hh, cc] : [hh], {
            ...w,
            wHh,
            bHh,
          });
          return [out, ...finals];
        };
        return differentiableGrads(define as (...xs: Tensor[]) => Tensor[], tensors, needs, gs);
      }
      const d = backwardFn(kind, r.saved, w.wHh, gs[0], gs[1], gs[2] ?? null, T, reverse, needs[3], needs[4]);
      return [
        needs[0] ? wrap(d.dxw, xw.shape, "float32") : null,
        needs[1] ? wrap(d.dh0, [B, H], "float32") : null,
        needs[2] && d.dc0 ? wrap(d.dc0, [B, H], "float32") : null,
        d.dwHh ? wrap(d.dwHh, w.wHh.shape, "float32") : null,
        d.dbHh && w.bHh ? wrap(d.dbHh, w.bHh.shape, "float32") : null,
      ];
    },
    tensors.filter((t): t is Tensor => t !== null),
  );
  return [outs[0], outs.slice(1)];
}
