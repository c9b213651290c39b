// Benchmark: DataLoader with worker threads vs in-process loading on a transform-heavy pipeline
// (CIFAR-10 test set with RandomCrop(32, padding 4), RandomHorizontalFlip, Resize(48),
// ToTensor, Normalize; batch 64). Uses the real data from ../shared (unpacked to the same cache
// as the tests) when present, else 10,000 generated records.
//
// --step-ms N busy-waits N ms on the main thread per batch, standing in for a training step: that
// is where workers pay off even on a small machine, since loading overlaps the step.
//
//   node --import tsx bench/data-workers.ts [--workers 0,1,2] [--epochs 2] [--step-ms 0]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataLoader } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { extractArchive } from "../src/vision/datasets/utils.js";
import type { Tensor } from "../src/tensor.js";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const workerCounts = arg("workers", "0,1,2").split(",").map(Number);
const epochs = Number(arg("epochs", "2"));
const stepMs = Number(arg("step-ms", "0"));

function trainingStep(): void {
  const end = performance.now() + stepMs;
  while (performance.now() < end) {
    // busy: the main thread is computing
  }
}

async function cifarRoot(): Promise<[string, string]> {
  const archive = [
    process.env.FLINT_CIFAR10_ARCHIVE ?? "",
    fileURLToPath(new URL("../../shared/data/cifar10/cifar-10-binary.tar.gz", import.meta.url)),
  ].find((p) => existsSync(p));
  if (archive !== undefined) {
    const cache = join(tmpdir(), "flint-cifar10-cache");
    if (!existsSync(join(cache, "cifar-10-batches-bin", "test_batch.bin"))) await extractArchive(archive, cache);
    return [cache, "real CIFAR-10 test set"];
  }
  const root = join(tmpdir(), "flint-bench-synthetic-cifar");
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir, { recursive: true });
  const bytes = new Uint8Array(10000 * 3073);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  for (let r = 0; r < 10000; r++) bytes[r * 3073] = r % 10;
  for (const f of [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
    "test_batch.bin",
  ]) {
    writeFileSync(join(dir, f), bytes);
  }
  return [root, "generated CIFAR-format records (10,000)"];
}

const [root, what] = await cifarRoot();
const transform = new transforms.Compose<never, Tensor>([
  new transforms.RandomCrop(32, { padding: 4 }),
  new transforms.RandomHorizontalFlip(),
  new transforms.Resize(48),
  new transforms.ToTensor(),
  new transforms.Normalize([0.4914, 0.4822, 0.4465], [0.247, 0.243, 0.261]),
]);
const dataset = new datasets.CIFAR10<Tensor>(root, { train: false, transform });
console.log(
  `data: ${what}, ${dataset.length} images; pipeline RandomCrop(pad 4) + HFlip + Resize(48) + ToTensor + Normalize; ` +
    `batch 64; simulated step ${stepMs} ms/batch; ${availableParallelism()} CPUs`,
);

const results: Record<number, number[]> = {};
for (const numWorkers of workerCounts) {
  const loader = new DataLoader(dataset, {
    batchSize: 64,
    shuffle: true,
    numWorkers,
    persistentWorkers: numWorkers > 0,
  });
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    let n = 0;
    for (const [imgs] of loader) {
      n += imgs.shape[0];
      if (stepMs > 0) trainingStep();
    }
    const ms = performance.now() - t0;
    times.push(ms);
    if (n !== dataset.length) throw new Error(`expected ${dataset.length} images, got ${n}`);
    console.log(
      `numWorkers=${numWorkers} epoch ${e + 1}: ${(ms / 1000).toFixed(2)} s (${Math.round((n / ms) * 1000)} images/s)`,
    );
  }
  loader.shutdown();
  results[numWorkers] = times;
}
const best = (k: number) => Math.min(...results[k]);
if (results[0] !== undefined) {
  for (const k of workerCounts.filter((w) => w > 0)) {
    console.log(`speed-up numWorkers=${k} vs in-process (best epoch): ${(best(0) / best(k)).toFixed(2)}x`);
  }
}
