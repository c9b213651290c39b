// The native caching allocator for tensor storage (native/storage.cc, installed by
// torch.tuneProcess()): a block is reused only once no ArrayBuffer can reach it (also one handed
// to a worker), memory stays bounded in a loop that never yields to the event loop, results equal
// those with V8's allocator bit for bit, and FLINT_NATIVE_STORAGE=0 turns it off.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { nativeAddon } from "../src/backend/native/addon.js";
import { setStorageAllocator, uninitArray, type StorageAllocator } from "../src/dtype.js";
import { storageStepBoundary } from "../src/storage-step.js";

interface Stats {
  freshBytes: number;
  liveBytes: number;
  cachedBytes: number;
  reusedBytes: number;
  forcedScavenges: number;
  forcedFullGcs: number;
}
const addon = nativeAddon() as unknown as { storageStats?: () => Stats } | null;
const stats = (): Stats => (addon?.storageStats as () => Stats)();
const enabled = torch.tuneProcess().storage;
const skip = enabled ? false : "needs the native addon's storage allocator";

/**
 * Asserts that a phase took (nearly) all its blocks from the cache: fresh memory at most a quarter
 * of what it handed out. Not exactly none: V8 releases dead ArrayBuffers' stores on a background
 * sweeper thread, and on a busy machine (test files run side by side) a cycle's blocks may come
 * back a cycle late, so the cache makes some new ones meanwhile. An allocator that did not reuse
 * (or, in the size-class test, cached by exact size) needs about all of them fresh.
 */
function assertMostlyReused(before: Stats, after: Stats, handedOut: number, what: string): void {
  const fresh = after.freshBytes - before.freshBytes;
  assert.ok(
    fresh <= handedOut / 4,
    `${what}: ${(fresh / 2 ** 20).toFixed(1)} MB fresh of ${(handedOut / 2 ** 20).toFixed(1)} MB`,
  );
}

/** Allocates and drops `mb` MB of 1 MiB kernel-output buffers, synchronously. */
function churn(mb: number, fill = 0): void {
  for (let i = 0; i < mb; i++) uninitArray("float32", 1 << 18).fill(fill);
}

