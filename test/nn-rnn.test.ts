// Recurrent layers against PyTorch 1.13 (fixtures from scripts/fixtures/rnn_fixtures.py): the seeded
// initial weights bit for bit, outputs, final states, and the gradients of a scalar loss with
// respect to the input, the initial states and every parameter; packed sequences; float64
// gradchecks; dropout between layers; errors; reprs.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";

const {
  PackedSequence,
  packPaddedSequence,
  padPackedSequence,
  padSequence,
  packSequence,
  unpackSequence,
  unpadSequence,
} = nn.utils.rnn;

interface Case {
  name: string;
  module: string;
  args: number[];
  opts: Record<string, unknown>;
  seed: number;
  train: boolean;
  fwdSeed: number | null;
  repr: string;
  state: Record<string, Enc>;
  input: Enc;
  states: Enc[];
  outputs: Enc[];
  gradOutputs: Enc[];
  inputGrad: Enc;
  stateGrads: Enc[];
  grads: Record<string, Enc>;
}
interface PackedEnc {
  data: Enc;
  batchSizes: Enc;
  sortedIndices: Enc | null;
  unsortedIndices: Enc | null;
}
interface PackedCase extends Omit<Case, "train" | "fwdSeed" | "repr"> {
  lengths: number[];
  enforceSorted: boolean;
  totalLength: number | null;
  packedInput: PackedEnc;
  packedOutputData: Enc;
  outLengths: Enc;
}
interface Utils {
  seqs: Enc[];
  padTimeMajor: Enc;
  padBatchFirst: Enc;
  packSequence: PackedEnc;
  tiesLengths: number[];
  tiesInput: Enc;
  tiesPacked: PackedEnc;
}
const fx = fixture<{ cases: Case[]; packed: PackedCase[]; utils: Utils }>("rnn.json");

type Out = torch.Tensor | readonly Out[] | InstanceType<typeof PackedSequence>;
const flat = (o: Out): torch.Tensor[] =>
  o instanceof torch.Tensor ? [o] : o instanceof PackedSequence ? [o.data] : o.flatMap(flat);
const ints = (t: torch.Tensor): number[] => Array.from(t.typedArray(), Number);
const same = (a: torch.Tensor, b: torch.Tensor, what: string): void => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.deepEqual(Array.from(a.typedArray()), Array.from(b.typedArray()), what);
};
const samePacked = (p: InstanceType<typeof PackedSequence>, want: PackedEnc, what: string): void => {
  same(p.data, dec(want.data), `${what} data`);
  assert.deepEqual(ints(p.batchSizes), dec(want.batchSizes).tolist(), `${what} batchSizes`);
  assert.deepEqual(
    p.sortedIndices && ints(p.sortedIndices),
    want.sortedIndices && dec(want.sortedIndices).tolist(),
    `${what} sortedIndices`,
  );
  assert.deepEqual(
    p.unsortedIndices && ints(p.unsortedIndices),
    want.unsortedIndices && dec(want.unsortedIndices).tolist(),
    `${what} unsortedIndices`,
  );
};

/**
 * float32: rtol 1e-5, atol 1e-6 on values of order 1; the composition rounds as ATen's cells do
 * (same op order), so what remains is matrix-product summation order. float64: 1e-10.
 */
const tols = (dtype: string): [number, number] => (dtype === "float64" ? [1e-10, 1e-12] : [1e-5, 1e-6]);

/** Builds the module right after manualSeed(seed): its state must be PyTorch's initial state exactly. */
function seeded(c: {
  module: string;
  args: number[];
  opts: Record<string, unknown>;
  seed: number;
  state: Record<string, Enc>;
  input: Enc;
}): nn.Module {
  torch.manualSeed(c.seed);
  const Ctor = ctorOf<nn.Module>(nn, c.module);
  const m = new Ctor(...c.args, { ...c.opts, ...(c.input.dtype === "float64" ? { dtype: "float64" } : {}) });
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(c.state), "stateDict keys and order");
  for (const [k, v] of Object.entries(c.state)) same(sd[k], dec(v), `initial ${k}`);
  return m;
}

