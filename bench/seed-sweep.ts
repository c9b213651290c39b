// Test accuracy of the seed's CIFAR-10 recipe over many seeds, Flint and PyTorch side by side.
//
// One epoch's accuracy moves by a few points from seed to seed (weights and shuffling), so a single
// run says little; this runs `flint train` and bench/pytorch_train.py (same recipe, same seed, same
// data) for each seed, one after the other so they never share the cores, and prints both per seed
// with the mean, standard deviation and range.
//
//   node --import tsx bench/seed-sweep.ts /path/to/cifar-10-batches-bin [--epochs 1] [--seeds 0-9] [--threads 2] [--no-torch]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TORCH_ENV } from "./pytorch-env.js";

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
};
const folder = argv[0];
if (folder === undefined || folder.startsWith("--")) {
  console.error("usage: bench/seed-sweep.ts CIFAR_BIN_FOLDER [--epochs N] [--seeds A-B] [--threads T] [--no-torch]");
  process.exit(2);
}
const epochs = Number(flag("epochs", "1"));
const [lo, hi] = flag("seeds", "0-9").split("-").map(Number) as [number, number];
const threads = flag("threads", "2");
const withTorch = !argv.includes("--no-torch");
// PyTorch runs set up as in bench/run.ts (bench/pytorch-env.ts).
const torchEnv = { ...process.env, ...TORCH_ENV };

function flintRun(seed: number): number[] {
  const out = mkdtempSync(join(tmpdir(), "flint-sweep-"));
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(here, "..", "bin", "flint.js"),
        "train",
        "--root",
        dirname(folder!),
        "--no-download",
        "--epochs",
        String(epochs),
        "--seed",
        String(seed),
        "--threads",
        threads,
        "--out",
        out,
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`flint train --seed ${seed} failed:\n${r.stdout}\n${r.stderr}`);
    return readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { test_acc: number }).test_acc);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function torchRun(seed: number): number[] {
  const r = spawnSync(
    "/usr/bin/python3",
    [join(here, "pytorch_train.py"), folder!, "--epochs", String(epochs), "--seed", String(seed), "--threads", threads],
    { encoding: "utf8", env: torchEnv },
  );
  if (r.status !== 0) throw new Error(`pytorch_train.py --seed ${seed} failed:\n${r.stdout}\n${r.stderr}`);
  return [...r.stdout.matchAll(/test acc ([\d.]+)%/g)].map((m) => Number(m[1]));
}

const stats = (xs: number[]): string => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return `mean ${mean.toFixed(2)} sd ${sd.toFixed(2)} min ${Math.min(...xs).toFixed(2)} max ${Math.max(...xs).toFixed(2)}`;
};

const flint: number[][] = [];
const torch: number[][] = [];
console.log(`seed | Flint test acc % per epoch${withTorch ? " | PyTorch 1.13" : ""}`);
for (let seed = lo; seed <= hi; seed++) {
  flint.push(flintRun(seed));
  if (withTorch) torch.push(torchRun(seed));
  const fmt = (a: number[]): string => a.map((x) => x.toFixed(2)).join(" ");
  console.log(`${seed} | ${fmt(flint.at(-1)!)}${withTorch ? ` | ${fmt(torch.at(-1)!)}` : ""}`);
}
for (let e = 0; e < epochs; e++) {
  console.log(`epoch ${e + 1}: Flint ${stats(flint.map((r) => r[e]!))}`);
  if (withTorch) console.log(`epoch ${e + 1}: PyTorch ${stats(torch.map((r) => r[e]!))}`);
}
