// Double backward through convolutions and pooling: the gradients taken with createGraph are
// differentiable ops themselves (src/ops/conv.ts, src/ops/pool.ts). Checked by float64
// finite differences of the gradient (gradgradcheck) for every option, and against PyTorch 1.13
// on a gradient penalty through a network using all of them
// (scripts/fixtures/double_backward_fixtures.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const F = torch.nn.functional;
torch.manualSeed(7);
const leaf = (...shape: number[]): Tensor => torch.randn(shape, { dtype: "float64" }).requiresGrad_();

/** gradcheck of x -> d<f(x), v>/dx with createGraph: the second derivative is right. */
function gradgradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): boolean {
  const v = torch.randn(fn(...inputs).shape, { dtype: "float64" });
  const g = (...xs: Tensor[]): Tensor[] =>
    torch.autograd
      .grad([fn(...xs)], xs, { gradOutputs: [v], createGraph: true, allowUnused: true })
      .map((t, i) => t ?? torch.zerosLike(xs[i]));
  return torch.autograd.gradcheck(g, inputs, { atol: 1e-5, rtol: 1e-4 });
}

describe("gradgradcheck through conv and pooling", () => {
  const cases: [string, () => [(...xs: Tensor[]) => Tensor, Tensor[]]][] = [
    [
      "conv2d with bias, padding 1",
      () => [(x, w, b) => F.conv2d(x, w, b, 1, 1), [leaf(2, 3, 5, 5), leaf(4, 3, 3, 3), leaf(4)]],
    ],
    [
      "conv2d stride 2, dilation 2",
      () => [(x, w) => F.conv2d(x, w, null, 2, 1, 2), [leaf(1, 2, 7, 6), leaf(3, 2, 2, 3)]],
    ],
    [
      "conv2d groups 2, padding same",
      () => [(x, w) => F.conv2d(x, w, null, 1, "same", 1, 2), [leaf(2, 4, 5, 4), leaf(4, 2, 3, 2)]],
    ],
    [
      "conv_transpose2d stride 2, output padding 1",
      () => [(x, w, b) => F.convTranspose2d(x, w, b, 2, 1, 1), [leaf(1, 3, 3, 4), leaf(3, 2, 3, 3), leaf(2)]],
    ],
    ["conv1d", () => [(x, w) => F.conv1d(x, w, null, 1, 1), [leaf(2, 3, 7), leaf(2, 3, 3)]]],
    ["max_pool2d, overlapping windows", () => [(x) => F.maxPool2d(x, 3, 2, 1) as Tensor, [leaf(2, 2, 7, 7)]]],
    [
      "max_pool2d, dilation and ceil mode",
      () => [(x) => F.maxPool2d(x, 2, 2, 0, 2, true) as Tensor, [leaf(1, 2, 8, 7)]],
    ],
    [
      "avg_pool2d, ceil mode, padding not counted",
      () => [(x) => F.avgPool2d(x, 3, 2, 1, true, false), [leaf(2, 2, 6, 7)]],
    ],
    ["avg_pool2d, divisor override", () => [(x) => F.avgPool2d(x, 2, 1, 0, false, true, 3), [leaf(1, 2, 4, 5)]]],
    ["adaptive_avg_pool2d", () => [(x) => F.adaptiveAvgPool2d(x, [3, 2]), [leaf(2, 2, 7, 5)]]],
    // Nonlinear around the linear ops, so that every second-order term is non-zero.
    [
      "conv -> tanh -> conv",
      () => [
        (x, w1, w2) => F.conv2d(F.conv2d(x, w1, null, 1, 1).tanh(), w2),
        [leaf(1, 2, 5, 5), leaf(3, 2, 3, 3), leaf(2, 3, 2, 2)],
      ],
    ],
    [
      "max_pool of a square",
      () => [(x) => (F.maxPool2d(x.mul(x), 2) as Tensor).mul(x.index(":", ":", "::2", "::2")), [leaf(1, 2, 4, 4)]],
    ],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      const [fn, inputs] = make();
      assert.equal(gradgradcheck(fn, inputs), true);
    });
  }
});

interface Enc {
  shape: number[];
  values: number[];
}
interface Fixture {
  inputs: Record<string, Enc>;
  out: number;
  penalty: number;
  grads: Record<string, Enc>;
}

test("a gradient penalty through conv, pooling and transposed conv equals PyTorch's", () => {
  const fx = JSON.parse(readFileSync(new URL("./fixtures/double-backward.json", import.meta.url), "utf8")) as Fixture;
  const p: Record<string, Tensor> = {};
  for (const [k, e] of Object.entries(fx.inputs))
    p[k] = torch.tensor(e.values, { dtype: "float64" }).reshape(e.shape).requiresGrad_();
  const net = (x: Tensor): Tensor => {
    let y = F.conv2d(x, p.w1, p.b1, 1, 1).tanh();
    y = F.maxPool2d(y, 3, 2, 1) as Tensor;
    y = F.conv2d(y, p.w2, null, 2, 1, 1, 2).tanh();
    y = F.convTranspose2d(y, p.wt, null, 2);
    y = F.avgPool2d(y, 2, null, 0, true, false);
    y = F.adaptiveAvgPool2d(y, [2, 3]);
    y = F.conv1d(y.flatten(2), p.w3, null, 1, 1).tanh();
    return y.mul(y).sum();
  };
  const out = net(p.x);
  const [gx] = torch.autograd.grad(out, p.x, { createGraph: true }) as Tensor[];
  const penalty = gx.mul(gx).sum();
  const close = (a: number, b: number, what: string): void =>
    assert.ok(Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b)), `${what}: ${a} vs PyTorch ${b}`);
  close(out.item(), fx.out, "output");
  close(penalty.item(), fx.penalty, "penalty");
  const names = Object.keys(fx.inputs);
  const grads = torch.autograd.grad(
    penalty,
    names.map((k) => p[k]),
  ) as Tensor[];
  names.forEach((k, i) => {
    assert.deepEqual(grads[i].shape, fx.grads[k].shape, k);
    const got = Array.from(grads[i].typedArray());
    fx.grads[k].values.forEach((v, j) => close(got[j], v, `d penalty / d ${k} [${j}]`));
  });
});
