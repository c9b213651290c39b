// The fused whole-sequence LSTM / GRU layers (src/nn/modules/rnn-layer.ts, native/rnn_layer.cc)
// against the step-by-step composition that defines them: outputs, final states and every
// gradient to float32 rounding, in both directions, with and without biases; and double backward
// through them (which falls back to the composition) against the same model in float64. PyTorch's
// own numbers for these layers are checked by test/nn-rnn.test.ts (test/fixtures/nn/rnn.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { backend } from "../src/backend/backend.js";
import { fusedDirection } from "../src/nn/modules/rnn-layer.js";
import { forwardDirection, gruStep, lstmStep, reverseDirection } from "../src/nn/modules/rnn-steps.js";

const fusedAvailable = backend().rnnLayer !== undefined && torch.backendName() === "native";

const close = (a: Tensor, b: Tensor, what: string, tol = 2e-5): void => {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.to("float64").typedArray(),
    y = b.to("float64").typedArray();
  for (let k = 0; k < x.length; k++) {
    const err = Math.abs(x[k] - y[k]);
    assert.ok(err <= tol * (1 + Math.abs(y[k])), `${what}[${k}]: ${x[k]} vs ${y[k]}`);
  }
};

for (const mode of ["LSTM", "GRU"] as const) {
  for (const reverse of [false, true]) {
    for (const bias of [true, false]) {
      test(`fused ${mode} layer (reverse ${reverse}, bias ${bias}) equals the step-by-step definition`, (t) => {
        if (!fusedAvailable) return t.skip("the backend has no fused recurrent layer");
        torch.manualSeed(7);
        const [T, B, H, G] = [6, 3, 5, mode === "LSTM" ? 20 : 15];
        const leaf = (shape: number[]): Tensor => torch.randn(shape).mul(0.7).requiresGrad_(true);
        const xw = leaf([T * B, G]);
        const h0 = mode === "LSTM" ? [leaf([B, H]), leaf([B, H])] : [leaf([B, H])];
        const w = { wIh: leaf([G, 4]), wHh: leaf([G, H]), bIh: null, bHh: bias ? leaf([G]) : null };
        const inputs = [xw, ...h0, w.wHh, ...(w.bHh ? [w.bHh] : [])];
        const sizes = new Array<number>(T).fill(B);
        const fused = fusedDirection(mode, xw, sizes, h0, w, reverse);
        assert.ok(fused, "the fused path applies");
        assert.equal(fused[0].gradFn?.name, mode === "LSTM" ? "LstmLayerBackward" : "GruLayerBackward");
        const walk = reverse ? reverseDirection : forwardDirection;
        const ref = walk(mode === "LSTM" ? lstmStep : gruStep, xw, sizes, h0, w);
        const outs = [fused[0], ...fused[1]],
          refs = [ref[0], ...ref[1]];
        outs.forEach((o, k) => close(o, refs[k], `output ${k}`));
        // Only some outputs reach the loss (the others get zero gradients), as in a language model.
        const gs = outs.map((o) => torch.randn(o.shape));
        for (const used of [outs.map(() => true), outs.map((_, k) => k === 0)]) {
          const loss = (os: Tensor[]): Tensor =>
            os.map((o, k) => (used[k] ? o.mul(gs[k]).sum() : o.sum().mul(0))).reduce((a, b) => a.add(b));
          const got = torch.autograd.grad(loss(outs), inputs, { retainGraph: true });
          const want = torch.autograd.grad(loss(refs), inputs, { retainGraph: true });
          got.forEach((g, k) => close(g!, want[k]!, `gradient ${k}`));
        }
      });
    }
  }
}

test("LSTM and GRU modules run fused on float32 and support double backward (as PyTorch's CPU layers)", (t) => {
  if (!fusedAvailable) return t.skip("the backend has no fused recurrent layer");
  for (const Ctor of [nn.LSTM, nn.GRU]) {
    torch.manualSeed(11);
    const m = new Ctor(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true });
    const m64 = new Ctor(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" });
    m64.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.to("float64")])));
    const x = torch.randn([2, 5, 3]);
    const run = (mod: typeof m, dtype: "float32" | "float64"): Tensor[] => {
      const xi = x.to(dtype).requiresGrad_(true);
      const [out, hn] = (mod as unknown as (a: Tensor) => [Tensor, Tensor | Tensor[]])(xi);
      const h = Array.isArray(hn) ? hn[0] : hn;
      if (dtype === "float32") assert.match(String(h.gradFn?.name), /StackBackward/);
      const [gx] = torch.autograd.grad(out.pow(2).sum().add(h.sum()), [xi], { createGraph: true });
      // A gradient penalty: differentiate the input gradient again, into the parameters.
      const params = mod.parameters();
      return torch.autograd.grad(gx!.pow(2).sum(), params) as Tensor[];
    };
    const got = run(m, "float32"),
      want = run(m64, "float64");
    got.forEach((g, k) => close(g, want[k], `${Ctor.name} double-backward gradient ${k}`, 1e-4));
  }
});
