// Saved tensors are freed by backward(), as PyTorch frees saved variables: a graph that stays
// referenced afterwards (a loop's `loss`, the model's output) must not keep the step's activations
// alive. It did (src/autograd/node.ts kept them for its version check), and ResNet-20 training held
// ~95 MB of one step's activations into the next, where the storage allocator's step-boundary
// collection promoted them (bench/gc-per-step.ts: a mark-compact every 3rd step).
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import * as torch from "../src/index.js";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
v8.setFlagsFromString("--no-expose-gc");
// A WeakRef's target stays alive until the task that read or made it ends.
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function savedSurvives(retainGraph: boolean): Promise<boolean> {
  const w = torch.randn([4096], { requiresGrad: true });
  let a: torch.Tensor | null = w.exp();
  const saved = new WeakRef(a);
  const out = a.mul(a).sum(); // mul saves a (both operands)
  a = null;
  out.backward(undefined, { retainGraph });
  await nextTask();
  for (let i = 0; i < 3; i++) {
    gc();
    await nextTask();
  }
  const alive = saved.deref() !== undefined;
  assert.ok(out.gradFn !== null); // the graph itself is still referenced here
  return alive;
}

test("backward frees saved tensors while the graph stays referenced", async () => {
  assert.equal(await savedSurvives(false), false);
});

test("retainGraph keeps them (a second backward needs them)", async () => {
  assert.equal(await savedSurvives(true), true);
});

test("a second backward through the freed graph still says so", () => {
  const w = torch.randn([8], { requiresGrad: true });
  const out = w.exp().mul(w).sum();
  out.backward();
  assert.throws(() => out.backward(), /backward through the graph a second time/);
});
