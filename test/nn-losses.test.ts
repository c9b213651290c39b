// Every loss option set against PyTorch 1.13 (values and input gradients), plus error cases.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";

interface LossCase {
  name: string;
  module: string;
  opts: Record<string, unknown>;
  input: Enc;
  target: Enc;
  output: Enc;
  gradOut: Enc;
  inputGrad: Enc;
  weight?: Enc;
  posWeight?: Enc;
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

test("target dtypes and sizes as PyTorch: int64 class indices, float probabilities of the input's shape; l1/mse broadcast with a warning", () => {
  const logits = torch.zeros([4, 3]);
  // PyTorch: expected scalar type Long but found Float / Int.
  assert.throws(
    () => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 1, 2, 1], { dtype: torch.float32 })),
    /int64 class indices of shape \[4\] or float class probabilities of the input's shape \[4, 3\].*expected scalar type Long but found Float/,
  );
  assert.throws(
    () => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 1, 2, 1], { dtype: torch.int32 })),
    /expected scalar type Long but found Int.*target\.long\(\)/,
  );
  assert.throws(
    () => new nn.NLLLoss().forward(logits, torch.tensor([0, 1, 2, 1], { dtype: torch.int32 })),
    /found Int/,
  );
  // PyTorch 1.13 warns and broadcasts: mse_loss([1, 2, 3], [[1], [2], [3]]) = 4/3, l1 = 8/9.
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on("warning", onWarning);
  const x = torch.tensor([1, 2, 3], { dtype: torch.float32 });
  const t = torch.tensor([[1], [2], [3]], { dtype: torch.float32 });
  assert.equal(new nn.MSELoss().forward(x, t).item(), 1.3333333730697632);
  assert.equal(new nn.L1Loss().forward(x, t).item(), 0.8888888955116272);
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      process.off("warning", onWarning);
      assert.ok(
        warnings.some((m) =>
          /mse_loss: using a target size \[3, 1\] that is different to the input size \[3\]/.test(m),
        ),
        warnings.join("; "),
      );
      resolve();
    }),
  );
});

test("a class index out of range is an error naming it", () => {
  const logits = torch.zeros([2, 3]);
  assert.throws(
    () => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 3])),
    /target 3 is out of bounds for 3 classes/,
  );
  assert.throws(() => new nn.NLLLoss().forward(logits, torch.tensor([-1, 0])), /target -1 is out of bounds/);
  assert.throws(
    () => new nn.CrossEntropyLoss().forward(logits, torch.tensor([0, 1, 2])),
    /expected target of shape \[2\]/,
  );
  assert.throws(
    () => new nn.MSELoss().forward(logits, torch.zeros([3, 2])),
    /size of tensor a \(2\) must match the size of tensor b \(3\)|expected|broadcast/i,
  );
  assert.throws(() => new nn.BCELoss().forward(torch.tensor([1.5]), torch.tensor([1.0])), /between 0 and 1/);
  assert.throws(() => new nn.L1Loss({ reduction: "avg" as never }), /not a valid value for reduction/);
});
