// nn.utils clipping against PyTorch; functional ops' gradients by finite differences (float64).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, dec, fixture } from "./nn-helpers.js";

const F = nn.functional;

interface ClipFixture {
  grads: Enc[];
  cases: { maxNorm: number; normType: number | "inf"; total: number; grads: Enc[] }[];
  value: { clip: number; grads: Enc[] };
}

test("clipGradNorm_ and clipGradValue_ match PyTorch", () => {
  const fx = fixture<ClipFixture>("clip.json");
  const ps = fx.grads.map((g) => torch.zeros(g.shape, { requiresGrad: true }));
  for (const c of fx.cases) {
    ps.forEach((p, i) => (p.grad = dec(fx.grads[i]).clone()));
    const total = nn.utils.clipGradNorm_(ps, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
    assertClose([total.item()], [c.total], `total norm ${c.normType}`, 1e-5);
    ps.forEach((p, i) =>
      assertClose(p.grad!, dec(c.grads[i]), `clipped grad ${i} (max ${c.maxNorm}, norm ${c.normType})`, 1e-5, 1e-7),
    );
  }
  ps.forEach((p, i) => (p.grad = dec(fx.grads[i]).clone()));
  nn.utils.clipGradValue_(ps, fx.value.clip);
  ps.forEach((p, i) => assertClose(p.grad!, dec(fx.value.grads[i]), `value-clipped grad ${i}`, 0, 0));
});

const d = (shape: number[], seed: number): torch.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const arr = new Float64Array(n);
  for (let i = 0; i < n; i++) arr[i] = Math.sin(seed * 31 + i * 7.3) * 1.3;
  return torch.fromTypedArray(arr, shape).requiresGrad_(true);
};
const gc = (fn: (...xs: torch.Tensor[]) => torch.Tensor, xs: torch.Tensor[]): void => {
  assert.equal(torch.autograd.gradcheck(fn, xs), true);
};

test("gradcheck: conv2d (stride, padding, dilation, groups), conv1d, conv_transpose2d", () => {
  gc((x, w, b) => F.conv2d(x, w, b, 2, 1, 1, 1), [d([1, 2, 5, 4], 1), d([3, 2, 3, 2], 2), d([3], 3)]);
  gc((x, w) => F.conv2d(x, w, null, 1, [1, 0], 2, 2), [d([2, 4, 5, 5], 4), d([2, 2, 2, 3], 5)]);
  gc((x, w) => F.conv1d(x, w, null, 1, "same"), [d([1, 2, 6], 6), d([2, 2, 4], 7)]);
  gc((x, w, b) => F.convTranspose2d(x, w, b, 2, 1, 1, 1, 1), [d([1, 2, 3, 3], 8), d([2, 3, 3, 3], 9), d([3], 10)]);
});

test("gradcheck: pooling, padding, norms, activations, losses", () => {
  gc((x) => F.maxPool2d(x, 3, 2, 1, 1, true) as torch.Tensor, [d([1, 2, 5, 6], 11)]);
  gc((x) => F.avgPool2d(x, 3, 2, 1, true, false), [d([1, 2, 5, 6], 12)]);
  gc((x) => F.adaptiveAvgPool2d(x, [2, 3]), [d([1, 2, 5, 7], 13)]);
  for (const mode of ["constant", "reflect", "replicate", "circular"] as const)
    gc((x) => F.pad(x, [1, 2, 2, 1], mode), [d([1, 2, 3, 4], 14)]);
  gc((x) => F.pad(x, [-1, 2]), [d([2, 4], 15)]);
  gc((x, w, b) => F.layerNorm(x, [3], w, b), [d([2, 3], 16), d([3], 17), d([3], 18)]);
  gc((x, w, b) => F.batchNorm(x, null, null, w, b, true), [d([4, 3], 19), d([3], 20), d([3], 21)]);
  gc((x) => F.gelu(x), [d([5], 22)]);
  gc((x) => F.gelu(x, "tanh"), [d([5], 23)]);
  gc((x) => F.silu(F.leakyRelu(x, 0.2)), [d([5], 24)]);
  gc((x) => F.softplus(x, 2), [d([5], 25)]);
  const t = torch.tensor([0, 2, 1]);
  gc((x) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }), [d([3, 4], 26)]);
  gc((x, y) => F.binaryCrossEntropyWithLogits(x, y), [d([4], 27), d([4], 28)]);
  gc((x) => F.huberLoss(x, torch.zeros([4], { dtype: "float64" }), "mean", 0.5), [d([4], 29)]);
});

test("F.pad values: constant, reflect, replicate, circular", () => {
  const x = torch.tensor([[1, 2, 3]], { dtype: "float32" });
  assert.deepEqual(F.pad(x, [2, 1], "constant", 9).tolist(), [[9, 9, 1, 2, 3, 9]]);
  assert.deepEqual(F.pad(x.unsqueeze(0), [2, 1], "reflect").tolist(), [[[3, 2, 1, 2, 3, 2]]]);
  assert.deepEqual(F.pad(x.unsqueeze(0), [2, 1], "replicate").tolist(), [[[1, 1, 1, 2, 3, 3]]]);
  assert.deepEqual(F.pad(x.unsqueeze(0), [2, 1], "circular").tolist(), [[[2, 3, 1, 2, 3, 1]]]);
  assert.throws(() => F.pad(x.unsqueeze(0), [3, 0], "reflect"), /padding size should be less than/);
});

