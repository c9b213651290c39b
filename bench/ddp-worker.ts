// One rank of `npm run bench:ddp`, started by bench/ddp.ts through `flint run`. Modes:
//   --mode ddp          the seed CNN trained with DistributedDataParallel (DistributedSampler,
//                       per-rank batch --batch, 1 thread per rank);
//   --mode independent  the same steps on the bare model, no gradient communication: with 2
//                       processes, the machine's own ceiling (two single-thread jobs sharing
//                       memory bandwidth, L3 and the cores with their V8 and Gloo threads);
//                       with 1, the single-process baseline;
//   --mode allreduce    all-reduces of the model's gradient size only (the communication cost), with
//                       distributed.allReduce and with the planned all-reduce DDP's reducer uses.
// After --warmup steps it times --steps steps (--steps 0: the rest of one epoch; data loading
// included) and, on rank 0, prints one JSON line: images/s for the whole job, the test accuracy
// of the trained weights on the first --test images, and with --profile per step and rank: the
// phases (data, forward, backward, optimizer step) in wall ms and in main-thread CPU ms, the
// reducer's hooks (wall ms) / wait / copy-back (CPU ms), inside backward, and the CPU ms of the rank's
// main thread, its Gloo threads (cpu:glooLoop: Gloo's TCP event loop among them) and the rest
// (V8's GC and JIT threads, libuv), and the main thread's scheduler accounting: main:runDelay (ms
// per step runnable but waiting for a core: preempted by the other rank, either rank's V8/Gloo
// threads or other load), main:asleep (wall - CPU - run delay: blocked, e.g. in DDP's wait),
// main:preempted / main:sleeps (involuntary / voluntary context switches per step). DDP runs also report `sync`: per step the skew between the
// ranks' arrivals at the reducer's wait, the all-reduce latency once both are in, each rank's wait
// (wall ms) and cpuSkewMs, the ranks' difference in main-thread CPU ms between two waits.
// Options: --bucket-cap-mb X, --grad-view 0|1 (gradientAsBucketView), --preload 0|1 (the rank's
// shard decoded into tensors before timing instead of a DataLoader). FLINT_BENCH_THREADS=1 prints
// each thread's name, CPU ms and wake-ups (times scheduled in) over the timed steps (stderr); FLINT_BENCH_STEPS=1 each timed
// step's CPU, page faults and GCs on each rank (stderr). With --profile the result also has,
// per step, V8's garbage collections on the main thread (count and pause ms, minor and major) and,
// with FLINT_BENCH_ALLOC=1, the bytes of typed arrays and Buffers created (counted by wrapping
// their constructors, which slows the run: use it for the count, not for the timing).
import { readdirSync, readFileSync } from "node:fs";
import v8 from "node:v8";
import { PerformanceObserver, constants as perfConstants } from "node:perf_hooks";
import * as torch from "../src/index.js";
import { distributed as dist, nn, optim } from "../src/index.js";
import { DataLoader, DistributedSampler } from "../src/utils/data/index.js";
import { datasets, transforms } from "../src/vision/index.js";
import { glooAddon } from "../src/distributed/addon.js";
import { resolveGroup } from "../src/distributed/init.js";
import { nativeAddon } from "../src/backend/native/addon.js";

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

// Bytes of typed arrays and Buffers created since start (FLINT_BENCH_ALLOC=1): the allocation
// per training step that the garbage collector must find and free. Views on an existing buffer
// are not counted; Buffer.allocUnsafeSlow (Flint's uninitialised kernel outputs) is.
let allocBytes = 0;
if (process.env.FLINT_BENCH_ALLOC === "1") {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of [
    "Float32Array",
    "Float64Array",
    "Int32Array",
    "Uint8Array",
    "Int8Array",
    "Uint16Array",
    "Int16Array",
    "Uint32Array",
    "BigInt64Array",
    "ArrayBuffer",
  ]) {
    const C = g[name] as { BYTES_PER_ELEMENT?: number } & (new (...a: unknown[]) => object);
    const size = C.BYTES_PER_ELEMENT ?? 1;
    g[name] = new Proxy(C, {
      construct(target, args, newTarget) {
        if (typeof args[0] === "number") allocBytes += args[0] * size;
        else if (Array.isArray(args[0])) allocBytes += args[0].length * size;
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget) as object;
      },
    });
  }
  const slow = Buffer.allocUnsafeSlow.bind(Buffer),
    unsafe = Buffer.allocUnsafe.bind(Buffer),
    alloc = Buffer.alloc.bind(Buffer);
  Buffer.allocUnsafeSlow = (n: number) => ((allocBytes += n), slow(n));
  Buffer.allocUnsafe = (n: number) => ((allocBytes += n), unsafe(n));
  Buffer.alloc = ((n: number, ...r: []) => ((allocBytes += n), alloc(n, ...r))) as typeof Buffer.alloc;
}

