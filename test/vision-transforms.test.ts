// vision.transforms against torchvision's tensor path (test/fixtures/data.json) and on images.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import { fromTypedArray, type Tensor } from "../src/tensor.js";
import { transforms } from "../src/vision/index.js";
import {
  crop,
  fmaf,
  fromTensor,
  pad,
  padCrop,
  roundHalfEven,
  type PaddingMode,
} from "../src/vision/transforms/planar.js";
import type { Image } from "../src/vision/image.js";

type Fx = {
  img_f: number[];
  img_f_shape: number[];
  img_u8: number[];
  img_u8_shape: number[];
  resize: { input: "img_f" | "img_u8"; size: number | number[]; shape: number[]; out: number[] }[];
  center_crop: { size: number[]; out: number[]; shape: number[] }[];
  normalize: { mean: number[]; std: number[]; out: number[] };
  random_seq: { seed: number; size: number; padding: number; steps: { crop: number[]; flip: number[] }[] };
  random_crop_pad_if_needed: { seed: number; size: [number, number]; paddingMode: "reflect"; out: number[] };
};
const fx = (JSON.parse(readFileSync(new URL("./fixtures/data.json", import.meta.url), "utf8")) as { transforms: Fx })
  .transforms;
const imgF = fromTypedArray(Float32Array.from(fx.img_f), fx.img_f_shape, "float32");
const imgU8 = fromTypedArray(Uint8Array.from(fx.img_u8), fx.img_u8_shape, "uint8");
const inputs = { img_f: imgF, img_u8: imgU8 };
const flat = (t: Tensor) => Array.from(t.typedArray(), Number);

function close(actual: number[], expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tol, `${what}: max difference ${worst} > ${tol}`);
}

describe("transforms on tensors, vs torchvision", () => {
  it("Resize (bilinear, antialias=False) equals torchvision bit for bit, float32 and uint8", () => {
    for (const c of fx.resize) {
      const out = new transforms.Resize(c.size as number).forward(inputs[c.input]);
      assert.deepEqual(out.shape, c.shape, `size ${JSON.stringify(c.size)}`);
      assert.equal(out.dtype, inputs[c.input].dtype);
      close(flat(out), c.out, 0, `Resize ${JSON.stringify(c.size)} ${c.input}`);
    }
  });

  it("padCrop (RandomCrop's one pass) equals pad then crop, also outside the padded image", () => {
    const p = fromTensor(imgU8, "test");
    for (const mode of ["constant", "edge", "reflect", "symmetric"] as PaddingMode[]) {
      for (const [top, left, h, w] of [
        [0, 0, 4, 4],
        [1, 2, 5, 3],
        [-1, 3, 7, 4],
        [4, -2, 6, 8],
        [8, 5, 2, 2],
      ]) {
        const ltrb: [number, number, number, number] = [2, 1, 3, 2];
        const want = crop(pad(p, ltrb, 7, mode), top, left, h, w);
        const got = padCrop(p, ltrb, 7, mode, top, left, h, w);
        assert.deepEqual(
          [got.h, got.w, Array.from(got.data)],
          [want.h, want.w, Array.from(want.data)],
          `${mode} ${[top, left, h, w]}`,
        );
      }
    }
  });

  it("roundHalfEven is torch.round's half-to-even", () => {
    assert.deepEqual([2.5, 3.5, -2.5, -1.5, 1.4999, 0.5, 254.5].map(roundHalfEven), [2, 4, -2, -2, 1, 0, 254]);
  });

  it("fmaf rounds once, also where the double sum sits on a float32 midpoint", () => {
    assert.equal(fmaf(1.5, 2, 0.25), 3.25);
    // 1 + 2^-24 is a float32 midpoint; a tiny extra term must push it up, not to the even 1.
    const tiny = 2 ** -60;
    assert.equal(fmaf(2 ** -24, 1 + 2 ** -23, 1), Math.fround(1 + 2 ** -23));
    assert.equal(fmaf(1, 1, tiny), Math.fround(1 + tiny));
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a midpoint; +-2^-70 is lost in the double sum but decides.
    const a = 1 + 2 ** -12;
    assert.equal(fmaf(a, a, 2 ** -70), 1 + 2 ** -11 + 2 ** -23);
    assert.equal(fmaf(a, a, -(2 ** -70)), 1 + 2 ** -11);
    assert.equal(Math.fround(a * a + 2 ** -70), 1 + 2 ** -11, "the naive double-then-float rounding is wrong here");
  });

  it("CenterCrop, including zero padding when the crop is larger", () => {
    for (const c of fx.center_crop) {
      const out = new transforms.CenterCrop(c.size).forward(imgU8);
      assert.deepEqual(out.shape, c.shape);
      assert.deepEqual(flat(out), c.out, `CenterCrop ${c.size}`);
    }
  });

  it("Normalize", () => {
    const out = new transforms.Normalize(fx.normalize.mean, fx.normalize.std).forward(imgF);
    close(flat(out), fx.normalize.out, 0, "Normalize");
    assert.throws(
      () => new transforms.Normalize([0], [1]).forward(imgU8),
      /Input tensor should be a float tensor\. Got uint8/,
    );
    assert.throws(() => new transforms.Normalize([0], [0]).forward(imgF), /std evaluated to zero/);
  });

  it("RandomCrop(padding) and RandomHorizontalFlip follow torch.manualSeed as torchvision", () => {
    torch.manualSeed(fx.random_seq.seed);
    const crop = new transforms.RandomCrop(fx.random_seq.size, { padding: fx.random_seq.padding });
    const flip = new transforms.RandomHorizontalFlip();
    for (const step of fx.random_seq.steps) {
      const c = crop.forward(imgU8);
      assert.deepEqual(flat(c), step.crop);
      assert.deepEqual(flat(flip.forward(c)), step.flip);
    }
    torch.manualSeed(fx.random_crop_pad_if_needed.seed);
    const r = new transforms.RandomCrop(fx.random_crop_pad_if_needed.size, {
      padIfNeeded: true,
      paddingMode: "reflect",
    });
    assert.deepEqual(flat(r.forward(imgU8)), fx.random_crop_pad_if_needed.out);
  });
});

