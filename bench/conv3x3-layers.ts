// Per-layer kernel timings of the ResNet-20 and ResNet-18 (32x32 CIFAR input, batch 64) training
// steps: each 3x3 convolution shape's forward, input gradient and weight gradient (and ResNet-18's
// 7x7 stride-2 stem and 1x1 stride-2 projections; padding k / 2), plus BatchNorm
// (training forward, backward), residual add and ReLU at each activation size; against PyTorch on
// the same shapes. The two sides alternate (Flint, PyTorch, Flint, PyTorch) and each reports the
// lower of its two medians, so load on a shared machine hits both alike.
// --cpu times process CPU time instead of wall time: with --threads 1 it stays repeatable on a
// loaded machine (where wall times of multithreaded runs, PyTorch's OpenMP ones above all, swing).
// Run: node --import tsx bench/conv3x3-layers.ts [--threads 2] [--ms 200] [--only conv|other] [--cpu]
//   [--net r20|r18]  (only that network's convolutions)
import { spawnSync } from "node:child_process";

import * as torch from "../src/index.js";
import { nativeAddon } from "../src/backend/native/addon.js";
import { medianOverMs, randomFloats } from "./timing.js";

// The malloc and V8 settings the model benchmarks train with (fresh outputs of the add and ReLU
// rows are several MB each).
torch.tuneProcess();
const addon = nativeAddon();
if (addon === null) {
  console.log("native addon not built; run `npm install`");
  process.exit(0);
}
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threads = Number(arg("threads", "2")),
  minMs = Number(arg("ms", "200")),
  only = arg("only", ""),
  net = arg("net", ""),
  cpu = process.argv.includes("--cpu");
const now = (): number => (cpu ? process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 : performance.now());
const N = 64;

// [net, C, H, OC, stride, kernel size (3 unless given)]: padding kernel size / 2.
const convs: [string, number, number, number, number, number?][] = [
  ["r20", 3, 32, 16, 1],
  ["r20", 16, 32, 16, 1],
  ["r20", 16, 32, 32, 2],
  ["r20", 32, 16, 32, 1],
  ["r20", 32, 16, 64, 2],
  ["r20", 64, 8, 64, 1],
  ["r18", 64, 8, 128, 2],
  ["r18", 128, 4, 128, 1],
  ["r18", 128, 4, 256, 2],
  ["r18", 256, 2, 256, 1],
  ["r18", 256, 2, 512, 2],
  ["r18", 512, 1, 512, 1],
  ["r18", 3, 32, 64, 2, 7],
  ["r18", 64, 8, 128, 2, 1],
  ["r18", 128, 4, 256, 2, 1],
  ["r18", 256, 2, 512, 2, 1],
].filter((c) => only !== "other" && (net === "" || c[0] === net)) as [
  string,
  number,
  number,
  number,
  number,
  number?,
][];
// [C, H] activation sizes for BatchNorm / add / ReLU.
const acts: [number, number][] = (
  [
    [16, 32],
    [32, 16],
    [64, 8],
    [128, 4],
    [256, 2],
    [512, 1],
  ] as [number, number][]
).filter(() => only !== "conv");

const time = (fn: () => void): number => medianOverMs(fn, { minMs, minSamples: 5, warm: 2, clock: now });

function flint(): number[][] {
  addon!.setNumThreads(threads);
  torch.setNumThreads(threads);
  const rows: number[][] = [];
  for (const [, C, H, OC, s, k = 3] of convs) {
    const p = k >> 1,
      OH = Math.floor((H + 2 * p - k) / s) + 1;
    const x = randomFloats(N * C * H * H),
      w = randomFloats(OC * C * k * k);
    const out = new Float32Array(N * OC * OH * OH),
      go = randomFloats(out.length);
    const gi = new Float32Array(x.length),
      gw = new Float32Array(w.length);
    const geo = [N, C, H, H, OC, k, k, s, s, p, p, 1, 1, 1] as const;
    rows.push([
      time(() => addon!.conv2dForward(x, w, null, out, ...geo)),
      time(() => addon!.conv2dBackwardInput(go, w, gi, ...geo)),
      time(() => addon!.conv2dBackwardWeight(x, go, gw, null, ...geo)),
    ]);
  }
  for (const [C, H] of acts) {
    const n = N * C * H * H;
    const x = randomFloats(n),
      go = randomFloats(n),
      out = new Float32Array(n),
      gi = new Float32Array(n);
    const wt = randomFloats(C),
      b = randomFloats(C),
      mean = new Float32Array(C),
      v = new Float32Array(C),
      inv = new Float32Array(C),
      gwt = new Float32Array(C),
      gb = new Float32Array(C);
    const a = torch.randn([N, C, H, H]),
      c = torch.randn([N, C, H, H]);
    rows.push([
      time(() => addon!.batchNormTrainForward!(x, wt, b, mean, v, inv, out, N, C, H * H, 1e-5)),
      time(() => addon!.batchNormBackward!(x, go, wt, mean, inv, gi, gwt, gb, N, C, H * H, true)),
      time(() => void a.add(c)),
      time(() => void a.relu()),
    ]);
  }
  return rows;
}

