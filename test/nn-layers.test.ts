// Every layer option set against PyTorch 1.13: output, input gradient, parameter gradients and
// buffers after the forward, from PyTorch's weights loaded with loadStateDict.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";

interface LayerCase {
  name: string;
  module: string;
  args: unknown[];
  opts: Record<string, unknown>;
  train: boolean;
  state: Record<string, Enc>;
  input: Enc;
  gradOut: Enc;
  output: Enc;
  inputGrad?: Enc;
  indices?: Enc;
  grads: Record<string, Enc>;
  buffersAfter: Record<string, Enc>;
}

const { cases } = fixture<{ cases: LayerCase[] }>("layers.json");

for (const c of cases) {
  test(`layer ${c.name} (${c.module}) matches PyTorch`, () => {
    const Ctor = ctorOf<nn.Module>(nn, c.module);
    const opts = { ...c.opts, ...(c.input.dtype === "float64" ? { dtype: "float64" } : {}) };
    const m = Object.keys(opts).length ? new Ctor(...c.args, opts) : new Ctor(...c.args);
    const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, dec(v)]));
    const r = m.loadStateDict(state);
    assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
    m.train(c.train);
    const x = dec(c.input);
    if (x.isFloatingPoint()) x.requiresGrad_(true);
    let out = m.call(x as never) as torch.Tensor | [torch.Tensor, torch.Tensor];
    if (Array.isArray(out)) {
      assert.ok(c.indices, "returnIndices");
      assert.deepEqual(Array.from(out[1].typedArray()), c.indices.ints);
      out = out[0];
    }
    const tol = c.input.dtype === "float64" ? 1e-10 : 1e-4;
    assertClose(out, dec(c.output), `${c.name} output`, tol, tol / 10);
    torch.mul(out, dec(c.gradOut)).sum().backward();
    if (c.inputGrad) assertClose(x.grad as torch.Tensor, dec(c.inputGrad), `${c.name} input grad`, tol, tol / 10);
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.grads))
      assertClose(params[k].grad as torch.Tensor, dec(g), `${c.name} grad ${k}`, tol, tol / 10);
    const bufs = Object.fromEntries(m.namedBuffers());
    for (const [k, b] of Object.entries(c.buffersAfter))
      assertClose(bufs[k], dec(b), `${c.name} buffer ${k}`, tol, tol / 10);
    // maxNorm renormalises the table in place, so the state dict after matches PyTorch's weight too.
  });
}
