// WebGPU elementwise kernels against the reference backend: unary and binary ops with
// broadcasting and strided inputs, where, casts, fill, strided assign.
import { test } from "node:test";
import { refBackend } from "../src/backend/ref/index.js";
import type { BinaryOp, UnaryOp } from "../src/backend/backend.js";
import * as ew from "../src/backend/webgpu/elementwise.js";
import * as torch from "../src/index.js";
import { assertNear, gpu, gpuLike, noGpu, read } from "./webgpu-helpers.js";

torch.manualSeed(0);

const UNARY: [UnaryOp, (t: torch.Tensor) => torch.Tensor][] = [
  ["neg", (t) => t],
  ["abs", (t) => t],
  ["sign", (t) => t],
  ["exp", (t) => t],
  ["expm1", (t) => t.mul(0.01)],
  ["log", (t) => t.abs().add(0.1)],
  ["log1p", (t) => t.abs().mul(1e-3)],
  ["log2", (t) => t.abs().add(0.1)],
  ["log10", (t) => t.abs().add(0.1)],
  ["sqrt", (t) => t.abs()],
  ["rsqrt", (t) => t.abs().add(0.1)],
  ["sin", (t) => t],
  ["cos", (t) => t],
  ["tan", (t) => t.mul(0.5)],
  ["tanh", (t) => t.mul(4)],
  ["sigmoid", (t) => t.mul(8)],
  ["relu", (t) => t],
  ["floor", (t) => t.mul(3)],
  ["ceil", (t) => t.mul(3)],
  ["round", (t) => t.mul(3)],
  ["trunc", (t) => t.mul(3)],
  ["reciprocal", (t) => t.add(3)],
  ["square", (t) => t],
  ["erf", (t) => t.mul(2)],
];

for (const [op, prep] of UNARY) {
  test(`webgpu unary ${op} (float32, strided input)`, { skip: noGpu }, async () => {
    const x = prep(torch.randn(5, 7)).t(); // a transposed (non-contiguous) view
    const want = refBackend.unary(op, x, "float32");
    const got = await read(ew.unary(op, gpuLike(x), "float32"), "float32");
    // WGSL's accuracy: sin/cos within 2^-11 absolute on [-pi, pi] (tan and erf inherit from them and
    // exp); the others within a few ulp.
    const loose = ["sin", "cos", "tan", "tanh"].includes(op);
    assertNear(got, want, op, loose ? 1e-3 : 2e-5, loose ? 1e-3 : 2e-6);
  });
}

const BINARY: BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "maximum",
  "minimum",
  "atan2",
  "remainder",
  "fmod",
  "floorDivide",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "reluBackward",
  "sigmoidBackward",
  "tanhBackward",
  "pow",
];

for (const op of BINARY) {
  test(`webgpu binary ${op} (float32, broadcast [4,1,6] x [5,1])`, { skip: noGpu }, async () => {
    let a = torch.randn(4, 1, 6),
      b = torch.randn(5, 1).add(op === "pow" ? 0 : 0.1);
    if (op === "pow") a = a.abs();
    if (["eq", "ne", "le", "ge"].includes(op))
      b = a.narrow(2, 0, 1).narrow(0, 0, 1).reshape(1, 1).expand(5, 1).contiguous();
    const cmp = ["eq", "ne", "lt", "le", "gt", "ge"].includes(op);
    const outDtype = cmp ? "bool" : "float32";
    const want = refBackend.binary(op, a, b, [4, 5, 6], outDtype);
    const got = await read(ew.binary(op, gpu(a), gpu(b), [4, 5, 6], outDtype), outDtype);
    assertNear(got, want, op, 2e-5, 2e-5);
  });
}

for (const op of [
  "add",
  "sub",
  "mul",
  "floorDivide",
  "remainder",
  "pow",
  "bitwiseAnd",
  "bitwiseXor",
  "lt",
  "maximum",
] as BinaryOp[]) {
  test(`webgpu binary ${op} (int64 as int32 on the GPU)`, { skip: noGpu }, async () => {
    const a = torch.randint(op === "pow" ? -9 : -50, op === "pow" ? 9 : 50, [3, 8]),
      b = torch.randint(1, 7, [8]).mul(op === "pow" ? 1 : torch.tensor([1, -1, 1, -1, 1, -1, 1, -1]));
    const outDtype = op === "lt" ? "bool" : "int64";
    const want = refBackend.binary(op, a, b, [3, 8], outDtype);
    const got = await read(ew.binary(op, gpu(a), gpu(b), [3, 8], outDtype), outDtype);
    assertNear(got, want, op, 0, 0);
  });
}

test("webgpu where with broadcasting", { skip: noGpu }, async () => {
  const c = torch.randn(3, 1).gt(0),
    a = torch.randn(3, 4),
    b = torch.randn(4);
  const want = refBackend.where(c, a, b, [3, 4], "float32");
  const got = await read(ew.where(gpu(c), gpu(a), gpu(b), [3, 4], "float32"), "float32");
  assertNear(got, want, "where", 0, 0);
});

test("webgpu copy casts float32 <-> int64 <-> bool, from a strided view", { skip: noGpu }, async () => {
  const x = torch.randn(4, 6).mul(5).permute(1, 0);
  for (const [from, to] of [
    ["float32", "int64"],
    ["float32", "bool"],
    ["int64", "float32"],
    ["bool", "float32"],
    ["int64", "int32"],
  ] as const) {
    const src = x.to(from);
    const want = refBackend.copy(src, to);
    const got = await read(ew.copy(gpuLike(src), to), to);
    assertNear(got, want, `${from}->${to}`, 0, 0);
  }
});

test("webgpu fill and strided assign write only the view", { skip: noGpu }, async () => {
  const base = torch.zeros(6, 5);
  const g = gpu(base);
  const view = { ...g, shape: [3, 5], strides: [10, 1], offset: 5 }; // rows 1, 3, 5
  ew.fill(view, 2.5);
  const src = torch.randn(5);
  const col = { ...g, shape: [6], strides: [5], offset: 0 }; // column 0
  ew.assign(col, gpu(torch.tensor([1, 2, 3, 4, 5, 6], { dtype: torch.float32 })));
  const want = torch.zeros(6, 5);
  want.narrow(0, 1, 1).fill_(2.5);
  want.narrow(0, 3, 1).fill_(2.5);
  want.narrow(0, 5, 1).fill_(2.5);
  want.select(1, 0).copy_(torch.tensor([1, 2, 3, 4, 5, 6], { dtype: torch.float32 }));
  assertNear(await read(g.storage, "float32"), want.contiguous().storage.data, "fill+assign", 0, 0);
  void src;
});

test("webgpu fill of an int64 tensor with a large value is exact", { skip: noGpu }, async () => {
  const g = gpu(torch.zeros([3], { dtype: torch.int64 }));
  ew.fill(g, 123456789);
  assertNear(await read(g.storage, "int64"), [123456789, 123456789, 123456789], "fill", 0, 0);
});

test("webgpu addInPlace accumulates a broadcast-free gradient", { skip: noGpu }, async () => {
  const a = torch.randn(3, 4),
    b = torch.randn(4, 3).t();
  const g = gpu(a);
  ew.addInPlace(g, gpuLike(b));
  assertNear(await read(g.storage, "float32"), a.add(b).contiguous().storage.data, "addInPlace", 1e-6, 1e-6);
});
