// The embedding row-copy and gradient kernels (src/backend/ref/embedding.ts) against the composed
// definition (index_select forward; zeros + scatter_add backward, which still runs under
// createGraph): repeated indices, paddingIdx (negative too), scaleGradByFreq, int32 indices,
// 2-D inputs, float64. PyTorch's numbers for Embedding: test/nn-layers (fixtures/nn/layers.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const same = (a: Tensor, b: Tensor, what: string): void => {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.reshape([-1]).tolist() as number[],
    y = b.reshape([-1]).tolist() as number[];
  x.forEach((v, k) => assert.ok(Math.abs(v - y[k]) <= 1e-6 * (1 + Math.abs(y[k])), `${what}[${k}]: ${v} vs ${y[k]}`));
};

test("embedding kernels equal the composed lookup and gradient for every option", () => {
  torch.manualSeed(9);
  const idx = torch.tensor([
    [1, 4, 4, 0],
    [7, 1, 4, 2],
    [0, 0, 9, 4],
  ]);
  for (const dtype of ["float32", "float64"] as const) {
    for (const [paddingIdx, scaleGradByFreq] of [
      [null, false],
      [4, false],
      [-6, true],
      [null, true],
    ] as const) {
      for (const indices of [idx, idx.to("int32")]) {
        const w = torch.randn([10, 5], { dtype }).requiresGrad_(true);
        const out = torch.nn.functional.embedding(indices, w, { paddingIdx, scaleGradByFreq });
        const g = torch.randn(out.shape, { dtype });
        same(
          out,
          w
            .detach()
            .indexSelect(0, indices.reshape([-1]).long())
            .reshape(out.shape),
          "lookup",
        );
        const [fast] = torch.autograd.grad(out, [w], { gradOutputs: [g], retainGraph: true });
        // createGraph runs the composed gradient (differentiable): the same numbers.
        const [composed] = torch.autograd.grad(out, [w], { gradOutputs: [g], createGraph: true });
        same(fast!, composed!, `gradient (padding ${paddingIdx}, byFreq ${scaleGradByFreq}, ${dtype})`);
        const pidx = paddingIdx === null ? -1 : (paddingIdx + 10) % 10;
        if (pidx >= 0) assert.ok(fast!.select(0, pidx).eq(0).all().item(), "the padding row gets no gradient");
      }
    }
  }
});
