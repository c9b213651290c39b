// `npm run bench:ddp`: data-parallel scaling of the seed CNN on CIFAR-10 — images/s with 1 and 2
// processes (1 thread each, per-rank batch 64, i.e. weak scaling as DDP is used). Three
// configurations run interleaved, each round in an order rotated by one (1 2 2i, 2 2i 1, 2i 1 2 …;
// medians, spread and per-round ratios):
//   1   one process training the bare model (the single-process baseline);
//   2   two processes with DistributedDataParallel (gradientAsBucketView unless --grad-view 0);
//   2i  two independent processes training the bare model at the same time, no communication:
//       the machine's ceiling for 2 (shared memory bandwidth and L3, and each rank's V8 GC and
//       JIT threads now competing for the 2 cores instead of using the idle one).
// It prints the scaling (2 vs 1), the ceiling (2i vs 1) and DDP against the ceiling (2 vs 2i),
// per configuration the per-step phases and per-thread CPU ms of each rank (bench/ddp-worker.ts
// --profile), the scaling and ceiling that the CPU accounting predicts for an idle machine
// (cpuModel), the time of one gradient-sized all-reduce, and the load average (the machine is
// shared: compare the ratios of one run), and `factors`: the ceiling and DDP's share of it taken
// apart into hardware sharing, the ranks' own helper threads, load and waiting (below), and
// `gapMsPerStep`: a DDP step's extra ms over an independent rank's, split into main-thread CPU,
// helper-thread CPU, run delay (waiting for a core) and sleep (the all-reduce wait). PyTorch 1.13 runs the same three configurations
// (bench/pytorch_ddp.py: torch.distributed on Gloo, same model, data order, batch and 1 thread per
// rank) interleaved with Flint's, unless --no-pytorch or /usr/bin/python3 has no torch: its
// scaling is the fair reference for what this machine gives two single-thread ranks (and
// bench/ddp-machine.ts what it gives two copies of a plain compute or memory loop). Every Flint
// run (1 process too) goes through `flint run`, so it has the V8 flags that launcher gives any
// user's ranks (src/distributed/rank-node-flags.ts; FLINT_KEEP_V8_FLAGS=1: without them, as
// before they existed); NODE_OPTIONS reaches the ranks too (e.g. --max-semi-space-size=64).
// CIFAR-10 comes from the archive in FLINT_CIFAR_ARCHIVE (default
// ../shared/data/cifar10/cifar-10-binary.tar.gz beside the repository), unpacked once into a cache
// folder outside the repository (FLINT_CIFAR_ROOT, default $TMPDIR/flint-cifar10-bench).
// Usage: npm run bench:ddp -- [--repeats 3] [--steps 60] [--warmup 10] [--batch 64] [--test 2000]
//          [--grad-view 1] [--bucket-cap-mb X] [--vs-bucket-cap-mb Y] [--no-ceiling] [--no-pytorch]
// (--steps 0 --test 10000 --repeats 1 --no-ceiling: one full epoch each, for the test-accuracy comparison)
import { spawnSync } from "node:child_process";
import { TORCH_ENV } from "./pytorch-env.js";
import { existsSync, mkdirSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const repeats = arg("repeats", 3),
  steps = arg("steps", 60),
  batch = arg("batch", 64),
  test = arg("test", 2000),
  warmup = arg("warmup", 10),
  gradView = arg("grad-view", 1),
  // Unset: DDP's default buckets (25 MiB, the first 1 MiB); set: every bucket this size (bucketCapMb).
  bucketCapMb = process.argv.includes("--bucket-cap-mb") ? arg("bucket-cap-mb", 25) : null,
  withCeiling = !process.argv.includes("--no-ceiling"),
  withTorch =
    !process.argv.includes("--no-pytorch") &&
    spawnSync("/usr/bin/python3", ["-c", "import torch.distributed as d; assert d.is_gloo_available()"]).status === 0;
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

type Phases = Record<string, number>;
interface Result {
  mode: string;
  world: number;
  steps: number;
  imagesPerSec: number;
  seconds: number;
  testAccuracy: number;
  threadsPerRank: number;
  bucketSizes: number[];
  msPerStep: Phases[];
  /**
   * DDP runs, per step: the ranks' arrival skew at the all-reduce wait, the mean difference of their
   * main-thread CPU ms between two waits (cpuSkewMs: the imbalance without the scheduler's), the
   * all-reduce's latency once all are in, each rank's wait (wall ms).
   */
  sync?: { skewMs: number; cpuSkewMs: number; latencyMs: number; waitMs: number[]; lastToArrive: number[] };
}
type Config = "1" | "2" | "2i" | "2b" | "py1" | "py2" | "py2i";
const FLINT: Config[] = withCeiling ? ["1", "2", "2i"] : ["1", "2"];
const TORCH: Config[] = withTorch ? (withCeiling ? ["py1", "py2", "py2i"] : ["py1", "py2"]) : [];
// --vs-bucket-cap-mb X: also "2b", DDP with bucketCapMb X, in the same rounds (an A/B of the bucketing).
const altCap = process.argv.includes("--vs-bucket-cap-mb") ? arg("vs-bucket-cap-mb", 0.25) : null;
const CONFIGS: Config[] = [...FLINT, ...(altCap === null ? [] : ["2b" as Config]), ...TORCH];

function launch(nproc: number, workerArgs: string[]): string {
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
      ...workerArgs,
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
  return line;
}

function launchTorch(nproc: number, mode: string): string {
  const r = spawnSync(
    "/usr/bin/python3",
    [
      join(repo, "bench", "pytorch_ddp.py"),
      root,
      ...["--nproc", String(nproc), "--mode", mode, "--steps", String(steps), "--warmup", String(warmup)],
      ...["--batch", String(batch), "--test", String(test)],
    ],
    { cwd: repo, encoding: "utf8", env: { ...process.env, ...TORCH_ENV }, stdio: ["ignore", "pipe", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`bench:ddp: PyTorch's ${nproc}-process ${mode} run failed (exit ${r.status})`);
  return r.stdout.trim().split("\n").pop() as string;
}

function once(config: Config): Result {
  const nproc = config === "1" || config === "py1" ? 1 : 2;
  const mode = config === "2" || config === "2b" || config === "py2" ? "ddp" : "independent";
  if (config.startsWith("py")) return JSON.parse(launchTorch(nproc, mode)) as Result;
  const common = [
    "--steps",
    String(steps),
    "--warmup",
    String(warmup),
    "--batch",
    String(batch),
    "--test",
    String(test),
  ];
  common.push("--profile");
  const cap = config === "2b" ? altCap : bucketCapMb;
  const ddpArgs = ["--grad-view", String(gradView), ...(cap === null ? [] : ["--bucket-cap-mb", String(cap)])];
  return JSON.parse(launch(nproc, ["--mode", mode, ...common, ...(mode === "ddp" ? ddpArgs : [])])) as Result;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

const loadBefore = loadavg().map((x) => round(x, 2));
const runs: Record<Config, Result[]> = { 1: [], 2: [], "2i": [], "2b": [], py1: [], py2: [], py2i: [] };
for (let i = 0; i < repeats; i++) {
  // Each round starts one configuration later (1 2 2i, 2 2i 1, 2i 1 2 …): none always runs first,
  // right after the previous round's last run, or last, so load that drifts within a round favours none.
  const order = CONFIGS.map((_, k) => CONFIGS[(i + k) % CONFIGS.length]);
  for (const c of order) {
    const r = once(c);
    runs[c].push(r);
    console.error(
      `run ${i + 1}/${repeats}, ${c}: ${r.imagesPerSec.toFixed(1)} images/s, test accuracy ${(100 * r.testAccuracy).toFixed(1)}% after ${r.steps} steps (load ${loadavg()[0].toFixed(1)})`,
    );
  }
}
const allReduce = JSON.parse(launch(2, ["--mode", "allreduce", "--steps", "200"])) as Record<string, unknown>;
const loadAfter = loadavg().map((x) => round(x, 2));

const ips = (c: Config) => runs[c].map((r) => r.imagesPerSec);
const stats = (c: Config) => ({
  median: round(median(ips(c)), 1),
  min: round(Math.min(...ips(c)), 1),
  max: round(Math.max(...ips(c)), 1),
});
// Per-round ratios (each round's runs are minutes apart at most) and the ratio of medians.
const ratio = (a: Config, b: Config) => ({
  ofMedians: round(median(ips(a)) / median(ips(b))),
  perRound: runs[a].map((r, i) => round(r.imagesPerSec / runs[b][i].imagesPerSec)),
});
// Median per-step phase and CPU ms of each rank over the repeats.
const profile = (c: Config) =>
  runs[c][0].msPerStep.map((_, rank) =>
    Object.fromEntries(
      Object.keys(runs[c][0].msPerStep[rank]).map((k) => [
        k,
        round(median(runs[c].map((r) => r.msPerStep[rank][k])), 2),
      ]),
    ),
  );
// What the CPU accounting predicts for an otherwise idle 2-core machine (robust to load, unlike
// the wall times): one process's step takes its main thread's CPU time (its GC, JIT and Gloo
// threads run on the idle core); with 2 processes on 2 cores each core carries one rank's main,
// Gloo and other threads, so a step takes the larger rank's total.
const cpuTotal = (p: Phases) => p["cpu:main"] + (p["cpu:gloo"] ?? 0) + p["cpu:other"];
const stepCpu = (c: Config) => {
  const ranks = profile(c);
  return c === "1" || c === "py1"
    ? Math.max(ranks[0]["cpu:main"], cpuTotal(ranks[0]) / 2)
    : Math.max(...ranks.map(cpuTotal));
};
const cpuModelOf = (one: Config, cs: Config[]) =>
  Object.fromEntries(
    cs
      .filter((c) => c !== one)
      .map((c) => [c.endsWith("i") ? "ceiling" : "scaling", round((2 * stepCpu(one)) / stepCpu(c))]),
  );
const cpuModel = cpuModelOf("1", FLINT);
// Where a DDP step's extra wall time over an independent rank's goes (ms per step, medians over the
// rounds, means over the ranks): the main thread's own CPU, the rank's other threads' CPU (Gloo's
// worker and loop, V8's GC/JIT), the main thread's run delay (runnable, waiting for a core) and its
// sleep (DDP: the reducer's wait, which sync splits into the arrival skew and the all-reduce
// latency once both are in). wall = mainCpu + runDelay + asleep on each rank.
const gapOf = (ddp: Config, ind: Config) => {
  const mean = (c: Config, f: (p: Phases) => number) => {
    const ranks = profile(c);
    return ranks.reduce((a, p) => a + f(p), 0) / ranks.length;
  };
  const d = (f: (p: Phases) => number) => round(mean(ddp, f) - mean(ind, f), 2);
  const wall = (c: Config) => median(runs[c].map((r) => (1000 * r.world * batch) / r.imagesPerSec));
  const sy = runs[ddp].map((r) => r.sync).filter((x) => x !== undefined);
  const med = (f: (x: NonNullable<Result["sync"]>) => number) => (sy.length ? round(median(sy.map(f)), 2) : null);
  return {
    wall: round(wall(ddp) - wall(ind), 2),
    mainCpu: d((p) => p["cpu:main"]),
    helperCpu: d((p) => (p["cpu:gloo"] ?? 0) + p["cpu:other"]),
    runDelay: d((p) => p["main:runDelay"] ?? 0),
    asleep: d((p) => p["main:asleep"] ?? 0),
    ddpArrivalSkew: med((x) => x.skewMs),
    ddpCpuSkew: med((x) => x.cpuSkewMs),
    ddpAllReduceLatency: med((x) => x.latencyMs),
  };
};
// The measured ratios taken apart, per round, into factors whose product they are (identities, so
// nothing is modelled): with w the wall ms of one step of one rank, m its main thread's CPU ms and
// t all its threads' CPU ms (means over the ranks),
//   ceiling = 2 x (w1/m1: how CPU-bound one process is) x (m1/m2i: the same main-thread work's
//     CPU ms alone / beside a twin; below 1 when the two slow each other down in hardware:
//     shared caches, memory bandwidth, a shared physical core, clock) x (m2i/t2i: the share of
//     a rank's CPU that is its main thread; the rest, V8's GC/JIT and Gloo's threads, ran on the
//     idle core with one process) x (t2i/w2i: CPU per wall ms of a rank; below 1 when its threads
//     wait for a core, i.e. other load, or are idle);
//   ddpVsCeiling = (t2i/t2: DDP's extra CPU, its hooks and all-reduce) x ((t2/w2)/(t2i/w2i): the
//     time DDP's ranks sit idle waiting for each other and for the all-reduce).
// On a shared machine the last factor of each takes the other users' load; the middle ones are
// what hold on an idle machine too.
const stepParts = (r: Result) => {
  const ranks = r.msPerStep;
  const mean = (f: (p: Phases) => number) => ranks.reduce((a, p) => a + f(p), 0) / ranks.length;
  return { w: (1000 * r.world * batch) / r.imagesPerSec, m: mean((p) => p["cpu:main"]), t: mean(cpuTotal) };
};
const factorsOf = (one: Config, ind: Config, ddp: Config) => {
  const rounds = runs[one].map((_, i) => {
    const a = stepParts(runs[one][i]),
      b = stepParts(runs[ind][i]),
      d = stepParts(runs[ddp][i]);
    return {
      oneCpuBound: a.w / a.m,
      hardware: a.m / b.m,
      mainShare: b.m / b.t,
      cpuPerWall: b.t / b.w,
      ddpExtraCpu: b.t / d.t,
      ddpWaiting: d.t / d.w / (b.t / b.w),
    };
  });
  return Object.fromEntries(
    Object.keys(rounds[0]).map((k) => {
      const xs = rounds.map((r) => r[k as keyof (typeof rounds)[0]]);
      return [k, { median: round(median(xs)), perRound: xs.map((x) => round(x)) }];
    }),
  );
};
console.log(
  JSON.stringify({
    bench: "ddp-seed-cnn-cifar10",
    batchPerRank: batch,
    steps: runs[1][0].steps,
    repeats,
    threadsPerRank: runs[1][0].threadsPerRank,
    ddpOptions: { gradientAsBucketView: gradView === 1, bucketCapMb, bucketSizes: runs[2][0].bucketSizes },
    imagesPerSec: Object.fromEntries(CONFIGS.map((c) => [c, stats(c)])),
    scaling: ratio("2", "1"),
    ...(withCeiling ? { ceiling: ratio("2i", "1"), ddpVsCeiling: ratio("2", "2i") } : {}),
    ...(altCap !== null
      ? {
          altBuckets: {
            bucketCapMb: altCap,
            bucketSizes: runs["2b"][0].bucketSizes,
            vsDefault: ratio("2b", "2"),
            ...(withCeiling ? { vsCeiling: ratio("2b", "2i"), factors: factorsOf("1", "2i", "2b") } : {}),
          },
        }
      : {}),
    ...(withTorch
      ? {
          pytorch: {
            scaling: ratio("py2", "py1"),
            ...(withCeiling ? { ceiling: ratio("py2i", "py1"), ddpVsCeiling: ratio("py2", "py2i") } : {}),
            cpuModel: cpuModelOf("py1", TORCH),
            ...(withCeiling ? { factors: factorsOf("py1", "py2i", "py2") } : {}),
          },
          flintVsPytorch: Object.fromEntries(FLINT.map((c) => [c, ratio(c, `py${c}` as Config)])),
        }
      : {}),
    testAccuracy: Object.fromEntries(CONFIGS.map((c) => [c, runs[c].map((r) => r.testAccuracy)])),
    cpuModel,
    ...(withCeiling ? { factors: factorsOf("1", "2i", "2"), gapMsPerStep: gapOf("2", "2i") } : {}),
    msPerStep: Object.fromEntries(CONFIGS.map((c) => [c, profile(c)])),
    sync: runs[2].map((r) => r.sync),
    allReduce,
    loadAverage: { before: loadBefore, after: loadAfter },
    note: "1: one process, bare model; 2: DDP on 2 processes; 2i: 2 independent processes (the ceiling); py*: the same in PyTorch (bench/pytorch_ddp.py). msPerStep: wall ms per phase (hooks/wait/copyBack are inside backward) and CPU ms per thread kind (main, gloo, other = V8 GC/JIT and libuv); main:runDelay = ms per step the main thread was runnable but waiting for a core, main:asleep = ms it slept (DDP: the all-reduce wait), main:preempted / main:sleeps = its involuntary / voluntary context switches per step.",
  }),
);
