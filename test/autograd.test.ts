// Autograd: finite-difference gradcheck (float64) of every differentiable op, including
// broadcasting and non-contiguous inputs, double backward, and the autograd API
// (grad, createGraph, retainGraph, retainGrad, noGrad/enableGrad, Function, detach,
// requiresGrad_, accumulation), checked against PyTorch where numbers are involved.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { loadFixture } from "./helpers/fixtures.js";
import { cases, leaf, rnd } from "./helpers/gradcheck-cases.js";
import { chainApply } from "./helpers/chains.js";

describe("gradcheck (float64 finite differences)", () => {
  for (const c of cases) {
    test(c.name, () => assert.equal(torch.autograd.gradcheck(c.fn, c.inputs()), true));
  }
});

/** Double backward: the gradient (with createGraph) as a function passes gradcheck too. */
describe("gradgradcheck", () => {
  const picked = cases.filter(
    (c) =>
      !/in-place|_|custom|split|chunk|unbind|scatter|floor|ceil|round|trunc|sign|remainder|fmod|relu|abs|clamp|max|min|amax|amin|where|Fill|gather|index|Select/.test(
        c.name,
      ),
  );
  for (const c of picked) {
    test(c.name, () => {
      const inputs = c.inputs();
      const outs = [c.fn(...inputs)].flat();
      const vs = outs.map((o) =>
        torch
          .tensor(
            Array.from({ length: o.numel() }, () => rnd() - 0.5),
            { dtype: torch.float64 },
          )
          .reshape(o.shape),
      );
      const gg = (...xs: Tensor[]) => {
        const os = [c.fn(...xs)].flat();
        return torch.autograd
          .grad(os, xs, { gradOutputs: vs, createGraph: true, allowUnused: true })
          .map((g, i) => g ?? torch.zerosLike(xs[i]));
      };
      assert.equal(torch.autograd.gradcheck(gg, inputs, { atol: 1e-4, rtol: 1e-3 }), true);
    });
  }
});

type Nested = number[] | number[][];
interface AutogradFixture {
  autograd: Record<"second" | "second_matmul", { x: Nested; g1: Nested; g2: Nested }> & {
    copy_into_view: { x: Nested; str: string; y_grad: Nested };
    inplace_views: { b: Nested; a_grad: Nested };
    stale_views: { v: Nested; a_grad: Nested; a2_grad: Nested };
  };
  chains: {
    inputs: number[][][];
    steps: [string, number, number][];
    weights: number[];
    out: number;
    grads: (number[][] | null)[];
  }[];
}
const fxAll = loadFixture<AutogradFixture>("ops-extra.json");
const fx = fxAll.autograd;
const close = (a: unknown, b: unknown, tol = 1e-10) => {
  const fa = [a].flat(3) as number[],
    fb = [b].flat(3) as number[];
  assert.equal(fa.length, fb.length);
  fa.forEach((v, i) =>
    assert.ok(Math.abs(v - fb[i]) <= tol * (1 + Math.abs(fb[i])), `element ${i}: ${v} vs PyTorch ${fb[i]}`),
  );
};

