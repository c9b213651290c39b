// Storage made by creation ops on the WebAssembly backend (src/dtype.ts arrayFor / uninitArray
// through the backend's hostFloat32): parameters, gradients, optimizer state and inputs live in
// the module's memory, so a training step passes them to the kernels by address instead of
// copying them in (and parameters and optimizer state back out) on every call. Checked bit for
// bit against the same build with storage in JavaScript, with SGD (momentum) and Adam.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { backend as activeBackend, setActiveBackend, type Backend } from "../src/backend/backend.js";
import { makeWasmBackend, type WasmBackend } from "../src/backend/wasm/index.js";
import { Heap } from "../src/backend/wasm/heap.js";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";

const mtBytes = readFileSync(join(import.meta.dirname, "..", "native", "wasm", "flint-mt.wasm"));
const threaded = (enabled: boolean): WasmBackend => {
  const w = makeWasmBackend(instantiateThreadedNode(mtBytes), { enabled });
  w.kernels.setNumThreads(2);
  return w;
};
const heapOn = threaded(true),
  heapOff = threaded(false);

/** Bytes of float32/int64 operands of at least 4 KiB copied into the memory while counting is on. */
let counting: WasmBackend | null = null,
  copiedIn = 0;
const run = Heap.prototype.run;
Heap.prototype.run = function <T>(this: Heap, regions: Parameters<Heap["run"]>[0], fn: (p: number[]) => T): T {
  if (counting !== null)
    for (const r of regions) {
      const bytes = r ? r.length * r.array.BYTES_PER_ELEMENT : 0;
      if (r && r.input && bytes >= 4096 && !counting.kernels.heapStorage.owns(r.array)) copiedIn += bytes;
    }
  return run.call(this, regions, fn) as T;
};

function using<T>(b: Backend, fn: () => T): T {
  const prev = activeBackend();
  setActiveBackend(b);
  try {
    return fn();
  } finally {
    setActiveBackend(prev as Backend);
  }
}

interface Run {
  losses: number[];
  params: Float32Array[];
  /** Operand bytes copied in during the last step (the first ones create gradients and state). */
  lastStepCopied: number;
  /** Whether parameters, gradients, optimizer state and the input were views of the memory. */
  resident: boolean[];
}

function train(w: WasmBackend, makeOpt: (ps: nn.Parameter[]) => optim.Optimizer): Run {
  return using(w.backend, () => {
    torch.manualSeed(11);
    const model = new nn.Sequential(
      new nn.Conv2d(3, 16, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 16, 3, { padding: 1 }),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 4 * 4, 64),
      new nn.Linear(64, 10),
    );
    const params = model.parameters();
    const opt = makeOpt(params);
    const x = torch.randn(32, 3, 16, 16),
      y = torch.randint(0, 10, [32]);
    const losses: number[] = [];
    let lastStepCopied = 0;
    for (let i = 0; i < 4; i++) {
      counting = w;
      copiedIn = 0;
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      counting = null;
      lastStepCopied = copiedIn;
      losses.push(loss.item());
    }
    const owns = (t: torch.Tensor | undefined): boolean =>
      t !== undefined && w.kernels.heapStorage.owns(t.storage.data as Float32Array);
    const big = params.filter((p) => p.numel() * 4 >= 4096);
    const state = big.flatMap((p) =>
      Object.values(opt.state.get(p) ?? {}).filter((v): v is torch.Tensor => v instanceof torch.Tensor && v.dim() > 0),
    );
    const resident = [
      big.every((p) => owns(p)),
      big.every((p) => owns(p.grad ?? undefined)),
      state.length > 0 && state.every((s) => owns(s)),
      owns(x),
    ];
    return { losses, params: params.map((p) => p.typedArray() as Float32Array), lastStepCopied, resident };
  });
}

for (const [name, makeOpt] of [
  ["SGD with momentum", (ps: nn.Parameter[]) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 })],
  ["Adam", (ps: nn.Parameter[]) => new optim.Adam(ps, { lr: 1e-3 })],
] as const) {
  test(`${name}: parameters, gradients, state and inputs stay in the memory; bit for bit the copy path`, () => {
    const on = train(heapOn, makeOpt),
      off = train(heapOff, makeOpt);
    assert.deepEqual(on.resident, [true, true, true, true], "params, grads, optimizer state, input");
    assert.equal(on.lastStepCopied, 0, "no large operand copied in a step");
    assert.ok(off.lastStepCopied > 0, "the copy path copies");
    assert.deepEqual(on.losses, off.losses);
    on.params.forEach((p, i) => assert.deepEqual(p, off.params[i], `parameter ${i}`));
  });
}

test("creation ops on the wasm backend: zeros are zeros in reused memory, small and int64 arrays stay in JS", async () => {
  using(heapOn.backend, () => {
    const a = torch.randn(4096).exp(); // fills a range with non-zeros
    assert.ok(heapOn.kernels.heapStorage.owns(a.storage.data as Float32Array));
  });
  // Let the range be freed and handed out again.
  await new Promise((r) => setTimeout(r, 0));
  using(heapOn.backend, () => {
    for (let i = 0; i < 8; i++) {
      const z = torch.zeros(4096);
      assert.ok(heapOn.kernels.heapStorage.owns(z.storage.data as Float32Array));
      assert.ok((z.typedArray() as Float32Array).every((v) => v === 0));
    }
    assert.ok(!heapOn.kernels.heapStorage.owns(torch.zeros(16).storage.data as Float32Array), "small: JS");
    assert.ok(!(torch.zeros([4096], { dtype: "int64" }).storage.data.buffer instanceof SharedArrayBuffer), "int64: JS");
  });
  // Another CPU backend active: JS arrays again.
  assert.ok(!(torch.zeros(4096).storage.data.buffer instanceof SharedArrayBuffer));
});
