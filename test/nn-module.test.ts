// The Module system: discovery from own properties, stateDict keys and loading, modes, hooks,
// dtype conversion, containers and PyTorch's printed form.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { fixture } from "./nn-helpers.js";
import { NN } from "./nn-seed-model.js";

class Block extends nn.Module {
  conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(3);
  scale = new nn.Parameter(torch.ones([1]));
  notAParam = torch.zeros([2]);
  override name = "block"; // a field named like a Function property (modules are callable)
  forward(x: torch.Tensor): torch.Tensor {
    return this.bn.forward(this.conv.forward(x)).mul(this.scale);
  }
}

test("parameters, buffers and children come from own properties in definition order", () => {
  const b = new Block();
  assert.deepEqual(
    b.namedParameters().map((e) => e[0]),
    ["scale", "conv.weight", "conv.bias", "bn.weight", "bn.bias"],
  );
  assert.deepEqual(
    b.namedBuffers().map((e) => e[0]),
    ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"],
  );
  assert.deepEqual(Object.keys(b.stateDict()), [
    "scale",
    "conv.weight",
    "conv.bias",
    "bn.weight",
    "bn.bias",
    "bn.running_mean",
    "bn.running_var",
    "bn.num_batches_tracked",
  ]);
  assert.deepEqual(
    [...b.namedChildren()].map((e) => e[0]),
    ["conv", "bn"],
  );
  assert.deepEqual(
    b.namedModules().map((e) => e[0]),
    ["", "conv", "bn"],
  );
  assert.deepEqual(
    b.namedModules({ prefix: "top" }).map((e) => e[0]),
    ["top", "top.conv", "top.bn"],
  );
  assert.equal(b.parameters().length, 5);
  assert.ok(b.parameters().every((p) => p.requiresGrad && p.isLeaf));
  assert.equal(b.stateDict()["bn.num_batches_tracked"].dtype, "int64");
});

test("shared parameters are listed once; reassigned properties are seen", () => {
  const lin = new nn.Linear(2, 2);
  const seq = new nn.Sequential(lin, lin);
  assert.equal(seq.parameters().length, 2);
  const b = new Block();
  b.conv = new nn.Conv2d(2, 3, 1, { bias: false });
  assert.deepEqual(
    b.namedParameters().map((e) => e[0]),
    ["scale", "conv.weight", "bn.weight", "bn.bias"],
  );
});

test("train/eval reach every submodule; zeroGrad and requiresGrad_", () => {
  const m = new NN();
  m.eval();
  assert.ok(m.modules().every((x) => !x.training));
  m.train();
  assert.ok(m.modules().every((x) => x.training));
  const out = m.forward(torch.ones([1, 3, 32, 32])).sum();
  out.backward();
  assert.ok(m.parameters().every((p) => p.grad !== null));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad?.abs().sum().item() === 0));
  m.zeroGrad(true);
  assert.ok(m.parameters().every((p) => p.grad === null));
  m.requiresGrad_(false);
  assert.ok(m.parameters().every((p) => !p.requiresGrad));
});

test("loadStateDict copies values and reports missing, unexpected and mis-shaped keys", () => {
  const a = new Block(),
    b = new Block();
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.conv.weight.tolist(), a.conv.weight.tolist());
  assert.notEqual(b.conv.weight.storage, a.conv.weight.storage);
  const sd = a.stateDict();
  delete sd["conv.bias"];
  sd["extra.weight"] = torch.zeros([1]);
  assert.throws(
    () => b.loadStateDict(sd),
    (e: Error) =>
      /Missing key\(s\) in state_dict: "conv.bias"/.test(e.message) &&
      /Unexpected key\(s\) in state_dict: "extra.weight"/.test(e.message),
  );
  assert.deepEqual(b.loadStateDict(sd, { strict: false }), {
    missingKeys: ["conv.bias"],
    unexpectedKeys: ["extra.weight"],
  });
  const bad = a.stateDict();
  bad["conv.weight"] = torch.zeros([3, 2, 1, 1]);
  assert.throws(
    () => b.loadStateDict(bad),
    /size mismatch for conv.weight: copying a param with shape \[3, 2, 1, 1\] from checkpoint, the shape in current model is \[3, 2, 3, 3\]/,
  );
  assert.throws(() => b.loadStateDict(bad, { strict: false }), /size mismatch for conv.weight/);
});