function pytorch(): number[][] | null {
  const py = `
import json, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
clock = time.process_time if ${cpu ? "True" : "False"} else time.perf_counter
def t(fn, min_s=${minMs / 1000}):
    for _ in range(2): fn()
    s = []; st = time.perf_counter()
    while time.perf_counter() - st < min_s or len(s) < 5:
        a = clock(); fn(); s.append(clock() - a)
    s.sort(); return s[len(s)//2] * 1000
res = []
for C, H, OC, s, k in ${JSON.stringify(convs.map(([, C, H, OC, s, k = 3]) => [C, H, OC, s, k]))}:
    x = torch.randn(${N}, C, H, H, requires_grad=True); w = torch.randn(OC, C, k, k, requires_grad=True)
    with torch.no_grad(): fwd = t(lambda: F.conv2d(x, w, None, s, k // 2))
    y = F.conv2d(x, w, None, s, k // 2); g = torch.randn_like(y)
    bi = t(lambda: torch.autograd.grad(y, (x,), g, retain_graph=True))
    bw = t(lambda: torch.autograd.grad(y, (w,), g, retain_graph=True))
    res.append([fwd, bi, bw])
for C, H in ${JSON.stringify(acts)}:
    x = torch.randn(${N}, C, H, H, requires_grad=True); wt = torch.randn(C, requires_grad=True); b = torch.randn(C, requires_grad=True)
    with torch.no_grad(): f = t(lambda: F.batch_norm(x, None, None, wt, b, True))
    y = F.batch_norm(x, None, None, wt, b, True); g = torch.randn_like(y)
    bb = t(lambda: torch.autograd.grad(y, (x, wt, b), g, retain_graph=True))
    a = torch.randn(${N}, C, H, H); c = torch.randn(${N}, C, H, H)
    res.append([f, bb, t(lambda: a + c), t(lambda: a.relu())])
print(json.dumps(res))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(`(PyTorch skipped: ${r.error?.message ?? r.stderr.trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as number[][];
}

const minOf = (a: number[][], b: number[][] | null): number[][] =>
  b ? a.map((r, i) => r.map((v, j) => Math.min(v, b[i][j]))) : a;
const fl1 = flint(),
  th1 = pytorch(),
  fl = minOf(fl1, flint()),
  th = th1 ? minOf(th1, pytorch()) : null;
const f = (v: number): string => v.toFixed(2).padStart(7);
console.log(
  `ISA ${addon.getIsa()}, ${threads} thread(s), batch ${N}, ms per call; flint / torch (ratio > 1: Flint slower)`,
);
console.log(`${"conv (3x3 unless kN)".padEnd(24)}    fwd F/T/ratio          bwdIn F/T/ratio        bwdW F/T/ratio`);
let sumF = 0,
  sumT = 0;
const cell = (a: number, b: number | undefined): string =>
  b === undefined ? f(a) : `${f(a)} ${f(b)} ${(a / b).toFixed(2).padStart(5)}`;
convs.forEach(([net, C, H, OC, s, k = 3], i) => {
  const name = `${net} ${C}->${OC} @${H} s${s}${k === 3 ? "" : ` k${k}`}`;
  console.log(`${name.padEnd(24)} ${fl[i].map((v, j) => cell(v, th?.[i][j])).join(" |")}`);
  sumF += fl[i].reduce((p, q) => p + q, 0);
  sumT += th ? th[i].reduce((p, q) => p + q, 0) : 0;
});
if (convs.length) console.log(`conv total flint ${sumF.toFixed(2)} ms, torch ${sumT.toFixed(2)} ms`);
if (acts.length)
  console.log(
    `${"activation".padEnd(24)}    bn fwd                 bn bwd                 add                    relu`,
  );
acts.forEach(([C, H], k) => {
  const i = convs.length + k;
  console.log(`${`${C}x${H}x${H}`.padEnd(24)} ${fl[i].map((v, j) => cell(v, th?.[i][j])).join(" |")}`);
});
