// vision.utils.makeGrid and saveImage against torchvision 0.14
// (scripts/fixtures/nnsurf_vision_utils_fixtures.py): the grids, and the PNG's pixels read back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pngjs from "pngjs";
import { vision } from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";
import { tempDir } from "./data-helpers.js";

interface Case {
  name: string;
  input: SurfEnc;
  opts: Record<string, unknown>;
  grid: SurfEnc;
}
const fx = fixture<{ cases: Case[]; png: { input: SurfEnc; pixels: number[]; shape: number[] } }>(
  "surf-vision-utils.json",
);

for (const c of fx.cases) {
  test(`makeGrid ${c.name} matches torchvision`, () => {
    const opts = Object.fromEntries(Object.entries(c.opts).filter(([, v]) => v !== null));
    assertClose(vision.utils.makeGrid(dec(c.input), opts), dec(c.grid), c.name, 1e-6, 1e-7);
  });
}

test("saveImage writes torchvision's pixels to a PNG", () => {
  const path = join(tempDir(), "grid.png");
  vision.utils.saveImage(dec(fx.png.input), path, { nrow: 3 });
  const png = pngjs.PNG.sync.read(readFileSync(path));
  const [h, w] = fx.png.shape;
  assert.deepEqual([png.height, png.width], [h, w]);
  const rgb: number[] = [];
  for (let i = 0; i < w * h; i++) rgb.push(png.data[i * 4], png.data[i * 4 + 1], png.data[i * 4 + 2]);
  assert.deepEqual(rgb, fx.png.pixels);
});
