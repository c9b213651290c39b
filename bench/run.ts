// npm run bench: the seed CNN's training step and inference batch in Flint (each backend: native,
// wasm, ref) and in PyTorch (when /usr/bin/python3 has torch), run one after another on this machine, with ratios;
// then an MLP, an LSTM and a Transformer encoder the same way.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { TORCH_ENV, blasWarning } from "./pytorch-env.js";

interface Row {
  impl: string;
  trainMs: number;
  inferMs: number;
  peakRssMb: number;
  blas?: string;
}
const threads = process.env.BENCH_THREADS ?? "2",
  batch = process.env.BENCH_BATCH ?? "64";

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Row | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    const j = JSON.parse(line) as Record<string, number | string>;
    return {
      impl: String(j.impl),
      trainMs: Number(j.trainMs ?? j.train_ms),
      inferMs: Number(j.inferMs ?? j.infer_ms),
      peakRssMb: Number(j.peakRssMb ?? j.peak_rss_mb),
      blas: j.blas === undefined ? undefined : String(j.blas),
    };
  } catch {
    console.error(`bench: ${cmd} ${args.join(" ")} failed:\n${r.stderr.slice(-2000)}`);
    return null;
  }
}

const flint = (backend: string, steps: string, env: NodeJS.ProcessEnv = {}, nThreads = threads) =>
  run(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/cnn.ts",
      "--threads",
      nThreads,
      "--batch",
      batch,
      "--steps",
      steps,
      "--warmup",
      steps === "20" ? "5" : "1",
    ],
    { FLINT_BACKEND: backend, ...env },
  );

const rows: Row[] = [];
const native = flint("native", "20");
if (native && native.impl === "flint-native") {
  rows.push(native);
  // With V8's default background freeing of ArrayBuffers (FLINT_KEEP_V8_FLAGS=1): what Flint's
  // setting saves (src/backend/select.ts).
  const keep = flint("native", "20", { FLINT_KEEP_V8_FLAGS: "1" });
  if (keep) rows.push({ ...keep, impl: "flint-native*" });
}
// The WebAssembly build of the same kernels: on worker threads (flint-mt.wasm), and on one.
const wasm = flint("wasm", "8");
if (wasm) rows.push(wasm);
const wasm1 = flint("wasm", "8", {}, "1");
if (wasm1) rows.push({ ...wasm1, impl: "flint-wasm/1t" });
const ref = flint("ref", "2");
if (ref) rows.push(ref);
if (existsSync("/usr/bin/python3")) {
  const py = run(
    "/usr/bin/python3",
    ["bench/pytorch_cnn.py", "--threads", threads, "--batch", batch, "--steps", "20"],
    TORCH_ENV,
  );
  if (py) rows.push(py);
}
const torchRow = rows.find((r) => r.impl === "pytorch");
if (torchRow) console.log(`PyTorch's BLAS: ${torchRow.blas ?? "unknown"}`);
const warning = blasWarning(torchRow?.blas);
if (warning) console.log(warning);
const GFLOP_STEP = 4.74; // forward + backward of the seed CNN at batch 64 (issue 5)
console.log(
  `seed CNN, batch ${batch}, ${threads} threads (${new Date().toISOString().slice(0, 10)}); * = with V8's background ArrayBuffer freeing left on (FLINT_KEEP_V8_FLAGS=1); /1t = one thread`,
);
console.log("impl            train ms   img/s   GFLOP/s  infer ms   peak RSS MB   train/PyTorch  infer/PyTorch");
for (const r of rows) {
  const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : "-");
  console.log(
    [
      r.impl.padEnd(14),
      r.trainMs.toFixed(1).padStart(9),
      ((+batch * 1000) / r.trainMs).toFixed(0).padStart(7),
      ((GFLOP_STEP * +batch) / 64 / (r.trainMs / 1000)).toFixed(1).padStart(9),
      r.inferMs.toFixed(1).padStart(9),
      r.peakRssMb.toFixed(0).padStart(13),
      ratio(r.trainMs, torchRow?.trainMs).padStart(15),
      ratio(r.inferMs, torchRow?.inferMs).padStart(14),
    ].join(" "),
  );
}

// Other model shapes (bench/models.ts, bench/pytorch_models.py): training step per model.
{
  const lines = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Map<string, number> => {
    const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
    const m = new Map<string, number>();
    for (const l of r.stdout.trim().split("\n")) {
      try {
        const j = JSON.parse(l) as { model: string; trainMs: number };
        m.set(j.model, j.trainMs);
      } catch {
        /* not a result line */
      }
    }
    if (r.status) console.error(`bench: ${cmd} ${args.join(" ")} failed:\n${r.stderr.slice(-2000)}`);
    return m;
  };
  // Each model in its own pair of processes, Flint then PyTorch, for BENCH_ROUNDS rounds (heavy
  // convolutional models once): interleaved, so a noisy moment on the shared machine hits both.
  const rounds = Number(process.env.BENCH_ROUNDS ?? "3");
  const listed = spawnSync(process.execPath, ["--import", "tsx", "bench/models.ts", "--list"], { encoding: "utf8" });
  const names = listed.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { model: string; heavy: boolean });
  const fl = new Map<string, number[]>(),
    py = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, got: Map<string, number>) => {
    for (const [k, v] of got) m.set(k, [...(m.get(k) ?? []), v]);
  };
  for (let r = 0; r < rounds; r++) {
    for (const { model, heavy } of names) {
      if (heavy && r > 0) continue;
      push(fl, lines(process.execPath, ["--import", "tsx", "bench/models.ts", "--threads", threads, "--only", model]));
      if (existsSync("/usr/bin/python3"))
        push(
          py,
          lines("/usr/bin/python3", ["bench/pytorch_models.py", "--threads", threads, "--only", model], TORCH_ENV),
        );
    }
  }
  const median = (v: number[] | undefined) => (v?.length ? [...v].sort((a, b) => a - b)[v.length >> 1] : undefined);
  const spread = (v: number[] | undefined) =>
    v && v.length > 1 ? `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}` : "";
  console.log(`\n== other models: training step (Adam, cross entropy), ${threads} threads, median of ${rounds} rounds`);
  console.log(`${"model".padEnd(38)} flint ms   PyTorch ms   flint/PyTorch   flint range   PyTorch range`);
  for (const [model, v] of fl) {
    const ms = median(v)!,
      t = median(py.get(model));
    console.log(
      `${model.padEnd(38)} ${ms.toFixed(1).padStart(8)} ${t === undefined ? "-".padStart(12) : t.toFixed(1).padStart(12)} ${t === undefined ? "-".padStart(15) : (ms / t).toFixed(2).padStart(15)}   ${spread(v).padStart(11)}   ${spread(py.get(model)).padStart(13)}`,
    );
  }
}

// Micro-benchmarks: GEMM and convolution kernels of the native addon (GFLOP/s, ms per layer
// against PyTorch), and the reference backend against naive loops.
for (const [title, file, args] of [
  ["per-op latency against PyTorch", "bench/ops-latency.ts", ["--threads", threads]],
  ["native GEMM and conv2d kernels", "bench/native-gemm.ts", [threads]],
  ["reference backend against naive loops", "bench/ref-vs-naive.ts", []],
] as const) {
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  console.log(
    `\n== ${title} (${file})\n${r.stdout.trim()}${r.status ? `\n(exit ${r.status}) ${r.stderr.slice(-500)}` : ""}`,
  );
}
