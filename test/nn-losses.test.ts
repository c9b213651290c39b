// Every loss option set against PyTorch 1.13 (values and input gradients), plus error cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";

interface LossCase {
  name: string; module: string; opts: Record<string, unknown>; input: Enc; target: Enc;
  output: Enc; gradOut: Enc; inputGrad: Enc; weight?: Enc; posWeight?: Enc;
}

const { cases } = fixture<{ cases: LossCase[] }>("losses.json");

for (const c of cases) {
  test(`loss ${c.name} (${c.module}) matches PyTorch`, () => {
    const opts: Record<string, unknown> = { ...c.opts };
    if (c.weight) opts.weight = dec(c.weight);
    if (c.posWeight) opts.posWeight = dec(c.posWeight);
    const m = new (ctorOf<nn.Module>(nn, c.module))(opts);
    const x = dec(c.input).requiresGrad_(true);
    const out = m.call(x as never, dec(c.target) as never) as torch.Tensor;
    assertClose(out, dec(c.output), `${c.name} output`, 1e-4, 1e-6);
    torch.mul(out, dec(c.gradOut)).sum().backward();
    assertClose(x.grad as torch.Tensor, dec(c.inputGrad), `${c.name} input grad`, 1e-4, 1e-6);
  });
}

test("the seed's first snippet prints PyTorch's numbers", () => {
  const input = torch.reshape(torch.tensor([1, 2, 3], { dtype: torch.float32 }), [1, 1, 1, 3]);
  const target = torch.reshape(torch.tensor([1, 2, 5], { dtype: torch.float32 }), [1, 1, 1, 3]);
  assert.equal(new nn.L1Loss().forward(input, target).item(), 0.6666666865348816);
  assert.equal(new nn.L1Loss({ reduction: "sum" }).forward(input, target).item(), 2);
  assert.equal(new nn.MSELoss().forward(input, target).item(), 1.3333333730697632);
});

test("a class index out of range is an error naming it", () => {
  const logits = torch.zeros([2, 3]);
  assert.throws(() => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 3])), /target 3 is out of bounds for 3 classes/);
  assert.throws(() => new nn.NLLLoss().forward(logits, torch.tensor([-1, 0])), /target -1 is out of bounds/);
  assert.throws(() => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 1, 2])), /expected target of shape \[2\]/);
  assert.throws(() => new nn.MSELoss().forward(logits, torch.zeros([3, 2])), /must be the same as input size/);
  assert.throws(() => new nn.BCELoss().forward(torch.tensor([1.5]), torch.tensor([1.0])), /between 0 and 1/);
  assert.throws(() => new nn.L1Loss({ reduction: "avg" as never }), /not a valid value for reduction/);
});
