// MultiheadAttention and the Transformer family against PyTorch 1.13 (test/fixtures/nn/attn.json,
// from scripts/fixtures/attn_fixtures.py): seeded initial weights bit for bit, outputs, attention
// weights, and gradients w.r.t. every input and parameter; dropout masks too where a seed is set
// before the forward. Plus float64 gradchecks, reprs, errors and the deep copies of the encoder.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec as decNum, fixture } from "./nn-helpers.js";

type BEnc = Omit<Enc, "dtype"> & { dtype: Enc["dtype"] | "bool" };
interface Spec {
  module: string;
  args?: unknown[];
  opts?: Record<string, unknown>;
}
interface Case {
  name: string;
  spec: Spec;
  seed: number;
  train: boolean;
  noGrad: boolean;
  fwdSeed: number | null;
  init: Record<string, BEnc>;
  state: Record<string, BEnc> | null;
  tensors: BEnc[];
  args: number[];
  kwargs: Record<string, unknown>;
  outputs: (BEnc | null)[];
  gradOuts: (BEnc | null)[];
  inputGrads?: (BEnc | null)[];
  grads?: Record<string, BEnc>;
}
const fx = fixture<{ cases: Case[]; reprs: Record<string, string>; misc: { squareSubsequentMask: BEnc } }>("attn.json");

const dec = (e: BEnc): torch.Tensor =>
  e.dtype === "bool"
    ? torch.tensor((e.ints as number[]).map(Boolean), { dtype: "bool" }).reshape(e.shape)
    : decNum(e as Enc);
const ACT: Record<string, (x: torch.Tensor) => torch.Tensor> = {
  tanh: torch.tanh,
  relu: nn.functional.relu,
  gelu: (x) => nn.functional.gelu(x),
};

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
    const opts = Object.fromEntries(
      Object.entries(c.kwargs).map(([k, v]) => [
        k,
        v && typeof v === "object" && "t" in v ? ts[(v as { t: number }).t] : v,
      ]),
    );
    const call = (): unknown =>
      (m.call as (...a: unknown[]) => unknown)(
        ...c.args.map((i) => ts[i]),
        ...(Object.keys(opts).length ? [opts] : []),
      );
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
    assert.deepEqual(
      Object.keys(c.grads).sort(),
      Object.keys(params)
        .filter((k) => params[k].grad)
        .sort(),
      "parameters with a gradient",
    );
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

// ---------------------------------------------------------------- gradcheck (float64)
const f64 = { dtype: "float64" as const };
function gradcheckModule(m: nn.Module, inputs: torch.Tensor[], run: (...xs: torch.Tensor[]) => torch.Tensor[]): void {
  const params = m.parameters();
  const ok = torch.autograd.gradcheck(
    (...xs: torch.Tensor[]) => run(...xs.slice(0, inputs.length)),
    [...inputs, ...params],
    { eps: 1e-6, atol: 1e-6, rtol: 1e-4 },
  );
  assert.ok(ok);
}

test("gradcheck: MultiheadAttention with bias_kv, zero attention, float attn mask and padding mask", () => {
  torch.manualSeed(3);
  const m = new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true, ...f64 });
  for (const p of m.parameters()) torch.noGrad(() => p.copy_(torch.randn(p.shape, f64)));
  const q = torch.randn([2, 2, 4], f64).requiresGrad_(true),
    kv = torch.randn([3, 2, 4], f64).requiresGrad_(true),
    v = torch.randn([3, 2, 4], f64).requiresGrad_(true);
  const mask = torch.randn([2, 3], f64),
    kpm = torch.tensor([
      [false, true, false],
      [false, false, false],
    ]);
  gradcheckModule(m, [q, kv, v], (a, b, c) => {
    const [o, w] = m(a, b, c, { attnMask: mask, keyPaddingMask: kpm });
    return [o, w as torch.Tensor];
  });
});

test("gradcheck: MultiheadAttention with kdim/vdim, batch first, per-head weights", () => {
  torch.manualSeed(4);
  const m = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2, batchFirst: true, ...f64 });
  const q = torch.randn([2, 2, 4], f64).requiresGrad_(true),
    k = torch.randn([2, 3, 3], f64).requiresGrad_(true),
    v = torch.randn([2, 3, 2], f64).requiresGrad_(true);
  gradcheckModule(m, [q, k, v], (a, b, c) => {
    const [o, w] = m(a, b, c, { averageAttnWeights: false });
    return [o, w as torch.Tensor];
  });
});

test("gradcheck: TransformerEncoderLayer (norm first, gelu) and TransformerDecoderLayer", () => {
  torch.manualSeed(5);
  const enc = new nn.TransformerEncoderLayer(4, 2, {
    dimFeedforward: 6,
    dropout: 0,
    activation: "gelu",
    normFirst: true,
    ...f64,
  });
  const src = torch.randn([3, 2, 4], f64).requiresGrad_(true);
  const causal = nn.Transformer.generateSquareSubsequentMask(3).to("float64");
  gradcheckModule(enc, [src], (s) => [enc(s, causal)]);
  const dec = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true, ...f64 });
  const tgt = torch.randn([2, 3, 4], f64).requiresGrad_(true),
    mem = torch.randn([2, 2, 4], f64).requiresGrad_(true);
  gradcheckModule(dec, [tgt, mem], (t, mm) => [dec(t, mm, { tgtMask: causal })]);
});

