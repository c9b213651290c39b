// The seed CNN on the webgpu device against PyTorch 1.13 (the fixtures of test/nn_seed.test.ts):
// logits, loss and gradients from PyTorch's initial weights, then 5 steps of SGD and of Adam.
// The program is the CPU one with `.to("webgpu")` added and the readbacks made async.
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { Adam, SGD, type Optimizer } from "../src/optim/index.js";
import { assertClose, assertSummary, dec } from "./nn-helpers.js";
import { NN, type SeedRun, loadSeedFixture } from "./nn-seed-model.js";
import { noGpu } from "./webgpu-helpers.js";

const { fx, init, x: xCpu, y: yCpu } = loadSeedFixture();

function model(): NN {
  const m = new NN();
  m.loadStateDict(init);
  return m.to("webgpu");
}

test("seed CNN on webgpu: logits, loss and every gradient match PyTorch", { skip: noGpu }, async () => {
  const m = model();
  const x = xCpu.to("webgpu"),
    y = yCpu.to("webgpu");
  const logits = m.forward(x);
  assertClose(await logits.cpuAsync(), dec(fx.logits), "logits", 1e-4, 1e-5);
  const loss = new nn.CrossEntropyLoss().forward(logits, y);
  assertClose([(await loss.itemAsync()) as number], [fx.loss], "loss");
  assertClose(
    [(await new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, y).itemAsync()) as number],
    [fx.lossLs],
    "loss with label smoothing",
  );
  loss.backward();
  for (const [k, p] of m.namedParameters())
    assertSummary(await (p.grad as torch.Tensor).cpuAsync(), fx.grads[k], `grad ${k}`, 2e-4);
});

async function train(run: SeedRun, make: (ps: nn.Parameter[]) => Optimizer, what: string): Promise<void> {
  const m = model();
  const x = xCpu.to("webgpu"),
    y = yCpu.to("webgpu");
  const opt = make(m.parameters());
  const lossFn = new nn.CrossEntropyLoss();
  const losses: torch.Tensor[] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    const l = lossFn.forward(m.forward(x), y);
    l.backward();
    opt.step();
    losses.push(l.detach()); // no readback inside the loop
  }
  const values: number[] = [];
  for (const l of losses) values.push((await l.itemAsync()) as number);
  assertClose(values, run.losses, `${what} losses`, 1e-4);
  const sd = m.stateDict();
  for (const [k, s] of Object.entries(run.final)) assertSummary(await sd[k].cpuAsync(), s, `${what} final ${k}`, 2e-4);
}

test(
  "seed CNN on webgpu: 5 steps of SGD(lr 0.01, momentum 0.9, weightDecay 5e-4) match PyTorch",
  { skip: noGpu },
  async () => {
    await train(fx.sgd, (ps) => new SGD(ps, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }), "SGD");
  },
);

test("seed CNN on webgpu: 5 steps of Adam(lr 1e-3) match PyTorch", { skip: noGpu }, async () => {
  await train(fx.adam, (ps) => new Adam(ps, { lr: 1e-3 }), "Adam");
});
