// FractionalMaxPool2d / 3d against PyTorch 1.13 with the same seed
// (scripts/fixtures/nnsurf_fractional_fixtures.py): values, indices and input gradients.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

const { cases } = fixture<{
  cases: {
    name: string;
    kind: string;
    input: SurfEnc;
    values: SurfEnc;
    indices: SurfEnc;
    gradOut: SurfEnc;
    grad: SurfEnc;
  }[];
}>("surf-fractional.json");
const MAKE: Record<string, () => nn.Module> = {
  "2d_size": () => new nn.FractionalMaxPool2d(3, { outputSize: [5, 4], returnIndices: true }),
  "2d_ratio": () => new nn.FractionalMaxPool2d([2, 3], { outputRatio: [0.5, 0.6], returnIndices: true }),
  "2d_unbatched": () => new nn.FractionalMaxPool2d(2, { outputSize: 4, returnIndices: true }),
  "3d": () => new nn.FractionalMaxPool3d(2, { outputSize: [3, 4, 3], returnIndices: true }),
};

for (const c of cases) {
  test(`nn.FractionalMaxPool ${c.name} matches PyTorch`, () => {
    const x = dec(c.input).requiresGrad_(true);
    torch.manualSeed(2);
    const [v, i] = MAKE[c.kind]().call(x as never) as [torch.Tensor, torch.Tensor];
    assert.deepEqual(Array.from(i.typedArray()), Array.from(dec(c.indices).typedArray()));
    assertClose(v, dec(c.values), "values", 1e-7, 1e-7);
    v.mul(dec(c.gradOut)).sum().backward();
    assertClose(x.grad as torch.Tensor, dec(c.grad), "grad", 1e-6, 1e-7);
  });
}