describe("autograd API", () => {
  test("createGraph: second derivative of x^3 sin x matches PyTorch", () => {
    const f = fx.second;
    const x = torch.tensor(f.x, { dtype: torch.float64, requiresGrad: true });
    const y = x.pow(3).mul(x.sin()).sum();
    const [g1] = torch.autograd.grad(y, x, { createGraph: true });
    close((g1 as Tensor).tolist(), f.g1);
    assert.ok((g1 as Tensor).requiresGrad);
    const [g2] = torch.autograd.grad((g1 as Tensor).sum(), x);
    close((g2 as Tensor).tolist(), f.g2);
  });
  test("createGraph through matmul and tanh matches PyTorch", () => {
    const f = fx.second_matmul;
    const x = torch.tensor(f.x, { dtype: torch.float64, requiresGrad: true });
    const y = torch.tanh(x.matmul(x)).pow(2).sum();
    const [g1] = torch.autograd.grad(y, [x], { createGraph: true }) as Tensor[];
    close(g1.tolist(), f.g1);
    const [g2] = torch.autograd.grad(g1.mul(g1).sum(), x) as Tensor[];
    close(g2.tolist(), f.g2);
  });
  test("in-place change of a view sends the region's gradient to the new value (CopySlices), as PyTorch", () => {
    const f = fx.copy_into_view;
    const y = torch.tensor([1.5, -2], { requiresGrad: true });
    const x = torch.zeros(3, 2);
    x.select(0, 1).copy_(y.mul(2));
    assert.deepEqual(x.tolist(), f.x);
    assert.equal(x.toString(), f.str);
    x.mul(
      torch.tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { dtype: torch.float32 },
      ),
    )
      .sum()
      .backward();
    assert.deepEqual(y.grad?.tolist(), f.y_grad);
  });
  test("in-place ops on views of a non-leaf: the rest of the base keeps its history", () => {
    const f = fx.inplace_views;
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: torch.float32, requiresGrad: true },
    );
    const b = a.mul(1);
    b.select(1, 0).mul_(10);
    b.narrow(0, 1, 1).fill_(7);
    b.select(0, 0).add_(torch.tensor([0.5, 0.25]));
    assert.deepEqual(b.tolist(), f.b);
    b.pow(2).sum().backward();
    assert.deepEqual(a.grad?.tolist(), f.a_grad);
    const leafy = torch.ones(2, 2, { requiresGrad: true });
    assert.throws(() => leafy.select(0, 0).mul_(2), torch.AutogradError);
  });
  test("a view made before an in-place change of its base takes the base's new history", () => {
    const f = fx.stale_views;
    const a = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: torch.float32, requiresGrad: true },
    );
    const b = a.mul(1);
    const v = b.select(0, 0);
    b.mul_(2);
    assert.deepEqual(v.tolist(), f.v);
    v.mul(torch.tensor([1, 10], { dtype: torch.float32 }))
      .sum()
      .backward();
    assert.deepEqual(a.grad?.tolist(), f.a_grad);
    const a2 = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: torch.float32, requiresGrad: true },
    );
    const b2 = a2.mul(1);
    const v1 = b2.select(0, 0),
      v2 = b2.select(1, 1);
    v1.mul_(3); // through another view of the same base
    v2.add(0).sum().backward();
    assert.deepEqual(a2.grad?.tolist(), f.a2_grad);
  });
  test("autograd.grad returns gradients without touching .grad; allowUnused", () => {
    const a = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: torch.float32, requiresGrad: true });
    const [ga] = torch.autograd.grad(a.mul(b).sum(), [a]);
    assert.deepEqual((ga as Tensor).tolist(), [3, 4]);
    assert.equal(a.grad, null);
    assert.throws(() => torch.autograd.grad(a.sum(), [a, b]), torch.AutogradError);
    const [, gb] = torch.autograd.grad(a.sum(), [a, b], { allowUnused: true });
    assert.equal(gb, null);
  });
  test("retainGraph allows a second backward; gradients accumulate", () => {
    const x = torch.tensor([1, 2, 3], { dtype: torch.float32, requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    assert.deepEqual(x.grad?.tolist(), [2, 4, 6]);
    y.backward();
    assert.deepEqual(x.grad?.tolist(), [4, 8, 12]);
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad?.tolist(), [7, 11, 15]);
    assert.equal(x.grad?.requiresGrad, false);
  });
  test("backward({ inputs }) accumulates only into the given tensors", () => {
    const a = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: torch.float32, requiresGrad: true });
    const h = a.mul(b);
    h.sum().backward(null, { inputs: [b, h] });
    assert.equal(a.grad, null);
    assert.deepEqual(b.grad?.tolist(), [1, 2]);
    assert.deepEqual(h.grad?.tolist(), [1, 1]);
  });
  test("backward with an explicit gradient for a non-scalar", () => {
    const x = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: torch.float32, requiresGrad: true },
    );
    x.mul(2).backward(
      torch.tensor([
        [1, 0.5],
        [-1, 2],
      ]),
    );
    assert.deepEqual(x.grad?.tolist(), [
      [2, 1],
      [-2, 4],
    ]);
  });
  test("retainGrad keeps a non-leaf's gradient; others do not", () => {
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const h = x.mul(3);
    h.retainGrad();
    const k = h.exp();
    k.sum().backward();
    assert.deepEqual(h.grad?.tolist(), k.detach().tolist());
    assert.equal(k.grad, null);
    assert.equal(h.isLeaf, false);
  });
  test("noGrad / enableGrad / setGradEnabled", () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = torch.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    assert.equal(z.requiresGrad, true);
    assert.equal(torch.isGradEnabled(), true);
    torch.setGradEnabled(false);
    try {
      assert.equal(x.add(1).requiresGrad, false);
    } finally {
      torch.setGradEnabled(true);
    }
    assert.throws(
      () =>
        torch.noGrad(() => {
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(torch.isGradEnabled(), true);
  });
  test("in-place changes through detach() are allowed, even of a leaf that requires grad", () => {
    const p = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    p.detach().mul_(3);
    assert.deepEqual(p.tolist(), [3, 6]);
    assert.equal(p.isLeaf, true);
    assert.equal(p.gradFn, null);
    p.detach().select(0, 0).fill_(-1);
    assert.deepEqual(p.tolist(), [-1, 6]);
    p.mul(2).sum().backward();
    assert.deepEqual(p.grad?.tolist(), [2, 2]);
    // but a saved tensor changed through detach() is still caught (shared version counter)
    const q = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = q.exp();
    y.detach().zero_();
    assert.throws(() => y.sum().backward(), torch.AutogradError);
  });
  test("detach shares storage and cuts history", () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.gradFn, null);
    assert.equal(d.storage, y.storage);
    const z = d.mul(x).sum();
    z.backward();
    assert.deepEqual(x.grad?.tolist(), [2, 2, 2]);
  });
  test("requiresGrad_ rules", () => {
    const x = torch.ones(2);
    assert.equal(x.requiresGrad_(), x);
    assert.equal(x.requiresGrad, true);
    x.requiresGrad_(false);
    assert.equal(x.requiresGrad, false);
    const y = torch.ones(2, { requiresGrad: true }).mul(2);
    assert.throws(() => y.requiresGrad_(false), torch.ValueError);
    assert.throws(() => torch.tensor([1, 2]).requiresGrad_(), torch.ValueError);
    assert.throws(() => torch.tensor([1, 2], { requiresGrad: true }), torch.ValueError);
    // integer results of float inputs do not require grad
    assert.equal(torch.ones(2, { requiresGrad: true }).argmax().requiresGrad, false);
    assert.equal(torch.ones(2, { requiresGrad: true }).gt(0).requiresGrad, false);
  });
  test("custom Function: forward, backward, needsInputGrad, non-tensor args", () => {
    class Scale extends torch.autograd.Function {
      static override forward(ctx: torch.autograd.FunctionCtx, x: Tensor, k: number): Tensor {
        ctx.k = k;
        return x.mul(k);
      }
      static override backward(ctx: torch.autograd.FunctionCtx, g: Tensor): (Tensor | null)[] {
        assert.deepEqual(ctx.needsInputGrad, [true, false]);
        return [g.mul(ctx.k as number), null];
      }
    }
    const x = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
    const y = Scale.apply(x, 3) as Tensor;
    assert.deepEqual(y.tolist(), [3, 6]);
    assert.match(String(y.gradFn?.name), /Scale/);
    y.sum().backward();
    assert.deepEqual(x.grad?.tolist(), [3, 3]);
  });
  test("custom Function: a gradient of the wrong shape is an error; dtypes are cast", () => {
    class BadShape extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        return g.sum();
      }
    }
    const x = torch.ones(2, 3, { requiresGrad: true });
    assert.throws(
      () => (BadShape.apply(x) as Tensor).sum().backward(),
      (e: unknown) =>
        e instanceof torch.AutogradError && /BadShapeBackward/.test(e.message) && /\[2, 3\]/.test(e.message),
    );
    class Wide extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        return g.double().mul(2);
      }
    }
    const y = torch.ones(2, { requiresGrad: true });
    (Wide.apply(y) as Tensor).sum().backward();
    assert.equal(y.grad?.dtype, "float32");
    assert.deepEqual(y.grad?.tolist(), [2, 2]);
  });
  test("gradient accumulation over two backward calls, and zeroing", () => {
    const w = torch.tensor([0.5, -1], { dtype: torch.float32, requiresGrad: true });
    w.mul(torch.tensor([2, 3], { dtype: torch.float32 }))
      .sum()
      .backward();
    const first = w.grad as Tensor;
    w.mul(torch.tensor([2, 3], { dtype: torch.float32 }))
      .sum()
      .backward();
    assert.deepEqual(w.grad?.tolist(), [4, 6]);
    assert.equal(w.grad, first, "accumulated in place, as PyTorch's AccumulateGrad");
    w.grad?.zero_();
    w.pow(2).sum().backward();
    assert.deepEqual(w.grad?.tolist(), [1, -2]);
  });
  test("gradcheck catches a wrong backward", () => {
    class Wrong extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(x);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    const x = leaf([3]);
    assert.throws(() => torch.autograd.gradcheck((t) => Wrong.apply(t) as Tensor, [x]), torch.autograd.GradcheckError);
    assert.equal(
      torch.autograd.gradcheck((t) => Wrong.apply(t) as Tensor, [x], { raiseException: false }),
      false,
    );
  });
});

describe("random op chains against PyTorch (shared subexpressions, views, in-place ops)", () => {
  fxAll.chains.forEach((c, ci) => {
    test(`chain ${ci}: ${c.steps.map((s) => s[0]).join(" ")}`, () => {
      const ins = c.inputs.map((v) => torch.tensor(v, { dtype: torch.float64, requiresGrad: true }));
      const vals: Tensor[] = [...ins];
      for (const [op, ia, ib] of c.steps) vals.push(chainApply(op, vals[ia], vals[ib]));
      let out = torch.tensor(0, { dtype: torch.float64 });
      vals.slice(ins.length).forEach((v, i) => (out = out.add(v.sum().mul(c.weights[i]))));
      close(out.item(), c.out, 1e-9);
      const gs = torch.autograd.grad(out, ins, { allowUnused: true });
      c.grads.forEach((g, i) => {
        if (g === null) assert.ok(gs[i] === null || (gs[i] as Tensor).abs().sum().item() === 0);
        else close((gs[i] as Tensor).tolist(), g, 1e-9);
      });
    });
  });
});
