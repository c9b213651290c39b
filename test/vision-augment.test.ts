// transforms.functional and the random augmentations against torchvision 0.14's tensor path
// (scripts/fixtures/nnsurf_transforms_fixtures.py): fixed-parameter functional ops on float,
// uint8 and batched tensor images, and seeded random transforms (Flint's generator is PyTorch's
// mt19937, so the same seed draws the same parameters).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { transforms } from "../src/vision/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface FCase {
  name: string;
  fn: string;
  args: unknown[];
  opts: Record<string, unknown>;
  img: SurfEnc;
  out: SurfEnc;
}
interface RCase {
  name: string;
  img: SurfEnc;
  seed: number;
  out: SurfEnc;
}
const fx = fixture<{ functional: FCase[]; random: RCase[] }>("surf-transforms.json");

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const TF = transforms.functional as unknown as Record<string, (...a: unknown[]) => torch.Tensor>;

/** uint8 results may differ by one where torchvision's float arithmetic rounds at an exact .5. */
function compare(got: torch.Tensor, want: torch.Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  if (want.dtype === "uint8") {
    const g = got.typedArray(),
      w = want.typedArray();
    let off = 0;
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs(g[i] - w[i]);
      assert.ok(d <= 1, `${what}: element ${i} is ${g[i]}, torchvision has ${w[i]}`);
      if (d) off++;
    }
    assert.ok(off <= Math.max(1, w.length / 100), `${what}: ${off} of ${w.length} values are off by one`);
  } else assertClose(got, want, what, 1e-4, 1e-5);
}

for (const c of fx.functional) {
  test(`transforms.functional.${camel(c.fn)} ${c.name} matches torchvision`, () => {
    const f = TF[camel(c.fn)];
    assert.equal(typeof f, "function", `no transforms.functional.${camel(c.fn)}`);
    const img = dec(c.img);
    const rotateLike = c.fn === "rotate" || c.fn === "affine" || c.fn === "perspective";
    const out = rotateLike ? f(img, ...c.args, c.opts) : f(img, ...c.args);
    compare(out, dec(c.out), c.name);
  });
}

const K = transforms;
const MAKERS: Record<string, () => (x: torch.Tensor) => unknown> = {
  colorjitter: () => new K.ColorJitter(0.4, 0.5, 0.6, 0.2),
  rotation: () => new K.RandomRotation(40),
  affine: () =>
    new K.RandomAffine(25, {
      translate: [0.2, 0.1],
      scale: [0.8, 1.2],
      shear: [-10, 10, -5, 5],
      interpolation: "bilinear",
    }),
  resizedcrop: () => new K.RandomResizedCrop([6, 8]),
  blur: () => new K.GaussianBlur(3),
  randgray: () => new K.RandomGrayscale(0.5),
  gray3: () => new K.Grayscale(3),
  perspective: () => new K.RandomPerspective({ distortionScale: 0.6, p: 0.8 }),
  erasing: () => new K.RandomErasing({ p: 0.9 }),
  erasing_random: () => new K.RandomErasing({ p: 0.9, value: "random", scale: [0.1, 0.4] }),
  erasing_value3: () => new K.RandomErasing({ p: 1.0, value: [0.1, 0.2, 0.3] }),
  compose: () =>
    new K.Compose<torch.Tensor, torch.Tensor>([
      new K.RandomResizedCrop(7),
      new K.ColorJitter(0.3, 0.3),
      new K.RandomErasing({ p: 1.0 }),
    ]),
};

for (const c of fx.random) {
  test(`transforms ${c.name} (seed ${c.seed}) matches torchvision`, () => {
    const key = Object.keys(MAKERS)
      .sort((a, b) => b.length - a.length)
      .find((k) => c.name.startsWith(k)) as string;
    const t = MAKERS[key]();
    torch.manualSeed(c.seed);
    compare(t(dec(c.img)) as torch.Tensor, dec(c.out), c.name);
  });
}

test("transforms are callable and still have forward(), as torchvision's", () => {
  const t = new K.Compose<torch.Tensor, torch.Tensor>([new K.Grayscale(), new K.Normalize([0.5], [0.5])]);
  const x = torch.rand(3, 4, 4);
  assertClose(t(x), t.forward(x), "callable vs forward");
  assert.ok(t instanceof K.Compose);
});
