// Tensor storage in the WebAssembly memory (src/backend/wasm/heap-storage.ts): with the threaded
// build's shared memory the kernels' outputs are views of the memory, passed to the next kernel by
// address. Checked against the same build with storage in JavaScript (every operand copied), bit
// for bit: a training step, views with offsets, in-place updates, memory growth, a long
// synchronous loop under a cap and a budget, freeing after collection, and serialisation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { backend as activeBackend, setActiveBackend, type Backend } from "../src/backend/backend.js";
import { makeWasmBackend, type WasmBackend } from "../src/backend/wasm/index.js";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";
import { instantiateKernelsSync } from "../src/backend/wasm/module.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { loadFromBytes, saveToBytes } from "../src/serialization/in-memory.js";

const dir = join(import.meta.dirname, "..", "native", "wasm");
const mtBytes = readFileSync(join(dir, "flint-mt.wasm"));
const threaded = (options: { enabled?: boolean; cap?: number; budget?: number } = {}): WasmBackend => {
  const w = makeWasmBackend(instantiateThreadedNode(mtBytes), options);
  w.kernels.setNumThreads(2);
  return w;
};
const heapOn = threaded({ enabled: true }),
  heapOff = threaded({ enabled: false });

/** Runs fn with backend b active (restoring the previous one). */
function using<T>(b: Backend, fn: () => T): T {
  const prev = activeBackend();
  setActiveBackend(b);
  try {
    return fn();
  } finally {
    setActiveBackend(prev as Backend);
  }
}
const inHeap = (w: WasmBackend, t: torch.Tensor): boolean => w.kernels.heapStorage.owns(t.storage.data as Float32Array);

/** A small CNN's training steps; returns the losses and the parameters after them. */
function train(b: WasmBackend): { losses: number[]; params: Float32Array[]; sawHeap: boolean } {
  return using(b.backend, () => {
    torch.manualSeed(3);
    const conv1 = new nn.Conv2d(3, 8, 3, { padding: 1 });
    const model = new nn.Sequential(
      conv1,
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1 }),
      new nn.AvgPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 4 * 4, 32),
      new nn.Tanh(),
      new nn.Linear(32, 10),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = torch.randn(16, 3, 16, 16),
      y = torch.randint(0, 10, [16]);
    const losses: number[] = [];
    let sawHeap = false;
    for (let i = 0; i < 4; i++) {
      opt.zeroGrad();
      const h = model.forward(x);
      sawHeap ||= inHeap(b, conv1.forward(x));
      const loss = nn.functional.crossEntropy(h, y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    return { losses, params: model.parameters().map((p) => p.typedArray() as Float32Array), sawHeap };
  });
}

test("a training step with storage in the wasm memory equals the copy path bit for bit", () => {
  const on = train(heapOn),
    off = train(heapOff);
  assert.ok(on.sawHeap, "outputs are views of the memory");
  assert.ok(heapOn.kernels.heapStorage.counts.heap > 0);
  assert.equal(heapOff.kernels.heapStorage.counts.heap, 0);
  assert.deepEqual(on.losses, off.losses);
  on.params.forEach((p, i) => assert.deepEqual(p, off.params[i], `parameter ${i}`));
});

/** Ops on views with offsets, transposes and in-place updates of in-memory tensors. */
function viewsAndInPlace(b: WasmBackend): Float32Array[] {
  return using(b.backend, () => {
    torch.manualSeed(5);
    const a = torch.randn(64, 96).exp(); // in the heap (6144 floats)
    const w = torch.randn(96, 80).mul(0.5);
    const outs: torch.Tensor[] = [];
    outs.push(a.narrow(0, 3, 40).matmul(w)); // offset view into heap storage, GEMM
    outs.push(a.narrow(1, 5, 80).add(a.narrow(1, 7, 80))); // strided views, offsets
    outs.push(a.t().contiguous()); // gather through copyStrided
    outs.push(a.narrow(0, 1, 60).sigmoid()); // contiguous view with an offset
    const c = a.mul(2);
    c.narrow(0, 10, 20).add_(a.narrow(0, 30, 20)); // in place into a view of in-heap storage
    c.mul_(0.25);
    c.narrow(1, 2, 50).copy_(a.narrow(1, 40, 50)); // strided in-place copy
    outs.push(c);
    const s = a.sum(1); // row sums of in-heap storage
    outs.push(s, a.logSoftmax(1), a.softmax(1).narrow(0, 2, 5));
    if (b === heapOn) assert.ok(inHeap(b, a) && inHeap(b, c), "these live in the memory");
    return outs.map((t) => t.typedArray() as Float32Array);
  });
}

