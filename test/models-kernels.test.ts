// The fused kernels of the model families (GRU cell, layer norm, softmax backward, scaled
// dot-product attention, foreach optimizer steps) give the numbers of the composed ops they
// replace: each case runs forward and backward on the native backend and on the reference one
// (which declines every fused kernel) and compares values and gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { type Enc, assertClose, dec, fixture } from "./nn-helpers.js";

const hasAddon = existsSync("build/Release/flint_native.node");
// Native against reference needs the addon loaded, which FLINT_BACKEND=ref or wasm prevents.
const forced = process.env.FLINT_BACKEND ?? "";
const skip =
  (!hasAddon || (forced !== "" && forced !== "native")) && "needs the native addon (and FLINT_BACKEND unset)";

/** Runs fn on the native and on the reference backend; returns both results' arrays. */
function both(fn: () => torch.Tensor[]): [Float32Array[], Float32Array[]] {
  const before = torch.backendName() as "ref" | "native";
  try {
    torch.setBackend("native");
    const a = fn().map((t) => t.typedArray() as Float32Array);
    torch.setBackend("ref");
    const b = fn().map((t) => t.typedArray() as Float32Array);
    return [a, b];
  } finally {
    torch.setBackend(before);
  }
}

function close(a: Float32Array[], b: Float32Array[], tol = 1e-5): void {
  assert.equal(a.length, b.length);
  a.forEach((x, k) => {
    assert.equal(x.length, b[k].length, `result ${k} length`);
    x.forEach((v, i) =>
      assert.ok(Math.abs(v - b[k][i]) <= tol * (1 + Math.abs(b[k][i])), `result ${k} element ${i}: ${v} vs ${b[k][i]}`),
    );
  });
}

test("GRU: the fused cell gives the composed cell's outputs and gradients", { skip }, () => {
  const run = (): torch.Tensor[] => {
    torch.manualSeed(3);
    const gru = new nn.GRU(5, 7, { numLayers: 2, batchFirst: true });
    const x = torch.randn([3, 4, 5], { requiresGrad: true });
    const h0 = torch.randn([2, 3, 7], { requiresGrad: true });
    const [out, h] = gru(x, h0);
    out.mul(torch.randn(out.shape)).sum().add(h.pow(2).sum()).backward();
    return [out, h, x.grad!, h0.grad!, ...gru.parameters().map((p) => p.grad!)];
  };
  close(...both(run));
});

test("layer norm: fused forward and backward equal the composed ops, with and without affine", { skip }, () => {
  for (const affine of [true, false]) {
    const run = (): torch.Tensor[] => {
      torch.manualSeed(4);
      const ln = new nn.LayerNorm([3, 6], { elementwiseAffine: affine });
      if (affine) for (const p of ln.parameters()) p.data.copy_(torch.randn(p.shape));
      const x = torch.randn([4, 3, 6], { requiresGrad: true });
      const y = ln(x);
      y.mul(torch.randn(y.shape)).sum().backward();
      return [y, x.grad!, ...ln.parameters().map((p) => p.grad!)];
    };
    close(...both(run));
  }
});

test("layer norm: a gradient of the gradient (createGraph) differentiates the composed ops", { skip }, () => {
  const run = (): torch.Tensor[] => {
    torch.manualSeed(5);
    const x = torch.randn([2, 8], { requiresGrad: true });
    const w = torch.randn([8], { requiresGrad: true });
    const y = nn.functional.layerNorm(x, [8], w, null);
    const gx = torch.autograd.grad([y.pow(3).sum()], [x], { createGraph: true })[0]!;
    gx.sum().backward();
    return [gx, x.grad!, w.grad!];
  };
  close(...both(run), 1e-4);
});

test("softmax and log-softmax: one-pass backward equals the composed formula", { skip }, () => {
  const run = (): torch.Tensor[] => {
    torch.manualSeed(6);
    const x = torch.randn([3, 5, 9], { requiresGrad: true });
    const a = x.softmax(-1),
      b = x.logSoftmax(-1);
    a.mul(torch.randn(a.shape))
      .sum()
      .add(b.mul(torch.randn(b.shape)).sum())
      .backward();
    return [a, b, x.grad!];
  };
  close(...both(run));
});

