// The fast paths of the per-op layer (src/small-arrays.ts, cat's block copies, mean(), small
// softmax) against the general ones they short-cut.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { arrayFor } from "../src/dtype.js";

test("small arrays from slabs start zeroed and do not alias each other", () => {
  const a = arrayFor("float32", 100),
    b = arrayFor("float64", 100);
  assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0));
  a.fill(1);
  assert.ok(b.every((v) => v === 0));
  const t = torch.ones([100]);
  assert.deepEqual(t.typedArray().buffer.byteLength, 400); // typedArray() copies into its own buffer
});

test("cat of contiguous parts equals the general (strided) path, along every dim", () => {
  const x = torch.randn([2, 3, 4]),
    y = torch.randn([2, 3, 4]);
  // A non-contiguous copy of the same values takes the general path.
  const strided = (t: torch.Tensor) => t.permute([2, 1, 0]).contiguous().permute([2, 1, 0]);
  for (const d of [0, 1, 2]) {
    assert.ok(!strided(x).isContiguous());
    assert.deepEqual(torch.cat([x, y], d).tolist(), torch.cat([strided(x), strided(y)], d).tolist());
  }
  assert.deepEqual(torch.cat([torch.tensor([1, 2]), torch.tensor([3.5])]).tolist(), [1, 2, 3.5]);
});

test("mean() and a small softmax agree with their compositions", () => {
  const x = torch.randn([5, 7]);
  assert.equal(x.mean().item(), x.sum().div(35).item());
  const s = torch.softmax(x, -1),
    ref = torch.exp(torch.logSoftmax(x, -1));
  const err = s.sub(ref).abs().max().item();
  assert.ok(err < 1e-6, `softmax error ${err}`);
  const z = torch.tensor([
    [NaN, 1],
    [0, 1],
  ]);
  const out = torch.softmax(z, -1).tolist() as number[][];
  assert.ok(Number.isNaN(out[0][0]) && Number.isNaN(out[0][1]) && Math.abs(out[1][1] - 0.7310585975646973) < 1e-7);
});
