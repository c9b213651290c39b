// `npm run bench:ddp`: data-parallel scaling of the seed CNN on CIFAR-10 — images/s with 1 and 2
// processes (1 thread each, per-rank batch 64, i.e. weak scaling as DDP is used), runs
// interleaved (1, 2, 1, 2 …), medians and spread, and the scaling efficiency
// (images/s on 2 / (2 x images/s on 1)). CIFAR-10 comes from the archive in
// FLINT_CIFAR_ARCHIVE (default ../shared/data/cifar10/cifar-10-binary.tar.gz beside the repository), unpacked once
// into a cache folder outside the repository (FLINT_CIFAR_ROOT, default $TMPDIR/flint-cifar10-bench).
// Usage: npm run bench:ddp -- [--repeats 3] [--steps 60] [--batch 64] [--test 2000]
// (--steps 0 --test 10000 --repeats 1: one full epoch each, for the test-accuracy comparison)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const repeats = arg("repeats", 3),
  steps = arg("steps", 60),
  batch = arg("batch", 64),
  test = arg("test", 2000);
const repo = fileURLToPath(new URL("..", import.meta.url));
const root = process.env.FLINT_CIFAR_ROOT ?? join(tmpdir(), "flint-cifar10-bench");
const archive =
  process.env.FLINT_CIFAR_ARCHIVE ??
  fileURLToPath(new URL("../../shared/data/cifar10/cifar-10-binary.tar.gz", import.meta.url));

if (!existsSync(join(root, "cifar-10-batches-bin", "test_batch.bin"))) {
  if (!existsSync(archive))
    throw new Error(
      `bench:ddp: CIFAR-10 not found in ${root} and no archive at ${archive} (set FLINT_CIFAR_ROOT or FLINT_CIFAR_ARCHIVE)`,
    );
  mkdirSync(root, { recursive: true });
  const r = spawnSync("tar", ["-xzf", archive, "-C", root], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`bench:ddp: tar failed on ${archive}`);
}

interface Result {
  world: number;
  steps: number;
  imagesPerSec: number;
  seconds: number;
  testAccuracy: number;
  threadsPerRank: number;
  bucketSizes: number[];
}
function once(nproc: number): Result {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repo, "src", "cli", "main.ts"),
      "run",
      "--standalone",
      "--nproc-per-node",
      String(nproc),
      join(repo, "bench", "ddp-worker.ts"),
      root,
      "--steps",
      String(steps),
      "--batch",
      String(batch),
      "--test",
      String(test),
    ],
    {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  if (r.status !== 0) throw new Error(`bench:ddp: ${nproc}-process run failed (exit ${r.status})`);
  const line = r.stdout
    .trim()
    .split("\n")
    .find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`bench:ddp: no result from the ${nproc}-process run:\n${r.stdout}`);
  return JSON.parse(line) as Result;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const runs: Record<number, Result[]> = { 1: [], 2: [] };
for (let i = 0; i < repeats; i++) {
  for (const n of [1, 2]) {
    const r = once(n);
    runs[n].push(r);
    console.error(
      `run ${i + 1}/${repeats}, ${n} process(es): ${r.imagesPerSec.toFixed(1)} images/s, test accuracy ${(100 * r.testAccuracy).toFixed(1)}% after ${r.steps} steps`,
    );
  }
}
const ips = (n: number) => runs[n].map((r) => r.imagesPerSec);
const m1 = median(ips(1)),
  m2 = median(ips(2));
console.log(
  JSON.stringify({
    bench: "ddp-seed-cnn-cifar10",
    batchPerRank: batch,
    steps: { 1: runs[1][0].steps, 2: runs[2][0].steps },
    repeats,
    threadsPerRank: runs[1][0].threadsPerRank,
    imagesPerSec: {
      1: { median: m1, min: Math.min(...ips(1)), max: Math.max(...ips(1)) },
      2: { median: m2, min: Math.min(...ips(2)), max: Math.max(...ips(2)) },
    },
    speedup: m2 / m1,
    scalingEfficiency: m2 / (2 * m1),
    testAccuracy: { 1: runs[1].map((r) => r.testAccuracy), 2: runs[2].map((r) => r.testAccuracy) },
    bucketSizes: runs[2][0].bucketSizes,
    note: "the machine is shared with other jobs: numbers are noisy",
  }),
);