interface SdpaCase {
  name: string;
  isCausal: boolean;
  [k: string]: Enc | string | boolean;
}
const sdpa = fixture<{ cases: SdpaCase[] }>("sdpa.json");
for (const c of sdpa.cases) {
  test(`scaledDotProductAttention ${c.name} matches PyTorch 2.0's formula (values and gradients)`, () => {
    const e = (k: string) => c[k] as Enc;
    const q = dec(e("q")).requiresGrad_(),
      k = dec(e("k")).requiresGrad_(),
      v = dec(e("v")).requiresGrad_();
    let mask: torch.Tensor | null = null;
    if (c.mask) mask = (e("mask").dtype as string) === "bool" ? dec(e("mask")).ne(0) : dec(e("mask")).requiresGrad_();
    const out = nn.functional.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: c.isCausal });
    assertClose(out, dec(e("out")), `${c.name} out`);
    out
      .mul(dec(e("gradOut")))
      .sum()
      .backward();
    assertClose(q.grad!, dec(e("dq")), `${c.name} dq`);
    assertClose(k.grad!, dec(e("dk")), `${c.name} dk`);
    assertClose(v.grad!, dec(e("dv")), `${c.name} dv`);
    if (c.dmask) assertClose(mask!.grad!, dec(e("dmask")), `${c.name} dmask`);
  });
}

test("scaledDotProductAttention: createGraph differentiates the composed definition", () => {
  torch.manualSeed(7);
  const q = torch.randn([2, 3, 4], { dtype: "float64", requiresGrad: true });
  const k = torch.randn([2, 5, 4], { dtype: "float64", requiresGrad: true });
  const v = torch.randn([2, 5, 4], { dtype: "float64", requiresGrad: true });
  assert.ok(torch.autograd.gradcheck((a, b, c) => nn.functional.scaledDotProductAttention(a, b, c), [q, k, v]));
  // Second derivatives through the op equal those through the formula written with plain ops.
  const formula = (a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) =>
    a.matmul(b.transpose(-2, -1)).div(2).softmax(-1).matmul(c);
  const second = (f: typeof formula): torch.Tensor[] => {
    for (const t of [q, k, v]) t.grad = null;
    const gs = torch.autograd.grad([f(q, k, v).pow(2).sum()], [q, k, v], { createGraph: true });
    gs.reduce((acc: torch.Tensor, g) => acc.add(g!.pow(2).sum()), torch.zeros([], { dtype: "float64" })).backward();
    return [...gs.map((g) => g!.detach()), q.grad!, k.grad!, v.grad!];
  };
  const a = second((x, y, z) => nn.functional.scaledDotProductAttention(x, y, z)),
    b = second(formula);
  a.forEach((t, i) => assertClose(t, b[i], `second-order ${i}`, 1e-9, 1e-12));
});

test("scaledDotProductAttention: bad arguments name the op and shapes", () => {
  const q = torch.randn([2, 3, 4]);
  assert.throws(
    () => nn.functional.scaledDotProductAttention(q, torch.randn([2, 5, 3]), torch.randn([2, 5, 4])),
    /scaled_dot_product_attention: .*\[2, 3, 4\]/,
  );
  assert.throws(
    () => nn.functional.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: torch.zeros([3, 3]) }),
    /is_causal/,
  );
});

test("Adam/AdamW foreach (one native call per group) equals the single-tensor update", { skip }, () => {
  for (const [Opt, amsgrad] of [
    [torch.optim.Adam, false],
    [torch.optim.AdamW, true],
  ] as const) {
    const run = (): torch.Tensor[] => {
      torch.manualSeed(8);
      const ps = [torch.randn([5, 3]), torch.randn([7]), torch.randn([2, 2, 2])].map((t) => t.requiresGrad_());
      const opt = new Opt(ps, { lr: 0.01, weightDecay: 0.1, amsgrad });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        ps.reduce(
          (acc: torch.Tensor, p) => acc.add(p.pow(2).mul(torch.randn(p.shape)).sum()),
          torch.zeros([]),
        ).backward();
        opt.step();
      }
      return ps.map((p) => p.detach());
    };
    close(...both(run), 1e-6);
  }
});