// ---------------------------------------------------------------- behaviour
test("F.multiHeadAttentionForward gives the module's result (positional and options forms)", () => {
  torch.manualSeed(6);
  const m = new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 3 });
  const q = torch.randn(3, 2, 8),
    k = torch.randn(4, 2, 5),
    v = torch.randn(4, 2, 3),
    kpm = torch.tensor([
      [false, false, true, false],
      [false, false, false, false],
    ]);
  const [o, w] = m(q, k, v, kpm);
  const [o2, w2] = nn.functional.multiHeadAttentionForward(
    q,
    k,
    v,
    8,
    2,
    null,
    m.in_proj_bias,
    null,
    null,
    false,
    0,
    m.out_proj.weight,
    m.out_proj.bias,
    {
      training: false,
      keyPaddingMask: kpm,
      useSeparateProjWeight: true,
      qProjWeight: m.q_proj_weight,
      kProjWeight: m.k_proj_weight,
      vProjWeight: m.v_proj_weight,
    },
  );
  assertClose(o2, o, "output", 0, 0);
  assertClose(w2 as torch.Tensor, w as torch.Tensor, "weights", 0, 0);
  const m2 = new nn.MultiheadAttention(8, 2);
  const [o3] = m2(q, q, q, null, false);
  const [o4, w4] = nn.functional.multiHeadAttentionForward(
    q,
    q,
    q,
    8,
    2,
    m2.in_proj_weight,
    m2.in_proj_bias,
    null,
    null,
    false,
    0,
    m2.out_proj.weight,
    m2.out_proj.bias,
    true,
    null,
    false,
  );
  assertClose(o4, o3, "positional output", 0, 0);
  assert.equal(w4, null);
});

test("dropout: random in training, off in eval (equal to a dropout-free copy)", () => {
  torch.manualSeed(7);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5 });
  const plain = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
  plain.loadStateDict(layer.stateDict());
  const x = torch.randn(5, 2, 8);
  const a = layer(x),
    b = layer(x);
  assert.ok(torch.sub(a, b).abs().max().item() > 1e-3, "two training passes differ");
  layer.eval();
  assertClose(layer(x), layer(x), "eval is deterministic", 0, 0);
  assertClose(layer(x), plain(x), "eval equals dropout 0", 0, 0);
  const mha = new nn.MultiheadAttention(8, 2, { dropout: 0.5 });
  const [, w] = mha(x, x, x, { averageAttnWeights: false });
  const zeros = Array.from((w as torch.Tensor).typedArray()).filter((e) => e === 0).length;
  assert.ok(zeros > 0, "training drops attention weights (returned after dropout, as torch)");
  mha.eval();
  const [, we] = mha(x, x, x);
  assertClose(torch.sum(we as torch.Tensor, -1), torch.ones(2, 5), "eval weights are softmax rows", 1e-6, 1e-6);
});

test("TransformerEncoder clones its layer: equal values, separate parameters, torch's names", () => {
  torch.manualSeed(8);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: new nn.GELU() });
  const enc = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8) });
  const names = enc.namedParameters().map(([k]) => k);
  assert.equal(names[0], "layers.0.self_attn.in_proj_weight");
  assert.ok(names.includes("layers.1.linear2.bias") && names.includes("norm.weight"));
  const l0 = enc.layers.at(0) as nn.TransformerEncoderLayer,
    l1 = enc.layers.at(1) as nn.TransformerEncoderLayer;
  assert.notEqual(l0, layer);
  assert.ok(
    l0 instanceof nn.TransformerEncoderLayer && typeof l0 === "function",
    "clones are callable modules of the same class",
  );
  assertClose(
    l1.self_attn.in_proj_weight as torch.Tensor,
    layer.self_attn.in_proj_weight as torch.Tensor,
    "same values",
    0,
    0,
  );
  torch.noGrad(() => l0.linear1.weight.fill_(0));
  assert.ok(l1.linear1.weight.abs().sum().item() > 0, "layers do not share storage");
  assert.notEqual(l0.activation, l1.activation, "module activations are cloned too");
  assert.ok(l0.toString().includes("(activation): GELU(approximate='none')"));
});

test("the eval no-grad path of TransformerEncoder mirrors torch 1.13's nested tensors only when it applies", () => {
  torch.manualSeed(9);
  const enc = new nn.TransformerEncoder(
    new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }),
    1,
  );
  const x = torch.randn(2, 5, 8),
    kpm = torch.tensor([
      [false, false, true, true, true],
      [false, false, false, true, true],
    ]);
  enc.eval();
  assert.deepEqual(enc(x, null, kpm).shape, [2, 5, 8], "parameters require grad: composed path");
  const cut = torch.noGrad(() => enc(x, null, kpm));
  assert.deepEqual(cut.shape, [2, 3, 8], "no grad: cut to the longest unpadded row");
  assert.equal(cut.select(0, 0).select(0, 2).abs().sum().item(), 0, "padded positions are zeros");
  assert.deepEqual(
    torch.noGrad(() => enc(x, { srcKeyPaddingMask: kpm, mask: torch.zeros(5, 5) })).shape,
    [2, 5, 8],
    "a mask too: composed path",
  );
  enc.train();
  assert.deepEqual(torch.noGrad(() => enc(x, null, kpm)).shape, [2, 5, 8], "training: composed path");
});

