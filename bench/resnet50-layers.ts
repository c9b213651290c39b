// ResNet-50 inference (batch 8, 224x224) layer by layer, Flint against PyTorch at the same thread
// count. Each conv row is a layer as the model runs it: Flint's fused conv + BatchNorm(eval)
// [+ residual] [+ ReLU] (src/ops/conv-bn-eval.ts, what src/vision/models/resnet.ts calls) against
// PyTorch's eager conv2d -> batch_norm [-> add_] [-> relu_]; then the stem's max pool and the
// global average pool. Flint runs first, then PyTorch in a child process, then Flint again (the
// machine is shared: compare the two Flint runs).
// Usage: node --import tsx bench/resnet50-layers.ts [--threads 2] [--ms 300] [--clock cpu]
//   --clock cpu: per-call process CPU time (all threads) on both sides, comparable under load at
//   one thread (at two, PyTorch's OpenMP workers spin-wait and count).
//   --filter TEXT: only the rows whose name contains TEXT.
//   --stat min: the fastest call instead of the median (the least disturbed one on a loaded machine).
//   --mkldnn: PyTorch's convolutions through torch.mkldnn_convolution, which conv2d dispatches to at
//   2+ threads but not for 1x1 stride-1 layers at one thread (there it takes the slower THNN path):
//   with --threads 1 --clock cpu, a comparison with the kernels PyTorch runs in the 2-thread model.
//   --ab VAR [--rounds R]: no PyTorch; Flint with the environment variable VAR=0 (A: off) against
//   VAR unset (B: on), in R interleaved rounds (default 7) in one process, the minimum of each
//   side's medians: an A/B for a native switch read per call (e.g. FLINT_CONV_EVAL).
import { spawnSync } from "node:child_process";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { conv2dBatchNormEval } from "../src/ops/conv-bn-eval.js";

torch.tuneProcess();
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const sarg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threads = arg("threads", 2),
  minMs = arg("ms", 300),
  cpuClock = sarg("clock", "wall") === "cpu",
  filter = sarg("filter", ""),
  mkldnn = process.argv.includes("--mkldnn"),
  statMin = sarg("stat", "median") === "min";
torch.setNumThreads(threads);
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const N = 8;
// [Cin, H, Cout, k, stride, count in ResNet-50, after the BatchNorm: "relu" | "res" (add + ReLU) | "none"]
type Tail = "relu" | "res" | "none";
const convs: [number, number, number, number, number, number, Tail][] = [
  [3, 224, 64, 7, 2, 1, "relu"],
  [64, 56, 64, 1, 1, 1, "relu"],
  [64, 56, 64, 3, 1, 3, "relu"],
  [64, 56, 256, 1, 1, 3, "res"],
  [64, 56, 256, 1, 1, 1, "none"],
  [256, 56, 64, 1, 1, 2, "relu"],
  [256, 56, 128, 1, 1, 1, "relu"],
  [128, 56, 128, 3, 2, 1, "relu"],
  [128, 28, 512, 1, 1, 4, "res"],
  [256, 56, 512, 1, 2, 1, "none"],
  [512, 28, 128, 1, 1, 3, "relu"],
  [128, 28, 128, 3, 1, 3, "relu"],
  [512, 28, 256, 1, 1, 1, "relu"],
  [256, 28, 256, 3, 2, 1, "relu"],
  [256, 14, 1024, 1, 1, 6, "res"],
  [512, 28, 1024, 1, 2, 1, "none"],
  [1024, 14, 256, 1, 1, 5, "relu"],
  [256, 14, 256, 3, 1, 5, "relu"],
  [1024, 14, 512, 1, 1, 1, "relu"],
  [512, 14, 512, 3, 2, 1, "relu"],
  [512, 7, 2048, 1, 1, 3, "res"],
  [1024, 14, 2048, 1, 2, 1, "none"],
  [2048, 7, 512, 1, 1, 2, "relu"],
  [512, 7, 512, 3, 1, 2, "relu"],
];
const convName = ([C, H, OC, k, s, , tail]: (typeof convs)[number]): string =>
  `conv ${C}->${OC} k${k} s${s} @${H}${tail === "res" ? " +res" : tail === "none" ? " ds" : ""}`;

function time(fn: () => void): number {
  for (let i = 0; i < 2; i++) fn();
  const s: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || s.length < 5) {
    const t = now();
    fn();
    s.push(now() - t);
  }
  s.sort((a, b) => a - b);
  return s[statMin ? 0 : Math.floor(s.length / 2)];
}

const wanted = (name: string): boolean => filter === "" || name.includes(filter);

type Row = [string, number, number]; // name, ms per call, count
function flint(): Row[] {
  return torch.noGrad(() => {
    const rows: Row[] = [];
    for (const layer of convs) {
      const [C, H, OC, k, s, n, tail] = layer;
      if (!wanted(convName(layer))) continue;
      const x = torch.randn([N, C, H, H]),
        w = torch.randn([OC, C, k, k]),
        bn = new nn.BatchNorm2d(OC);
      bn.eval();
      const OH = Math.floor((H + 2 * ((k - 1) / 2) - k) / s) + 1;
      const res = tail === "res" ? torch.randn([N, OC, OH, OH]) : null;
      const geo = { stride: [s, s], padding: [(k - 1) / 2, (k - 1) / 2], dilation: [1, 1], groups: 1 };
      const stats = {
        weight: bn.weight,
        bias: bn.bias,
        runningMean: bn.runningMean!,
        runningVar: bn.runningVar!,
        eps: 1e-5,
      };
      rows.push([convName(layer), time(() => conv2dBatchNormEval(x, w, null, geo, stats, tail !== "none", res)), n]);
    }
    if (wanted("maxpool")) {
      const x = torch.randn([N, 64, 112, 112]);
      rows.push(["maxpool 3x3 s2 @112", time(() => nn.functional.maxPool2d(x, 3, 2, 1)), 1]);
    }
    if (wanted("avgpool")) {
      const y = torch.randn([N, 2048, 7, 7]);
      rows.push(["avgpool @7", time(() => nn.functional.adaptiveAvgPool2d(y, 1)), 1]);
    }
    return rows;
  });
}

