// Advanced indexing with several index tensors (get: x.index(i, j); set: x.indexSet_([i, j], v)),
// index_put, Tensor.data and the new* factories, against PyTorch 1.13
// (scripts/fixtures/nnsurf_index_fixtures.py), plus float64 gradchecks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import type { IndexSpec } from "../src/index.js";
import { fixture } from "./nn-helpers.js";
import { type SurfCase, type SurfEnc, checkCase, dec, gradcheckCase } from "./nn-surf-helpers.js";

type Spec = number | string | null | { t: SurfEnc };
interface IndexCase extends SurfCase {
  specs?: Spec[];
  value?: number;
  indices?: SurfEnc[];
  accumulate?: boolean;
}
const fx = fixture<{
  cases: IndexCase[];
  data: { gradAfterDataAdd: SurfEnc; wAfter: SurfEnc; setShape: number[]; setDtype: string };
  factories: Record<string, SurfEnc | number[]>;
}>("surf-index.json");

const specOf = (s: Spec): IndexSpec => (s !== null && typeof s === "object" ? dec(s.t) : s);

function fnOf(c: IndexCase): (...xs: torch.Tensor[]) => torch.Tensor {
  if (c.indices) {
    const idx = c.indices.map(dec);
    return (x, v) => x.indexPut(idx, v, c.accumulate);
  }
  const specs = (c.specs as Spec[]).map(specOf);
  if (c.name.startsWith("set_")) {
    return (x, v) => {
      const y = x.mul(1.0);
      y.indexSet_(specs, v ?? (c.value as number));
      return y;
    };
  }
  return (x) => x.index(...specs);
}

for (const c of fx.cases) {
  test(`index ${c.name} matches PyTorch`, () => checkCase(c, fnOf(c)));
  if (c.name.endsWith("_f64")) test(`index ${c.name} gradcheck`, () => gradcheckCase(c, fnOf(c)));
}

test("Tensor.data: in-place changes through it are invisible to autograd, as in PyTorch", () => {
  const w = torch.tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
  const y = w.mul(w).sum();
  w.data.add_(1);
  y.backward();
  assert.deepEqual(
    Array.from((w.grad as torch.Tensor).typedArray()),
    Array.from(dec(fx.data.gradAfterDataAdd).typedArray()),
  );
  assert.deepEqual(Array.from(w.detach().typedArray()), Array.from(dec(fx.data.wAfter).typedArray()));
  assert.equal(w.data.requiresGrad, false);
  assert.equal(w.data.gradFn, null);
  const p = torch.ones(2, 3);
  p.data = torch.zeros(4, { dtype: "float64" });
  assert.deepEqual(p.shape, fx.data.setShape);
  assert.equal(`torch.${p.dtype}`, fx.data.setDtype);
});

test("Tensor.data on a Parameter: w.data.uniform_ and p.data.mul_ write the parameter", () => {
  const lin = new torch.nn.Linear(3, 2);
  lin.weight.data.fill_(0.5);
  lin.weight.data.mul_(2);
  assert.deepEqual(Array.from(lin.weight.detach().typedArray()), [1, 1, 1, 1, 1, 1]);
  lin.weight.data.uniform_(-0.1, 0.1);
  assert.ok(Array.from(lin.weight.detach().typedArray()).every((v) => Math.abs(v) <= 0.1));
});

test("new* factories take the tensor's dtype, as PyTorch", () => {
  const x = torch.randn(2, { dtype: "float64" });
  const f = fx.factories;
  const same = (t: torch.Tensor, e: SurfEnc) => {
    assert.deepEqual(t.shape, e.shape);
    assert.equal(t.dtype, e.dtype);
    assert.deepEqual(Array.from(t.typedArray(), Number), Array.from(dec(e).typedArray(), Number));
  };
  same(x.newZeros(2, 3), f.newZeros as SurfEnc);
  same(x.newOnes([3]), f.newOnes as SurfEnc);
  same(x.newFull([2], 7), f.newFull as SurfEnc);
  same(x.newTensor([1, 2]), f.newTensor as SurfEnc);
  same(x.newZeros(2, { dtype: "int64" }), f.newZerosInt as SurfEnc);
  assert.deepEqual(x.newEmpty(4, 1).shape, f.newEmptyShape);
});
