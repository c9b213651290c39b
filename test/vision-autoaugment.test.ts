// AutoAugment (imagenet / cifar10 / svhn), RandAugment and TrivialAugmentWide against torchvision
// 0.14 on a uint8 tensor image, seeded (scripts/fixtures/nnsurf_autoaugment_fixtures.py): the same
// draws choose the same operations and magnitudes, which give the same pixels.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { transforms } from "../src/vision/index.js";
import { fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

const fx = fixture<{ img: SurfEnc; cases: { name: string; kind: string; seed: number; out: SurfEnc }[] }>(
  "surf-autoaugment.json",
);
const K = transforms;
const MAKERS: Record<string, () => (x: torch.Tensor) => unknown> = {
  auto_imagenet: () => new K.AutoAugment("imagenet"),
  auto_cifar10: () => new K.AutoAugment("cifar10"),
  auto_svhn_bilinear_fill: () => new K.AutoAugment("svhn", { interpolation: "bilinear", fill: [10, 20, 30] }),
  rand: () => new K.RandAugment(),
  rand_3ops_mag5: () => new K.RandAugment(3, 5, 31, { fill: 128 }),
  wide: () => new K.TrivialAugmentWide(),
};

for (const c of fx.cases) {
  test(`transforms ${c.name} matches torchvision`, () => {
    const t = MAKERS[c.kind]();
    torch.manualSeed(c.seed);
    const got = t(dec(fx.img)) as torch.Tensor,
      want = dec(c.out);
    assert.deepEqual(got.shape, want.shape);
    const g = got.typedArray(),
      w = want.typedArray();
    // uint8 results may differ by one where float arithmetic rounds at an exact .5.
    let off = 0;
    for (let i = 0; i < w.length; i++) {
      assert.ok(Math.abs(g[i] - w[i]) <= 1, `${c.name}: element ${i} is ${g[i]}, torchvision has ${w[i]}`);
      if (g[i] !== w[i]) off++;
    }
    assert.ok(off <= Math.max(1, w.length / 100), `${c.name}: ${off} values off by one`);
  });
}
