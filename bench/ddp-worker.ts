// One rank of `npm run bench:ddp`, started by bench/ddp.ts through `flint run`. Modes:
//   --mode ddp          the seed CNN trained with DistributedDataParallel (DistributedSampler,
//                       per-rank batch --batch, 1 thread per rank);
//   --mode independent  the same steps on the bare model, no gradient communication: with 2
//                       processes, the machine's own ceiling (two single-thread jobs sharing
//                       memory bandwidth, L3 and the cores with their V8 and Gloo threads);
//                       with 1, the single-process baseline;
//   --mode allreduce    all-reduces of the model's gradient size only (the communication cost).
// After --warmup steps it times --steps steps (--steps 0: the rest of one epoch; data loading
// included) and, on rank 0, prints one JSON line: images/s for the whole job, the test accuracy
// of the trained weights on the first --test images, and with --profile per step and rank: the
// phases (data, forward, backward, optimizer step) in wall ms and in main-thread CPU ms, the
// reducer's hooks / wait / copy-back (CPU ms, inside backward), and the CPU ms of the rank's
// main thread, its Gloo threads and the rest (V8's GC and JIT threads, libuv).
// Options: --bucket-cap-mb X, --grad-view 0|1 (gradientAsBucketView), --preload 0|1 (the rank's
// shard decoded into tensors before timing instead of a DataLoader). FLINT_BENCH_THREADS=1 prints
// each thread's CPU ms over the timed steps (stderr).
import { readdirSync, readFileSync } from "node:fs";
import v8 from "node:v8";
import * as torch from "../src/index.js";
import { distributed as dist, nn, optim } from "../src/index.js";
import { DataLoader, DistributedSampler } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { glooAddon } from "../src/distributed/addon.js";

torch.tuneProcess();
if (process.env.FLINT_BENCH_V8_FLAGS) v8.setFlagsFromString(process.env.FLINT_BENCH_V8_FLAGS);
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const str = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const root = process.argv[2];
const batch = arg("batch", 64),
  steps = arg("steps", 60),
  warmup = arg("warmup", 5),
  testN = arg("test", 2000),
  mode = str("mode", "ddp"),
  profile = process.argv.includes("--profile"),
  preload = arg("preload", 0) === 1;

// CPU time (ms) of each thread of this process, from /proc (Linux; empty elsewhere).
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, 100 Hz ticks
    }
  } catch {
    /* not Linux */
  }
  return out;
}
const before = threadCpu();
dist.initProcessGroup("gloo");
const glooThreads = new Set([...threadCpu().keys()].filter((t) => !before.has(t)));
const rank = dist.getRank(),
  world = dist.getWorldSize();

if (mode === "allreduce") {
  // The gradient all-reduce alone: one bucket of the seed CNN's size (145,578 floats), timed.
  const n = arg("numel", 145578);
  const buf = torch.ones([n]);
  for (let i = 0; i < warmup; i++) dist.allReduce(buf);
  dist.barrier();
  const c0 = threadCpu();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) dist.allReduce(buf);
  const ms = (performance.now() - t0) / steps;
  const cpu = { main: 0, gloo: 0, other: 0 };
  for (const [tid, v] of threadCpu()) {
    const kind = tid === process.pid ? "main" : glooThreads.has(tid) ? "gloo" : "other";
    cpu[kind] += (v - (c0.get(tid) ?? 0)) / steps;
  }
  if (rank === 0) console.log(JSON.stringify({ mode, world, numel: n, msPerAllReduce: ms, cpuMsPerAllReduce: cpu }));
  dist.destroyProcessGroup();
  process.exit(0);
}

