// DataLoader with numWorkers > 0: the same batches as in process, in order; persistent workers;
// iterable datasets; errors from workers; datasets and transforms sent to worker threads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { DataLoader, TensorDataset, WorkerSendError, type Collated } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import type { Tensor } from "../src/tensor.js";
import { Exits, Opaque, ShardedStream, Slow, Squares, WhoLoads } from "./data-worker-datasets.js";
import { cifarRecords, tempDir } from "./data-helpers.js";

function snapshot(batches: Iterable<unknown>): unknown[] {
  const conv = (v: unknown): unknown => {
    if (v instanceof torch.Tensor) return { dtype: v.dtype, shape: v.shape, data: Array.from(v.typedArray(), Number) };
    if (Array.isArray(v)) return v.map(conv);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v;
  };
  return Array.from(batches, conv);
}

async function collectAsync<B>(dl: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of dl) out.push(b);
  return out;
}

describe("DataLoader worker threads", () => {
  it("give the same batches as in-process loading, for..of and for await..of", async () => {
    const ds = new Squares(23);
    const inProcess = snapshot(new DataLoader(ds, { batchSize: 4 }));
    const dl = new DataLoader(ds, { batchSize: 4, numWorkers: 2, prefetchFactor: 3 });
    assert.deepEqual(snapshot(dl), inProcess);
    assert.deepEqual(snapshot(await collectAsync(dl)), inProcess);
    const tds = new TensorDataset(torch.arange(30).reshape(10, 3).float(), torch.arange(10));
    assert.deepEqual(
      snapshot(new DataLoader(tds, { batchSize: 3, numWorkers: 2 })),
      snapshot(new DataLoader(tds, { batchSize: 3 })),
    );
  });

  it("spread batches over the workers and keep sampler order with shuffle", () => {
    const dl = new DataLoader(new WhoLoads(40), { batchSize: 5, numWorkers: 2, shuffle: true });
    const batches = Array.from(dl) as Tensor[][];
    const items = batches.flatMap((b) => b[0].tolist() as number[]);
    assert.deepEqual(
      [...items].sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
    );
    const workers = batches.map((b) => (b[1].tolist() as number[])[0]);
    assert.deepEqual(workers, [0, 1, 0, 1, 0, 1, 0, 1], "round-robin over the two workers");
  });

  it("persistent workers serve several epochs; breaking out early is fine", () => {
    const ds = new Squares(10);
    const dl = new DataLoader(ds, { batchSize: 3, numWorkers: 2, persistentWorkers: true });
    const expected = snapshot(new DataLoader(ds, { batchSize: 3 }));
    assert.deepEqual(snapshot(dl), expected);
    for (const _ of dl) break;
    assert.deepEqual(snapshot(dl), expected);
    dl.shutdown();
    const once = new DataLoader(ds, { batchSize: 3, numWorkers: 2 });
    for (const _ of once) break;
    assert.deepEqual(snapshot(once), expected);
  });

  it("iterable datasets shard with getWorkerInfo; batches come round-robin", () => {
    const dl = new DataLoader(new ShardedStream(9), { batchSize: 2, numWorkers: 2 });
    assert.deepEqual(
      Array.from(dl, (b) => (b as Tensor).tolist()),
      [[0, 2], [1, 3], [4, 6], [5, 7], [8], []].filter((b) => b.length > 0),
    );
  });

  it("re-raise a worker's error in the loop, naming the worker", () => {
    const dl = new DataLoader(new Squares(10, 5), { batchSize: 2, numWorkers: 2 });
    const seen: number[] = [];
    assert.throws(() => {
      for (const b of dl as DataLoader<{ x: Float32Array; y: number }, Collated<{ x: Float32Array; y: number }>>)
        seen.push(...(b.y.tolist() as number[]));
    }, /Caught RangeError in DataLoader worker 0: Squares: item 5 is cursed/);
    assert.deepEqual(seen, [0, 1, 2, 0], "batches before the failing one arrive in order");
  });

  it("report a worker thread that exits instead of waiting forever", () => {
    assert.throws(
      () => Array.from(new DataLoader(new Exits(), { batchSize: 2, numWorkers: 2 })),
      /DataLoader worker 0 failed: DataLoader worker 0 exited unexpectedly \(exit code 3\)/,
    );
  });

  it("send collateFn and workerInitFn by source; captured variables are an error naming them", () => {
    const dl = new DataLoader(new Squares(7), {
      batchSize: 3,
      numWorkers: 2,
      collateFn: (b: { y: number }[]) => b.map((s) => s.y * 10),
      workerInitFn: (id: number) => {
        (globalThis as Record<string, unknown>).flintWorkerId = id;
      },
    });
    assert.deepEqual(Array.from(dl), [[0, 10, 20], [0, 10, 20], [0]]);
    const k = 3;
    const closure = new DataLoader(new Squares(4), {
      batchSize: 2,
      numWorkers: 1,
      collateFn: (b: unknown[]) => b.length * k,
    });
    assert.throws(() => Array.from(closure), /Caught ReferenceError in DataLoader worker 0: k is not defined/);
  });

  it("time out when a batch takes longer than `timeout` seconds", async () => {
    // Worker start-up (module loading) counts too, as PyTorch's timeout covers the whole wait.
    assert.throws(
      () => Array.from(new DataLoader(new Slow(3000), { batchSize: 2, numWorkers: 1, timeout: 0.5 })),
      /DataLoader timed out after 0.5 seconds/,
    );
    await assert.rejects(
      collectAsync(new DataLoader(new Slow(3000), { batchSize: 2, numWorkers: 1, timeout: 0.5 })),
      /DataLoader timed out after 0.5 seconds/,
    );
  });

  it("refuse datasets that cannot be rebuilt in a worker", () => {
    assert.throws(
      () => Array.from(new DataLoader(new Opaque(), { numWorkers: 1 })),
      (e: Error) => e instanceof WorkerSendError && /Opaque.*workerSpec/.test(e.message),
    );
  });

  it("run vision datasets with transforms (Compose, Normalize, Lambda) in workers, as in process", () => {
    const root = tempDir();
    const dir = join(root, "cifar-10-batches-bin");
    mkdirSync(dir, { recursive: true });
    for (const f of [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ]) {
      writeFileSync(join(dir, f), cifarRecords(6, 1, f.length).bytes);
    }
    class Small extends datasets.CIFAR10<Tensor> {
      static override records = Object.fromEntries(Object.keys(datasets.CIFAR10.records).map((k) => [k, 6]));
    }
    const transform = new transforms.Compose<never, Tensor>([
      new transforms.ToTensor(),
      new transforms.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]),
      new transforms.Lambda((x: Tensor) => x.mul(2)),
      new transforms.CenterCrop(30),
    ]);
    const ds = new Small(root, { transform });
    const inProcess = snapshot(new DataLoader(ds, { batchSize: 8 }));
    const viaWorkers = snapshot(new DataLoader(ds, { batchSize: 8, numWorkers: 2 }));
    assert.deepEqual(viaWorkers, inProcess);
    const first = (inProcess[0] as { shape: number[]; dtype: string }[])[0];
    assert.deepEqual([first.shape, first.dtype], [[8, 3, 30, 30], "float32"]);
  });
});

describe("DataLoader worker threads and process exit", () => {
  it("an abandoned or interrupted loop does not keep the process alive", async () => {
    const { spawnSync } = await import("node:child_process");
    const { writeFileSync: write } = await import("node:fs");
    const dir = tempDir();
    const script = join(dir, "abandon.mts");
    const src = new URL("../src/utils/data/index.ts", import.meta.url).pathname;
    const helpers = new URL("./data-worker-datasets.ts", import.meta.url).pathname;
    write(
      script,
      `import { DataLoader } from ${JSON.stringify(src)};
import { Squares } from ${JSON.stringify(helpers)};
const dl = new DataLoader(new Squares(100), { batchSize: 2, numWorkers: 2 });
dl[Symbol.iterator]().next();
const p = new DataLoader(new Squares(100), { batchSize: 2, numWorkers: 1, persistentWorkers: true });
for await (const _ of p) break;
console.log("done");
`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], {
      encoding: "utf8",
      timeout: 60000,
      cwd: process.cwd(),
    });
    assert.equal(r.signal, null, `the process hung: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "done");
  });
});
