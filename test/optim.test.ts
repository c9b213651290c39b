// Every optimizer option set and every scheduler against PyTorch 1.13 trajectories.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as optim from "../src/optim/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";

interface OptimCase {
  name: string;
  optimizer: string;
  opts: Record<string, unknown>;
  init: Enc[];
  a: Enc[];
  b: Enc[];
  losses: number[];
  trajectory: Enc[][];
}

const objective = (w: torch.Tensor, a: torch.Tensor, b: torch.Tensor): torch.Tensor =>
  w.mul(a).sub(b).pow(2).sum().add(w.abs().sum().mul(0.1));

for (const c of fixture<{ cases: OptimCase[] }>("optim.json").cases) {
  test(`optimizer ${c.name} follows PyTorch's trajectory`, () => {
    const ws = c.init.map((e) => dec(e).requiresGrad_(true));
    const as = c.a.map(dec),
      bs = c.b.map(dec);
    const opt = new (ctorOf<optim.Optimizer>(optim, c.optimizer))(ws, c.opts);
    c.trajectory.forEach((expected, step) => {
      opt.zeroGrad();
      const loss = objective(ws[0], as[0], bs[0]).add(objective(ws[1], as[1], bs[1]));
      loss.backward();
      opt.step();
      assertClose([loss.item()], [c.losses[step]], `${c.name} loss at step ${step}`, 1e-5);
      ws.forEach((w, i) => assertClose(w, dec(expected[i]), `${c.name} param ${i} after step ${step + 1}`, 1e-5, 1e-6));
    });
  });
}

interface SchedCase {
  name: string;
  scheduler: string;
  opts: Record<string, unknown>;
  optimizer: string;
  optOpts: Record<string, unknown>;
  metrics: number[] | null;
  lrs: number[];
  momentums: number[];
}

const LAMBDAS: Record<string, (e: number) => number> = {
  pow95: (e) => 0.95 ** e,
  const90: () => 0.9,
  warm: (e) => Math.min(1.0, (e + 1) / 4),
};

function makeScheduler(
  cls: string,
  opts: Record<string, unknown>,
  opt: optim.Optimizer,
): optim.lrScheduler.LRScheduler | { step(m?: number): void } {
  const S = optim.lrScheduler;
  const o = { ...opts };
  const take = (k: string): unknown => {
    const v = o[k];
    delete o[k];
    return v;
  };
  switch (cls) {
    case "StepLR":
      return new S.StepLR(opt, take("stepSize") as number, o);
    case "MultiStepLR":
      return new S.MultiStepLR(opt, take("milestones") as number[], o);
    case "ExponentialLR":
      return new S.ExponentialLR(opt, take("gamma") as number, o);
    case "CosineAnnealingLR":
      return new S.CosineAnnealingLR(opt, take("TMax") as number, o);
    case "LinearLR":
      return new S.LinearLR(opt, o);
    case "ConstantLR":
      return new S.ConstantLR(opt, o);
    case "PolynomialLR":
      return new S.PolynomialLR(opt, o);
    case "LambdaLR":
      return new S.LambdaLR(opt, LAMBDAS[take("lambda") as string]);
    case "MultiplicativeLR":
      return new S.MultiplicativeLR(opt, LAMBDAS[take("lambda") as string]);
    case "CosineAnnealingWarmRestarts":
      return new S.CosineAnnealingWarmRestarts(opt, take("T_0") as number, {
        TMult: take("T_mult") as number | undefined,
        etaMin: take("etaMin") as number | undefined,
      });
    case "OneCycleLR":
      return new S.OneCycleLR(opt, take("maxLr") as number, o);
    case "SequentialLR": {
      const subs = (take("schedulers") as [string, Record<string, unknown>][]).map(
        ([c, so]) => makeScheduler(c, so, opt) as optim.lrScheduler.LRScheduler,
      );
      return new S.SequentialLR(opt, subs, take("milestones") as number[]);
    }
    case "ReduceLROnPlateau": {
      const s = new S.ReduceLROnPlateau(opt, o);
      return { step: (m?: number) => s.step(m as number) };
    }
    default:
      throw new Error(cls);
  }
}

for (const c of fixture<{ cases: SchedCase[] }>("schedulers.json").cases) {
  test(`scheduler ${c.name} gives PyTorch's lr sequence`, () => {
    const p = torch.zeros(2, { requiresGrad: true });
    const opt = new (ctorOf<optim.Optimizer>(optim, c.optimizer))([p], c.optOpts);
    const sched = makeScheduler(c.scheduler, c.opts, opt) as { step(m?: number): void };
    c.lrs.forEach((lr, e) => {
      opt.step();
      sched.step(c.metrics ? c.metrics[e] : undefined);
      const g = opt.paramGroups[0];
      assertClose([g.lr as number], [lr], `${c.name} lr at epoch ${e}`, 1e-12, 0);
      const mom = "betas" in g ? (g.betas as number[])[0] : (g.momentum as number);
      assertClose([mom], [c.momentums[e]], `${c.name} momentum at epoch ${e}`, 1e-12, 0);
    });
  });
}

test("optimizer param groups, zeroGrad and stateDict round trip", () => {
  const a = torch.ones([2], { requiresGrad: true }),
    b = torch.ones([3], { requiresGrad: true });
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0.9);
  a.sum().add(b.sum()).backward();
  opt.step();
  assert.deepEqual(a.tolist(), [0.8999999761581421, 0.8999999761581421]);
  assert.deepEqual(b.tolist(), [0.5, 0.5, 0.5]);
  const sd = opt.stateDict();
  assert.deepEqual(
    sd.paramGroups.map((g) => g.params),
    [[0], [1]],
  );
  assert.ok(sd.state[0].momentum_buffer instanceof torch.Tensor);
  const c = torch.ones([2], { requiresGrad: true }),
    d = torch.ones([3], { requiresGrad: true });
  const opt2 = new optim.SGD([{ params: [c] }, { params: [d] }], { lr: 1 });
  opt2.loadStateDict(sd);
  assert.equal(opt2.paramGroups[1].lr, 0.5);
  assert.deepEqual((opt2.state.get(c)?.momentum_buffer as torch.Tensor).tolist(), [1, 1]);
  opt.zeroGrad();
  assert.deepEqual(a.grad?.tolist(), [0, 0]);
  opt.zeroGrad({ setToNone: true });
  assert.equal(a.grad, null);
  const e = torch.ones([1], { requiresGrad: true });
  opt.addParamGroup({ params: [e], lr: 0.01 });
  assert.equal(opt.paramGroups[2].momentum, 0.9);
  assert.throws(() => opt.addParamGroup({ params: [e] }), /more than one parameter group/);
  assert.throws(() => new optim.SGD([a], {}), /lr is a required option/);
  assert.throws(() => new optim.Adam([a], { betas: [1.2, 0.9] }), /invalid beta parameter at index 0/);
});
