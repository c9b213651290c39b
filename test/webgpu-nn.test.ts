// WebGPU pooling, log_softmax, gather/scatter and the fused optimizer updates against the
// reference backend (optimizers: against the optimizers' composed tensor-op formulas).
import assert from "node:assert/strict";
import { test } from "node:test";
import { refBackend } from "../src/backend/ref/index.js";
import type { AvgPool2dParams, Pool2dParams } from "../src/backend/backend.js";
import * as pool from "../src/backend/webgpu/pool.js";
import * as idx from "../src/backend/webgpu/indexing.js";
import { logSoftmax } from "../src/backend/webgpu/softmax.js";
import { adamStep, sgdStep } from "../src/backend/webgpu/optim.js";
import * as torch from "../src/index.js";
import { assertNear, gpu, gpuLike, noGpu, read } from "./webgpu-helpers.js";

torch.manualSeed(2);

const MAXPOOLS: [string, number[], Pool2dParams][] = [
  ["seed 2x2", [2, 3, 8, 8], { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], outH: 4, outW: 4 }],
  [
    "3x3 s2 p1 (overlapping)",
    [1, 2, 7, 6],
    { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], outH: 4, outW: 3 },
  ],
  [
    "dilated 2x3 d2",
    [1, 2, 9, 9],
    { kernel: [2, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 2], outH: 9, outW: 4 },
  ],
];

for (const [name, shape, p] of MAXPOOLS) {
  test(`webgpu max_pool2d forward and backward (gather and atomic forms): ${name}`, { skip: noGpu }, async () => {
    const x = torch.randint(0, 6, shape).float(); // ties: the first index must win
    const want = refBackend.maxPool2d(x, p);
    const got = pool.maxPool2d(gpu(x), p);
    assertNear(await read(got.values, "float32"), want.values, "values", 0, 0);
    assertNear(await read(got.indices, "int64"), want.indices, "indices", 0, 0);
    const g = torch.randn(shape[0], shape[1], p.outH, p.outW);
    const ind = torch.fromTypedArray(want.indices, [shape[0], shape[1], p.outH, p.outW]).to("int64");
    const wantG = refBackend.maxPool2dBackward(g, ind, shape);
    const gi = { storage: got.indices, shape: ind.shape, strides: ind.strides, offset: 0, dtype: "int64" as const };
    assertNear(await read(pool.maxPool2dBackward(gpu(g), gi, shape, p), "float32"), wantG, "grad (gather)", 1e-6, 1e-6);
    assertNear(
      await read(idx.maxPool2dBackwardScatter(gpu(g), gi, shape), "float32"),
      wantG,
      "grad (atomic)",
      1e-6,
      1e-6,
    );
  });
}

const AVGPOOLS: [string, number[], AvgPool2dParams][] = [
  [
    "2x2",
    [2, 3, 8, 8],
    { kernel: [2, 2], stride: [2, 2], padding: [0, 0], outH: 4, outW: 4, countIncludePad: true, divisorOverride: null },
  ],
  [
    "3x3 s2 p1 exclude pad",
    [1, 2, 7, 6],
    {
      kernel: [3, 3],
      stride: [2, 2],
      padding: [1, 1],
      outH: 4,
      outW: 3,
      countIncludePad: false,
      divisorOverride: null,
    },
  ],
  [
    "3x2 s1 p1 divisor 5",
    [1, 2, 5, 6],
    { kernel: [3, 2], stride: [1, 1], padding: [1, 1], outH: 5, outW: 7, countIncludePad: true, divisorOverride: 5 },
  ],
];

for (const [name, shape, p] of AVGPOOLS) {
  test(`webgpu avg_pool2d forward and backward: ${name}`, { skip: noGpu }, async () => {
    const x = torch.randn(...shape);
    assertNear(await read(pool.avgPool2d(gpu(x), p), "float32"), refBackend.avgPool2d(x, p), "forward", 1e-5, 1e-6);
    const g = torch.randn(shape[0], shape[1], p.outH, p.outW);
    assertNear(
      await read(pool.avgPool2dBackward(gpu(g), p, shape), "float32"),
      refBackend.avgPool2dBackward(g, p, shape),
      "backward",
      1e-5,
      1e-6,
    );
  });
}

for (const [shape, oh, ow] of [
  [[2, 3, 7, 9], 3, 4],
  [[1, 2, 5, 5], 5, 5],
  [[1, 1, 6, 4], 4, 3],
] as [number[], number, number][]) {
  test(`webgpu adaptive_avg_pool2d forward and backward: [${shape}] -> ${oh}x${ow}`, { skip: noGpu }, async () => {
    const x = torch.randn(...shape);
    assertNear(
      await read(pool.adaptiveAvgPool2d(gpu(x), oh, ow), "float32"),
      refBackend.adaptiveAvgPool2d(x, oh, ow),
      "forward",
      1e-5,
      1e-6,
    );
    const g = torch.randn(shape[0], shape[1], oh, ow);
    assertNear(
      await read(pool.adaptiveAvgPool2dBackward(gpu(g), shape), "float32"),
      refBackend.adaptiveAvgPool2dBackward(g, shape),
      "backward",
      1e-5,
      1e-6,
    );
  });
}

test("webgpu log_softmax along each dim of a strided tensor", { skip: noGpu }, async () => {
  const x = torch.randn(6, 130, 3).mul(5).permute(2, 0, 1);
  for (const dim of [0, 1, 2]) {
    const want = torch.logSoftmax(x, dim).contiguous().storage.data;
    const got = logSoftmax(gpuLike(x), dim);
    assert.ok(got);
    assertNear(await read(got, "float32"), want, `dim ${dim}`, 1e-5, 1e-5);
  }
});

