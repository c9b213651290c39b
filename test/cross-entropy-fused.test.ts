// The fused cross entropy (src/ops/cross-entropy-fused.ts) against the composed definition:
// loss and logits gradient to float32 rounding with label smoothing and ignored rows, the name
// of its node, and double backward (through the composed ops). PyTorch's numbers: test/nn-losses.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const close = (a: Tensor, b: Tensor, what: string, tol = 2e-6): void => {
  const x = a.to("float64").reshape([-1]).tolist() as number[],
    y = b.to("float64").reshape([-1]).tolist() as number[];
  x.forEach((v, k) => assert.ok(Math.abs(v - y[k]) <= tol * (1 + Math.abs(y[k])), `${what}[${k}]: ${v} vs ${y[k]}`));
};

// The native and wasm backends run the fused kernel; the reference backend declines it (the same checks then
// cover the composed path).
const fused = ["native", "wasm"].includes(torch.backendName());

test("fused cross entropy equals the composed ops (smoothing, ignored rows) and supports double backward", () => {
  torch.manualSeed(4);
  const target = torch.randint(0, 7, [9]);
  // every fourth row (1, 5) ignored
  const tgt = torch.where(torch.arange(9).remainder(4).eq(1), torch.tensor(-100), target);
  for (const labelSmoothing of [0, 0.2]) {
    const x = torch.randn([9, 7]).mul(3).requiresGrad_(true);
    const x64 = x.detach().to("float64").requiresGrad_(true);
    const loss = torch.nn.functional.crossEntropy(x, tgt, { labelSmoothing });
    if (fused) assert.equal(loss.gradFn?.name, "NllLossBackward");
    const loss64 = torch.nn.functional.crossEntropy(x64, tgt, { labelSmoothing });
    close(loss, loss64, "loss");
    const [g] = torch.autograd.grad(loss, [x], { createGraph: true });
    const [g64] = torch.autograd.grad(loss64, [x64], { createGraph: true });
    close(g!, g64!, "gradient");
    const [gg] = torch.autograd.grad(g!.pow(2).sum(), [x]);
    const [gg64] = torch.autograd.grad(g64!.pow(2).sum(), [x64]);
    close(gg!, gg64!, "double backward", 1e-5);
  }
  // every row ignored: NaN loss, zero gradient (as PyTorch)
  const x = torch.randn([3, 4]).requiresGrad_(true);
  const loss = torch.nn.functional.crossEntropy(x, torch.full([3], -100, { dtype: "int64" }));
  assert.ok(Number.isNaN(loss.item()));
  loss.backward();
  assert.deepEqual(x.grad!.reshape([-1]).tolist(), new Array(12).fill(0));
});
