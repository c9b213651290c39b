// The backward pass recycles the gradient buffers it alone holds (src/buffer-pool.ts): results
// must be bit for bit those without recycling, and no buffer that user code can still see (a
// hook's argument, a custom Function's grad_output, a .grad, autograd.grad's results, a retained
// gradient, the gradient argument of backward) may ever be reused. Each test keeps such a
// tensor, runs more passes that allocate buffers of the same size, and checks it did not change.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { emptyBufferPool, pooledBufferBytes, setBufferPoolEnabled } from "../src/buffer-pool.js";

const N = 4096; // elements: 16 KiB, above the pool's minimum size

/** A chain whose backward makes several same-sized gradients (tanh, mul, add, exp). */
function chain(x: Tensor, w: Tensor): Tensor {
  const h = torch.tanh(x.mul(w));
  const r = h.add(x.mul(h)); // x used twice: two gradients summed into one slot
  return torch.exp(r.mul(0.1)).sum();
}

/** Runs `passes` backward passes of the chain on fresh leaves (each pass frees buffers into the pool). */
function churn(passes = 3): void {
  for (let i = 0; i < passes; i++) {
    const x = torch.randn([N]).requiresGrad_();
    const w = torch.randn([N]).requiresGrad_();
    chain(x, w).backward();
  }
}

const snapshot = (t: Tensor): number[] => Array.from(t.typedArray());

describe("gradient buffer pool", () => {
  test("training with recycling equals training without, bit for bit (conv, residual, Adam)", () => {
    const run = (pool: boolean): number[] => {
      const was = setBufferPoolEnabled(pool);
      try {
        torch.manualSeed(3);
        const conv1 = new nn.Conv2d(3, 8, 3, { padding: 1 });
        const conv2 = new nn.Conv2d(8, 8, 3, { padding: 1 });
        const head = new nn.Linear(8 * 16 * 16, 10);
        const params = [...conv1.parameters(), ...conv2.parameters(), ...head.parameters()];
        const opt = new optim.Adam(params, { lr: 1e-2 });
        const x = torch.randn([4, 3, 16, 16]);
        const y = torch.tensor([1, 2, 3, 4]);
        const losses: number[] = [];
        for (let step = 0; step < 5; step++) {
          opt.zeroGrad();
          const a = torch.relu(conv1.forward(x));
          const b = torch.relu(conv2.forward(a).add(a)); // residual: a's gradient is summed
          const loss = nn.functional.crossEntropy(head.forward(b.flatten(1)), y);
          loss.backward();
          opt.step();
          losses.push(loss.item());
        }
        return [...losses, ...params.flatMap((p) => Array.from(p.typedArray()))];
      } finally {
        setBufferPoolEnabled(was);
      }
    };
    const off = run(false);
    const on = run(true);
    assert.deepEqual(on, off);
  });

  test("backward frees buffers into the pool", () => {
    emptyBufferPool();
    churn(1);
    assert.ok(pooledBufferBytes() >= N * 4, `pooled ${pooledBufferBytes()} bytes`);
  });

  test("a leaf's first gradient is the engine's buffer, and is never recycled afterwards", () => {
    const x = torch.randn([N]).requiresGrad_();
    const w = torch.randn([N]).requiresGrad_();
    chain(x, w).backward();
    const g = x.grad as Tensor;
    const before = snapshot(g);
    x.grad = null; // as zeroGrad({ setToNone: true }): the old .grad is still the user's
    churn();
    assert.deepEqual(snapshot(g), before);
  });

  test("a tensor hook's argument (kept by the hook) is never recycled", () => {
    const x = torch.randn([N]).requiresGrad_();
    const w = torch.randn([N]).requiresGrad_();
    const h = torch.tanh(x.mul(w));
    const kept: Tensor[] = [];
    h.registerHook((g) => {
      kept.push(g);
    });
    torch.exp(h.mul(0.5)).sum().backward();
    const before = snapshot(kept[0]);
    churn();
    assert.deepEqual(snapshot(kept[0]), before);
  });

  test("a leaf hook's argument and its replacement are never recycled", () => {
    const x = torch.randn([N]).requiresGrad_();
    const kept: Tensor[] = [];
    x.registerHook((g) => {
      kept.push(g);
      const r = g.mul(2);
      kept.push(r);
      return r;
    });
    torch.exp(torch.tanh(x).mul(0.5)).sum().backward();
    const before = kept.map(snapshot);
    churn();
    assert.deepEqual(kept.map(snapshot), before);
    assert.deepEqual(snapshot(x.grad as Tensor), before[1]);
  });

  test("a custom Function's grad_output and its returned gradient are never recycled", () => {
    const kept: Tensor[] = [];
    class Keep extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, a: Tensor): Tensor {
        return a.mul(3);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        kept.push(g);
        const r = g.mul(3);
        kept.push(r);
        return r;
      }
    }
    const x = torch.randn([N]).requiresGrad_();
    const y = Keep.apply(torch.tanh(x)) as Tensor;
    torch.exp(y.mul(0.1)).sum().backward();
    const before = kept.map(snapshot);
    churn();
    assert.deepEqual(kept.map(snapshot), before);
  });

  test("autograd.grad's results, retained gradients and backward's gradient argument are never recycled", () => {
    const x = torch.randn([N]).requiresGrad_();
    const w = torch.randn([N]).requiresGrad_();
    const [gx] = torch.autograd.grad([chain(x, w)], [x]);
    const h = torch.tanh(x.mul(w));
    h.retainGrad();
    const seed = torch.randn([N]);
    const seedBefore = snapshot(seed);
    torch.exp(h).backward(seed);
    const kept = [gx as Tensor, h.grad as Tensor];
    const before = kept.map(snapshot);
    churn();
    assert.deepEqual(kept.map(snapshot), before);
    assert.deepEqual(snapshot(seed), seedBefore);
  });

  test("a gradient passed to two leaves (add's backward) reaches both intact", () => {
    const a = torch.randn([N]).requiresGrad_();
    const b = torch.randn([N]).requiresGrad_();
    const s = torch.tanh(a.add(b));
    torch.exp(s).sum().backward();
    const ga = snapshot(a.grad as Tensor);
    assert.deepEqual(snapshot(b.grad as Tensor), ga);
    churn();
    assert.deepEqual(snapshot(a.grad as Tensor), ga);
    assert.deepEqual(snapshot(b.grad as Tensor), ga);
    assert.notEqual((a.grad as Tensor).storage, (b.grad as Tensor).storage);
  });

  test("gradients match float64 finite-difference-checked results with recycling on", () => {
    const x = torch.randn([N], { dtype: "float64" }).requiresGrad_();
    const w = torch.randn([N], { dtype: "float64" }).requiresGrad_();
    chain(x, w).backward();
    const x32 = x.detach().float().requiresGrad_();
    const w32 = w.detach().float().requiresGrad_();
    chain(x32, w32).backward();
    churn();
    const d = (x32.grad as Tensor)
      .double()
      .sub(x.grad as Tensor)
      .abs()
      .max()
      .item();
    assert.ok(d < 1e-4, `max difference ${d}`);
  });
});
