// The arithmetic shared by the recurrent modules: one time step of each cell, following ATen's
// CPU cells (aten/src/ATen/native/RNN.cpp) op for op so that float32 rounding matches PyTorch's
// too: gates = (h W_hh^T + b_hh) + (x W_ih^T + b_ih), chunked in PyTorch's gate order (LSTM
// i, f, g, o; GRU r, z, n), the GRU output as (h - n) * z + n; and the walk of one layer
// direction over a packed batch (ATen's PackedLayer / ReversedPackedLayer).
import type { Tensor } from "../../tensor.js";
import { DTypeError, ValueError, fmtShape } from "../../errors.js";
import { add } from "../../ops/binary.js";
import { relu, tanh } from "../../ops/unary.js";
import { cat, split } from "../../ops/join.js";
import { linear } from "../../ops/linear.js";
import { narrow } from "../../ops/view.js";
import { gruCellPointwise, lstmCellPointwise } from "../../ops/rnn-cell.js";
import { uniform_ } from "../init.js";
import { py } from "./util.js";

export type Nonlinearity = "tanh" | "relu";

/** One direction of one layer's weights (bias and projection absent when disabled). */
export interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr?: Tensor | null;
}

/**
 * One time step from the input projection xw = x W_ih^T + b_ih ([batch, gates]) and the state
 * ([h] or [h, c]) to the new state. The projection comes in precomputed because PyTorch's CPU
 * layers compute it for the whole sequence in one matrix product before stepping.
 */
export type Step = (xw: Tensor, state: readonly Tensor[], w: CellWeights) => Tensor[];

export const simpleStep = (nonlinearity: Nonlinearity): Step => {
  const act = nonlinearity === "relu" ? relu : tanh;
  return (xw, [h], w) => [act(add(linear(h, w.wHh, w.bHh), xw))];
};

export const lstmStep: Step = (xw, [h, c], w) => {
  const [hy, cy] = lstmCellPointwise(add(linear(h, w.wHh, w.bHh), xw), c);
  return [w.wHr ? linear(hy, w.wHr) : hy, cy];
};

export const gruStep: Step = (xw, [h], w) => [gruCellPointwise(xw, linear(h, w.wHh, w.bHh), h)];

/** The dtype check every recurrent module makes before multiplying by its weights. */
export function checkDType(name: string, what: string, t: Tensor, weight: Tensor): void {
  if (t.dtype !== weight.dtype)
    throw new DTypeError(
      `${name}: ${what} has dtype ${t.dtype} but the module's parameters are ${weight.dtype} (shape ${fmtShape(t.shape)})`,
    );
}

/**
 * One direction forward in time over packed steps (xw: input projections, [sum(batchSizes), G]).
 * When the batch shrinks, the states of the sequences that just ended are set aside: they are
 * those sequences' final states (ATen's PackedLayer).
 */
export function forwardDirection(
  step: Step,
  xw: Tensor,
  batchSizes: readonly number[],
  h0: Tensor[],
  w: CellWeights,
): [Tensor, Tensor[]] {
  const outs: Tensor[] = [];
  const ended: Tensor[][] = [];
  // The steps' input projections as one split (one backward node for all of them).
  const steps = split(xw, [...batchSizes], 0);
  let state = h0,
    last = batchSizes[0];
  batchSizes.forEach((b, t) => {
    if (b < last) {
      ended.push(state.map((s) => narrow(s, 0, b, last - b)));
      state = state.map((s) => narrow(s, 0, 0, b));
    }
    last = b;
    state = step(steps[t], state, w);
    outs.push(state[0]);
  });
  // Final states in batch order: the longest sequences' (still running) first, then those that
  // ended, latest first.
  ended.reverse();
  const finals = ended.length === 0 ? state : state.map((s, k) => cat([s, ...ended.map((e) => e[k])], 0));
  return [cat(outs, 0), finals];
}

/** One direction backward in time: starts with the shortest batch and takes in each sequence's h0 as it begins. */
export function reverseDirection(
  step: Step,
  xw: Tensor,
  batchSizes: readonly number[],
  h0: Tensor[],
  w: CellWeights,
): [Tensor, Tensor[]] {
  const outs: Tensor[] = [];
  const steps = split(xw, [...batchSizes], 0);
  let last = batchSizes[batchSizes.length - 1];
  let state = last === h0[0].shape[0] ? h0 : h0.map((s) => narrow(s, 0, 0, last));
  for (let t = batchSizes.length - 1; t >= 0; t--) {
    const b = batchSizes[t];
    if (b > last) state = state.map((s, k) => cat([s, narrow(h0[k], 0, last, b - last)], 0));
    last = b;
    state = step(steps[t], state, w);
    outs.push(state[0]);
  }
  return [cat(outs.reverse(), 0), state];
}

export function checkNonlinearity(name: string, v: unknown): asserts v is Nonlinearity {
  if (v !== "tanh" && v !== "relu")
    throw new ValueError(`${name}: Unknown nonlinearity '${String(v)}' (expected 'tanh' or 'relu')`);
}

export function checkSizes(name: string, inputSize: number, hiddenSize: number): void {
  if (!Number.isInteger(inputSize) || inputSize < 0)
    throw new ValueError(`${name}: input_size must be a non-negative integer, got ${py(inputSize)}`);
  if (!Number.isInteger(hiddenSize) || hiddenSize <= 0)
    throw new ValueError(`${name}: hidden_size must be a positive integer, got ${py(hiddenSize)}`);
}

/** PyTorch's reset_parameters of every recurrent module: each parameter from U(±1/√hidden). */
export function resetUniform(params: readonly Tensor[], hiddenSize: number): void {
  const stdv = hiddenSize > 0 ? 1.0 / Math.sqrt(hiddenSize) : 0;
  for (const p of params) uniform_(p, -stdv, stdv);
}
