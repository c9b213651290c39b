// hardtanh / relu6 through the native backend's one-pass kernels (src/ops/hardtanh.ts) against the
// compositions they replace, bit for bit: forward = minimum(maximum(x, lo), hi), backward = g where
// lo < x < hi (a NaN x passes g on, as PyTorch's HardtanhBackward). Edge values (the bounds, -0,
// NaN, ±inf), a non-contiguous input, sizes below and above the two-thread split, 1 and 2 threads.
// PyTorch's own numbers for Hardtanh/ReLU6: test/nn-layers and test/opinfo.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { backend } from "../src/backend/backend.js";

const F = torch.nn.functional;
const bits = (t: Tensor): number[] =>
  Array.from(new Uint32Array(new Float32Array(t.contiguous().reshape([-1]).tolist() as number[]).buffer));

function input(n: number, lo: number, hi: number): Tensor {
  const edge = [lo, hi, -0, 0, NaN, Infinity, -Infinity, lo - 1e-7, hi + 1e-6, (lo + hi) / 2];
  const v = Array.from({ length: n }, (_, i) =>
    i < edge.length ? edge[i] : (Math.random() - 0.5) * 4 * (hi - lo + 1),
  );
  return torch.tensor(v, { dtype: "float32" });
}

/** The composition the fused kernels replace (float64 would round differently; this is float32). */
function reference(x: Tensor, g: Tensor, lo: number, hi: number): { y: Tensor; dx: Tensor } {
  const y = torch.minimum(torch.maximum(x, torch.tensor(lo)), torch.tensor(hi));
  const pass = torch.logicalOr(torch.le(x, lo), torch.ge(x, hi)).logicalNot();
  const dx = torch.where(torch.logicalOr(pass, torch.isnan(x)), g, torch.zeros([]));
  return { y, dx };
}

test("the native backend takes hardtanh in one kernel (others decline and compose)", () => {
  const x = torch.randn([8]);
  const fused = backend().hardtanh?.(x, 0, 6) ?? null;
  assert.equal(fused !== null, torch.backendName() === "native");
});

for (const threads of [1, 2]) {
  test(`fused hardtanh/relu6 equal the compositions bit for bit (${threads} thread(s))`, () => {
    const before = torch.getNumThreads();
    torch.setNumThreads(threads);
    try {
      for (const [lo, hi, fn] of [
        [0, 6, (x: Tensor) => F.relu6(x)],
        [-1, 1, (x: Tensor) => F.hardtanh(x)],
        [-2.5, 0.75, (x: Tensor) => F.hardtanh(x, -2.5, 0.75)],
      ] as const) {
        for (const n of [10, 1000, 300_001]) {
          const x = input(n, lo, hi).requiresGrad_(true);
          const g = torch.randn([n]);
          const y = fn(x);
          assert.equal(y.gradFn?.name, "HardtanhBackward");
          y.backward(g);
          const ref = reference(x.detach(), g, lo, hi);
          assert.deepEqual(bits(y.detach()), bits(ref.y), `forward lo=${lo} hi=${hi} n=${n}`);
          assert.deepEqual(bits(x.grad!), bits(ref.dx), `backward lo=${lo} hi=${hi} n=${n}`);
        }
      }
    } finally {
      torch.setNumThreads(before);
    }
  });
}

test("fused hardtanh: a transposed input and a transposed gradient", () => {
  const x0 = torch.randn([37, 41]).mul(5);
  const x = x0.t().requiresGrad_(false).detach().requiresGrad_(true);
  const g = torch.randn([41, 37]);
  const gT = torch.randn([37, 41]).t();
  const y = F.relu6(x);
  y.backward(gT);
  const ref = reference(x.detach(), gT, 0, 6);
  assert.deepEqual(bits(y.detach()), bits(ref.y));
  assert.deepEqual(bits(x.grad!), bits(ref.dx));
  assert.deepEqual(y.shape, g.shape);
});

test("hardtanh double backward still runs the composed formula", () => {
  const x = torch.tensor([-2, -0.5, 0.25, 3], { dtype: "float32" }).requiresGrad_(true);
  const [dx] = torch.autograd.grad(F.hardtanh(x).mul(x).sum(), [x], { createGraph: true });
  assert.deepEqual(dx!.tolist(), [-1, -1, 0.5, 1]);
  const [ddx] = torch.autograd.grad(dx!.sum(), [x]);
  assert.deepEqual(ddx!.tolist(), [0, 2, 2, 0]);
});
