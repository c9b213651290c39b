// Every constructor takes torch's parameters positionally in torch's order (checked against
// PyTorch 1.13 / torchvision 0.14's signatures in test/fixtures/signatures.json, written by
// scripts/fixtures/signatures.py), and any of them by name; unknown names, too many positional
// arguments and names given twice are errors naming the class and the parameter.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { ArgumentError } from "../src/errors.js";
import { declaredSignatures } from "../src/internal/args.js";
import { DataLoader, TensorDataset } from "../src/utils/data/index.js";
import { CIFAR10 } from "../src/vision/datasets/index.js";
import { loadFixture } from "./helpers/fixtures.js";

/** [name, has a default, keyword-only] in torch's order. */
type TorchParam = [string, boolean, boolean];
const { signatures } = loadFixture<{ signatures: Record<string, TorchParam[]> }>("signatures.json");

/** torch's snake_case name as Flint spells it: T_max -> TMax, label_smoothing -> labelSmoothing, _weight stays. */
const camel = (s: string): string => s.replace(/(?<=.)_([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The class at a dotted path under the torch namespace (nn.Conv2d, optim.lrScheduler.StepLR …). */
function classAt(path: string): new (...args: unknown[]) => unknown {
  let v: unknown = torch;
  for (const part of path.split(".")) v = (v as Record<string, unknown>)[part];
  assert.equal(typeof v, "function", `${path} is not exported`);
  return v as new (...args: unknown[]) => unknown;
}

// torch takes these as varargs (*args / *tensors): nothing positional to order.
const VARARGS = new Set(["nn.Identity", "utils.data.TensorDataset"]);

test("every constructor's parameters are torch's, in torch's order", () => {
  const declared = declaredSignatures();
  let checked = 0;
  for (const [path, params] of Object.entries(signatures)) {
    if (VARARGS.has(path)) continue;
    const short = path.split(".").pop() as string;
    const names = declared.get(short);
    assert.ok(names, `${path}: no signature declared`);
    const positional = params.filter(([, , kw]) => !kw).map(([n]) => camel(n));
    const keywordOnly = params.filter(([, , kw]) => kw).map(([n]) => camel(n));
    assert.deepEqual(names.slice(0, positional.length), positional, `${path}: positional order`);
    assert.deepEqual(
      [...names.slice(positional.length)].sort(),
      [...keywordOnly].sort(),
      `${path}: keyword-only parameters`,
    );
    checked++;
  }
  assert.equal(checked, Object.keys(signatures).length - VARARGS.size);
});

test("every constructor parses its arguments: an unknown (snake_case) name is an error naming class and name", () => {
  for (const path of Object.keys(signatures)) {
    if (VARARGS.has(path)) continue;
    const Cls = classAt(path);
    const short = path.split(".").pop() as string;
    // A sampler's data source or Subset's dataset may be a plain object itself: give one first.
    const lead = ["utils.data.SequentialSampler", "utils.data.RandomSampler", "utils.data.Subset"].includes(path)
      ? [[1, 2, 3]]
      : [];
    const torchName = signatures[path].find(([n]) => n.includes("_"))?.[0];
    const bad = torchName ?? "bogus_name";
    assert.throws(
      () => new Cls(...lead, { [bad]: 1 }),
      (e: Error) => {
        assert.ok(e instanceof ArgumentError, `${path}: ${String(e)}`);
        assert.match(e.message, new RegExp(`^${short}: unexpected option '${bad}'`), path);
        if (torchName !== undefined) assert.match(e.message, new RegExp(`did you mean ${camel(torchName)}\\?`), path);
        return true;
      },
    );
  }
});

test("PyTorch-style positional calls keep every argument", () => {
  const conv = new nn.Conv2d(3, 8, 4, 2, 1);
  assert.deepEqual(
    [conv.stride, conv.padding],
    [
      [2, 2],
      [1, 1],
    ],
  );
  const w = torch.tensor([1, 2, 3]);
  const model = new nn.Linear(2, 2);
  const adam = new optim.Adam(model.parameters(), 0.5);
  assert.equal(adam.paramGroups[0].lr, 0.5);
  const ce = new nn.CrossEntropyLoss(w);
  assert.equal((ce as unknown as { weight: unknown }).weight, w);
  const sgd = new optim.SGD(model.parameters(), 0.1, 0.9);
  assert.equal(sgd.paramGroups[0].momentum, 0.9);
  const step = new optim.lrScheduler.StepLR(sgd, 30, 0.5);
  assert.deepEqual([step.stepSize, step.gamma], [30, 0.5]);
  const bn = new nn.BatchNorm2d(8, 1e-3, 0.2);
  assert.deepEqual([bn.eps, bn.momentum], [1e-3, 0.2]);
  assert.equal(new nn.LayerNorm(8, 1e-3).eps, 1e-3);
  assert.equal(new nn.Embedding(10, 3, 0).paddingIdx, 0);
  const ds = new TensorDataset(torch.arange(10));
  const dl = new DataLoader(ds, 4, true);
  assert.deepEqual([dl.batchSize, dl.length], [4, 3]);
  const lstm = new nn.LSTM({ inputSize: 28, hiddenSize: 64 });
  assert.deepEqual([lstm.inputSize, lstm.hiddenSize, lstm.numLayers], [28, 64, 1]);
  assert.equal(new nn.LSTM(4, 5, 2, false).bias, false);
  // Required parameters by name, optional ones positionally before them.
  const c2 = new nn.Conv2d(3, { outChannels: 4, kernelSize: 3, padding: "same" });
  assert.deepEqual([c2.outChannels, c2.padding], [4, "same"]);
  // Legacy loss arguments decide the reduction as in torch (size_average=False -> sum).
  assert.equal(new nn.MSELoss(false).reduction, "sum");
  assert.equal(new nn.MSELoss(null, false).reduction, "none");
});

test("argument errors: unknown names, too many, twice, missing", () => {
  const ds = new TensorDataset(torch.arange(4));
  assert.throws(
    () => new DataLoader(ds, { batch_size: 64 } as never),
    /DataLoader: unexpected option 'batch_size' \(did you mean batchSize\?\)/,
  );
  assert.throws(
    () => new CIFAR10("/nonexistent", { trian: false } as never),
    /CIFAR10: unexpected option 'trian' \(expected one of root, train, transform, targetTransform, download\)/,
  );
  assert.throws(
    () => new nn.ReLU(...([true, 1] as unknown as [boolean])),
    /ReLU: takes at most 1 positional arguments \(inplace\), got 2/,
  );
  assert.throws(() => new nn.Sigmoid(...([1] as unknown as [])), /Sigmoid: takes no positional arguments, got 1/);
  assert.throws(
    () => new nn.Linear(...([2, 3, { inFeatures: 2 }] as unknown as [number, number])),
    /Linear: got multiple values for argument 'inFeatures'/,
  );
  assert.throws(
    () => new nn.LSTM(...([{ inputSize: 28 }] as unknown as [number, number])),
    /LSTM: missing required argument 'hiddenSize' \(hidden_size in torch\)/,
  );
  assert.throws(
    () => new optim.lrScheduler.StepLR(new optim.SGD(new nn.Linear(1, 1).parameters(), 0.1), 3, 0.1, -1, true),
    /StepLR: verbose=true is not implemented/,
  );
  assert.throws(
    () => new nn.GRU(2, 3, 1, true, false, 0, false, 2),
    /GRU: proj_size argument is only supported for LSTM/,
  );
});
