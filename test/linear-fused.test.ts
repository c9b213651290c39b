// F.linear's fused addmm path (src/ops/linear.ts) against float64 (which runs the composed
// matmul + add): outputs and the gradients of input, weight and bias to float32 rounding, for
// 2-D and folded 3-D inputs, a transposed (non-contiguous) weight, no bias, K = 0, the node's
// name, and double backward. PyTorch's own numbers for Linear: test/nn-layers and test/opinfo.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const close = (a: Tensor, b: Tensor, what: string, tol = 1e-5): void => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  const x = a.to("float64").reshape([-1]).tolist() as number[],
    y = b.to("float64").reshape([-1]).tolist() as number[];
  x.forEach((v, k) => assert.ok(Math.abs(v - y[k]) <= tol * (1 + Math.abs(y[k])), `${what}[${k}]: ${v} vs ${y[k]}`));
};
const fused = ["native", "wasm"].includes(torch.backendName());
const F = torch.nn.functional;

test("fused linear equals the composed definition, values and gradients", () => {
  torch.manualSeed(7);
  const cases: { x: number[]; w: [number, number]; bias: boolean; wT?: boolean }[] = [
    { x: [5, 3], w: [4, 3], bias: true },
    { x: [2, 6, 3], w: [4, 3], bias: true },
    { x: [5, 3], w: [4, 3], bias: false },
    { x: [7, 33], w: [9, 33], bias: true, wT: true },
    { x: [1, 300], w: [70, 300], bias: true },
  ];
  for (const c of cases) {
    const x = torch.randn(c.x).requiresGrad_(true);
    const w0 = c.wT ? torch.randn([c.w[1], c.w[0]]).t() : torch.randn(c.w);
    const w = w0.detach().requiresGrad_(true);
    const b = c.bias ? torch.randn([c.w[0]]).requiresGrad_(true) : null;
    const y = F.linear(x, w, b);
    // PyTorch 1.13's nodes: AddmmBackward0 (2-D with bias), ViewBackward0 (3-D), MmBackward0 (no bias).
    if (fused)
      assert.equal(y.gradFn?.name, !c.bias ? "MmBackward" : c.x.length === 2 ? "AddmmBackward" : "ViewBackward");
    const x64 = x.detach().to("float64").requiresGrad_(true);
    const w64 = w.detach().to("float64").requiresGrad_(true);
    const b64 = b ? b.detach().to("float64").requiresGrad_(true) : null;
    const y64 = F.linear(x64, w64, b64);
    close(y, y64, `${JSON.stringify(c)} output`);
    const g = torch.randn(y.shape);
    y.backward(g);
    y64.backward(g.to("float64"));
    close(x.grad!, x64.grad!, "input grad");
    close(w.grad!, w64.grad!, "weight grad");
    assert.equal(w.grad!.isContiguous(), true);
    if (b) close(b.grad!, b64!.grad!, "bias grad");
  }
});

test("fused linear: K = 0 gives the bias, no-grad inputs make no node, double backward", () => {
  const b = torch.tensor([1, 2, 3]);
  close(
    F.linear(torch.zeros([2, 0]), torch.zeros([3, 0]), b),
    torch.tensor([
      [1, 2, 3],
      [1, 2, 3],
    ]),
    "K=0",
  );
  close(F.linear(torch.zeros([2, 0]), torch.zeros([3, 0])), torch.zeros([2, 3]), "K=0 no bias");
  assert.equal(F.linear(torch.ones([2, 2]), torch.ones([3, 2]), b).gradFn, null);
  torch.manualSeed(3);
  const x = torch.randn([4, 5]).requiresGrad_(true);
  const w = torch.randn([3, 5]).requiresGrad_(true);
  const bias = torch.randn([3]).requiresGrad_(true);
  const x64 = x.detach().to("float64").requiresGrad_(true);
  const w64 = w.detach().to("float64").requiresGrad_(true);
  const b64 = bias.detach().to("float64").requiresGrad_(true);
  const [gx] = torch.autograd.grad(F.linear(x, w, bias).tanh().sum(), [x], { createGraph: true });
  const [gx64] = torch.autograd.grad(F.linear(x64, w64, b64).tanh().sum(), [x64], { createGraph: true });
  close(gx!, gx64!, "grad");
  const [gw] = torch.autograd.grad(gx!.pow(2).sum(), [w]);
  const [gw64] = torch.autograd.grad(gx64!.pow(2).sum(), [w64]);
  close(gw!, gw64!, "double backward");
});