describe("transforms on images", () => {
  const im: Image = { width: 3, height: 2, channels: 3, data: Uint8Array.from({ length: 18 }, (_, i) => i * 10) };

  it("ToTensor: HWC uint8 -> CHW float32 in [0, 1]; PILToTensor keeps uint8", () => {
    const t = new transforms.ToTensor().forward(im);
    assert.deepEqual(t.shape, [3, 2, 3]);
    assert.equal(t.dtype, "float32");
    assert.equal(flat(t)[1], Math.fround(30 / 255)); // channel 0, pixel (0,1) = data[3]
    assert.equal(flat(t)[6], Math.fround(10 / 255)); // channel 1, pixel (0,0) = data[1]
    const u = new transforms.PILToTensor().forward(im);
    assert.deepEqual([u.dtype, flat(u).slice(0, 3)], ["uint8", [0, 30, 60]]);
    assert.throws(() => new transforms.ToTensor().forward(imgF as unknown as Image), /pic should be an Image/);
  });

  it("flip and crop work on images the same as on tensors (resize: Images take the PIL path, test/vision-pil-resize.test.ts)", () => {
    const asTensor = new transforms.PILToTensor().forward(im);
    const flipped = new transforms.RandomHorizontalFlip(1).forward(im);
    assert.deepEqual(
      flat(new transforms.PILToTensor().forward(flipped)),
      flat(new transforms.RandomHorizontalFlip(1).forward(asTensor)),
    );
    const cc = new transforms.CenterCrop([2, 1]).forward(im);
    assert.deepEqual([cc.width, cc.height, Array.from(cc.data)], [1, 2, [30, 40, 50, 120, 130, 140]]);
    const big = new transforms.Resize([4, 6]).forward(im);
    assert.deepEqual([big.height, big.width, big.channels], [4, 6, im.channels]);
    assert.equal(new transforms.RandomHorizontalFlip(0).forward(im), im);
  });

  it("Pad with each padding mode", () => {
    const row: Image = { width: 3, height: 1, channels: 1, data: Uint8Array.of(1, 2, 3) };
    const got = (mode: "constant" | "edge" | "reflect" | "symmetric") =>
      Array.from(new transforms.Pad([2, 0], { fill: 9, paddingMode: mode }).forward(row).data);
    assert.deepEqual(got("constant"), [9, 9, 1, 2, 3, 9, 9]);
    assert.deepEqual(got("edge"), [1, 1, 1, 2, 3, 3, 3]);
    assert.deepEqual(got("reflect"), [3, 2, 1, 2, 3, 2, 1]);
    assert.deepEqual(got("symmetric"), [2, 1, 1, 2, 3, 3, 2]);
    assert.deepEqual(new transforms.Pad(1).forward(imgU8).shape, [3, 8, 6]);
  });

  it("Compose and Lambda chain; random crops stay in bounds", () => {
    const t = new transforms.Compose([
      new transforms.RandomCrop(2, { padding: 1 }),
      new transforms.ToTensor(),
      new transforms.Lambda((x: Tensor) => x.mul(2)),
    ]);
    const out = t.forward(im);
    assert.deepEqual(out.shape, [3, 2, 2]);
    assert.ok(flat(out).every((v) => v >= 0 && v <= 2));
    assert.throws(
      () => new transforms.RandomCrop(5).forward(im),
      /Required crop size \(5, 5\) is larger than input image size \(2, 3\)/,
    );
    const padded = new transforms.RandomCrop([2, 5], { padIfNeeded: true }).forward(im);
    assert.deepEqual([padded.height, padded.width], [2, 5]);
  });
});
