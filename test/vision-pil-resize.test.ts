// transforms.Resize on Images (what datasets return) gives torchvision's PIL-path numbers:
// Pillow's antialiased bilinear / bicubic resampling, byte for byte
// (scripts/fixtures/nnsurf_pil_resize_fixtures.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { transforms } from "../src/vision/index.js";
import { makeImage } from "../src/vision/image.js";
import { fixture } from "./nn-helpers.js";

interface Case {
  name: string;
  shape: number[];
  pixels: number[];
  size: number | number[];
  interpolation: "bilinear" | "bicubic";
  outShape: number[];
  out: number[];
}
const { cases } = fixture<{ cases: Case[] }>("surf-pil-resize.json");

for (const c of cases) {
  test(`Resize on an Image ${c.name} equals torchvision's PIL path`, () => {
    const [h, w, ch = 1] = c.shape;
    const im = makeImage(w, h, ch, Uint8Array.from(c.pixels));
    const out = new transforms.Resize(c.size, { interpolation: c.interpolation })(im) as typeof im;
    assert.deepEqual([out.height, out.width], c.outShape.slice(0, 2));
    assert.deepEqual(Array.from(out.data), c.out);
  });
}
