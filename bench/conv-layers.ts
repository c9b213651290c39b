// Per-layer conv2d timings of the seed CNN (batch 64, float32, NCHW, 5x5, pad 2): forward,
// input gradient, weight(+bias) gradient, for 1 and 2 threads, against PyTorch on the same
// shapes and thread counts (torch.nn.functional.conv2d + torch.autograd.grad).
// Run: node --import tsx bench/conv-layers.ts [threads...]   (default: 1 2)
// Reports wall-clock medians; ratio = torch / flint (> 1: Flint faster).
import { spawnSync } from "node:child_process";

import { nativeAddon } from "../src/backend/native/addon.js";
import { medianOverMs, randomFloats } from "./timing.js";

const addon = nativeAddon();
if (addon === null) {
  console.log("native addon not built; run `npm install`");
  process.exit(0);
}
const threadList = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 2];
const minMs = Number(process.env.CONV_BENCH_MS ?? 400);

const time = (fn: () => void): number => medianOverMs(fn, { minMs, minSamples: 7, warm: 3 });

const layers = [
  { name: "conv1 3->32 @32", C: 3, H: 32, OC: 32 },
  { name: "conv2 32->32 @16", C: 32, H: 16, OC: 32 },
  { name: "conv3 32->64 @8", C: 32, H: 8, OC: 64 },
];
const N = 64;

function flint(threads: number): number[][] {
  addon!.setNumThreads(threads);
  return layers.map((l) => {
    const x = randomFloats(N * l.C * l.H * l.H),
      w = randomFloats(l.OC * l.C * 25),
      b = randomFloats(l.OC);
    const out = new Float32Array(N * l.OC * l.H * l.H),
      go = randomFloats(out.length);
    const gi = new Float32Array(x.length),
      gw = new Float32Array(w.length),
      gb = new Float32Array(l.OC);
    const geo = [N, l.C, l.H, l.H, l.OC, 5, 5, 1, 1, 2, 2, 1, 1, 1] as const;
    return [
      time(() => addon!.conv2dForward(x, w, b, out, ...geo)),
      time(() => addon!.conv2dBackwardInput(go, w, gi, ...geo)),
      time(() => addon!.conv2dBackwardWeight(x, go, gw, gb, ...geo)),
    ];
  });
}

function torch(threads: number): number[][] | null {
  const py = `
import json, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
def t(fn, min_s=${minMs / 1000}):
    for _ in range(3): fn()
    s = []; st = time.perf_counter()
    while time.perf_counter() - st < min_s or len(s) < 7:
        a = time.perf_counter(); fn(); s.append(time.perf_counter() - a)
    s.sort(); return s[len(s)//2] * 1000
res = []
for C, H, OC in [(3, 32, 32), (32, 16, 32), (32, 8, 64)]:
    x = torch.randn(${N}, C, H, H, requires_grad=True); w = torch.randn(OC, C, 5, 5, requires_grad=True)
    b = torch.randn(OC, requires_grad=True)
    with torch.no_grad(): fwd = t(lambda: F.conv2d(x, w, b, padding=2))
    y = F.conv2d(x, w, b, padding=2); g = torch.randn_like(y)
    bi = t(lambda: torch.autograd.grad(y, (x,), g, retain_graph=True))
    bw = t(lambda: torch.autograd.grad(y, (w, b), g, retain_graph=True))
    res.append([fwd, bi, bw])
print(json.dumps(res))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(`(PyTorch skipped: ${r.error?.message ?? r.stderr.trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as number[][];
}

const f = (v: number, w = 7): string => v.toFixed(2).padStart(w);
console.log(`ISA ${addon.getIsa()}, batch ${N}, ms per call (wall median); ratio = torch/flint`);
for (const threads of threadList) {
  const fl = flint(threads);
  const th = torch(threads);
  console.log(`\n${threads} thread(s)           fwd   bwdIn    bwdW |  t.fwd t.bwdIn  t.bwdW |  r.fwd r.bwdIn  r.bwdW`);
  let sumF = 0,
    sumT = 0;
  layers.forEach((l, i) => {
    const a = fl[i];
    let line = `${l.name.padEnd(18)} ${f(a[0])} ${f(a[1])} ${f(a[2])}`;
    sumF += a[0] + a[1] + a[2];
    if (th) {
      const t = th[i];
      sumT += t[0] + t[1] + t[2];
      line += ` | ${f(t[0], 6)} ${f(t[1])} ${f(t[2])} | ${f(t[0] / a[0], 6)} ${f(t[1] / a[1])} ${f(t[2] / a[2])}`;
    }
    console.log(line);
  });
  console.log(
    `total flint ${sumF.toFixed(2)} ms${th ? `, torch ${sumT.toFixed(2)} ms, ratio ${(sumT / sumF).toFixed(2)}` : ""}`,
  );
}