function checkGrads(
  c: Case | PackedCase,
  m: nn.Module,
  outs: torch.Tensor[],
  x: torch.Tensor,
  states: torch.Tensor[],
): void {
  const [rtol, atol] = tols(c.input.dtype);
  outs.forEach((o, i) => assertClose(o, dec(c.outputs[i]), `${c.name} output ${i}`, rtol, atol));
  outs
    .map((o, i) => torch.mul(o, dec(c.gradOutputs[i])).sum())
    .reduce((a, b) => torch.add(a, b))
    .backward();
  assertClose(x.grad!, dec(c.inputGrad), `${c.name} input grad`, rtol, atol);
  states.forEach((s, i) => assertClose(s.grad!, dec(c.stateGrads[i]), `${c.name} state ${i} grad`, rtol, atol));
  const params = Object.fromEntries(m.namedParameters());
  assert.deepEqual(Object.keys(params), Object.keys(c.grads));
  for (const [k, g] of Object.entries(c.grads)) assertClose(params[k].grad!, dec(g), `${c.name} grad ${k}`, rtol, atol);
}

const hxArg = (module: string, states: torch.Tensor[]): unknown =>
  states.length === 0 ? null : module.startsWith("LSTM") ? states : states[0];

for (const c of fx.cases) {
  test(`${c.name} (${c.module}) matches PyTorch: initial weights, outputs, states and gradients`, () => {
    const m = seeded(c);
    assert.equal(m.toString(), c.repr);
    m.train(c.train);
    const x = dec(c.input).requiresGrad_(true);
    const states = c.states.map((s) => dec(s).requiresGrad_(true));
    if (c.fwdSeed !== null) torch.manualSeed(c.fwdSeed);
    const out = (m as unknown as (...a: unknown[]) => Out)(x, hxArg(c.module, states));
    checkGrads(c, m, flat(out), x, states);
  });
}

for (const c of fx.packed) {
  test(`${c.name} (${c.module} on a PackedSequence) matches PyTorch`, () => {
    const m = seeded(c) as nn.RNNBase;
    const x = dec(c.input).requiresGrad_(true);
    const states = c.states.map((s) => dec(s).requiresGrad_(true));
    const packed = packPaddedSequence(x, c.lengths, { batchFirst: m.batchFirst, enforceSorted: c.enforceSorted });
    samePacked(packed, c.packedInput, `${c.name} packed input`);
    const [outPacked, hidden] = (m as unknown as (...a: unknown[]) => [InstanceType<typeof PackedSequence>, Out])(
      packed,
      hxArg(c.module, states),
    );
    assert.ok(outPacked instanceof PackedSequence);
    assert.equal(outPacked.batchSizes, packed.batchSizes);
    const [rtol, atol] = tols(c.input.dtype);
    assertClose(outPacked.data, dec(c.packedOutputData), `${c.name} packed output`, rtol, atol);
    const [padded, lengths] = padPackedSequence(outPacked, { batchFirst: m.batchFirst, totalLength: c.totalLength });
    assert.deepEqual(lengths.tolist(), dec(c.outLengths).tolist());
    assert.equal(lengths.dtype, "int64");
    checkGrads(c, m, [padded, ...flat(hidden)], x, states);
  });
}

test("padSequence, packSequence and unpackSequence match PyTorch", () => {
  const u = fx.utils;
  const seqs = u.seqs.map(dec);
  same(padSequence(seqs), dec(u.padTimeMajor), "padSequence");
  same(padSequence(seqs, true, -1.5).contiguous(), dec(u.padBatchFirst), "padSequence batchFirst positional");
  same(
    padSequence(seqs, { batchFirst: true, paddingValue: -1.5 }).contiguous(),
    dec(u.padBatchFirst),
    "padSequence batchFirst options",
  );
  const p = packSequence(seqs, false);
  samePacked(p, u.packSequence, "packSequence");
  const back = unpackSequence(p);
  back.forEach((s, i) => same(s.contiguous(), seqs[i], `unpackSequence ${i}`));
  const [data, batchSizes, sorted, unsorted] = p;
  assert.equal(data, p.data);
  assert.equal(batchSizes, p.batchSizes);
  assert.equal(sorted, p.sortedIndices);
  assert.equal(unsorted, p.unsortedIndices);
  assert.deepEqual(
    unpadSequence(padSequence(seqs), [3, 5, 1, 5]).map((s) => s.shape),
    seqs.map((s) => s.shape),
  );
  assert.equal(
    String(packSequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])])),
    "PackedSequence(data=tensor([1, 4, 6, 2, 5, 3]), batch_sizes=tensor([3, 2, 1]), sorted_indices=None, unsorted_indices=None)",
  );
});

