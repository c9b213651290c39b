// Randomness that must follow PyTorch's stream: dropout masks, nn.init, default module init.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { defaultGenerator } from "../src/random/index.js";
import { type Enc, dec, fixture } from "./nn-helpers.js";

interface RandomFixture {
  dropout: { seed: number; p: number; input: Enc; output: Enc };
  dropout2d: { seed: number; p: number; input4: Enc; output4: Enc; input3: Enc; output3: Enc };
  init: { seed: number; shape: number[]; values: Record<string, Enc> };
  modules: {
    seed: number;
    embedding: Enc;
    bn: Record<string, Enc>;
    linearF64: Record<string, Enc>;
    convT: Record<string, Enc>;
    conv1d: Record<string, Enc>;
    convGroups: Record<string, Enc>;
  };
}
const fx = fixture<RandomFixture>("random.json");
const same = (a: torch.Tensor, b: torch.Tensor, what: string): void => {
  assert.deepEqual(a.shape, b.shape, what);
  assert.deepEqual(Array.from(a.typedArray()), Array.from(b.typedArray()), what);
};

test("dropout draws PyTorch's mask after the same seed", () => {
  defaultGenerator.manualSeed(fx.dropout.seed);
  const x = dec(fx.dropout.input).requiresGrad_(true);
  const y = nn.functional.dropout(x, fx.dropout.p, true);
  same(y, dec(fx.dropout.output), "dropout output");
  y.sum().backward();
  const mask = Array.from(y.typedArray(), (v) => (v === 0 ? 0 : 1));
  Array.from(x.grad!.typedArray()).forEach((g, i) => assert.equal(g === 0 ? 0 : 1, mask[i]));
  const d = new nn.Dropout(0.3);
  d.eval();
  assert.equal(d.forward(x), x);
});

test("dropout2d zeroes PyTorch's channels after the same seed (3-D input is (N, C, L) in 1.13)", () => {
  const c = fx.dropout2d;
  defaultGenerator.manualSeed(c.seed);
  same(nn.functional.dropout2d(dec(c.input4), c.p), dec(c.output4), "dropout2d 4-D");
  same(new nn.Dropout2d(c.p).forward(dec(c.input3)), dec(c.output3), "dropout2d 3-D");
});

test("nn.init functions give PyTorch's exact values after the same seed", () => {
  const cases: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    xavierUniform: (t) => nn.init.xavierUniform_(t, 2.0),
    xavierNormal: (t) => nn.init.xavierNormal_(t),
    kaimingUniform: (t) => nn.init.kaimingUniform_(t, { a: 0.1, mode: "fan_out", nonlinearity: "leaky_relu" }),
    kaimingNormal: (t) => nn.init.kaimingNormal_(t, { nonlinearity: "relu" }),
    uniform: (t) => nn.init.uniform_(t, -0.5, 2.0),
    normal: (t) => nn.init.normal_(t, 1.0, 0.5),
  };
  for (const [name, fn] of Object.entries(cases)) {
    defaultGenerator.manualSeed(fx.init.seed);
    const t = torch.zeros(fx.init.shape);
    fn(t);
    same(t, dec(fx.init.values[name]), name);
  }
  const c = nn.init.constant_(torch.zeros([2]), 3);
  assert.deepEqual(c.tolist(), [3, 3]);
  assert.equal(nn.init.calculateGain("leaky_relu", Math.sqrt(5)), Math.sqrt(2 / 6.000000000000001));
  assert.throws(() => nn.init.xavierUniform_(torch.zeros([3])), /fewer than 2 dimensions/);
});

test("Embedding, BatchNorm, float64 Linear, ConvTranspose2d, Conv1d and grouped Conv2d initialise as PyTorch's", () => {
  defaultGenerator.manualSeed(fx.modules.seed);
  const emb = new nn.Embedding(7, 3, { paddingIdx: 2 });
  const bn = new nn.BatchNorm2d(3);
  const lin = new nn.Linear(5, 2, { dtype: "float64" });
  const convT = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
  const conv1 = new nn.Conv1d(3, 5, 4, { bias: false });
  const convg = new nn.Conv2d(4, 8, [3, 2], { groups: 4 });
  same(emb.weight, dec(fx.modules.embedding), "embedding");
  for (const [k, v] of Object.entries(bn.stateDict())) same(v, dec(fx.modules.bn[k]), `bn ${k}`);
  for (const [k, v] of Object.entries(lin.stateDict())) same(v, dec(fx.modules.linearF64[k]), `linear f64 ${k}`);
  for (const [name, m] of [
    ["convT", convT],
    ["conv1d", conv1],
    ["convGroups", convg],
  ] as const) {
    const want = fx.modules[name];
    assert.deepEqual(Object.keys(m.stateDict()), Object.keys(want), name);
    for (const [k, v] of Object.entries(m.stateDict())) same(v, dec(want[k]), `${name} ${k}`);
  }
});

test("nn.init takes options objects and explicit generators", () => {
  const g1 = new torch.Generator().manualSeed(4),
    g2 = new torch.Generator().manualSeed(4);
  const a = nn.init.uniform_(torch.zeros([5]), { a: -2, b: 2, generator: g1 });
  const b = nn.init.uniform_(torch.zeros([5]), -2, 2, { generator: g2 });
  assert.deepEqual(a.tolist(), b.tolist());
  assert.ok((a.abs().max() as torch.Tensor).item() <= 2);
  defaultGenerator.manualSeed(1);
  const c = nn.init.normal_(torch.zeros([20]), { mean: 3, std: 0.5 });
  defaultGenerator.manualSeed(1);
  same(c, nn.init.normal_(torch.zeros([20]), 3, 0.5), "normal_ options");
  defaultGenerator.manualSeed(2);
  const k = nn.init.kaimingUniform_(torch.zeros([4, 3]), 0.1, "fan_out");
  defaultGenerator.manualSeed(2);
  same(k, nn.init.kaimingUniform_(torch.zeros([4, 3]), { a: 0.1, mode: "fan_out" }), "kaiming options");
  defaultGenerator.manualSeed(3);
  const x = nn.init.xavierNormal_(torch.zeros([4, 3]), { gain: 2 });
  defaultGenerator.manualSeed(3);
  same(x, nn.init.xavierNormal_(torch.zeros([4, 3]), 2), "xavier options");
});
