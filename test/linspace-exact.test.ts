// torch.linspace for float tensors is bit-identical to PyTorch 1.13's CPU kernel
// (scripts/fixtures/nnsurf_linspace_fixtures.py): grids built from it (affine_grid, torchvision's
// rotate/affine) then sample the same pixels.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

const { cases } = fixture<{ cases: { start: number; end: number; steps: number; out: SurfEnc }[] }>(
  "surf-linspace.json",
);
for (const c of cases) {
  test(`linspace(${c.start}, ${c.end}, ${c.steps}) ${c.out.dtype} equals PyTorch's bit for bit`, () => {
    const want = dec(c.out);
    const got = torch.linspace(c.start, c.end, c.steps, { dtype: want.dtype });
    assert.deepEqual(Array.from(got.typedArray()), Array.from(want.typedArray()));
  });
}