describe("native storage allocator", () => {
  test("tuneProcess installs it on the native backend", () => {
    assert.equal(enabled, torch.backendName() === "native" && process.env.FLINT_KEEP_V8_FLAGS !== "1");
  });

  test("reuses dropped blocks and never one that JS can still reach", { skip }, () => {
    const kept = Array.from({ length: 8 }, (_, i) => uninitArray("float32", 1 << 18).fill(i + 0.5));
    const reused = stats().reusedBytes;
    churn(600, -1); // several forced scavenges
    assert.ok(stats().forcedScavenges > 0);
    assert.ok(stats().reusedBytes > reused + 100 * 2 ** 20, "dropped blocks come back");
    kept.forEach((a, i) =>
      assert.ok(
        a.every((v) => v === i + 0.5),
        `kept buffer ${i} unchanged`,
      ),
    );
  });

  test("memory stays bounded in a synchronous loop", { skip }, () => {
    const rss0 = process.memoryUsage().rss;
    for (let step = 0; step < 30; step++) {
      const xs = [];
      for (let i = 0; i < 64; i++) xs.push(uninitArray("float32", 1 << 18).fill(step)); // 64 MB live per step
      assert.equal(xs[63][0], step);
    }
    const s = stats();
    // 1.9 GB went through; the allocator holds about one cycle (<= 256 MB) plus what is live.
    assert.ok(s.liveBytes + s.cachedBytes < 800 * 2 ** 20, `holds ${(s.liveBytes + s.cachedBytes) / 2 ** 20} MB`);
    assert.ok(process.memoryUsage().rss - rss0 < 900 * 2 ** 20);
  });

  test("a step boundary collects there, so the cycle follows the step and needs no fresh memory", { skip }, () => {
    const step = (): void => {
      const xs = [];
      for (let i = 0; i < 48; i++) xs.push(uninitArray("float32", 1 << 18).fill(i)); // 48 MB of activations
      assert.equal(xs[47][0], 47);
    };
    for (let i = 0; i < 3; i++) {
      step();
      storageStepBoundary();
    }
    const s0 = stats();
    let collected = 0;
    for (let i = 0; i < 10; i++) {
      step();
      if (storageStepBoundary()) collected++;
    }
    const s1 = stats();
    // Every collection came at a boundary (none mid-step), at least every other step, and each
    // step's blocks were the last one's: nothing fresh from malloc. A boundary collects young
    // blocks with a scavenge, or old ones with a full collection once enough have been promoted
    // (which depends on when V8 scavenged on its own, so either may come).
    const forced = (s: typeof s0): number => s.forcedScavenges + s.forcedFullGcs;
    assert.equal(forced(s1) - forced(s0), collected);
    assert.ok(collected >= 5, `${collected} collections in 10 steps`);
    assertMostlyReused(s0, s1, 10 * 48 * 2 ** 20, "10 steps");
  });

  test("sizes a little apart share blocks, and a steady loop needs nothing fresh", { skip }, () => {
    // A cycle of 1.03 MB blocks, then cycles of blocks of 1.00003-1.023 MB, almost every one a size
    // not seen before: all one size class (1.125 MiB), so none of them needs a block of its own.
    const elems = (i: number, c: number): number => (1 << 18) + 8 + ((i * 37 + c * 11) % 6000);
    const cycle = (n: number, c: number): number => {
      let bytes = 0;
      for (let i = 0; i < n; i++)
        bytes += 4 * uninitArray("float32", c < 0 ? (1 << 18) + 8192 : elems(i, c)).fill(i).length;
      return bytes;
    };
    for (let i = 0; i < 3; i++) cycle(300, -1);
    const s0 = stats();
    let handedOut = 0;
    for (let c = 0; c < 6; c++) handedOut += cycle(300, c);
    const s1 = stats();
    assert.ok(s1.forcedScavenges > s0.forcedScavenges);
    assertMostlyReused(s0, s1, handedOut, "jittered sizes");
  });

  test("an outermost module call without autograd is an inference step boundary", { skip }, () => {
    const net = new nn.Sequential(new nn.Linear(1024, 4096), new nn.ReLU(), new nn.Linear(4096, 256));
    const x = torch.randn([512, 1024]);
    const before = stats().forcedScavenges;
    let out = torch.zeros([1]);
    // ~17 MB a call, 330 MB in all: the byte budget alone (<= 256 MB) would collect once or
    // twice; a boundary collects once a quarter of it was handed out.
    for (let i = 0; i < 20; i++) out = torch.noGrad(() => net(x));
    assert.equal(out.shape[1], 256);
    assert.ok(stats().forcedScavenges - before >= 4, `${stats().forcedScavenges - before} collections`);
    const s0 = stats();
    for (let i = 0; i < 20; i++) out = torch.noGrad(() => net(x));
    assertMostlyReused(s0, stats(), 20 * 17 * 2 ** 20, "steady inference steps");
  });

  test("with step boundaries, old blocks that die are freed by a mark-compact at a boundary", { skip }, () => {
    // Each step keeps its 16 MB "state" for 4 steps, long enough to be old when it dies.
    const kept: Float32Array[] = [];
    const live0 = stats().liveBytes;
    for (let step = 0; step < 60; step++) {
      kept.push(uninitArray("float32", 1 << 22).fill(step) as Float32Array);
      if (kept.length > 4) kept.shift();
      churn(40, step); // the step's temporaries
      storageStepBoundary();
    }
    const s = stats() as Stats & { forcedFullGcs: number };
    assert.ok(s.forcedFullGcs > 0, "collected the old generation");
    assert.ok(s.liveBytes - live0 < 600 * 2 ** 20, `${(s.liveBytes - live0) / 2 ** 20} MB live`);
    kept.forEach((a) => assert.equal(a[0], a[a.length - 1]));
  });

  test("a buffer transferred to a worker is not reused while the worker holds it", { skip }, async () => {
    const w = new Worker(
      `const { parentPort } = require("node:worker_threads");
       let held;
       parentPort.on("message", (m) => {
         if (m.buf) { held = new Float32Array(m.buf); parentPort.postMessage("got"); }
         else parentPort.postMessage(held.every((v) => v === 7) && held.length === 1 << 18);
       });`,
      { eval: true },
    );
    const next = (): Promise<unknown> => new Promise((r) => w.once("message", r));
    const a = uninitArray("float32", 1 << 18).fill(7);
    w.postMessage({ buf: a.buffer }, [a.buffer as ArrayBuffer]);
    assert.equal(await next(), "got");
    assert.equal(a.length, 0, "detached here");
    churn(600, 3); // the detached ArrayBuffer here dies; the block must stay the worker's
    w.postMessage({});
    assert.equal(await next(), true);
    await w.terminate();
  });

  test("structuredClone and safetensors-style byte views of its storage work", { skip }, () => {
    const t = torch.randn([64, 64]).mul(2);
    const copy = structuredClone(t.typedArray());
    assert.deepEqual(Array.from(copy), Array.from(t.typedArray()));
    const bytes = new Uint8Array(t.typedArray().buffer, 0, 64 * 64 * 4);
    assert.equal(Buffer.from(bytes).length, 64 * 64 * 4);
  });

  test("training equals training with V8's allocator, bit for bit", { skip }, () => {
    const run = (alloc: StorageAllocator | null): number[] => {
      const was = setStorageAllocator(alloc);
      try {
        torch.manualSeed(5);
        const net = new nn.Sequential(
          new nn.Conv2d(3, 16, 3, { padding: 1 }),
          new nn.BatchNorm2d(16),
          new nn.ReLU(),
          new nn.Flatten(),
          new nn.Linear(16 * 16 * 16, 10),
        );
        const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
        const x = torch.randn([32, 3, 16, 16]);
        const y = torch.randint(0, 10, [32]);
        for (let i = 0; i < 4; i++) {
          opt.zeroGrad();
          nn.functional.crossEntropy(net.forward(x), y).backward();
          opt.step();
          churn(40); // recycle blocks between steps
        }
        return net.parameters().flatMap((p) => Array.from(p.typedArray()));
      } finally {
        setStorageAllocator(was);
      }
    };
    const native = setStorageAllocator(null);
    setStorageAllocator(native);
    assert.deepEqual(run(native), run(null));
  });

  test("FLINT_NATIVE_STORAGE=0 leaves storage to V8", { skip }, () => {
    const code = `import("${new URL("../src/index.ts", import.meta.url).href}").then((t) => console.log(JSON.stringify(t.tuneProcess())))`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
      env: { ...process.env, FLINT_NATIVE_STORAGE: "0" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).storage, false);
  });
});