test("packPaddedSequence sorts tied lengths in torch.sort's (unstable) order", () => {
  const u = fx.utils;
  samePacked(packPaddedSequence(dec(u.tiesInput), u.tiesLengths, false, false), u.tiesPacked, "ties");
});

test("packing errors name the problem", () => {
  const x = torch.randn(4, 3, 2);
  assert.throws(() => packPaddedSequence(x, [2, 3, 1]), /must be sorted in decreasing order/);
  assert.throws(
    () => packPaddedSequence(x, [3, 2]),
    /len\(lengths\) to be equal to batch_size, but got 2 \(batch_size=3/,
  );
  assert.throws(() => packPaddedSequence(x, [3, 2, 0]), /greater than 0/);
  assert.throws(() => packPaddedSequence(x, [5, 2, 1]), /longest length 5 exceeds/);
  assert.throws(
    () => padPackedSequence(packPaddedSequence(x, [4, 2, 1]), { totalLength: 3 }),
    /totalLength=3 and max sequence length being 4/,
  );
  assert.throws(() => padSequence([torch.zeros(2, 3), torch.zeros(2, 4)]), /same trailing dimensions/);
  assert.throws(() => padSequence([]), /empty list/);
});

// ---------------------------------------------------------------- gradcheck (float64)
const f64 = { dtype: "float64" as const };
const rnd = (...shape: number[]): torch.Tensor => torch.randn(shape, f64).requiresGrad_(true);

test("gradcheck: RNN (relu, 2 layers, bidirectional) and RNNCell", () => {
  torch.manualSeed(0);
  const m = new nn.RNN(2, 3, { numLayers: 2, bidirectional: true, nonlinearity: "tanh", ...f64 });
  const x = rnd(3, 2, 2),
    h0 = rnd(4, 2, 3);
  assert.ok(torch.autograd.gradcheck((a, b) => m(a, b), [x, h0, ...m.parameters()]));
  const r = new nn.RNN(2, 3, { nonlinearity: "relu", batchFirst: true, ...f64 });
  assert.ok(torch.autograd.gradcheck((a) => r(a)[0], [rnd(2, 3, 2), ...r.parameters()]));
  const cell = new nn.RNNCell(2, 3, f64);
  assert.ok(torch.autograd.gradcheck((a, b) => cell(a, b), [rnd(2, 2), rnd(2, 3), ...cell.parameters()]));
});

test("gradcheck: LSTM (projection, bidirectional) and LSTMCell", () => {
  torch.manualSeed(1);
  const m = new nn.LSTM(2, 3, { projSize: 2, bidirectional: true, ...f64 });
  const x = rnd(3, 2, 2),
    h0 = rnd(2, 2, 2),
    c0 = rnd(2, 2, 3);
  assert.ok(
    torch.autograd.gradcheck(
      (a, h, c) => {
        const [o, [hn, cn]] = m(a, [h, c]);
        return [o, hn, cn];
      },
      [x, h0, c0, ...m.parameters()],
    ),
  );
  const m2 = new nn.LSTM(2, 2, { numLayers: 2, ...f64 });
  assert.ok(torch.autograd.gradcheck((a) => m2(a)[0], [rnd(3, 2), ...m2.parameters()]));
  const cell = new nn.LSTMCell(2, 3, f64);
  assert.ok(
    torch.autograd.gradcheck((a, h, c) => cell(a, [h, c]), [rnd(2, 2), rnd(2, 3), rnd(2, 3), ...cell.parameters()]),
  );
});

test("gradcheck: GRU (2 layers, batchFirst) and GRUCell", () => {
  torch.manualSeed(2);
  const m = new nn.GRU(2, 3, { numLayers: 2, batchFirst: true, ...f64 });
  assert.ok(torch.autograd.gradcheck((a, h) => m(a, h), [rnd(2, 3, 2), rnd(2, 2, 3), ...m.parameters()]));
  const cell = new nn.GRUCell(2, 3, { bias: false, ...f64 });
  assert.ok(torch.autograd.gradcheck((a, h) => cell(a, h), [rnd(2), rnd(3), ...cell.parameters()]));
});

test("gradcheck: bidirectional GRU on a packed, unsorted batch", () => {
  torch.manualSeed(3);
  const m = new nn.GRU(2, 2, { bidirectional: true, ...f64 });
  const fn = (a: torch.Tensor, h: torch.Tensor): torch.Tensor[] => {
    const [out, hn] = m(packPaddedSequence(a, [2, 3, 1], { enforceSorted: false }), h);
    return [padPackedSequence(out)[0], hn];
  };
  assert.ok(torch.autograd.gradcheck(fn, [rnd(3, 3, 2), rnd(2, 3, 2), ...m.parameters()]));
});

// ---------------------------------------------------------------- behaviour
test("dropout between layers: random in training, deterministic and off in eval", () => {
  torch.manualSeed(5);
  const m = new nn.LSTM(3, 4, { numLayers: 3, dropout: 0.5 });
  const plain = new nn.LSTM(3, 4, { numLayers: 3 });
  plain.loadStateDict(m.stateDict());
  const x = torch.randn(5, 2, 3);
  const [a] = m(x),
    [b] = m(x);
  assert.notDeepEqual(a.tolist(), b.tolist(), "two training passes draw different masks");
  m.eval();
  const [c] = m(x),
    [d] = m(x);
  same(c, d, "eval is deterministic");
  same(c, plain(x)[0], "eval applies no dropout");
  const single = new nn.GRU(3, 4, { dropout: 0.5 }); // dropout with one layer: PyTorch warns, then ignores it
  assert.equal(single.toString(), "GRU(3, 4, dropout=0.5)");
  same(single(x)[0], single(x)[0], "no dropout after the last layer");
});

test("positional arguments follow torch's order; parameters() and allWeights follow PyTorch's layout", () => {
  const m = new nn.LSTM(10, 20, 2, true, true, 0, true);
  assert.equal(m.toString(), "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)");
  assert.deepEqual(
    m
      .namedParameters()
      .map(([k, p]) => `${k}:${p.shape.join("x")}`)
      .slice(0, 10),
    [
      "weight_ih_l0:80x10",
      "weight_hh_l0:80x20",
      "bias_ih_l0:80",
      "bias_hh_l0:80",
      "weight_ih_l0_reverse:80x10",
      "weight_hh_l0_reverse:80x20",
      "bias_ih_l0_reverse:80",
      "bias_hh_l0_reverse:80",
      "weight_ih_l1:80x40",
      "weight_hh_l1:80x20",
    ],
  );
  m.flattenParameters();
  assert.equal(m.allWeights.length, 4);
  assert.equal(m.allWeights[3][0], (m as unknown as Record<string, unknown>).weight_ih_l1_reverse);
  assert.equal(m.weight_ih_l0.shape[1], 10);
  assert.equal(new nn.RNN(3, 4, { nonlinearity: "relu" }).toString(), "RNN(3, 4)"); // PyTorch 1.13 does not print it
  assert.equal(new nn.RNNCell(3, 4, false, "relu").toString(), "RNNCell(3, 4, bias=False, nonlinearity=relu)");
  assert.equal(
    new nn.LSTM(3, 4, { projSize: 2, bias: false, dropout: 0.25, numLayers: 2 }).toString(),
    "LSTM(3, 4, proj_size=2, num_layers=2, bias=False, dropout=0.25)",
  );
  const lstm = new nn.LSTM(3, 4, { projSize: 2 });
  assert.deepEqual(Object.keys(lstm.stateDict()), [
    "weight_ih_l0",
    "weight_hh_l0",
    "bias_ih_l0",
    "bias_hh_l0",
    "weight_hr_l0",
  ]);
  assert.deepEqual(Object.keys(new nn.GRUCell(3, 4, { bias: false }).stateDict()), ["weight_ih", "weight_hh"]);
});

test("to(float64) keeps working (parameters are looked up by name at every call)", () => {
  const m = new nn.GRU(3, 4).double();
  const [out, h] = m(torch.randn([5, 2, 3], f64));
  assert.equal(out.dtype, "float64");
  assert.deepEqual(h.shape, [1, 2, 4]);
  assert.throws(() => m(torch.randn(5, 2, 3)), /GRU: input has dtype float32 but the module's parameters are float64/);
});

test("errors name the module and the shapes", () => {
  const lstm = new nn.LSTM(3, 4, 2);
  assert.throws(
    () => lstm(torch.randn(5, 2, 7)),
    /LSTM: input.size\(-1\) must be equal to input_size. Expected 3, got 7 \(input shape \[5, 2, 7\]\)/,
  );
  assert.throws(
    () => lstm(torch.randn(5, 2, 3, 1)),
    /LSTM: expected input to be 2-D \(unbatched\) or 3-D \(batched\), got 4-D input of shape \[5, 2, 3, 1\]/,
  );
  assert.throws(
    () => lstm(torch.randn(5, 2, 3), [torch.randn(2, 3, 4), torch.randn(2, 2, 4)]),
    /LSTM: Expected hidden\[0\] size \[2, 2, 4\], got \[2, 3, 4\]/,
  );
  assert.throws(
    () => lstm(torch.randn(5, 2, 3), [torch.randn(2, 2, 4), torch.randn(2, 3, 4)]),
    /LSTM: Expected hidden\[1\] size \[2, 2, 4\], got \[2, 3, 4\]/,
  );
  assert.throws(
    () => lstm(torch.randn(5, 2, 3), [torch.randn(2, 4), torch.randn(2, 2, 4)]),
    /for batched 3-D input, hx and cx should also be 3-D but got \(2-D, 3-D\) tensors/,
  );
  const gru = new nn.GRU(3, 4);
  assert.throws(
    () => gru(torch.randn(5, 2, 3), torch.randn(1, 3, 4)),
    /GRU: Expected hidden size \[1, 2, 4\], got \[1, 3, 4\]/,
  );
  assert.throws(
    () => gru(torch.randn(5, 3), torch.randn(1, 1, 4)),
    /GRU: for unbatched 2-D input, hx should also be 2-D but got 3-D tensor/,
  );
  assert.throws(() => gru(torch.randn(0, 2, 3)), /sequence length to be larger than 0/);
  const cell = new nn.GRUCell(3, 4);
  assert.throws(() => cell(torch.randn(2, 5)), /GRUCell: input has inconsistent input_size: got 5 expected 3/);
  assert.throws(
    () => cell(torch.randn(2, 3), torch.randn(3, 4)),
    /GRUCell: Input batch size 2 doesn't match hidden0 batch size 3/,
  );
  assert.throws(
    () => cell(torch.randn(2, 3), torch.randn(2, 5)),
    /GRUCell: hidden0 has inconsistent hidden_size: got 5, expected 4/,
  );
  assert.throws(() => cell(torch.randn(2, 3, 3)), /GRUCell: Expected input to be 1-D or 2-D but received 3-D tensor/);
  assert.throws(
    () => new nn.LSTMCell(3, 4)(torch.randn(2, 3), [torch.randn(2, 4), torch.randn(2, 5)]),
    /LSTMCell: hidden1 has inconsistent hidden_size: got 5, expected 4/,
  );
  assert.throws(() => new nn.LSTM(3, 4, { projSize: 4 }), /proj_size has to be smaller than hidden_size/);
  assert.throws(
    () => new nn.GRU(3, 4, { projSize: 2 } as never),
    /proj_size argument is only supported for LSTM, not RNN or GRU/,
  );
  assert.throws(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as never }), /RNN: Unknown nonlinearity 'sigmoid'/);
  assert.throws(
    () => new nn.RNNCell(3, 4, { nonlinearity: "sigmoid" as never }),
    /RNNCell: Unknown nonlinearity 'sigmoid'/,
  );
  assert.throws(() => new nn.RNN(3, 4, { dropout: 1.5 }), /dropout should be a number in range \[0, 1\]/);
  assert.throws(() => new nn.RNN(3, 4, { numLayers: 0 }), /num_layers must be a positive integer/);
});

test("typed call signatures: tensors in, tensors out; packed in, packed out", () => {
  const lstm = new nn.LSTM(3, 4);
  const [out, [h, c]] = lstm(torch.randn(5, 2, 3));
  assert.deepEqual(
    [out.shape, h.shape, c.shape],
    [
      [5, 2, 4],
      [1, 2, 4],
      [1, 2, 4],
    ],
  );
  const [po, [ph]] = lstm.forward(packSequence([torch.randn(4, 3), torch.randn(2, 3)]));
  assert.deepEqual(
    [po.data.shape, ph.shape],
    [
      [6, 4],
      [1, 2, 4],
    ],
  );
  const [o1, h1] = new nn.RNN(3, 4, { batchFirst: true })(torch.randn(6, 3));
  assert.deepEqual(
    [o1.shape, h1.shape],
    [
      [6, 4],
      [1, 4],
    ],
  );
  const [hc, cc] = new nn.LSTMCell(3, 4)(torch.randn(3));
  assert.deepEqual([hc.shape, cc.shape], [[4], [4]]);
});