// ---------------------------------------------------------------- errors
test("errors name the module and the shapes", () => {
  assert.throws(
    () => new nn.MultiheadAttention(10, 3),
    (e: Error) =>
      e instanceof torch.ValueError && /MultiheadAttention.*divisible.*embed_dim=10.*num_heads=3/.test(e.message),
  );
  const m = new nn.MultiheadAttention(8, 2);
  const q = torch.randn(3, 2, 8),
    kv = torch.randn(4, 2, 8);
  const err = (fn: () => unknown, cls: typeof torch.FlintError, re: RegExp): void =>
    assert.throws(fn, (e: Error) => e instanceof cls && re.test(e.message), re.source);
  err(
    () => m(torch.randn(3, 2, 6), torch.randn(3, 2, 6), torch.randn(3, 2, 6)),
    torch.ShapeError,
    /^MultiheadAttention: was expecting embedding dimension of 8, but got 6 \(query \[3, 2, 6\]\)/,
  );
  err(
    () => m(q, kv, kv, { attnMask: torch.zeros(3, 3) }),
    torch.ShapeError,
    /MultiheadAttention: the shape of the 2D attn_mask is \[3, 3\], but should be \[3, 4\]/,
  );
  err(
    () => m(q, kv, kv, { attnMask: torch.zeros(2, 3, 4) }),
    torch.ShapeError,
    /3D attn_mask is \[2, 3, 4\], but should be \[4, 3, 4\]/,
  );
  err(
    () => m(q, kv, kv, { keyPaddingMask: torch.zeros([2, 3], { dtype: "bool" }) }),
    torch.ShapeError,
    /key_padding_mask shape of \[2, 4\], but got \[2, 3\]/,
  );
  err(
    () => m(q, kv, kv, { keyPaddingMask: torch.zeros([2, 4], { dtype: "int64" }) }),
    torch.DTypeError,
    /only bool and floating types of key_padding_mask/,
  );
  err(
    () => m(q, kv, torch.randn(5, 2, 8)),
    torch.ShapeError,
    /key shape \[4, 2, 8\] does not match value shape \[5, 2, 8\]/,
  );
  err(
    () => m(torch.randn(1, 3, 2, 8), kv, kv),
    torch.ShapeError,
    /query should be unbatched 2D or batched 3D tensor but received 4-D/,
  );
  err(
    () => m(q, torch.randn(4, 8), torch.randn(4, 8)),
    torch.ShapeError,
    /batched \(3-D\) query \[3, 2, 8\], expected key to be 3-D but got \[4, 8\]/,
  );
  err(
    () => new nn.TransformerEncoderLayer(8, 2, { activation: "tanh" as "relu" }),
    torch.ValueError,
    /TransformerEncoderLayer: activation should be relu\/gelu, not tanh/,
  );
  const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
  err(
    () => t(torch.randn(5, 2, 8), torch.randn(4, 3, 8)),
    torch.ShapeError,
    /Transformer: the batch number of src and tgt must be equal/,
  );
  err(
    () => t(torch.randn(5, 2, 8), torch.randn(4, 2, 6)),
    torch.ShapeError,
    /feature number of src and tgt must be equal to d_model=8/,
  );
});

test("F.multiHeadAttentionForward: staticK/staticV equal to the projected keys and values give the same result", () => {
  torch.manualSeed(10);
  const m = new nn.MultiheadAttention(8, 2);
  const q = torch.randn(3, 2, 8),
    kv = torch.randn(4, 2, 8);
  const [o] = m(q, kv, kv);
  const [, wk, wv] = torch.chunk(m.in_proj_weight as torch.Tensor, 3);
  const [, bk, bv] = torch.chunk(m.in_proj_bias as torch.Tensor, 3);
  const heads = (t: torch.Tensor): torch.Tensor => t.reshape(4, 4, 4).transpose(0, 1);
  const staticK = heads(nn.functional.linear(kv, wk, bk)),
    staticV = heads(nn.functional.linear(kv, wv, bv));
  const [o2] = nn.functional.multiHeadAttentionForward(
    q,
    kv,
    kv,
    8,
    2,
    m.in_proj_weight,
    m.in_proj_bias,
    null,
    null,
    false,
    0,
    m.out_proj.weight,
    m.out_proj.bias,
    { staticK, staticV },
  );
  assertClose(o2, o, "output", 1e-6, 1e-7);
  assert.throws(
    () => m(q, kv, kv, { attnMask: torch.zeros([3, 4], f64) }),
    (e: Error) => e instanceof torch.DTypeError && /dtype float32, got attn_mask float64/.test(e.message),
  );
});