test("F.oneHot", () => {
  assert.deepEqual(F.oneHot(torch.tensor([0, 2])).tolist(), [
    [1, 0, 0],
    [0, 0, 1],
  ]);
  assert.throws(() => F.oneHot(torch.tensor([3]), 3), /class values must be in \[0, 3\)/);
});

test("functional ops take torch's positional order or a trailing options object", () => {
  const x = d([1, 2, 5, 5], 30),
    w = d([3, 2, 3, 3], 31),
    b = d([3], 32);
  const same = (a: torch.Tensor, c: torch.Tensor): void => assert.deepEqual(a.tolist(), c.tolist());
  same(F.conv2d(x, w, { padding: 1, stride: 2 }), F.conv2d(x, w, null, 2, 1));
  same(F.conv2d(x, w, b, { padding: "same" }), F.conv2d(x, w, b, 1, 1));
  const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
  same(v, F.maxPool2d(x, 2));
  assert.equal(i.dtype, "int64");
  same(F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }), F.avgPool2d(x, 3, 1, 1, false, false));
  assert.equal(F.dropout(x, { p: 0.5, training: false }), x);
  same(F.leakyRelu(x, { negativeSlope: 0.3 }), F.leakyRelu(x, 0.3));
  same(F.pad(x, [1, 1], { mode: "replicate" }), F.pad(x, [1, 1], "replicate"));
  const t = d([1, 2, 5, 5], 33);
  same(F.l1Loss(x, t, { reduction: "sum" }), F.l1Loss(x, t, "sum"));
  assert.throws(() => F.conv2d(x, w, { padding: 1, strides: 2 } as never), /unexpected option 'strides'/);
});

test("MaxPool2d's forward type follows returnIndices", () => {
  const x = d([1, 1, 4, 4], 40);
  const plain: torch.Tensor = new nn.MaxPool2d(2).forward(x);
  const [values, indices]: [torch.Tensor, torch.Tensor] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x);
  assert.deepEqual(values.tolist(), plain.tolist());
  assert.deepEqual(indices.shape, [1, 1, 2, 2]);
});

test("parametersToVector / vectorToParameters round trip", () => {
  const lin = new nn.Linear(3, 2);
  const v = nn.utils.parametersToVector(lin.parameters());
  assert.deepEqual(v.shape, [8]);
  assert.deepEqual(Array.from(v.typedArray()).slice(0, 6), Array.from(lin.weight.typedArray()));
  nn.utils.vectorToParameters(torch.arange(8, { dtype: "float32" }), lin.parameters());
  assert.deepEqual(lin.bias!.tolist(), [6, 7]);
  assert.deepEqual(lin.weight.tolist(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
});

test("gradcheck: the remaining losses and the extra layers", () => {
  const pos = (shape: number[], seed: number): torch.Tensor =>
    torch.sigmoid(d(shape, seed).detach()).requiresGrad_(true);
  gc((x) => F.binaryCrossEntropy(x, torch.tensor([0, 1, 0.3], { dtype: "float64" })), [pos([3], 50)]);
  gc((x) => F.klDiv(x, torch.tensor([0.2, 0, 0.8], { dtype: "float64" }), "batchmean"), [d([3], 51)]);
  gc((x, w) => F.nllLoss(x, torch.tensor([1, 0]), { weight: w, ignoreIndex: 0 }), [d([2, 3], 52), pos([3], 53)]);
  gc((x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.2 }), [d([2, 3], 54), pos([2, 3], 55)]);
  gc((x) => F.smoothL1Loss(x, torch.zeros([4], { dtype: "float64" }), "sum", 0.5), [d([4], 56)]);
  gc((x, w, b) => F.groupNorm(x, 2, w, b), [d([2, 4, 3], 57), d([4], 58), d([4], 59)]);
  gc((x, w) => F.prelu(x, w), [d([2, 3, 2], 60), d([3], 61)]);
  gc((x) => F.celu(F.selu(x), 0.7), [d([5], 62)]);
  gc((x) => F.mish(F.hardswish(x)), [d([5], 63)]);
  gc((x) => F.logsigmoid(F.softsign(x)), [d([5], 64)]);
  gc((x) => F.maxPool1d(x, 3, 2, 1) as torch.Tensor, [d([1, 2, 7], 65)]);
  gc((x) => F.avgPool1d(x, 3, 2, 1, true, false), [d([1, 2, 7], 66)]);
  gc(
    (w) =>
      F.embedding(
        torch.tensor([
          [0, 2],
          [2, 1],
        ]),
        w,
      ),
    [d([3, 2], 67)],
  );
});
