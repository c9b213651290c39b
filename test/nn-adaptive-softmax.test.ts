// nn.AdaptiveLogSoftmaxWithLoss against PyTorch 1.13 (scripts/fixtures/nnsurf_asm_fixtures.py):
// the seeded initial state, output, loss, logProb, predict and every gradient.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface Case {
  name: string;
  args: [number, number, number[]];
  opts: { divValue: number; headBias: boolean };
  state: Record<string, SurfEnc>;
  input: SurfEnc;
  target: SurfEnc;
  output: SurfEnc;
  loss: number;
  inputGrad: SurfEnc;
  paramGrads: Record<string, SurfEnc | null>;
  logProb: SurfEnc;
  predict: SurfEnc;
}
const { cases } = fixture<{ cases: Case[] }>("surf-asm.json");

for (const c of cases) {
  test(`nn.AdaptiveLogSoftmaxWithLoss ${c.name} matches PyTorch`, () => {
    torch.manualSeed(0);
    const m = new nn.AdaptiveLogSoftmaxWithLoss(c.args[0], c.args[1], c.args[2], c.opts);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(c.state));
    for (const [k, v] of Object.entries(c.state)) assertClose(sd[k], dec(v), `initial ${k}`, 1e-6, 1e-7);
    const x = dec(c.input).requiresGrad_(true);
    const { output, loss } = m(x, dec(c.target));
    assertClose(output, dec(c.output), "output", 1e-5, 1e-6);
    assertClose([loss.item() as number], [c.loss], "loss", 1e-5, 1e-6);
    loss.backward();
    assertClose(x.grad as torch.Tensor, dec(c.inputGrad), "input grad", 1e-5, 1e-6);
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.paramGrads)) {
      // null: PyTorch left the gradient unset (a cluster no target fell into).
      if (g === null)
        assert.ok(
          params[k].grad === null || Array.from(params[k].grad.typedArray()).every((v) => v === 0),
          `grad ${k} should be unset`,
        );
      else assertClose(params[k].grad ?? torch.zerosLike(params[k]), dec(g), `grad ${k}`, 1e-5, 1e-6);
    }
    const x2 = x.dim() === 1 ? x.detach().unsqueeze(0) : x.detach();
    assertClose(m.logProb(x2), dec(c.logProb), "logProb", 1e-5, 1e-6);
    const pred = x.dim() === 1 ? m.predict(x2).squeeze(0) : m.predict(x2);
    assert.deepEqual(Array.from(pred.typedArray()), Array.from(dec(c.predict).typedArray()));
  });
}
