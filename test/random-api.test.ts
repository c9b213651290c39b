// torch.rand / randn / randperm / randint / uniform_ follow PyTorch's CPU stream for a seed.
// Expected values printed by PyTorch 1.13: torch.manual_seed(0); torch.rand(3), torch.randn(2),
// torch.randperm(5), torch.randint(0, 10, (4,)) — in that order, from one stream.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";

test("seeded stream matches PyTorch across rand, randn, randperm, randint", () => {
  torch.manualSeed(0);
  const r = torch.rand(3).tolist() as number[];
  assert.deepEqual(
    r.map((v) => v.toFixed(4)),
    ["0.4963", "0.7682", "0.0885"],
  );
  assert.deepEqual(
    (torch.randn(2).tolist() as number[]).map((v) => v.toFixed(4)),
    ["0.3643", "0.1344"],
  );
  const p = torch.randperm(5);
  assert.equal(p.dtype, "int64");
  assert.deepEqual(p.tolist(), [3, 2, 1, 4, 0]);
  assert.deepEqual(torch.randint(0, 10, [4]).tolist(), [6, 6, 9, 8]);
});

test("a Generator passed as { generator } has its own stream", () => {
  const g = new torch.Generator().manualSeed(0);
  torch.manualSeed(123);
  assert.deepEqual(
    (torch.rand([3], { generator: g }).tolist() as number[]).map((v) => v.toFixed(4)),
    ["0.4963", "0.7682", "0.0885"],
  );
});

test("uniform_ and normal_ fill in place, also through non-contiguous views", () => {
  torch.manualSeed(0);
  const x = torch.zeros(3);
  x.uniform_(0, 1);
  assert.deepEqual(
    (x.tolist() as number[]).map((v) => v.toFixed(4)),
    ["0.4963", "0.7682", "0.0885"],
  );
  const m = torch.zeros(2, 3);
  m.t().normal_();
  assert.ok((m.tolist() as number[][]).flat().every((v) => v !== 0));
  assert.throws(() => torch.zeros([2], { dtype: torch.int64 }).uniform_(), /floating point/);
});

test("in-place samplers on transposed views draw in storage order, as PyTorch", () => {
  // PyTorch 1.13: torch.manual_seed(3); x = torch.zeros(3, 4).t(); x.uniform_(); y = torch.zeros(20, 3).t(); ...
  torch.manualSeed(3);
  const x = torch.zeros(3, 4).t();
  x.uniform_();
  assert.deepEqual(
    (x.tolist() as number[][]).map((r) => r.map((v) => v.toFixed(4))),
    [
      ["0.0043", "0.4716", "0.5944"],
      ["0.1056", "0.0601", "0.8879"],
      ["0.2858", "0.7719", "0.4510"],
      ["0.0270", "0.7437", "0.7995"],
    ],
  );
  torch.manualSeed(3);
  const y = torch.zeros(20, 3).t();
  y.normal_();
  assert.deepEqual(
    (y.index(":", ":3").tolist() as number[][]).map((r) => r.map((v) => v.toFixed(4))),
    [
      ["0.8033", "-0.6137", "0.3375"],
      ["0.1748", "0.0462", "1.0111"],
      ["0.0890", "-1.3683", "-1.4352"],
    ],
  );
});
