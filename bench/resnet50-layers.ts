// ResNet-50 inference (batch 8, 224x224) layer by layer, Flint against PyTorch at the same thread
// count: every distinct conv shape (times its count in the model), BatchNorm (eval), ReLU,
// residual add, the stem's max pool and the global average pool. Flint runs first, then
// PyTorch in a child process, then Flint again (the machine is shared: compare the two Flint runs).
// Usage: node --import tsx bench/resnet50-layers.ts [--threads 2] [--ms 300]
import { spawnSync } from "node:child_process";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";

torch.tuneProcess();
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg("threads", 2),
  minMs = arg("ms", 300);
torch.setNumThreads(threads);
const N = 8;
// [Cin, H, Cout, k, stride, count in ResNet-50]
const convs: [number, number, number, number, number, number][] = [
  [3, 224, 64, 7, 2, 1],
  [64, 56, 64, 1, 1, 1],
  [64, 56, 64, 3, 1, 3],
  [64, 56, 256, 1, 1, 4],
  [256, 56, 64, 1, 1, 2],
  [256, 56, 128, 1, 1, 1],
  [128, 56, 128, 3, 2, 1],
  [128, 28, 512, 1, 1, 4],
  [256, 56, 512, 1, 2, 1],
  [512, 28, 128, 1, 1, 3],
  [128, 28, 128, 3, 1, 3],
  [512, 28, 256, 1, 1, 1],
  [256, 28, 256, 3, 2, 1],
  [256, 14, 1024, 1, 1, 6],
  [512, 28, 1024, 1, 2, 1],
  [1024, 14, 256, 1, 1, 5],
  [256, 14, 256, 3, 1, 5],
  [1024, 14, 512, 1, 1, 1],
  [512, 14, 512, 3, 2, 1],
  [512, 7, 2048, 1, 1, 3],
  [1024, 14, 2048, 1, 2, 1],
  [2048, 7, 512, 1, 1, 2],
  [512, 7, 512, 3, 1, 2],
];
// [C, H, count]: BatchNorm+ReLU after each conv but the block outputs; add+ReLU per block.
const bnShapes: [number, number, number][] = [
  [64, 112, 1],
  [64, 56, 6],
  [256, 56, 4],
  [128, 56, 1],
  [128, 28, 7],
  [512, 28, 5],
  [256, 28, 1],
  [256, 14, 11],
  [1024, 14, 7],
  [512, 14, 1],
  [512, 7, 5],
  [2048, 7, 4],
];

function time(fn: () => void): number {
  for (let i = 0; i < 2; i++) fn();
  const s: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || s.length < 5) {
    const t = performance.now();
    fn();
    s.push(performance.now() - t);
  }
  s.sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

type Row = [string, number, number]; // name, ms per call, count
function flint(): Row[] {
  return torch.noGrad(() => {
    const rows: Row[] = [];
    for (const [C, H, OC, k, s, n] of convs) {
      const x = torch.randn([N, C, H, H]),
        w = torch.randn([OC, C, k, k]);
      rows.push([
        `conv ${C}->${OC} k${k} s${s} @${H}`,
        time(() => nn.functional.conv2d(x, w, null, s, (k - 1) / 2)),
        n,
      ]);
    }
    for (const [C, H, n] of bnShapes) {
      const bn = new nn.BatchNorm2d(C);
      bn.eval();
      const x = torch.randn([N, C, H, H]);
      rows.push([`bn ${C} @${H}`, time(() => bn.call(x)), n]);
      rows.push([`relu ${C} @${H}`, time(() => torch.relu(x)), n]);
    }
    for (const [C, H] of [
      [256, 56],
      [512, 28],
      [1024, 14],
      [2048, 7],
    ]) {
      const a = torch.randn([N, C, H, H]),
        b = torch.randn([N, C, H, H]);
      rows.push([`add ${C} @${H}`, time(() => a.add(b)), H === 56 ? 3 : H === 28 ? 4 : H === 14 ? 6 : 3]);
    }
    const x = torch.randn([N, 64, 112, 112]);
    rows.push(["maxpool 3x3 s2 @112", time(() => nn.functional.maxPool2d(x, 3, 2, 1)), 1]);
    const y = torch.randn([N, 2048, 7, 7]);
    rows.push(["avgpool @7", time(() => nn.functional.adaptiveAvgPool2d(y, 1)), 1]);
    return rows;
  });
}

function pytorch(): Row[] | null {
  const py = `
import json, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
N = ${N}
def t(fn):
    for _ in range(2): fn()
    s = []; st = time.perf_counter()
    while (time.perf_counter() - st) * 1000 < ${minMs} or len(s) < 5:
        a = time.perf_counter(); fn(); s.append(time.perf_counter() - a)
    s.sort(); return s[len(s)//2] * 1000
rows = []
with torch.no_grad():
    for C, H, OC, k, s, n in ${JSON.stringify(convs)}:
        x = torch.randn(N, C, H, H); w = torch.randn(OC, C, k, k)
        rows.append([f"conv {C}->{OC} k{k} s{s} @{H}", t(lambda: F.conv2d(x, w, None, s, (k - 1) // 2)), n])
    for C, H, n in ${JSON.stringify(bnShapes)}:
        bn = torch.nn.BatchNorm2d(C).eval(); x = torch.randn(N, C, H, H)
        rows.append([f"bn {C} @{H}", t(lambda: bn(x)), n])
        rows.append([f"relu {C} @{H}", t(lambda: torch.relu_(x)), n])
    for C, H in [[256, 56], [512, 28], [1024, 14], [2048, 7]]:
        a = torch.randn(N, C, H, H); b = torch.randn(N, C, H, H)
        rows.append([f"add {C} @{H}", t(lambda: a.add_(b)), 3 if H == 56 else 4 if H == 28 else 6 if H == 14 else 3])
    x = torch.randn(N, 64, 112, 112)
    rows.append(["maxpool 3x3 s2 @112", t(lambda: F.max_pool2d(x, 3, 2, 1)), 1])
    y = torch.randn(N, 2048, 7, 7)
    rows.append(["avgpool @7", t(lambda: F.adaptive_avg_pool2d(y, 1)), 1])
print(json.dumps(rows))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
  });
  if (r.status !== 0) {
    console.log(`(PyTorch skipped: ${r.error?.message ?? r.stderr.trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as Row[];
}

const a = flint(),
  t = pytorch(),
  b = flint();
console.log(`${threads} thread(s); ms per call (median), total = ms x count; ratio = flint / torch`);
let sf = 0,
  st = 0;
a.forEach(([name, ms, n], i) => {
  const f = Math.min(ms, b[i][1]);
  const p = t ? t[i][1] : NaN;
  sf += f * n;
  st += p * n;
  console.log(
    `${name.padEnd(26)} x${String(n).padStart(2)}  flint ${f.toFixed(2).padStart(7)} (${ms.toFixed(2)}/${b[i][1].toFixed(2)})` +
      `  torch ${p.toFixed(2).padStart(7)}  ratio ${(f / p).toFixed(2)}  total ${(f * n).toFixed(1)} vs ${(p * n).toFixed(1)}`,
  );
});
console.log(`sum flint ${sf.toFixed(1)} ms, torch ${st.toFixed(1)} ms, ratio ${(sf / st).toFixed(2)}`);
