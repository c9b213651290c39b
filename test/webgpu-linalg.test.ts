// WebGPU reductions, matmul and conv2d (forward and both gradients) against the reference backend.
import { test } from "node:test";
import { refBackend } from "../src/backend/ref/index.js";
import type { Conv2dParams, ReduceOp } from "../src/backend/backend.js";
import * as red from "../src/backend/webgpu/reduce.js";
import * as la from "../src/backend/webgpu/linalg.js";
import { setGemmForm } from "../src/backend/webgpu/gemm.js";
import * as torch from "../src/index.js";
import { assertNear, gpu, gpuLike, noGpu, read } from "./webgpu-helpers.js";

torch.manualSeed(1);

for (const [op, dims] of [
  ["sum", [1]],
  ["sum", [0, 2]],
  ["sum", [0, 1, 2]],
  ["prod", [2]],
  ["amax", [1]],
  ["amin", [0, 2]],
  ["all", [1]],
  ["any", [2]],
] as [ReduceOp, number[]][]) {
  test(`webgpu reduce ${op} over [${dims}] of a permuted [6, 70, 5]`, { skip: noGpu }, async () => {
    let x = torch.randn(5, 70, 6).permute(2, 1, 0);
    if (op === "prod") x = x.mul(0.2).add(1);
    const src = op === "all" || op === "any" ? x.gt(-1.5) : x;
    const outDtype = op === "all" || op === "any" ? "bool" : "float32";
    const want = refBackend.reduce(op, src, dims, outDtype);
    const got = await read(red.reduce(op, gpuLike(src), dims, outDtype), outDtype);
    assertNear(got, want, op, 1e-5, 1e-5);
  });
}

test("webgpu reduce sum of int64 stays exact", { skip: noGpu }, async () => {
  const x = torch.randint(-1000, 1000, [37, 300]);
  assertNear(
    await read(red.reduce("sum", gpu(x), [1], "int64"), "int64"),
    refBackend.reduce("sum", x, [1], "int64"),
    "sum",
    0,
    0,
  );
});

for (const op of ["max", "min"] as const) {
  test(`webgpu argReduce ${op} keeps the first extreme`, { skip: noGpu }, async () => {
    const x = torch.randint(0, 5, [4, 130]).float().t(); // many ties, strided
    const want = refBackend.argReduce(op, x, 0);
    const got = red.argReduce(op, gpuLike(x), 0);
    assertNear(await read(got.values, "float32"), want.values, `${op} values`, 0, 0);
    assertNear(await read(got.indices, "int64"), want.indices, `${op} indices`, 0, 0);
  });
}

for (const form of ["tiled", "simple"] as const) {
  test(
    `webgpu matmul (${form} GEMM): batched, broadcast batch (stride 0), transposed operands, ragged sizes`,
    { skip: noGpu },
    async () => {
      setGemmForm(form);
      for (const [M, K, N] of [
        [1, 1, 1],
        [7, 19, 5],
        [65, 33, 130],
        [64, 300, 64],
      ]) {
        const a = torch.randn(3, K, M).transpose(1, 2); // [3, M, K], transposed
        const b = torch.randn(K, N).unsqueeze(0).expand(3, K, N); // batch stride 0
        const want = refBackend.matmul(a, b, "float32");
        const got = await read(la.matmul(gpuLike(a), gpuLike(b), "float32"), "float32");
        assertNear(got, want, `matmul ${M}x${K}x${N}`, 1e-4, 1e-4);
      }
      setGemmForm(null);
    },
  );
}

const CONVS: [string, number[], number[], Conv2dParams][] = [
  [
    "seed conv 3->32 k5 p2",
    [2, 3, 8, 8],
    [32, 3, 5, 5],
    { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 },
  ],
  [
    "stride 2, dilation 2, rectangular",
    [2, 4, 11, 9],
    [6, 4, 3, 2],
    { stride: [2, 1], padding: [1, 0], dilation: [2, 1], groups: 1 },
  ],
  ["groups 2", [1, 4, 7, 7], [6, 2, 3, 3], { stride: [1, 2], padding: [1, 1], dilation: [1, 1], groups: 2 }],
];

for (const [name, xs, ws, p] of CONVS)
  for (const form of ["tiled", "simple"] as const) {
    test(`webgpu conv2d forward and gradients (${form} GEMM): ${name}`, { skip: noGpu }, async () => {
      setGemmForm(form);
      const x = torch.randn(...xs),
        w = torch.randn(...ws),
        bias = torch.randn(ws[0]);
      const oh = Math.floor((xs[2] + 2 * p.padding[0] - p.dilation[0] * (ws[2] - 1) - 1) / p.stride[0]) + 1;
      const ow = Math.floor((xs[3] + 2 * p.padding[1] - p.dilation[1] * (ws[3] - 1) - 1) / p.stride[1]) + 1;
      const outShape = [xs[0], ws[0], oh, ow];
      const conv = refBackend.conv2d;
      assertNear(
        await read(la.conv2d(gpu(x), gpu(w), gpu(bias), p, outShape), "float32"),
        conv(x, w, bias, p, outShape),
        "forward",
        1e-4,
        1e-4,
      );
      const g = torch.randn(...outShape);
      assertNear(
        await read(la.conv2dBackwardInput(gpu(g), gpu(w), p, xs), "float32"),
        refBackend.conv2dBackwardInput(g, w, p, xs),
        "input grad",
        1e-4,
        1e-4,
      );
      assertNear(
        await read(la.conv2dBackwardWeight(gpu(x), gpu(g), p, ws), "float32"),
        refBackend.conv2dBackwardWeight(x, g, p, ws),
        "weight grad",
        1e-4,
        1e-4,
      );
      setGemmForm(null);
    });
  }
