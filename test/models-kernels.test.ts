// The fused kernels of the model families (GRU cell, layer norm, softmax backward, scaled
// dot-product attention, foreach optimizer steps) give the numbers of the composed ops they
// replace: each case runs forward and backward on the native backend and on the reference one
// (which declines every fused kernel) and compares values and gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";

const hasAddon = existsSync("build/Release/flint_native.node");
const skip = !hasAddon && "native addon not built";

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
    const [gx] = torch.autograd.grad([y.pow(3).sum()], [x], { createGraph: true });
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