function pytorch(): Row[] | null {
  const py = `
import json, time, torch
torch.set_num_threads(${threads})
F = torch.nn.functional
N = ${N}
clock = time.process_time if ${cpuClock ? "True" : "False"} else time.perf_counter
def t(fn):
    for _ in range(2): fn()
    s = []; st = time.perf_counter()
    while (time.perf_counter() - st) * 1000 < ${minMs} or len(s) < 5:
        a = clock(); fn(); s.append(clock() - a)
    s.sort(); return s[${statMin ? "0" : "len(s)//2"}] * 1000
want = lambda name: ${JSON.stringify(filter)} in name
rows = []
with torch.no_grad():
    for C, H, OC, k, s, n, tail, name in ${JSON.stringify(convs.map((c) => [...c, convName(c)]))}:
        if not want(name): continue
        x = torch.randn(N, C, H, H); w = torch.randn(OC, C, k, k)
        bn = torch.nn.BatchNorm2d(OC).eval()
        OH = (H + 2 * ((k - 1) // 2) - k) // s + 1
        res = torch.randn(N, OC, OH, OH)
        def layer():
            p = (k - 1) // 2
            y = bn(torch.mkldnn_convolution(x, w, None, [p, p], [s, s], [1, 1], 1) if ${mkldnn ? "True" : "False"} else F.conv2d(x, w, None, s, p))
            if tail == "res": y += res
            if tail != "none": y = torch.relu_(y)
            return y
        rows.append([name, t(layer), n])
    if want("maxpool"):
        x = torch.randn(N, 64, 112, 112)
        rows.append(["maxpool 3x3 s2 @112", t(lambda: F.max_pool2d(x, 3, 2, 1)), 1])
    if want("avgpool"):
        y = torch.randn(N, 2048, 7, 7)
        rows.append(["avgpool @7", t(lambda: F.adaptive_avg_pool2d(y, 1)), 1])
print(json.dumps(rows))
`;
  const r = spawnSync("/usr/bin/python3", ["-c", py], {
    encoding: "utf8",
    env: {
      ...process.env,
      OPENBLAS_NUM_THREADS: "1",
      GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647",
    },
  });
  if (r.status !== 0) {
    console.log(`(PyTorch skipped: ${r.error?.message ?? r.stderr.trim().split("\n").pop()})`);
    return null;
  }
  return JSON.parse(r.stdout) as Row[];
}

const abVar = sarg("ab", "");
if (abVar !== "") {
  const rounds = arg("rounds", 7);
  const best: Record<string, [number, number, number]> = {}; // name -> [A min, B min, count]
  for (let r = 0; r < rounds; r++)
    for (const side of [0, 1]) {
      if (side === 0) process.env[abVar] = "0";
      else delete process.env[abVar];
      for (const [name, ms, n] of flint()) {
        const e = (best[name] ??= [Infinity, Infinity, n]);
        e[side] = Math.min(e[side], ms);
      }
    }
  console.log(`${threads} thread(s), ${cpuClock ? "CPU" : "wall"} ms per call, min over ${rounds} interleaved rounds`);
  let sa = 0,
    sb = 0;
  for (const [name, [a, b, n]] of Object.entries(best)) {
    sa += a * n;
    sb += b * n;
    console.log(
      `${name.padEnd(30)} x${String(n).padStart(2)}  ${abVar}=0 ${a.toFixed(2).padStart(7)}  on ${b.toFixed(2).padStart(7)}  ratio ${(b / a).toFixed(2)}`,
    );
  }
  console.log(`sum (x count): off ${sa.toFixed(1)} ms, on ${sb.toFixed(1)} ms, ratio ${(sb / sa).toFixed(2)}`);
  process.exit(0);
}

const a = flint(),
  t = pytorch(),
  b = flint();
console.log(
  `${threads} thread(s), ${cpuClock ? "CPU" : "wall"} ms per call (median; flint: the lower of its two runs), ` +
    `total = ms x count; ratio = flint / torch`,
);
let sf = 0,
  st = 0;
a.forEach(([name, ms, n], i) => {
  const f = Math.min(ms, b[i][1]);
  const p = t ? t[i][1] : NaN;
  sf += f * n;
  st += p * n;
  console.log(
    `${name.padEnd(30)} x${String(n).padStart(2)}  flint ${f.toFixed(2).padStart(7)} (${ms.toFixed(2)}/${b[i][1].toFixed(2)})` +
      `  torch ${p.toFixed(2).padStart(7)}  ratio ${(f / p).toFixed(2)}  total ${(f * n).toFixed(1)} vs ${(p * n).toFixed(1)}`,
  );
});
console.log(`sum flint ${sf.toFixed(1)} ms, torch ${st.toFixed(1)} ms, ratio ${(sf / st).toFixed(2)}`);
