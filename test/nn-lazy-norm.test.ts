// LazyBatchNorm1d/2d/3d and LazyInstanceNorm1d/2d/3d become their eager modules at the first
// forward (PyTorch's lazy modules draw nothing: ones / zeros), so they give the eager modules'
// outputs, gradients, running statistics and state dict keys (the eager ones are tested against
// PyTorch's fixtures elsewhere).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose } from "./nn-helpers.js";

const pairs: [string, () => nn.Module, () => nn.Module, number[]][] = [
  [
    "BatchNorm1d",
    () => new nn.LazyBatchNorm1d({ momentum: 0.3 }),
    () => new nn.BatchNorm1d(4, { momentum: 0.3 }),
    [5, 4, 3],
  ],
  ["BatchNorm2d", () => new nn.LazyBatchNorm2d(), () => new nn.BatchNorm2d(3), [2, 3, 4, 5]],
  [
    "BatchNorm3d",
    () => new nn.LazyBatchNorm3d({ affine: false }),
    () => new nn.BatchNorm3d(2, { affine: false }),
    [2, 2, 3, 2, 3],
  ],
  [
    "InstanceNorm1d",
    () => new nn.LazyInstanceNorm1d({ affine: true }),
    () => new nn.InstanceNorm1d(3, { affine: true }),
    [2, 3, 6],
  ],
  [
    "InstanceNorm2d",
    () => new nn.LazyInstanceNorm2d({ trackRunningStats: true }),
    () => new nn.InstanceNorm2d(3, { trackRunningStats: true }),
    [2, 3, 4, 4],
  ],
  ["InstanceNorm3d", () => new nn.LazyInstanceNorm3d(), () => new nn.InstanceNorm3d(2), [2, 3, 3, 2]],
];

for (const [name, lazy, eager, shape] of pairs) {
  test(`nn.Lazy${name} behaves as ${name} after its first forward`, () => {
    torch.manualSeed(0);
    const x = torch.randn(shape);
    const a = lazy(),
      b = eager();
    const xa = x.clone().requiresGrad_(true),
      xb = x.clone().requiresGrad_(true);
    const ya = (a.call as (t: torch.Tensor) => torch.Tensor)(xa),
      yb = (b.call as (t: torch.Tensor) => torch.Tensor)(xb);
    assertClose(ya, yb, "output", 0, 0);
    ya.sum().backward();
    yb.sum().backward();
    assertClose(xa.grad as torch.Tensor, xb.grad as torch.Tensor, "input grad", 0, 0);
    assert.deepEqual(Object.keys(a.stateDict()), Object.keys(b.stateDict()));
    for (const [k, v] of Object.entries(b.stateDict())) assertClose(a.stateDict()[k], v, `state ${k}`, 0, 0);
  });
}
