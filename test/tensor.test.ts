// Creation (dtype inference, factories), printing and reading back, against PyTorch 1.13
// (fixtures from scripts/fixtures/ops_fixtures.py).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { type EncTensor, type Spec, FWD, assertTensor, buildSpec, loadFixture } from "./helpers/fixtures.js";

interface Fixture {
  creation: { name: string; expr: string; call: unknown[]; out: EncTensor }[];
  prints: { name: string; t: Spec; str: string }[];
  gradfn: { name: string; expr: string; str: string }[];
}
const fx = loadFixture<Fixture>("ops-extra.json");
type Fn = (...a: unknown[]) => unknown;
const ns = torch as unknown as Record<string, Fn>;

const decodeArg = (a: unknown): unknown => (a !== null && typeof a === "object" && "T" in a ? buildSpec((a as { T: Spec }).T) : a);

describe("creation", () => {
  for (const c of fx.creation) {
    test(`${c.name}: ${c.expr}`, () => {
      const [fn, ...args] = c.call as [string, ...unknown[]];
      assert.equal(typeof ns[fn], "function", `torch.${fn} is missing`);
      assertTensor(ns[fn](...args.map(decodeArg)), c.out, FWD, c.expr);
    });
  }
});

describe("printing", () => {
  for (const p of fx.prints) {
    test(p.name, () => assert.equal(buildSpec(p.t).toString(), p.str));
  }
  const ops: Record<string, (x: torch.Tensor) => torch.Tensor> = {
    mul: (x) => x.mul(2), add: (x) => x.add(1), sum: (x) => x.sum(), mean: (x) => x.mean(), exp: (x) => x.exp(),
    neg: (x) => x.neg(), sub: (x) => x.sub(1), div: (x) => x.div(2), relu: (x) => x.relu(),
  };
  for (const g of fx.gradfn) {
    test(`grad_fn of ${g.expr}`, () => {
      const x = torch.tensor([1.0, -2.0], { dtype: torch.float32, requiresGrad: true });
      assert.equal(ops[g.name](x).toString(), g.str);
    });
  }
  test("console.log shows the PyTorch form", async () => {
    const { inspect } = await import("node:util");
    assert.equal(inspect(torch.tensor([[1, 2]], { dtype: torch.float32 })), "tensor([[1., 2.]])");
  });
});

describe("reading back", () => {
  test("item, tolist, typedArray, shape, dtype, numel, dim", () => {
    const x = torch.tensor([[1.5, -2], [3, 4]]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(x.shape, [2, 2]);
    assert.equal(x.numel(), 4);
    assert.equal(x.dim(), 2);
    assert.deepEqual(x.tolist(), [[1.5, -2], [3, 4]]);
    assert.deepEqual(x.t().tolist(), [[1.5, 3], [-2, 4]]);
    assert.deepEqual(Array.from(x.t().typedArray()), [1.5, 3, -2, 4]);
    assert.ok(x.typedArray() instanceof Float32Array);
    assert.equal(x.select(0, 1).select(0, 0).item(), 3);
    assert.equal(torch.tensor([true]).item(), true);
    assert.deepEqual(torch.tensor([true, false]).tolist(), [true, false]);
    assert.equal(torch.tensor(5).item(), 5);
    assert.throws(() => x.item(), (e: unknown) => e instanceof torch.ValueError && /item/.test(e.message) && /\[2, 2\]/.test(e.message));
  });
  test("L1Loss seed value prints like PyTorch's item()", () => {
    const input = torch.reshape(torch.tensor([1, 1, 3], { dtype: torch.float32 }), [1, 1, 1, 3]);
    const target = torch.reshape(torch.tensor([1, 2, 5], { dtype: torch.float32 }), [1, 1, 1, 3]);
    assert.equal(input.sub(target).abs().mean().item(), 1);
    assert.equal(torch.tensor([2 / 3], { dtype: torch.float32 }).item(), 0.6666666865348816);
  });
  test("views share storage; contiguous copies only when needed", () => {
    const x = torch.arange(6, { dtype: torch.float32 }).reshape(2, 3);
    const v = x.view(-1);
    assert.equal(v.storage, x.storage);
    const t = x.t();
    assert.equal(t.storage, x.storage);
    assert.equal(t.isContiguous(), false);
    assert.equal(x.contiguous(), x);
    assert.notEqual(t.contiguous().storage, x.storage);
    v.storage.data[0] = 42;
    assert.equal(x.select(0, 0).select(0, 0).item(), 42);
    assert.deepEqual(x.expand(3, 2, 3).strides, [0, 3, 1]);
    assert.equal(x.narrow(1, 1, 2).storage, x.storage);
  });
  test("dtype conversions", () => {
    const x = torch.tensor([1.7, -1.7, 0]);
    assert.equal(x.double().dtype, "float64");
    assert.deepEqual(x.long().tolist(), [1, -1, 0]);
    assert.deepEqual(x.int().tolist(), [1, -1, 0]);
    assert.deepEqual(x.bool().tolist(), [true, true, false]);
    assert.equal(x.float(), x);
    assert.equal(x.to(torch.float32), x);
    assert.notEqual(x.to({ dtype: torch.float32, copy: true }), x);
  });
});
