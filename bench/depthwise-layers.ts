// Per-layer kernel timings of MobileNetV2's depthwise 3x3 convolutions (32x32 CIFAR input, batch
// 64, padding 1): forward, input gradient and weight gradient against PyTorch on the same shapes.
// The two sides alternate (Flint, PyTorch, Flint, PyTorch) and each reports the lower of its two
// medians. --cpu times process CPU time (repeatable with --threads 1 on a loaded machine).
// Run: node --import tsx bench/depthwise-layers.ts [--threads 1] [--ms 150] [--cpu]
import { spawnSync } from "node:child_process";

import { nativeAddon } from "../src/backend/native/addon.js";
import { medianOverMs, randomFloats } from "./timing.js";

const addon = nativeAddon();
if (addon === null) {
  console.log("native addon not built; run `npm install`");
  process.exit(0);
}
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threads = Number(arg("threads", "1")),
  minMs = Number(arg("ms", "150")),
  cpu = process.argv.includes("--cpu");
const now = (): number => (cpu ? process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 : performance.now());
const N = 64;
// [C, H, stride]
const layers: [number, number, number][] = [
  [32, 16, 1],
  [96, 16, 2],
  [144, 8, 1],
  [144, 8, 2],
  [192, 4, 1],
  [192, 4, 2],
  [384, 2, 1],
  [576, 2, 1],
  [576, 2, 2],
  [960, 1, 1],
];

const time = (fn: () => void): number => medianOverMs(fn, { minMs, minSamples: 5, warm: 2, clock: now });

function flint(): number[][] {
  addon!.setNumThreads(threads);
  return layers.map(([C, H, s]) => {
    const OH = Math.floor((H - 1) / s) + 1;
    const x = randomFloats(N * C * H * H),
      w = randomFloats(C * 9),
      go = randomFloats(N * C * OH * OH);
    const out = new Float32Array(go.length),
      gi = new Float32Array(x.length),
      gw = new Float32Array(w.length);
    const geo = [N, C, H, H, C, 3, 3, s, s, 1, 1, 1, 1, C] as const;
    return [
      time(() => addon!.conv2dForward(x, w, null, out, ...geo)),
      time(() => addon!.conv2dBackwardInput(go, w, gi, ...geo)),
      time(() => addon!.conv2dBackwardWeight(x, go, gw, null, ...geo)),
    ];
  });
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
for C, H, s in ${JSON.stringify(layers)}:
    x = torch.randn(${N}, C, H, H, requires_grad=True); w = torch.randn(C, 1, 3, 3, requires_grad=True)
    with torch.no_grad(): fwd = t(lambda: F.conv2d(x, w, None, s, 1, 1, C))
    y = F.conv2d(x, w, None, s, 1, 1, C); g = torch.randn_like(y)
    bi = t(lambda: torch.autograd.grad(y, (x,), g, retain_graph=True))
    bw = t(lambda: torch.autograd.grad(y, (w,), g, retain_graph=True))
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

const minOf = (a: number[][], b: number[][] | null): number[][] =>
  b ? a.map((r, i) => r.map((v, j) => Math.min(v, b[i][j]))) : a;
const fl1 = flint(),
  th1 = pytorch(),
  fl = minOf(fl1, flint()),
  th = th1 ? minOf(th1, pytorch()) : null;
const f = (v: number): string => v.toFixed(2).padStart(7);
const cell = (a: number, b: number | undefined): string =>
  b === undefined ? f(a) : `${f(a)} ${f(b)} ${(a / b).toFixed(2).padStart(5)}`;
console.log(
  `ISA ${addon.getIsa()}, ${threads} thread(s), batch ${N}, ms per call; flint / torch (ratio > 1: Flint slower)`,
);
console.log(`${"depthwise 3x3, pad 1".padEnd(20)}    fwd F/T/ratio          bwdIn F/T/ratio        bwdW F/T/ratio`);
let sumF = 0,
  sumT = 0;
layers.forEach(([C, H, s], i) => {
  console.log(`${`${C} @${H} s${s}`.padEnd(20)} ${fl[i].map((v, j) => cell(v, th?.[i][j])).join(" |")}`);
  sumF += fl[i].reduce((p, q) => p + q, 0);
  sumT += th ? th[i].reduce((p, q) => p + q, 0) : 0;
});
console.log(`total flint ${sumF.toFixed(2)} ms, torch ${sumT.toFixed(2)} ms`);