test("forward hooks and pre-hooks run through call() and can be removed", () => {
  const lin = new nn.Linear(2, 2);
  const seen: string[] = [];
  const h1 = lin.registerForwardPreHook((_m, inp) => {
    seen.push("pre");
    return [(inp[0] as torch.Tensor).mul(0)];
  });
  const h2 = lin.registerForwardHook((_m, _inp, out) => {
    seen.push("post");
    return (out as torch.Tensor).add(1);
  });
  const seq = new nn.Sequential(lin);
  const y = seq.forward(torch.ones([1, 2]));
  assert.deepEqual(seen, ["pre", "post"]);
  assertTensorClose(y, lin.bias!.add(1).reshape(1, 2));
  h1.remove();
  h2.remove();
  seq.forward(torch.ones([1, 2]));
  assert.equal(seen.length, 2);
});

test("modules are callable: model(x) runs forward with hooks and keeps classes, fields and keys", () => {
  class Net extends nn.Module {
    declare label: string;
    body = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    constructor(label: string) {
      super();
      this.label = label; // plain assignment, also for names a function object would own
      (this as unknown as { length: number }).length = 7;
    }
    forward(x: torch.Tensor): torch.Tensor {
      return this.body(x);
    }
  }
  torch.manualSeed(0);
  const net = new Net("n");
  const x = torch.randn([5, 3]);
  const y: torch.Tensor = net(x); // typed by Net.forward
  assertTensorClose(y, net.forward(x));
  assert.ok(net instanceof Net && net instanceof nn.Module);
  assert.equal(net.label, "n");
  assert.deepEqual(Object.keys(net), ["body", "label", "length"]);
  assert.deepEqual(Object.keys(net.stateDict()), ["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"]);
  assert.equal(net.constructor, Net);
  const loss = new nn.MSELoss();
  assert.equal(loss(torch.tensor([1.5, 2.5]), torch.tensor([1.5, 4.5])).item(), 2);
  let hooked = 0;
  net.body.registerForwardHook(() => void hooked++);
  net(x);
  assert.equal(hooked, 1);
  // @ts-expect-error: arguments are checked against forward's signature
  assert.throws(() => net("not a tensor"));
});

function assertTensorClose(a: torch.Tensor, b: torch.Tensor): void {
  assert.deepEqual(a.shape, b.shape);
  const x = a.typedArray(),
    y = b.typedArray();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) < 1e-6, `${x[i]} vs ${y[i]}`);
}

test("to(dtype) converts parameters and buffers in place, keeping their identity", () => {
  const b = new Block();
  const w = b.conv.weight;
  b.to("float64");
  assert.equal(b.conv.weight, w);
  assert.equal(w.dtype, "float64");
  assert.equal(b.bn.runningMean?.dtype, "float64");
  assert.equal(b.bn.numBatchesTracked?.dtype, "int64");
  const y = b.forward(torch.ones([1, 2, 4, 4], { dtype: "float64" }));
  assert.equal(y.dtype, "float64");
});

test("apply visits children first; registerBuffer with persistent false stays out of stateDict", () => {
  const order: string[] = [];
  new NN().apply((m) => order.push(m.constructor.name));
  assert.deepEqual(order.slice(-3), ["Linear", "Sequential", "NN"]);
  class WithBuf extends nn.Module {
    lin = new nn.Linear(1, 1);
    constructor() {
      super();
      this.registerBuffer("tmp", torch.zeros([2]), false);
      this.registerBuffer("kept", torch.ones([1]));
    }
    forward(x: torch.Tensor): torch.Tensor {
      return x;
    }
  }
  const m = new WithBuf();
  // PyTorch order: own parameters, own buffers, then children.
  assert.deepEqual(Object.keys(m.stateDict()), ["kept", "lin.weight", "lin.bias"]);
  assert.deepEqual(
    m.namedBuffers().map((e) => e[0]),
    ["tmp", "kept"],
  );
});

test("containers: Sequential, ModuleList, ModuleDict", () => {
  const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  assert.equal(seq.length, 3);
  assert.ok(seq.at(-1) instanceof nn.Linear);
  assert.deepEqual(seq.forward(torch.ones([5, 3])).shape, [5, 2]);
  seq.append(new nn.Softmax(1));
  assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.throws(() => seq.at(7), /index 7 is out of range/);
  const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 2)]);
  list.insert(0, new nn.Identity());
  assert.deepEqual(Object.keys(list.stateDict()), ["1.weight", "1.bias", "2.weight", "2.bias"]);
  assert.equal([...list].length, 3);
  list.pop(0);
  assert.deepEqual(Object.keys(list.stateDict()), ["0.weight", "0.bias", "1.weight", "1.bias"]);
  const dict = new nn.ModuleDict({ z: new nn.Linear(1, 1), "10": new nn.Linear(1, 1), a: new nn.Tanh() });
  assert.deepEqual(
    dict.keys(),
    ["10", "z", "a"].sort((x, y) => ["10", "z", "a"].indexOf(x) - ["10", "z", "a"].indexOf(y)),
  );
  const d2 = new nn.ModuleDict([
    ["z", new nn.Linear(1, 1)],
    ["10", new nn.Linear(1, 1)],
  ]);
  assert.deepEqual(Object.keys(d2.stateDict()), ["z.weight", "z.bias", "10.weight", "10.bias"]);
  const named = new nn.Sequential(
    new Map<string, nn.Module>([
      ["conv", new nn.Conv2d(1, 1, 1)],
      ["act", new nn.ReLU()],
    ]),
  );
  assert.deepEqual(Object.keys(named.stateDict()), ["conv.weight", "conv.bias"]);
});

