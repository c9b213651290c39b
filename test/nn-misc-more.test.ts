// Dropout1d/3d, AlphaDropout, FeatureAlphaDropout (PyTorch's masks from the same seed),
// MaxUnpool1d/2d/3d, LazyLinear and ParameterList / ParameterDict against PyTorch 1.13
// (scripts/fixtures/nnsurf_misc_fixtures.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, ctorOf, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface Fx {
  dropout: { name: string; module: string; p: number; input: SurfEnc; out: SurfEnc; gradOut: SurfEnc; grad: SurfEnc }[];
  unpool: {
    nd: number;
    k: number;
    opts: Record<string, number>;
    input: SurfEnc;
    indices: SurfEnc;
    outputSize: number[] | null;
    out: SurfEnc;
    gradOut: SurfEnc;
    grad: SurfEnc;
  }[];
  lazy: { input: SurfEnc; weight: SurfEnc; bias: SurfEnc; out: SurfEnc };
  keys: { list: string[]; dict: string[] };
}
const fx = fixture<Fx>("surf-misc.json");

for (const c of fx.dropout) {
  test(`nn.${c.module} ${c.name} draws PyTorch's mask`, () => {
    const m = new (ctorOf<nn.Module>(nn, c.module))(c.p);
    const x = dec(c.input).requiresGrad_(true);
    torch.manualSeed(5);
    const y = m.call(x as never) as torch.Tensor;
    assertClose(y, dec(c.out), "output", 1e-6, 1e-6);
    y.mul(dec(c.gradOut)).sum().backward();
    assertClose(x.grad as torch.Tensor, dec(c.grad), "grad", 1e-6, 1e-6);
  });
}

for (const c of fx.unpool) {
  test(`nn.MaxUnpool${c.nd}d k=${c.k} ${JSON.stringify(c.opts)} matches PyTorch`, () => {
    const m = new (ctorOf<nn.Module>(nn, `MaxUnpool${c.nd}d`))(c.k, c.opts);
    const x = dec(c.input).requiresGrad_(true);
    const y = (m.call as (...a: unknown[]) => torch.Tensor)(x, dec(c.indices), c.outputSize);
    assertClose(y, dec(c.out), "output", 1e-6, 1e-6);
    y.mul(dec(c.gradOut)).sum().backward();
    assertClose(x.grad as torch.Tensor, dec(c.grad), "grad", 1e-6, 1e-6);
  });
}

test("nn.LazyLinear initialises at the first forward as PyTorch", () => {
  torch.manualSeed(3);
  const m = new nn.LazyLinear(4);
  torch.manualSeed(4);
  const y = m(dec(fx.lazy.input));
  assertClose(m.weight.detach(), dec(fx.lazy.weight), "weight", 1e-6, 1e-7);
  assertClose((m.bias as torch.Tensor).detach(), dec(fx.lazy.bias), "bias", 1e-6, 1e-7);
  assertClose(y, dec(fx.lazy.out), "output", 1e-5, 1e-6);
});

test("ParameterList / ParameterDict state dict keys are PyTorch's", () => {
  const pl = new nn.ParameterList([torch.ones(2), torch.zeros(3)]);
  const pd = new nn.ParameterDict({ a: torch.ones(2), b: torch.zeros(1) });
  assert.deepEqual(Object.keys(pl.stateDict()), fx.keys.list);
  assert.deepEqual(Object.keys(pd.stateDict()), fx.keys.dict);
  assert.equal(pl.parameters().length, 2);
  assert.equal(pl.at(-1).shape[0], 3);
});
