// The fused LSTM cell (src/ops/rnn-cell.ts, native/rnn_cell.cc) against its composed definition:
// forward bit for bit, gradients to float32 rounding, and double backward through it.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { lstmCellPointwise } from "../src/ops/rnn-cell.js";

const composed = (gates: Tensor, c: Tensor): [Tensor, Tensor] => {
  const [i, f, g, o] = gates.chunk(4, 1);
  const cy = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(cy.tanh()), cy];
};

const close = (a: Tensor, b: Tensor, what: string, tol = 0): void => {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.typedArray(),
    y = b.typedArray();
  for (let k = 0; k < x.length; k++) {
    const err = Math.abs(x[k] - y[k]);
    assert.ok(err <= tol * (1 + Math.abs(y[k])), `${what}[${k}]: ${x[k]} vs ${y[k]}`);
  }
};

test("fused LSTM cell: forward equals the composed ops bit for bit; gradients agree to float32 rounding", () => {
  torch.manualSeed(3);
  for (const [B, H] of [
    [16, 128],
    [3, 7],
    [1, 1],
  ]) {
    const gates = torch
        .randn([B, 4 * H])
        .mul(2)
        .requiresGrad_(),
      c = torch.randn([B, H]).requiresGrad_();
    const [hy, cy] = lstmCellPointwise(gates, c);
    const [hy2, cy2] = composed(gates, c);
    close(hy, hy2, "hy");
    close(cy, cy2, "cy");
    const dh = torch.randn([B, H]),
      dc = torch.randn([B, H]);
    const [g1, c1] = torch.autograd.grad([hy, cy], [gates, c], { gradOutputs: [dh, dc] }) as Tensor[];
    const [g2, c2] = torch.autograd.grad([hy2, cy2], [gates, c], { gradOutputs: [dh, dc] }) as Tensor[];
    close(g1, g2, "d gates", 1e-6);
    close(c1, c2, "d c", 1e-6);
    // Only hy used: cy's gradient arrives as zeros.
    const [g3] = torch.autograd.grad(lstmCellPointwise(gates, c)[0].sum(), gates) as Tensor[];
    const [g4] = torch.autograd.grad(composed(gates, c)[0].sum(), gates) as Tensor[];
    close(g3, g4, "d gates from hy only", 1e-6);
  }
});

test("fused LSTM cell: gradients taken with createGraph are differentiable (double backward)", () => {
  torch.manualSeed(4);
  const gates = torch.randn([4, 12]).requiresGrad_(),
    c = torch.randn([4, 3]).requiresGrad_();
  const second = (cell: (g: Tensor, c: Tensor) => [Tensor, Tensor]): Tensor[] => {
    const [hy, cy] = cell(gates, c);
    const [dg] = torch.autograd.grad(hy.mul(cy).sum(), gates, { createGraph: true }) as Tensor[];
    return torch.autograd.grad(dg.pow(2).sum(), [gates, c]) as Tensor[];
  };
  const [a1, b1] = second(lstmCellPointwise),
    [a2, b2] = second(composed);
  close(a1, a2, "d2/dgates", 1e-5);
  close(b1, b2, "d2/dc", 1e-5);
});
