// Benchmark of the native addon: sgemm GFLOP/s (1024^3 and the seed CNN's im2col GEMM shapes)
// and conv2d forward/backward times for the seed CNN's three conv layers at batch 64, compared
// with PyTorch (torch.nn.functional.conv2d) when /usr/bin/python3 has torch.
// Run: node --import tsx bench/native-gemm.ts [threads]   (default: the addon's default)
import { spawnSync } from "node:child_process";

import { nativeAddon } from "../src/backend/native/addon.js";

const addon = nativeAddon();
if (addon === null) {
  console.log("native addon not built; run `npm install` or `node scripts/build-native.mjs`");
  process.exit(0);
}
const threads = Number(process.argv[2] ?? addon.getNumThreads());
addon.setNumThreads(threads);

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/**
 * Median wall milliseconds per call over enough repetitions to fill ~minMs, and the process CPU
 * milliseconds per call (all threads). On a shared machine the CPU time is the steadier figure:
 * with one thread it is the compute time however busy the other processes keep the cores.
 */
function timeBoth(fn: () => void, minMs = 300): { wall: number; cpu: number } {
  for (let i = 0; i < 2; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < minMs || samples.length < 5) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((x, y) => x - y);
  return { wall: samples[Math.floor(samples.length / 2)], cpu: (cpu.user + cpu.system) / 1000 / samples.length };
}

console.log(`ISA ${addon.getIsa()}, threads ${threads}`);
console.log("\nsgemm                                   GFLOP/s (wall)  GFLOP/s (per CPU-second)");
const gemms: [string, boolean, boolean, number, number, number][] = [
  ["1024x1024x1024", false, false, 1024, 1024, 1024],
  ["conv1 fwd  W[32,75] x col[75,1024]", false, false, 32, 1024, 75],
  ["conv2 fwd  W[32,800] x col[800,256]", false, false, 32, 256, 800],
  ["conv3 fwd  W[64,800] x col[800,64]", false, false, 64, 64, 800],
  ["conv1 bwdI W^T x gO [75,1024,32]", true, false, 75, 1024, 32],
  ["conv2 bwdI W^T x gO [800,256,32]", true, false, 800, 256, 32],
  ["conv3 bwdI W^T x gO [800,64,64]", true, false, 800, 64, 64],
  ["conv1 bwdW gO x col^T [32,75,1024]", false, true, 32, 75, 1024],
  ["conv2 bwdW gO x col^T [32,800,256]", false, true, 32, 800, 256],
  ["conv3 bwdW gO x col^T [64,800,64]", false, true, 64, 800, 64],
  ["linear1 fwd [64,64,1024] (x W^T)", false, true, 64, 64, 1024],
];
for (const [name, tA, tB, M, N, K] of gemms) {
  const A = rand(M * K),
    B = rand(K * N),
    C = new Float32Array(M * N);
  const t = timeBoth(() => addon.sgemm(tA, tB, M, N, K, 1, A, 0, tA ? M : K, B, 0, tB ? K : N, 0, C, 0, N));
  const gf = (ms: number): string => ((2 * M * N * K) / ms / 1e6).toFixed(1).padStart(7);
  console.log(`${name.padEnd(40)} ${gf(t.wall)}         ${gf(t.cpu)}`);
}

const layers = [
  { name: "conv1 3->32 5x5 @32x32", C: 3, H: 32, OC: 32 },
  { name: "conv2 32->32 5x5 @16x16", C: 32, H: 16, OC: 32 },
  { name: "conv3 32->64 5x5 @8x8", C: 32, H: 8, OC: 64 },
];
const N = 64;
type T2 = { wall: number; cpu: number };
const results: { fwd: T2; bwdIn: T2; bwdW: T2 }[] = [];
for (const l of layers) {
  const x = rand(N * l.C * l.H * l.H),
    w = rand(l.OC * l.C * 25),
    b = rand(l.OC);
  const out = new Float32Array(N * l.OC * l.H * l.H),
    go = rand(out.length);
  const gi = new Float32Array(x.length),
    gw = new Float32Array(w.length),
    gb = new Float32Array(l.OC);
  const geo = [N, l.C, l.H, l.H, l.OC, 5, 5, 1, 1, 2, 2, 1, 1, 1] as const;
  results.push({
    fwd: timeBoth(() => addon.conv2dForward(x, w, b, out, ...geo)),
    bwdIn: timeBoth(() => addon.conv2dBackwardInput(go, w, gi, ...geo)),
    bwdW: timeBoth(() => addon.conv2dBackwardWeight(x, go, gw, gb, ...geo)),
  });
}

// PyTorch on the same shapes, same thread count (fwd; bwd = input + weight + bias gradients).
const py = `
import json, sys, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
def t(fn, min_s=0.3):
    for _ in range(2): fn()
    s = []; st = time.perf_counter(); c0 = time.process_time()
    while time.perf_counter() - st < min_s or len(s) < 5:
        a = time.perf_counter(); fn(); s.append(time.perf_counter() - a)
    cpu = (time.process_time() - c0) / len(s) * 1000
    s.sort(); return [s[len(s)//2] * 1000, cpu]
res = []
for C, H, OC in [(3, 32, 32), (32, 16, 32), (32, 8, 64)]:
    x = torch.randn(64, C, H, H, requires_grad=True); w = torch.randn(OC, C, 5, 5, requires_grad=True)
    b = torch.randn(OC, requires_grad=True)
    with torch.no_grad(): fwd = t(lambda: F.conv2d(x, w, b, padding=2))
    y = F.conv2d(x, w, b, padding=2); g = torch.randn_like(y)
    bwd = t(lambda: torch.autograd.grad(y, (x, w, b), g, retain_graph=True))
    res.append([fwd, bwd])
print(json.dumps(res))
`;
const torchRun = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
const torchTimes = torchRun.status === 0 ? (JSON.parse(torchRun.stdout) as [number, number][][]) : null;
if (!torchTimes)
  console.log(`\n(PyTorch comparison skipped: ${torchRun.error?.message ?? torchRun.stderr.trim().split("\n").pop()})`);

const ms = (v: number, w = 7): string => v.toFixed(2).padStart(w);
for (const kind of ["wall", "cpu"] as const) {
  console.log(`\nconv2d, batch ${N}, ms (${kind === "wall" ? "wall, median" : "CPU time per call, all threads"})`);
  console.log(
    `layer                        fwd   bwdIn    bwdW bwd(I+W)${torchTimes ? "  torch fwd torch bwd  fwd ratio bwd ratio" : ""}`,
  );
  layers.forEach((l, i) => {
    const r = results[i];
    const fwd = r.fwd[kind],
      bwd = r.bwdIn[kind] + r.bwdW[kind];
    let line = `${l.name.padEnd(24)} ${ms(fwd)} ${ms(r.bwdIn[kind])} ${ms(r.bwdW[kind])} ${ms(bwd, 8)}`;
    if (torchTimes) {
      const k = kind === "wall" ? 0 : 1;
      const tf = torchTimes[i][0][k],
        tb = torchTimes[i][1][k];
      line += ` ${ms(tf, 10)} ${ms(tb, 9)} ${ms(tf / fwd, 10)} ${ms(tb / bwd, 9)}`;
    }
    console.log(line);
  });
}
if (torchTimes)
  console.log(
    "(ratio = torch time / flint time; > 1 means the native addon is faster; torch bwd = grads of input, weight and bias)",
  );