torch.manualSeed(0);
const net = new nn.Sequential(
  new nn.Conv2d(3, 32, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Conv2d(32, 32, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Conv2d(32, 64, 5, { padding: 2 }),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(1024, 64),
  new nn.Linear(64, 10),
);
const ddp =
  mode === "ddp"
    ? new nn.parallel.DistributedDataParallel(net, {
        bucketCapMb: arg("bucket-cap-mb", 25),
        gradientAsBucketView: arg("grad-view", 0) === 1,
      })
    : null;
const model: nn.Module = ddp ?? net;
const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const lossFn = new nn.CrossEntropyLoss();
const train = new datasets.CIFAR10(root, { train: true, transform: new transforms.ToTensor(), download: false });
// Both modes read the same shard, so the independent run does the same work as a DDP rank.
const sampler = new DistributedSampler(train, { seed: 0, numReplicas: world, rank });
sampler.setEpoch(0);
const loader = new DataLoader(train, { batchSize: batch, sampler, dropLast: true });
function* batches(): Generator<[torch.Tensor, torch.Tensor]> {
  if (!preload) {
    for (const b of loader) yield b as [torch.Tensor, torch.Tensor];
    return;
  }
  const all = [...loader] as [torch.Tensor, torch.Tensor][];
  yield* all;
}

// Each phase in wall ms and in CPU ms of this (the main) thread: on a loaded machine the wall
// times stretch with the load, the CPU times much less. The reducer's hooks / wait / copy-back
// are timed by main-thread CPU too (wait's CPU is ~0: it sleeps; its wall time is in "backward").
// (An addon built before threadCpuMs existed: rebuild with npm run build:native; until then wall time.)
const cpuNow: () => number = glooAddon("bench").threadCpuMs ?? (() => performance.now());
if (ddp) ddp.reducerTiming.clock = cpuNow;
const PHASES = ["data", "forward", "backward", "step"] as const;
const wall = [0, 0, 0, 0],
  cpuPhase = [0, 0, 0, 0];
let done = 0,
  t0 = 0,
  cpu0 = new Map<number, number>();
const it = batches();
for (;;) {
  if (done === warmup) {
    dist.barrier();
    t0 = performance.now();
    cpu0 = threadCpu();
    wall.fill(0);
    cpuPhase.fill(0);
    if (ddp) Object.assign(ddp.reducerTiming, { hooks: 0, wait: 0, copyBack: 0 });
  }
  const w = [performance.now()],
    c = [cpuNow()];
  const mark = () => {
    w.push(performance.now());
    c.push(cpuNow());
  };
  const next = it.next();
  if (next.done) break;
  const [x, y] = next.value;
  mark();
  opt.zeroGrad();
  const loss = lossFn.forward(ddp ? ddp.forward(x) : net.forward(x), y);
  mark();
  loss.backward();
  mark();
  opt.step();
  mark();
  for (let k = 0; k < 4; k++) {
    wall[k] += w[k + 1] - w[k];
    cpuPhase[k] += c[k + 1] - c[k];
  }
  done++;
  if (steps > 0 && done === warmup + steps) break;
}
const timed = done - warmup;
const cpu1 = threadCpu();
dist.barrier();
const seconds = (performance.now() - t0) / 1000;

// Per-step CPU ms of this rank's threads; rank 0 gathers every rank's.
const cpu = { main: 0, gloo: 0, other: 0 };
for (const [tid, ms] of cpu1) {
  const used = ms - (cpu0.get(tid) ?? 0);
  const kind = tid === process.pid ? "main" : glooThreads.has(tid) ? "gloo" : "other";
  cpu[kind] += used / timed;
}
if (process.env.FLINT_BENCH_THREADS === "1")
  console.error(
    `rank ${rank} thread CPU ms over the timed steps: ` +
      [...cpu1]
        .map(
          ([tid, ms]) =>
            `${tid}${tid === process.pid ? "(main)" : glooThreads.has(tid) ? "(gloo)" : ""}:${Math.round(ms - (cpu0.get(tid) ?? 0))}`,
        )
        .join(" "),
  );
const per = (v: number) => v / timed;
const mine = new Float64Array([
  ...wall.map(per),
  ...cpuPhase.map(per),
  per(ddp?.reducerTiming.hooks ?? 0),
  per(ddp?.reducerTiming.wait ?? 0),
  per(ddp?.reducerTiming.copyBack ?? 0),
  cpu.main,
  cpu.gloo,
  cpu.other,
]);
const all = Array.from({ length: world }, () => torch.zeros([mine.length], { dtype: "float64" }));
dist.allGather(all, torch.tensor(Array.from(mine), { dtype: "float64" }));

if (rank === 0) {
  const test = new datasets.CIFAR10(root, { train: false, transform: new transforms.ToTensor(), download: false });
  let correct = 0;
  net.eval();
  torch.noGrad(() => {
    for (let i = 0; i < testN; i += 250) {
      const xs: torch.Tensor[] = [],
        ys: number[] = [];
      for (let j = i; j < Math.min(testN, i + 250); j++) {
        const [img, label] = test.getItem(j);
        xs.push(img);
        ys.push(label);
      }
      const pred = net.forward(torch.stack(xs)).argmax(1);
      const got = Array.from(pred.typedArray(), Number);
      correct += got.filter((p, k) => p === ys[k]).length;
    }
  });
  const names = [
    ...PHASES,
    ...PHASES.map((p) => `cpu:${p}`),
    "cpu:hooks",
    "cpu:wait",
    "cpu:copyBack",
    "cpu:main",
    "cpu:gloo",
    "cpu:other",
  ];
  const perRank = all.map((t) => {
    const v = Array.from(t.typedArray(), Number);
    return Object.fromEntries(names.map((n, i) => [n, Math.round(v[i] * 100) / 100]));
  });
  console.log(
    JSON.stringify({
      mode,
      world,
      batchPerRank: batch,
      steps: timed,
      seconds,
      imagesPerSec: (world * batch * timed) / seconds,
      threadsPerRank: torch.getNumThreads(),
      testAccuracy: correct / testN,
      testImages: testN,
      bucketSizes: ddp?.bucketSizes ?? [],
      ...(profile ? { msPerStep: perRank } : {}),
    }),
  );
}
dist.destroyProcessGroup();
