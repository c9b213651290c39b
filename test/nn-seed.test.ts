// The seed CNN against PyTorch 1.13: exact initial weights after manualSeed(0); from those weights
// and a fixed batch of 8, logits, loss and every parameter gradient; 5 steps of SGD and of Adam.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { Adam, SGD, type Optimizer } from "../src/optim/index.js";
import { assertClose, assertSummary, dec } from "./nn-helpers.js";
import { NN, type SeedRun, loadSeedFixture } from "./nn-seed-model.js";

const { fx, init, x, y } = loadSeedFixture();

test("seed CNN: stateDict keys are PyTorch's", () => {
  assert.deepEqual(Object.keys(new NN().stateDict()), fx.keys);
});

test("seed CNN: manualSeed(0) gives PyTorch's exact initial weights", () => {
  torch.manualSeed(fx.seed);
  const sd = new NN().stateDict();
  for (const k of fx.keys) assert.deepEqual(Array.from(sd[k].typedArray()), Array.from(init[k].typedArray()), k);
});

test("seed CNN: logits, loss and every gradient match PyTorch", () => {
  const model = new NN();
  model.loadStateDict(init);
  const logits = model.forward(x);
  assertClose(logits, dec(fx.logits), "logits", 1e-4, 1e-5);
  const loss = new nn.CrossEntropyLoss().forward(logits, y);
  assertClose([loss.item()], [fx.loss], "loss");
  assertClose(
    [new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, y).item()],
    [fx.lossLs],
    "loss with label smoothing",
  );
  loss.backward();
  for (const [k, p] of model.namedParameters()) assertSummary(p.grad as torch.Tensor, fx.grads[k], `grad ${k}`, 2e-4);
});

function train(run: SeedRun, make: (ps: nn.Parameter[]) => Optimizer, what: string): void {
  const model = new NN();
  model.loadStateDict(init);
  const opt = make(model.parameters());
  const lossFn = new nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    const l = lossFn.forward(model.forward(x), y);
    l.backward();
    opt.step();
    losses.push(l.item());
  }
  assertClose(losses, run.losses, `${what} losses`, 1e-4);
  const sd = model.stateDict();
  for (const [k, s] of Object.entries(run.final)) assertSummary(sd[k], s, `${what} final ${k}`, 2e-4);
}

test("seed CNN: 5 steps of SGD(lr 0.01, momentum 0.9, weightDecay 5e-4) match PyTorch", () => {
  train(fx.sgd, (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }), "SGD");
});

test("seed CNN: 5 steps of Adam(lr 1e-3) match PyTorch", () => {
  train(fx.adam, (ps) => new Adam(ps, { lr: 1e-3 }), "Adam");
});
