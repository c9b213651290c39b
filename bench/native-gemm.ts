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

/** Median milliseconds per call over enough repetitions to fill ~minMs. */
function time(fn: () => void, minMs = 300): number {
  for (let i = 0; i < 2; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < 5) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
}

console.log(`ISA ${addon.getIsa()}, threads ${threads}`);
console.log("\nsgemm                                   GFLOP/s");
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
  const A = rand(M * K), B = rand(K * N), C = new Float32Array(M * N);
  const ms = time(() => addon.sgemm(tA, tB, M, N, K, 1, A, 0, tA ? M : K, B, 0, tB ? K : N, 0, C, 0, N));
  console.log(`${name.padEnd(40)} ${(2 * M * N * K / ms / 1e6).toFixed(1).padStart(7)}`);
}

const layers = [
  { name: "conv1 3->32 5x5 @32x32", C: 3, H: 32, OC: 32 },
  { name: "conv2 32->32 5x5 @16x16", C: 32, H: 16, OC: 32 },
  { name: "conv3 32->64 5x5 @8x8", C: 32, H: 8, OC: 64 },
];
const N = 64;
const results: { fwd: number; bwdIn: number; bwdW: number }[] = [];
for (const l of layers) {
  const x = rand(N * l.C * l.H * l.H), w = rand(l.OC * l.C * 25), b = rand(l.OC);
  const out = new Float32Array(N * l.OC * l.H * l.H), go = rand(out.length);
  const gi = new Float32Array(x.length), gw = new Float32Array(w.length), gb = new Float32Array(l.OC);
  const geo = [N, l.C, l.H, l.H, l.OC, 5, 5, 1, 1, 2, 2, 1, 1, 1] as const;
  results.push({
    fwd: time(() => addon.conv2dForward(x, w, b, out, ...geo)),
    bwdIn: time(() => addon.conv2dBackwardInput(go, w, gi, ...geo)),
    bwdW: time(() => addon.conv2dBackwardWeight(x, go, gw, gb, ...geo)),
  });
}

// PyTorch on the same shapes, same thread count (fwd; bwd = input + weight + bias gradients).
const py = `
import json, sys, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
def t(fn, min_s=0.3):
    for _ in range(2): fn()
    s = []; st = time.perf_counter()
    while time.perf_counter() - st < min_s or len(s) < 5:
        a = time.perf_counter(); fn(); s.append(time.perf_counter() - a)
    s.sort(); return s[len(s)//2] * 1000
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
const torchTimes = torchRun.status === 0 ? (JSON.parse(torchRun.stdout) as number[][]) : null;
if (!torchTimes) console.log(`\n(PyTorch comparison skipped: ${torchRun.error?.message ?? torchRun.stderr.trim().split("\n").pop()})`);

console.log(`\nconv2d, batch ${N}, ms     fwd   bwdIn  bwdW  bwd(I+W)${torchTimes ? "  torch fwd  torch bwd  fwd ratio  bwd ratio" : ""}`);
layers.forEach((l, i) => {
  const r = results[i];
  const bwd = r.bwdIn + r.bwdW;
  let line = `${l.name.padEnd(24)} ${r.fwd.toFixed(2).padStart(6)} ${r.bwdIn.toFixed(2).padStart(6)} ${r.bwdW.toFixed(2).padStart(6)} ${bwd.toFixed(2).padStart(8)}`;
  if (torchTimes) {
    const [tf, tb] = torchTimes[i];
    line += ` ${tf.toFixed(2).padStart(10)} ${tb.toFixed(2).padStart(10)} ${(tf / r.fwd).toFixed(2).padStart(10)} ${(tb / bwd).toFixed(2).padStart(10)}`;
  }
  console.log(line);
});
if (torchTimes) console.log("(ratio = torch time / flint time; > 1 means the native addon is faster)");
