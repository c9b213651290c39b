// Creation (dtype inference, factories), printing and reading back, against PyTorch 1.13
// (fixtures from scripts/fixtures/ops_fixtures.py).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { type EncTensor, type Spec, FWD, assertTensor, buildSpec, loadFixture } from "./helpers/fixtures.js";

interface Fixture {
  creation: { name: string; expr: string; call: unknown[]; out: EncTensor }[];
  prints: { name: string; t: Spec; str: string }[];
  gradfn: { name: string; grad_fn: string }[];
  gradfnInputs: { x: number[][]; v: number[]; b3: number[][][] };
}
const fx = loadFixture<Fixture>("ops-extra.json");
type Fn = (...a: unknown[]) => unknown;
const ns = torch as unknown as Record<string, Fn>;

const decodeArg = (a: unknown): unknown =>
  a !== null && typeof a === "object" && "T" in a ? buildSpec((a as { T: Spec }).T) : a;

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
  type T3 = (x: torch.Tensor, v: torch.Tensor, b3: torch.Tensor) => torch.Tensor;
  const i64 = (a: number[][]) => torch.tensor(a, { dtype: torch.int64 });
  const exprs: Record<string, T3> = {
    add: (x) => x.add(1),
    addT: (x) => x.add(x),
    sub: (x) => x.sub(1),
    rsub: (x) => torch.sub(1, x),
    mul: (x) => x.mul(2),
    mulT: (x) => x.mul(x),
    div: (x) => x.div(2),
    divT: (x) => x.div(x),
    pow: (x) => x.pow(2),
    powT: (x) => x.pow(x),
    rpow: (x) => torch.pow(2, x),
    neg: (x) => x.neg(),
    abs: (x) => x.abs(),
    exp: (x) => x.exp(),
    log: (x) => x.log(),
    sqrt: (x) => x.sqrt(),
    rsqrt: (x) => x.rsqrt(),
    sigmoid: (x) => x.sigmoid(),
    tanh: (x) => x.tanh(),
    relu: (x) => x.relu(),
    sin: (x) => x.sin(),
    clamp: (x) => x.clamp(-1, 1),
    clampmin: (x) => x.clamp({ min: 0 }),
    maximum: (x) => torch.maximum(x, x),
    where: (x) => torch.where(x.gt(0), x, x),
    sum: (x) => x.sum(),
    sumdim: (x) => x.sum(1),
    mean: (x) => x.mean(),
    meandim: (x) => x.mean(1),
    prod: (x) => x.prod(),
    proddim: (x) => x.prod(1),
    max: (x) => x.max(),
    maxdim: (x) => x.max(1)[0],
    amax: (x) => x.amax(1),
    min: (x) => x.min(),
    var: (x) => x.var(),
    vardim: (x) => x.var(1),
    std: (x) => x.std(),
    logsumexp: (x) => x.logsumexp(1),
    softmax: (x) => x.softmax(1),
    logsoftmax: (x) => x.logSoftmax(1),
    mm: (x) => x.matmul(x.t()),
    mv: (x, v) => x.matmul(v),
    dot: (_x, v) => v.matmul(v),
    bmm: (_x, _v, b3) => b3.matmul(b3.transpose(1, 2)),
    matmul3d2d: (x, _v, b3) => b3.matmul(x.t()),
    view: (x) => x.view(-1),
    t: (x) => x.t(),
    transpose: (x) => x.transpose(0, 1),
    permute: (x) => x.permute(1, 0),
    unsqueeze: (x) => x.unsqueeze(0),
    squeeze: (x) => x.unsqueeze(0).squeeze(),
    squeezedim: (x) => x.unsqueeze(0).squeeze(0),
    expand: (_x, v) => v.expand(3, 4),
    narrow: (x) => x.narrow(1, 0, 2),
    select: (x) => x.select(0, 1),
    slice: (x) => x.index(":", "1:3"),
    index: (x) => x.index([0, 2]),
    contiguous: (x) => x.t().contiguous(),
    clone: (x) => x.clone(),
    to: (x) => x.double(),
    cat: (x) => torch.cat([x, x]),
    stack: (x) => torch.stack([x, x]),
    split: (x) => x.split(2)[0],
    chunk: (x) => x.chunk(2)[0],
    unbind: (x) => x.unbind()[0],
    gather: (x) => x.gather(1, i64([[0], [1], [2]])),
    scatter: (x) => x.scatter(1, i64([[0], [1], [2]]), 0.5),
    index_select: (x) => x.indexSelect(0, torch.tensor([0])),
    masked_fill: (x) => x.maskedFill(x.gt(0), 0),
    unflatten: (x) => x.unflatten(1, [2, 2]),
    expm1: (x) => x.expm1(),
    square: (x) => x.square(),
    reshape: (x) => x.reshape(2, 6),
    reshapeT: (x) => x.t().reshape(-1),
    flatten: (x) => x.flatten(),
    flatten3d: (_x, _v, b3) => b3.flatten(1),
    mulinplace: (x) => x.mul(1).mul_(2),
    addinplace: (x) => x.mul(1).add_(1),
  };
  const inp = fx.gradfnInputs;
  for (const g of fx.gradfn) {
    test(`grad_fn of ${g.name} is ${g.grad_fn}`, () => {
      const leaf = (a: unknown) => torch.tensor(a as number[], { dtype: torch.float32, requiresGrad: true });
      const y = exprs[g.name](leaf(inp.x), leaf(inp.v), leaf(inp.b3));
      assert.match(y.toString(), new RegExp(`grad_fn=<${g.grad_fn}>\\)$`));
    });
  }
  test("console.log shows the PyTorch form", async () => {
    const { inspect } = await import("node:util");
    assert.equal(inspect(torch.tensor([[1, 2]], { dtype: torch.float32 })), "tensor([[1., 2.]])");
  });
});