test("views with offsets and in-place updates of in-memory storage equal the copy path", () => {
  const on = viewsAndInPlace(heapOn),
    off = viewsAndInPlace(heapOff);
  on.forEach((t, i) => assert.deepEqual(t, off[i], `result ${i}`));
});

test("in-memory tensors survive the memory's growth (a shared memory never detaches views)", () => {
  using(heapOn.backend, () => {
    const a = torch.arange(0, 4096).div(7).exp().neg();
    assert.ok(inHeap(heapOn, a));
    const before = a.typedArray();
    const ex = heapOn.kernels.heapStorage as unknown as { ex: { memory: { buffer: ArrayBuffer } } };
    const mem = ex.ex.memory,
      size = mem.buffer.byteLength;
    // The kernels grow the memory for scratch at any time; force a growth the same way.
    const big = (ex.ex as unknown as { flint_alloc(n: number): number; flint_free(p: number): void }).flint_alloc(
      size + (64 << 20),
    );
    assert.ok(big !== 0 && mem.buffer.byteLength > size, "the memory grew");
    assert.ok(inHeap(heapOn, a), "still recognised as in memory after the growth");
    assert.deepEqual(a.typedArray(), before);
    const b = a.mul(3); // read by address after the growth
    assert.deepEqual(
      b.typedArray(),
      Float32Array.from(before, (v) => Math.fround(v * 3)),
    );
    (ex.ex as unknown as { flint_free(p: number): void }).flint_free(big);
  });
});

test("the one-thread build (a non-shared memory) keeps storage in JavaScript", () => {
  const st = makeWasmAddon(instantiateKernelsSync(readFileSync(join(dir, "flint.wasm"))));
  assert.equal(st.heapStorage.enabled, false);
  assert.equal(st.allocFloat32?.(1 << 16), null);
});

test("a long synchronous loop stays within the cap and the budget, with right values", async () => {
  const w = threaded({ cap: 4 << 20, budget: 2 << 20 });
  const hs = w.kernels.heapStorage;
  const memBefore = (hs as unknown as { ex: { memory: { buffer: ArrayBuffer } } }).ex.memory.buffer.byteLength;
  using(w.backend, () => {
    const x = torch.arange(0, 8192).div(8192);
    for (let i = 0; i < 400; i++) {
      const y = x.mul(i).add(1); // 32 KiB outputs, never freed inside this loop
      const v = y.typedArray();
      assert.equal(v[8191], Math.fround(Math.fround(Math.fround(8191 / 8192) * i) + 1));
    }
  });
  assert.ok(hs.live <= 2 << 20, `live ${hs.live} within the budget`);
  assert.ok(hs.counts.fallback > 0 && hs.counts.heap > 0, JSON.stringify(hs.counts));
  const memAfter = (hs as unknown as { ex: { memory: { buffer: ArrayBuffer } } }).ex.memory.buffer.byteLength;
  assert.ok(memAfter - memBefore <= 8 << 20, `memory grew by ${memAfter - memBefore} bytes`);
  // After a turn of the event loop the budget is free again.
  await new Promise((r) => setTimeout(r, 5));
  const heapBefore = hs.counts.heap;
  using(w.backend, () => torch.ones(8192).exp());
  assert.equal(hs.counts.heap, heapBefore + 2, "ones (a creation op) and exp both in the memory");
});

test("storage is freed once its tensors are collected", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const w = threaded();
  const hs = w.kernels.heapStorage;
  using(w.backend, () => {
    const x = torch.ones(65536);
    for (let i = 0; i < 20; i++) x.mul(i);
  });
  assert.equal(hs.counts.heap, 21, "x (a creation op) and the 20 products");
  for (let i = 0; i < 5 && hs.counts.freed < 21; i++) {
    await new Promise((r) => setTimeout(r, 0));
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(hs.counts.freed, 21);
  assert.equal(hs.live, 0);
});

test("state dicts of in-memory tensors save, load and clone", () => {
  using(heapOn.backend, () => {
    torch.manualSeed(9);
    const a = torch.randn(40, 50).exp(),
      b = a.narrow(0, 5, 10);
    assert.ok(inHeap(heapOn, a));
    for (const format of ["safetensors", "pt"] as const) {
      const back = loadFromBytes(saveToBytes({ a, b }, { format })) as Record<string, torch.Tensor>;
      assert.deepEqual(back.a.typedArray(), a.typedArray(), format);
      assert.deepEqual(back.b.typedArray(), b.typedArray(), format);
    }
    const c = a.clone();
    a.mul_(2);
    assert.deepEqual(c.mul(2).typedArray(), a.typedArray(), "a clone does not share the range");
  });
});
