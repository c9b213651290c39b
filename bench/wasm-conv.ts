// The seed CNN's three convolutions, each direction, on the WebAssembly kernels and the native
// addon, interleaved in one process: ms per call (median) and the wasm/native ratio, so kernel
// changes to the wasm build can be compared on a noisy machine. Also a plain sgemm of the same
// multiply-adds, to separate GEMM speed from im2col / packing.
// Usage: node --import tsx bench/wasm-conv.ts [--threads 1] [--reps 7] [--batch 64] [--cpu] [--b FILE.wasm]
// --cpu: time by the process's CPU time (every thread's) instead of the clock: the work a call
// costs, which a loaded machine hardly disturbs (with --threads 1, the kernel's own time).
// --b: a second threaded build (e.g. flint-mt-relaxed.wasm, or an old one from git) as "wasmB",
// interleaved with the others; its ratio to the loaded build is printed (median and min: the
// fastest of the calls is the steadiest figure for a compute-bound kernel under load).
import { nativeAddon } from "../src/backend/native/addon.js";
import type { NativeAddon } from "../src/backend/native/addon-api.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { instantiateThreadedNode, loadKernelsFromDisk, loadedWasmFile } from "../src/backend/wasm/load-node.js";
import { readFileSync } from "node:fs";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg("threads", 1),
  reps = arg("reps", 7),
  N = arg("batch", 64);
const cpu = process.argv.includes("--cpu");
const now = (): number => {
  if (!cpu) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const ex = loadKernelsFromDisk();
if (!ex) throw new Error("wasm-conv: the wasm kernels will not load");
const wasm = makeWasmAddon(ex);
const native = nativeAddon();
const impls: [string, NativeAddon][] = [["wasm", wasm]];
const bi = process.argv.indexOf("--b");
if (bi >= 0) impls.push(["wasmB", makeWasmAddon(instantiateThreadedNode(readFileSync(process.argv[bi + 1])))]);
console.log(`wasm: ${loadedWasmFile()}${bi >= 0 ? `, wasmB: ${process.argv[bi + 1]}` : ""}`);
if (native) impls.push(["native", native]);
for (const [, a] of impls) a.setNumThreads(threads);
await new Promise((r) => setTimeout(r, 200)); // let the workers start

const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const layers = [
  { C: 3, H: 32, OC: 32 },
  { C: 32, H: 16, OC: 32 },
  { C: 32, H: 8, OC: 64 },
];
const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1];
console.log(`batch ${N}, ${threads} thread(s); ${cpu ? "CPU " : ""}ms per call, wasm / native`);
for (const { C, H, OC } of layers) {
  const K = 5,
    P = H * H;
  const x = rand(N * C * P),
    w = rand(OC * C * K * K),
    b = rand(OC),
    o = new Float32Array(N * OC * P),
    gi = new Float32Array(N * C * P),
    gw = new Float32Array(OC * C * K * K),
    gb = new Float32Array(OC);
  const geo = [N, C, H, H, OC, K, K, 1, 1, 2, 2, 1, 1, 1] as const;
  const gemmA = rand(OC * C * K * K),
    gemmB = rand(C * K * K * N * P),
    gemmC = new Float32Array(OC * N * P);
  const ops: [string, (a: NativeAddon) => void][] = [
    ["fwd", (a) => a.conv2dForward(x, w, b, o, ...geo)],
    ["bwdIn", (a) => a.conv2dBackwardInput(o, w, gi, ...geo)],
    ["bwdW", (a) => a.conv2dBackwardWeight(x, o, gw, gb, ...geo)],
    [
      "sgemm",
      (a) => a.sgemm(false, false, OC, N * P, C * K * K, 1, gemmA, 0, C * K * K, gemmB, 0, N * P, 0, gemmC, 0, N * P),
    ],
  ];
  const gflop = (2 * N * OC * P * C * K * K) / 1e9;
  for (const [name, op] of ops) {
    const t = new Map<string, number[]>();
    for (let r = 0; r < reps; r++)
      for (const [impl, a] of impls) {
        const s = now();
        op(a);
        const arr = t.get(impl) ?? [];
        arr.push(now() - s);
        t.set(impl, arr);
      }
    const min = (k: string): number => Math.min(...t.get(k)!);
    const mw = median(t.get("wasm")!),
      mn = native ? median(t.get("native")!) : NaN;
    const vsB = t.has("wasmB")
      ? `  B/wasm median ${(median(t.get("wasmB")!) / mw).toFixed(2)} min ${(min("wasmB") / min("wasm")).toFixed(2)}`
      : "";
    console.log(
      `C${C} ${H}x${H} OC${OC} ${name.padEnd(6)} wasm ${mw.toFixed(2).padStart(7)} ms (${((gflop * 1000) / mw).toFixed(1)} GFLOP/s)` +
        `  native ${mn.toFixed(2).padStart(7)} ms  ratio ${(mw / mn).toFixed(2)} (min ${(min("wasm") / (native ? min("native") : NaN)).toFixed(2)})${vsB}`,
    );
  }
}
process.exit(0);