// The main thread's GC pauses (V8's gc performance entries, delivered after the synchronous loop).
const gcs: { start: number; ms: number; major: boolean }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
    gcs.push({ start: e.startTime, ms: e.duration, major: kind !== perfConstants.NODE_PERFORMANCE_GC_MINOR });
  }
});
gcObserver.observe({ entryTypes: ["gc"] });

// CPU time (ms) of each thread of this process, from /proc (Linux; empty elsewhere): schedstat's
// nanoseconds on the CPU where the kernel has it (stat's utime + stime are 10 ms ticks: too coarse
// for a few ms per step over 30 steps), else stat's ticks.
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      let ms: number;
      try {
        ms = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
      } catch {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, 100 Hz ticks
      }
      out.set(Number(tid), ms);
    }
  } catch {
    /* not Linux */
  }
  return out;
}
// How many times each thread was switched onto a CPU (schedstat's third field): its wake-ups.
function threadRuns(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync("/proc/self/task"))
      out.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[2]));
  } catch {
    /* not Linux */
  }
  return out;
}
// The main thread's scheduler accounting (Linux; zeros elsewhere): CPU ns, ns spent runnable but
// waiting for a core (preempted by the other rank, its own or the other rank's V8/Gloo threads, or
// other load) and its voluntary / involuntary context switches. A step's wall time is its CPU plus
// that run delay plus the time it slept (DDP: the all-reduce wait; also V8's GC joins).
function mainSched(): { cpu: number; delay: number; vol: number; invol: number } {
  try {
    const [cpu, delay] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ").map(Number);
    const st = readFileSync(`/proc/self/task/${process.pid}/status`, "utf8");
    const field = (k: string) => Number(new RegExp(`^${k}:\\s*(\\d+)`, "m").exec(st)?.[1] ?? 0);
    return {
      cpu: cpu / 1e6,
      delay: delay / 1e6,
      vol: field("voluntary_ctxt_switches"),
      invol: field("nonvoluntary_ctxt_switches"),
    };
  } catch {
    return { cpu: 0, delay: 0, vol: 0, invol: 0 };
  }
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
  // The same through the planned all-reduce DDP's reducer uses (ProcessGroup::planAllreduce).
  const native = resolveGroup("bench", null).native;
  let planned: Record<string, unknown> = {};
  if (native?.allreducePlan && native.allreduceRun) {
    const data = buf.typedArray() as Float32Array;
    const id = native.allreducePlan(data, 0);
    for (let i = 0; i < warmup; i++) native.allreduceRun(id).wait();
    dist.barrier();
    const p0 = threadCpu();
    const tp = performance.now();
    for (let i = 0; i < steps; i++) native.allreduceRun(id).wait();
    const pcpu = { main: 0, gloo: 0, other: 0 };
    for (const [tid, v] of threadCpu()) {
      const kind = tid === process.pid ? "main" : glooThreads.has(tid) ? "gloo" : "other";
      pcpu[kind] += (v - (p0.get(tid) ?? 0)) / steps;
    }
    planned = { msPerPlannedAllReduce: (performance.now() - tp) / steps, cpuMsPerPlannedAllReduce: pcpu };
  }
  if (rank === 0)
    console.log(JSON.stringify({ mode, world, numel: n, msPerAllReduce: ms, cpuMsPerAllReduce: cpu, ...planned }));
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
        ...(process.argv.includes("--bucket-cap-mb") ? { bucketCapMb: arg("bucket-cap-mb", 25) } : {}),
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
// times stretch with the load, the CPU times much less. The reducer's wait / copy-back are timed
// by main-thread CPU too (wait's CPU is ~0: it sleeps; its wall time is in "backward"); its hooks
// by wall time unless FLINT_BENCH_HOOK_CPU=1 (a CPU-clock read per gradient costs more than some hooks).
// (An addon built before threadCpuMs existed: rebuild with npm run build:native; until then wall time.)
const cpuNow: () => number = glooAddon("bench").threadCpuMs ?? (() => performance.now());
if (ddp) ddp.reducerTiming.clock = cpuNow;
// FLINT_BENCH_HOOK_CPU=1: the hooks by CPU time too (a clock read per gradient: adds to the step).
if (ddp && process.env.FLINT_BENCH_HOOK_CPU === "1") ddp.reducerTiming.hookClock = cpuNow;
// Each timed step's wall-clock start and end of the reducer's wait (epoch ms, comparable between
// the ranks): the rank that arrives first waits for the other (the skew) and then both for the
// all-reduce itself (the latency).
// Also each rank's main-thread CPU ms at each wait's end: the CPU work between two all-reduces,
// whose difference between the ranks is the imbalance a quiet machine would show as waiting
// (wall-clock skew on a loaded machine is mostly the scheduler's).
const waits: number[] = [],
  cpuAtWait: number[] = [];
if (ddp)
  ddp.reducerTiming.onWait = (start, end) => {
    if (done >= warmup - 1) cpuAtWait.push(cpuNow());
    if (done >= warmup) waits.push(start, end);
  };
const PHASES = ["data", "forward", "backward", "step"] as const;
const wall = [0, 0, 0, 0],
  cpuPhase = [0, 0, 0, 0],
  allocPhase = [0, 0, 0, 0];
// FLINT_BENCH_STEPS=1: per timed step, the main thread's CPU ms by phase, page faults, bytes the
// storage allocator took fresh from malloc, RSS, and (below) the step's GCs.
const stepDump = process.env.FLINT_BENCH_STEPS === "1";
const stepMarks: number[] = [];
const perStep: { cpu: number[]; faults: number; freshMB: number; rssMB: number }[] = [];
const storageStats = (nativeAddon() as unknown as { storageStats?: () => Record<string, number> } | null)?.storageStats;
let done = 0,
  t0 = 0,
  alloc0 = 0,
  faults0 = 0,
  cpu0 = new Map<number, number>(),
  runs0 = new Map<number, number>(),
  sched0 = mainSched();
const it = batches();
for (;;) {
  if (done === warmup) {
    dist.barrier();
    t0 = performance.now();
    alloc0 = allocBytes;
    faults0 = process.resourceUsage().minorPageFault;
    cpu0 = threadCpu();
    sched0 = mainSched();
    runs0 = threadRuns();
    wall.fill(0);
    cpuPhase.fill(0);
    allocPhase.fill(0);
    if (ddp) Object.assign(ddp.reducerTiming, { hooks: 0, wait: 0, copyBack: 0 });
  }
  const w = [performance.now()],
    c = [cpuNow()],
    a = [allocBytes];
  const mark = () => {
    w.push(performance.now());
    c.push(cpuNow());
    a.push(allocBytes);
  };
  if (done >= warmup) stepMarks.push(w[0], c[0]);
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
  if (done >= warmup && stepDump) {
    const st = storageStats?.();
    perStep.push({
      cpu: c.slice(1).map((v, k) => v - c[k]),
      faults: process.resourceUsage().minorPageFault,
      freshMB: (st?.freshBytes ?? 0) / 2 ** 20,
      rssMB: process.memoryUsage().rss / 2 ** 20,
    });
  }
  for (let k = 0; k < 4; k++) {
    wall[k] += w[k + 1] - w[k];
    cpuPhase[k] += c[k + 1] - c[k];
    allocPhase[k] += a[k + 1] - a[k];
  }
  done++;
  if (steps > 0 && done === warmup + steps) break;
}
const timed = done - warmup;
const sched1 = mainSched();
const cpu1 = threadCpu(),
  runs1 = threadRuns();
stepMarks.push(performance.now(), cpuNow());
const tEnd = performance.now(),
  allocTimed = allocBytes - alloc0,
  faultsTimed = process.resourceUsage().minorPageFault - faults0;
dist.barrier();
const seconds = (performance.now() - t0) / 1000;
await new Promise((resolve) => setTimeout(resolve, 50)); // the GC entries of the loop arrive now
gcObserver.disconnect();
const gcTimed = gcs.filter((g) => g.start >= t0 && g.start < tEnd);
// Each rank prints its steps (stderr), to compare the ranks step by step: step: CPU ms (data/
// forward/backward/step CPU ms, page faults, fresh MB, RSS MB) [GCs: m scavenge, M mark-compact,
// pause ms @ ms into the step].
if (stepDump) {
  const rows: string[] = [];
  for (let k = 0; k < timed; k++) {
    const [ws, cs, we, ce] = stepMarks.slice(2 * k, 2 * k + 4);
    const g = gcs
      .filter((e) => e.start >= ws && e.start < we)
      .map((e) => `${e.major ? "M" : "m"}${e.ms.toFixed(1)}@${(e.start - ws).toFixed(0)}`);
    const p = perStep[k],
      prev = perStep[k - 1];
    const faults = prev ? p.faults - prev.faults : "?",
      fresh = prev ? (p.freshMB - prev.freshMB).toFixed(1) : "?";
    const phases = p.cpu.map((v) => v.toFixed(1)).join("/");
    rows.push(
      `${k}:${(ce - cs).toFixed(1)}(${phases} pf${faults} fresh${fresh} rss${p.rssMB.toFixed(0)})` +
        (g.length ? `[${g.join(",")}]` : ""),
    );
  }
  console.error(`rank ${rank} steps\n${rows.join("\n")}`);
}
const gcOf = (major: boolean) => gcTimed.filter((g) => g.major === major);
const sumMs = (gs: { ms: number }[]) => gs.reduce((a, g) => a + g.ms, 0);

const threadName = (tid: number): string => {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
};
// Per-step CPU ms of this rank's threads; rank 0 gathers every rank's. gloo = the threads
// initProcessGroup started: the group's worker (flint-gloo, runs the collectives) and Gloo's
// TCP event loop (glooLoop: its socket reads, and an epoll tick every 10 ms).
const cpu = { main: 0, gloo: 0, other: 0, glooLoop: 0 };
for (const [tid, ms] of cpu1) {
  const used = ms - (cpu0.get(tid) ?? 0);
  const kind = tid === process.pid ? "main" : glooThreads.has(tid) ? "gloo" : "other";
  cpu[kind] += used / timed;
  if (kind === "gloo" && threadName(tid) !== "flint-gloo") cpu.glooLoop += used / timed;
}
if (process.env.FLINT_BENCH_THREADS === "1")
  console.error(
    `rank ${rank} thread CPU ms over the timed steps: ` +
      [...cpu1]
        .map(
          ([tid, ms]) =>
            `${tid}(${tid === process.pid ? "main" : glooThreads.has(tid) ? "gloo" : threadName(tid)}):${Math.round(ms - (cpu0.get(tid) ?? 0))}ms/${(runs1.get(tid) ?? 0) - (runs0.get(tid) ?? 0)}runs`,
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
  cpu.glooLoop,
  per(gcOf(false).length),
  per(sumMs(gcOf(false))),
  per(gcOf(true).length),
  per(sumMs(gcOf(true))),
  per(allocTimed / 2 ** 20),
  ...allocPhase.map((b) => per(b / 2 ** 20)),
  per(faultsTimed),
  per(sched1.delay - sched0.delay),
  per(tEnd - t0 - (sched1.cpu - sched0.cpu) - (sched1.delay - sched0.delay)),
  per(sched1.invol - sched0.invol),
  per(sched1.vol - sched0.vol),
]);
const all = Array.from({ length: world }, () => torch.zeros([mine.length], { dtype: "float64" }));
dist.allGather(all, torch.tensor(Array.from(mine), { dtype: "float64" }));
// The reducer's waits of every rank, step by step: skew = last arrival - first arrival, latency =
// last end - last arrival (the all-reduce once everyone is in), wait = a rank's own wait, and how
// often each rank was the last to arrive.
let sync: Record<string, number | number[]> | null = null;
if (ddp && world > 1 && waits.length === 2 * timed && cpuAtWait.length === timed + 1) {
  const mineW = [...waits, ...cpuAtWait];
  const wAll = Array.from({ length: world }, () => torch.zeros([mineW.length], { dtype: "float64" }));
  dist.allGather(wAll, torch.tensor(mineW, { dtype: "float64" }));
  const w = wAll.map((t) => Array.from(t.typedArray(), Number));
  // Main-thread CPU per step of each rank (wait end to wait end) and the mean |difference|.
  let cpuSkew = 0;
  for (let k = 0; k < timed; k++) {
    const per = w.map((r) => r[2 * timed + k + 1] - r[2 * timed + k]);
    cpuSkew += Math.max(...per) - Math.min(...per);
  }
  let skew = 0,
    latency = 0;
  const waitMs = new Array<number>(world).fill(0),
    last = new Array<number>(world).fill(0);
  for (let k = 0; k < timed; k++) {
    const starts = w.map((r) => r[2 * k]),
      ends = w.map((r) => r[2 * k + 1]);
    const first = Math.min(...starts),
      lastIn = Math.max(...starts);
    skew += lastIn - first;
    latency += Math.max(...ends) - lastIn;
    last[starts.indexOf(lastIn)]++;
    w.forEach((r, i) => (waitMs[i] += r[2 * k + 1] - r[2 * k]));
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  sync = {
    skewMs: r2(skew / timed),
    cpuSkewMs: r2(cpuSkew / timed),
    latencyMs: r2(latency / timed),
    waitMs: waitMs.map((x) => r2(x / timed)),
    lastToArrive: last,
  };
}

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
    "cpu:glooLoop",
    "gc:minor",
    "gc:minorMs",
    "gc:major",
    "gc:majorMs",
    "allocMB",
    ...PHASES.map((p) => `allocMB:${p}`),
    "pageFaults",
    "main:runDelay",
    "main:asleep",
    "main:preempted",
    "main:sleeps",
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
      ...(sync ? { sync } : {}),
    }),
  );
}
dist.destroyProcessGroup();
