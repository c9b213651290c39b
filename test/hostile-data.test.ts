// Hostile datasets and workers (issue 19): re-extracting an archive merges like torchvision
// instead of deleting what the archive did not bring; a DataLoader worker that dies (out of
// memory) raises a clear error under both for await..of and for..of, stops the other workers,
// and neither hangs nor crashes the process.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DataLoader } from "../src/utils/data/index.js";
import { ArchiveError } from "../src/vision/datasets/tar.js";
import { extractArchive } from "../src/vision/datasets/utils.js";
import { pseudoBytes, tempDir, writeTarGz } from "./data-helpers.js";
import { MemoryHog } from "./data-worker-datasets.js";

describe("extractArchive merges into the destination", () => {
  it("replaces only the files the archive brings, keeping the user's other files", async () => {
    const dir = tempDir();
    const root = join(dir, "root");
    const batches = join(root, "cifar-10-batches-bin");
    mkdirSync(batches, { recursive: true });
    writeFileSync(join(batches, "data_batch_1.bin"), "old 1");
    writeFileSync(join(batches, "data_batch_2.bin"), "kept 2");
    writeFileSync(join(batches, "my_notes.txt"), "the user's");
    mkdirSync(join(root, "other-dataset"));
    writeFileSync(join(root, "other-dataset", "x.bin"), "other");
    const fresh = pseudoBytes(100, 3);
    writeTarGz(join(dir, "re.tar.gz"), [
      ["cifar-10-batches-bin/", null],
      ["cifar-10-batches-bin/data_batch_1.bin", fresh],
    ]);
    const files = await extractArchive(join(dir, "re.tar.gz"), root);
    assert.deepEqual(files, ["cifar-10-batches-bin/data_batch_1.bin"]);
    assert.deepEqual(new Uint8Array(readFileSync(join(batches, "data_batch_1.bin"))), fresh);
    assert.equal(readFileSync(join(batches, "data_batch_2.bin"), "utf8"), "kept 2");
    assert.equal(readFileSync(join(batches, "my_notes.txt"), "utf8"), "the user's");
    assert.equal(readFileSync(join(root, "other-dataset", "x.bin"), "utf8"), "other");
    assert.deepEqual(readdirSync(root).sort(), ["cifar-10-batches-bin", "other-dataset"], "no temporary folder left");
  });

  it("a hostile archive naming a folder of the root cannot wipe it", async () => {
    const dir = tempDir();
    const root = join(dir, "root");
    mkdirSync(join(root, "precious"), { recursive: true });
    writeFileSync(join(root, "precious", "a.txt"), "a");
    writeTarGz(join(dir, "evil.tar.gz"), [["precious", new Uint8Array(3)]]);
    await assert.rejects(
      extractArchive(join(dir, "evil.tar.gz"), root),
      (e: Error) => e instanceof ArchiveError && /where .*precious is a folder/.test(e.message),
    );
    assert.equal(readFileSync(join(root, "precious", "a.txt"), "utf8"), "a");
    writeTarGz(join(dir, "up.tar.gz"), [["../precious/a.txt", new Uint8Array(3)]]);
    await assert.rejects(extractArchive(join(dir, "up.tar.gz"), join(root, "sub")), /outside/);
    assert.equal(readFileSync(join(root, "precious", "a.txt"), "utf8"), "a");
  });
});

describe("a DataLoader worker that runs out of memory", () => {
  // Each worker's heap is capped (FLINT_DATALOADER_WORKER_HEAP_MB), so item 5 exhausts it fast.
  const withSmallHeap = async (f: () => Promise<void> | void): Promise<void> => {
    const old = process.env.FLINT_DATALOADER_WORKER_HEAP_MB;
    process.env.FLINT_DATALOADER_WORKER_HEAP_MB = "48";
    try {
      await f();
    } finally {
      if (old === undefined) delete process.env.FLINT_DATALOADER_WORKER_HEAP_MB;
      else process.env.FLINT_DATALOADER_WORKER_HEAP_MB = old;
    }
  };
  const expected = (e: unknown): boolean => {
    assert.ok(e instanceof Error && e.name === "DataLoaderWorkerError", String(e));
    assert.match((e as Error).message, /^DataLoader worker [01] exited unexpectedly \(/);
    return true;
  };

  it("raises under for await..of (no unhandled ERR_WORKER_OUT_OF_MEMORY)", { timeout: 60_000 }, async () => {
    await withSmallHeap(async () => {
      const dl = new DataLoader(new MemoryHog(16, 5), { batchSize: 2, numWorkers: 2 });
      let batches = 0;
      await assert.rejects(async () => {
        for await (const b of dl) batches += b ? 1 : 0;
      }, expected);
      assert.ok(batches <= 2, `batch 2 (holding item 5) or later was returned: ${batches} batches`);
    });
  });

  it("raises under for..of instead of hanging", { timeout: 60_000 }, async () => {
    await withSmallHeap(() => {
      const dl = new DataLoader(new MemoryHog(16, 5), { batchSize: 2, numWorkers: 2 });
      assert.throws(() => {
        for (const b of dl) void b;
      }, expected);
    });
    // The failed worker's 'error' event arrives once the event loop runs again: it must be handled.
    await new Promise((r) => setTimeout(r, 200));
  });
});