test("webgpu gather and scatter (assign and accumulate) along a dim", { skip: noGpu }, async () => {
  const x = torch.randn(4, 7);
  const index = torch.randint(0, 7, [4, 9]);
  assertNear(await read(idx.gather(gpu(x), 1, gpu(index)), "float32"), refBackend.gather(x, 1, index), "gather", 0, 0);
  const src = torch.randn(4, 9);
  for (const accumulate of [false, true]) {
    const uniq = accumulate
      ? index
      : torch
          .tensor([[0, 1, 2, 3, 4, 5, 6, 0, 1]])
          .expand(4, 9)
          .contiguous();
    const s = accumulate ? src : src.mul(0).add(torch.arange(9).float()); // equal values where indices collide
    const want = new Float32Array(28);
    refBackend.scatter(want, [4, 7], 1, uniq, s, accumulate);
    const dst = gpu(torch.zeros(4, 7));
    idx.scatter(dst.storage, [4, 7], "float32", 1, gpu(uniq), gpu(s), accumulate);
    if (accumulate) assertNear(await read(dst.storage, "float32"), want, "scatter_add", 1e-5, 1e-6);
    else {
      // Colliding writes pick any of the written values, as on CUDA: compare where unique.
      const got = await read(dst.storage, "float32");
      for (let r = 0; r < 4; r++) for (let c = 2; c < 7; c++) assert.equal(got[r * 7 + c], want[r * 7 + c]);
    }
  }
});

test("webgpu embedding-style scatter_add of rows (int64 indices, repeated)", { skip: noGpu }, async () => {
  const ids = torch.tensor([3, 1, 3, 3, 0]);
  const grad = torch.randn(5, 4);
  const index = ids.unsqueeze(1).expand(5, 4).contiguous();
  const want = new Float32Array(6 * 4);
  refBackend.scatter(want, [6, 4], 0, index, grad, true);
  const dst = gpu(torch.zeros(6, 4));
  idx.scatter(dst.storage, [6, 4], "float32", 0, gpu(index), gpu(grad), true);
  assertNear(await read(dst.storage, "float32"), want, "embedding grad", 1e-5, 1e-6);
});

function sgdRef(
  p: torch.Tensor,
  g: torch.Tensor,
  buf: torch.Tensor | null,
  o: {
    lr: number;
    momentum: number;
    dampening: number;
    weightDecay: number;
    nesterov: boolean;
    maximize: boolean;
    firstStep: boolean;
  },
): void {
  let d = o.maximize ? g.neg() : g;
  if (o.weightDecay !== 0) d = d.add(p, o.weightDecay);
  if (buf) {
    if (o.firstStep) buf.copy_(d);
    else buf.mul_(o.momentum).add_(d, 1 - o.dampening);
    d = o.nesterov ? d.add(buf, o.momentum) : buf;
  }
  p.add_(d, -o.lr);
}

test(
  "webgpu fused SGD step: plain, momentum (first and later steps), nesterov, weight decay, maximize",
  { skip: noGpu },
  async () => {
    for (const o of [
      { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-2, nesterov: false, maximize: false },
      { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true, maximize: true },
    ]) {
      const p = torch.randn(1000),
        buf = torch.zeros(1000);
      const gp = gpu(p),
        gb = gpu(buf);
      for (let step = 0; step < 3; step++) {
        const g = torch.randn(1000);
        const firstStep = step === 0;
        sgdRef(p, g, o.momentum ? buf : null, { ...o, firstStep });
        assert.ok(sgdStep(gp, gpu(g), o.momentum ? gb : null, { ...o, firstStep }));
      }
      assertNear(await read(gp.storage, "float32"), p.storage.data, `sgd ${JSON.stringify(o)}`, 1e-5, 1e-6);
    }
  },
);

test("webgpu fused Adam/AdamW step (3 steps) against the composed formula", { skip: noGpu }, async () => {
  for (const [decoupled, amsgrad, wd] of [
    [false, false, 0],
    [false, true, 0.01],
    [true, false, 0.01],
  ] as const) {
    const p = torch.randn(500),
      m = torch.zeros(500),
      v = torch.zeros(500),
      mx = torch.zeros(500);
    const gp = gpu(p),
      gm = gpu(m),
      gv = gpu(v),
      gmx = gpu(mx);
    const lr = 1e-2,
      beta1 = 0.9,
      beta2 = 0.999,
      eps = 1e-8;
    for (let step = 1; step <= 3; step++) {
      const g = torch.randn(500);
      let grad = g;
      if (!decoupled && wd) grad = grad.add(p, wd);
      if (decoupled) p.mul_(1 - lr * wd);
      m.mul_(beta1).add_(grad, 1 - beta1);
      v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const bc1 = 1 - beta1 ** step,
        bc2 = 1 - beta2 ** step;
      if (amsgrad) mx.copy_(torch.maximum(mx, v));
      const denom = (amsgrad ? mx : v).sqrt().div(Math.sqrt(bc2)).add_(eps);
      p.addcdiv_(m, denom, -lr / bc1);
      assert.ok(
        adamStep(gp, gpu(g), gm, gv, amsgrad ? gmx : null, {
          lr,
          beta1,
          beta2,
          eps,
          weightDecay: wd,
          step,
          amsgrad,
          maximize: false,
          decoupled,
        }),
      );
    }
    assertNear(
      await read(gp.storage, "float32"),
      p.storage.data,
      `adam decoupled=${decoupled} amsgrad=${amsgrad}`,
      1e-5,
      1e-6,
    );
  }
});