test("modules print as PyTorch's repr", () => {
  const r = fixture<Record<string, string>>("reprs.json");
  const cases: Record<string, nn.Module> = {
    seed: new NN(),
    bn: new nn.BatchNorm2d(3),
    bn_none: new nn.BatchNorm1d(4, { momentum: null, affine: false }),
    ln: new nn.LayerNorm([3, 4], { eps: 1e-6 }),
    dropout: new nn.Dropout(0.3),
    leaky: new nn.LeakyReLU(0.2),
    emb: new nn.Embedding(10, 3, { paddingIdx: 0 }),
    conv: new nn.Conv2d(4, 6, [3, 2], {
      stride: 2,
      padding: 1,
      dilation: 2,
      groups: 2,
      bias: false,
      paddingMode: "reflect",
    }),
    conv1d: new nn.Conv1d(3, 4, 3, { padding: "same" }),
    convT: new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    avg: new nn.AvgPool2d(2),
    maxpool: new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    adaptive: new nn.AdaptiveAvgPool2d([3, 2]),
    softmax: new nn.Softmax({ dim: 1 }),
    gelu: new nn.GELU({ approximate: "tanh" }),
    relu: new nn.ReLU(),
    ce: new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }),
    list: new nn.ModuleList([new nn.Linear(2, 3), new nn.Sequential(new nn.ReLU(), new nn.Identity())]),
    dict: new nn.ModuleDict({ b: new nn.Tanh(), a: new nn.Flatten(0, 2) }),
    unflatten: new nn.Unflatten(1, [2, 3]),
  };
  for (const [k, m] of Object.entries(cases)) assert.equal(m.toString(), r[k], k);
});

test("module errors name the layer and the shapes", () => {
  const conv = new nn.Conv2d(3, 32, 5, { padding: 2 });
  assert.throws(
    () => conv.forward(torch.zeros([64, 4, 32, 32])),
    /conv2d: expected input with 3 channels .* got \[64, 4, 32, 32\]/,
  );
  assert.throws(() => new nn.Linear(4, 2).forward(torch.zeros([3, 5])), /linear: .*\[3, 5\]/);
  assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /in_channels \(3\) must be divisible by groups \(2\)/);
  assert.throws(
    () => new nn.Conv2d(3, 4, 3, { padding: "same", stride: 2 }),
    /padding='same' is not supported for strided convolutions/,
  );
  assert.throws(
    () => new nn.MaxPool2d(2, { padding: 2 }).forward(torch.zeros([1, 1, 4, 4])),
    /pad should be at most half/,
  );
  assert.throws(
    () => new nn.BatchNorm2d(3).forward(torch.zeros([2, 3, 4])),
    /BatchNorm2d: expected 4D input, got \[2, 3, 4\]/,
  );
  assert.throws(
    () => new nn.Embedding(5, 2).forward(torch.tensor([5])),
    /index 5 is out of range for an embedding with 5 rows/,
  );
  assert.throws(() => new nn.Dropout(1.5), /between 0 and 1/);
});

test("module methods take torch's defaults positionally or in an options object", () => {
  const b = new Block();
  assert.deepEqual(
    b.namedParameters({ prefix: "m", recurse: false }).map((e) => e[0]),
    ["m.scale"],
  );
  assert.deepEqual(
    b.namedParameters("m", false).map((e) => e[0]),
    ["m.scale"],
  );
  assert.equal(b.parameters({ recurse: false }).length, 1);
  assert.equal(b.buffers({ recurse: false }).length, 0);
  assert.deepEqual(b.namedBuffers({ prefix: "x" }).map((e) => e[0])[0], "x.bn.running_mean");
  b.train({ mode: false });
  assert.equal(b.bn.training, false);
  b.requiresGrad_({ requiresGrad: false });
  assert.ok(b.parameters().every((p) => !p.requiresGrad));
  b.registerBuffer("scratch", torch.zeros([1]), { persistent: false });
  assert.ok(!("scratch" in b.stateDict()));
});
