// What this machine allows two single-thread processes (the ceiling of `npm run bench:ddp`'s
// 2-process runs, independent of Flint's training step): each kernel runs as one process alone,
// then as two processes started together, interleaved (alone, pair, alone, pair …). The scaling
// is 2 x (alone's wall time) / (the pair's wall time) for the same work per process: 2.0 when the
// two vCPUs are two real cores with their own caches and enough memory bandwidth.
//   alu     a scalar integer loop in JS (registers only: what two hyperthreads of one core share least);
//   gemm    the native addon's sgemm at the seed CNN's conv2 shape, 1 thread (AVX-512 FMA bound);
//   conv    the native conv2dForward + conv2dBackwardWeight of the seed CNN's conv2, batch 64;
//   stream  copies of a 64 MB Float32Array (memory bandwidth).
// Each process also reports its CPU time: on a shared machine a CPU time per unit of work that
// grows when the pair runs says the two share a physical core or its memory path, not a queue.
// Usage: node --import tsx bench/ddp-machine.ts [--repeats 3] [--ms 1500] [--only alu,gemm,conv,stream]
import { spawnSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { nativeAddon } from "../src/backend/native/addon.js";

const argOf = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

function kernel(kind: string): () => number {
  const addon = nativeAddon();
  if (kind === "alu")
    return () => {
      let a = 1,
        b = 2;
      for (let i = 0; i < 20_000_000; i++) {
        a = (a * 1103515245 + b) | 0;
        b = (b ^ (a >>> 7)) | 0;
      }
      return a + b;
    };
  if (kind === "stream") {
    const src = new Float32Array(16 << 20).fill(1),
      dst = new Float32Array(16 << 20);
    return () => {
      for (let i = 0; i < 4; i++) dst.set(i & 1 ? dst : src);
      return dst[0];
    };
  }
  if (addon === null) throw new Error("bench/ddp-machine: the native addon is not built (npm run build:native)");
  addon.setNumThreads(1);
  const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  if (kind === "gemm") {
    const [M, N, K] = [32, 256, 800];
    const A = rand(M * K),
      B = rand(K * N),
      C = new Float32Array(M * N);
    return () => {
      for (let i = 0; i < 50; i++) addon.sgemm(false, false, M, N, K, 1, A, 0, K, B, 0, N, 0, C, 0, N);
      return C[0];
    };
  }
  if (kind === "conv") {
    const x = rand(64 * 32 * 16 * 16),
      w = rand(32 * 32 * 25),
      b = rand(32),
      out = new Float32Array(64 * 32 * 16 * 16),
      gw = new Float32Array(w.length),
      gb = new Float32Array(32);
    const geo = [64, 32, 16, 16, 32, 5, 5, 1, 1, 2, 2, 1, 1, 1] as const;
    return () => {
      addon.conv2dForward(x, w, b, out, ...geo);
      addon.conv2dBackwardWeight(x, out, gw, gb, ...geo);
      return gw[0];
    };
  }
  throw new Error(`bench/ddp-machine: unknown kernel ${kind}`);
}

if (process.argv[2] === "--child") {
  // Child: calibrated iteration count given by the parent; prints wall and CPU ms.
  const fn = kernel(process.argv[3]);
  const iters = Number(process.argv[4]);
  fn();
  const c0 = process.cpuUsage(),
    t0 = performance.now();
  for (let i = 0; i < iters; i++) fn();
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 }));
  process.exit(0);
}

const repeats = Number(argOf("repeats", "3")),
  targetMs = Number(argOf("ms", "1500"));
const kinds = argOf("only", "alu,gemm,conv,stream").split(",");
const self = fileURLToPath(import.meta.url);
const childArgs = (kind: string, iters: number) => ["--import", "tsx", self, "--child", kind, String(iters)];
type Run = { wall: number; cpu: number };
const parse = (s: string): Run => JSON.parse(s.trim().split("\n").pop()!) as Run;

function alone(kind: string, iters: number): Run {
  const r = spawnSync(process.execPath, childArgs(kind, iters), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return parse(r.stdout);
}
function pair(kind: string, iters: number): Promise<Run[]> {
  // Both children are spawned, then each waits at its first kernel call: the start skew is the
  // node start-up difference (~tens of ms), small against the run length.
  return Promise.all(
    [0, 1].map(
      () =>
        new Promise<Run>((resolve, reject) => {
          const c = spawn(process.execPath, childArgs(kind, iters), { stdio: ["ignore", "pipe", "inherit"] });
          let out = "";
          c.stdout.on("data", (d: Buffer) => (out += d.toString()));
          c.on("exit", (code) => (code === 0 ? resolve(parse(out)) : reject(new Error(`child exit ${code}`))));
        }),
    ),
  );
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const out: Record<string, unknown> = { load: loadavg().map((x) => r3(x)) };
for (const kind of kinds) {
  // Calibrate: the iteration count that takes ~targetMs alone.
  const probe = alone(kind, 3);
  const iters = Math.max(3, Math.round((3 * targetMs) / probe.wall));
  const scaling: number[] = [],
    cpuGrowth: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const a = alone(kind, iters);
    const p = await pair(kind, iters);
    const pairWall = Math.max(p[0].wall, p[1].wall);
    scaling.push((2 * a.wall) / pairWall);
    cpuGrowth.push((p[0].cpu + p[1].cpu) / 2 / a.cpu);
  }
  out[kind] = {
    iters,
    scaling: r3(median(scaling)),
    scalingPerRound: scaling.map(r3),
    cpuPerWorkPairVsAlone: r3(median(cpuGrowth)),
  };
  console.error(`${kind}: ${JSON.stringify(out[kind])}`);
}
out.loadAfter = loadavg().map((x) => r3(x));
out.note =
  "scaling: 2 x alone wall / pair wall for the same work per process (2.0 = two independent cores); cpuPerWorkPairVsAlone: CPU time per process in the pair / alone (1.0 = no shared core or memory path)";
console.log(JSON.stringify(out));
