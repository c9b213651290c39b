// optim.ASGD against PyTorch 1.13 trajectories (scripts/fixtures/nnsurf_asgd_fixtures.py):
// the parameters and the averaged parameters (state ax) after each step, float32 and float64.
import { test } from "node:test";
import * as torch from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface Case {
  name: string;
  opts: Record<string, number | boolean>;
  X: SurfEnc;
  Y: SurfEnc;
  init: SurfEnc;
  after: SurfEnc[];
  ax: SurfEnc[];
}
const { cases } = fixture<{ cases: Case[] }>("surf-asgd.json");

for (const c of cases) {
  test(`ASGD ${c.name} follows PyTorch`, () => {
    const X = dec(c.X),
      Y = dec(c.Y),
      W = dec(c.init).requiresGrad_(true);
    const opt = new torch.optim.ASGD([W], c.opts);
    const tol = c.name.endsWith("float64") ? 1e-12 : 1e-6;
    c.after.forEach((want, i) => {
      opt.zeroGrad();
      X.matmul(W).tanh().sub(Y).pow(2).mean().backward();
      opt.step();
      assertClose(W.detach(), dec(want), `param after step ${i}`, tol, tol);
      assertClose(opt.state.get(W)?.ax as torch.Tensor, dec(c.ax[i]), `ax after step ${i}`, tol, tol);
    });
  });
}