describe("reading back", () => {
  test("item, tolist, typedArray, shape, dtype, numel, dim", () => {
    const x = torch.tensor([
      [1.5, -2],
      [3, 4],
    ]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(x.shape, [2, 2]);
    assert.equal(x.numel(), 4);
    assert.equal(x.dim(), 2);
    assert.deepEqual(x.tolist(), [
      [1.5, -2],
      [3, 4],
    ]);
    assert.deepEqual(x.t().tolist(), [
      [1.5, 3],
      [-2, 4],
    ]);
    assert.deepEqual(Array.from(x.t().typedArray()), [1.5, 3, -2, 4]);
    assert.ok(x.typedArray() instanceof Float32Array);
    assert.equal(x.select(0, 1).select(0, 0).item(), 3);
    assert.equal(torch.tensor([true]).item(), 1);
    assert.deepEqual(torch.tensor([true, false]).tolist(), [true, false]);
    assert.equal(torch.tensor(5).item(), 5);
    assert.throws(
      () => x.item(),
      (e: unknown) => e instanceof torch.ValueError && /item/.test(e.message) && /\[2, 2\]/.test(e.message),
    );
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
  test("every view op shares storage (no copy)", () => {
    const x = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    const views: [string, torch.Tensor][] = [
      ["view", x.view(6, 4)],
      ["view -1", x.view(-1)],
      ["reshape", x.reshape([4, 6])],
      ["flatten", x.flatten(1)],
      ["unflatten", x.unflatten(2, [2, 2])],
      ["permute", x.permute(2, 0, 1)],
      ["transpose", x.transpose(0, 2)],
      ["T of 2-D", x.select(0, 1).t()],
      ["squeeze", x.unsqueeze(1).squeeze(1)],
      ["unsqueeze", x.unsqueeze(-1)],
      ["expand", x.select(2, 0).unsqueeze(2).expand(2, 3, 5)],
      ["narrow", x.narrow(2, 1, 2)],
      ["select", x.select(1, -1)],
      ["slice", x.slice(2, 0, 4, 2)],
      ["index", x.index(1, "1:", "::3")],
      ["split", x.split(2, 2)[1]],
      ["chunk", x.chunk(3, 1)[2]],
      ["unbind", x.unbind(0)[1]],
      ["detach", x.detach()],
      ["contiguous of contiguous", x.contiguous()],
      ["to same dtype", x.to(torch.float32)],
    ];
    for (const [name, v] of views) assert.equal(v.storage, x.storage, `${name} copied`);
    // writes through a view are seen by the base
    x.narrow(2, 1, 2).fill_(-1);
    assert.deepEqual(x.select(0, 0).select(0, 0).tolist(), [0, -1, -1, 3]);
    assert.notEqual(x.transpose(0, 2).contiguous().storage, x.storage);
    assert.notEqual(x.clone().storage, x.storage);
  });
  test("torch.tensor from typed arrays infers the dtype from the array; fromTypedArray wraps without copying", () => {
    assert.equal(torch.tensor(new Float64Array([1.5, 2])).dtype, "float64");
    assert.equal(torch.tensor(new Float32Array([1.5, 2])).dtype, "float32");
    assert.equal(torch.tensor(new Int32Array([1, 2])).dtype, "int32");
    assert.equal(torch.tensor(new Uint8Array([1, 2])).dtype, "uint8");
    assert.equal(torch.tensor(new Int32Array([1, 2]), { dtype: torch.float32 }).dtype, "float32");
    const data = new Float32Array([1, 2, 3, 4]);
    const t = torch.tensor(data);
    data[0] = 9;
    assert.equal((t.tolist() as number[])[0], 1, "torch.tensor copies");
    const w = torch.fromTypedArray(data, [2, 2]);
    data[1] = 7;
    assert.deepEqual(w.tolist(), [
      [9, 7],
      [3, 4],
    ]);
    assert.throws(() => torch.fromTypedArray(data, [3]), torch.ValueError);
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
