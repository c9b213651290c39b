// nn.EmbeddingBag against PyTorch 1.13 (scripts/fixtures/nnsurf_embeddingbag_fixtures.py): the
// seeded initial weight, every mode, offsets / 2-D input / per-sample weights / padding_idx /
// include_last_offset, the output and the gradients.
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface Case {
  name: string;
  opts: { mode: "sum" | "mean" | "max"; paddingIdx: number | null; includeLastOffset: boolean };
  weight0: SurfEnc;
  input: SurfEnc;
  offsets: SurfEnc | null;
  psw: SurfEnc | null;
  out: SurfEnc;
  gradOut: SurfEnc;
  weightGrad: SurfEnc;
  pswGrad: SurfEnc | null;
}
const { cases } = fixture<{ cases: Case[] }>("surf-embeddingbag.json");

for (const c of cases) {
  test(`nn.EmbeddingBag ${c.name} matches PyTorch`, () => {
    torch.manualSeed(0);
    const m = new nn.EmbeddingBag(10, 3, c.opts);
    assertClose(m.weight.detach(), dec(c.weight0), "initial weight", 1e-6, 1e-7);
    const psw = c.psw ? dec(c.psw).requiresGrad_(true) : null;
    const y = m(dec(c.input), c.offsets ? dec(c.offsets) : null, psw);
    assertClose(y, dec(c.out), "output", 1e-5, 1e-6);
    y.mul(dec(c.gradOut)).sum().backward();
    assertClose(m.weight.grad as torch.Tensor, dec(c.weightGrad), "weight grad", 1e-5, 1e-6);
    if (c.pswGrad && psw) assertClose(psw.grad as torch.Tensor, dec(c.pswGrad), "per-sample weight grad", 1e-5, 1e-6);
  });
}
