// Two builds of the threaded WebAssembly kernels (e.g. the shipped one and an older one from git)
// and the native addon, driving one seed CNN training step in turn, in one process: medians and
// the ratios A/native, B/native and B/A, fair on a noisy machine because every round sees the same
// load. The order alternates, A B native then B A native (ABBA): what runs just before a step
// (native's pool still spinning, garbage the previous step left) slows it, and with a fixed order
// A (always after native) was slower than B by 4-14% with the same file as both. --gap MS sleeps
// between steps too (default 0). B/A is also given as the median of each round's ratio. --cpu
// times by the process's CPU time (every thread's): the work a step costs, steadier under load
// than the clock, but it counts a spinning pool's waiting (native's) as work.
// Usage (the older build first saved from git):
//   git show REV:native/wasm/flint-mt.wasm > /tmp/old-mt.wasm
//   node --import tsx bench/wasm-ab.ts --a /tmp/old-mt.wasm [--b native/wasm/flint-mt.wasm] [--threads 2] [--rounds 10]
// or one build with tensor storage in JavaScript (A, copied per kernel call) against storage in
// the wasm memory (B; src/backend/wasm/heap-storage.ts):
//   node --import tsx bench/wasm-ab.ts --a-heap 0 --b-heap 1
// --a-heap-ballast / --b-heap-ballast F: the collector ballast as a fraction of the storage (src/backend/wasm/heap-storage.ts).
// --a-gemm / --b-gemm a|b|probe: the GEMM micro-kernel variant (src/backend/wasm/gemm-variant.ts; default a, as Node's loader).
// --yield awaits a macrotask between steps (as a training loop over a DataLoader does), which lets
// the wasm heap free the storage of collected tensors; without it the loop is synchronous and the
// heap fills to its cap (then storage falls back to JavaScript arrays).
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import { setActiveBackend, type Backend } from "../src/backend/backend.js";
import { makeNativeBackend } from "../src/backend/native/index.js";
import { nativeAddon } from "../src/backend/native/addon.js";
import { makeWasmBackend } from "../src/backend/wasm/index.js";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";
import { seedStep } from "./seed-step.js";

torch.tuneProcess();
const opt = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threads = Number(opt("threads", "2")),
  rounds = Number(opt("rounds", "10")),
  batch = Number(opt("batch", "64")),
  gap = Number(opt("gap", "0"));
const now = process.argv.includes("--cpu")
  ? (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : (): number => performance.now();
const heapOpt = (name: string): { enabled?: boolean; ballast?: number } => {
  const v = opt(name, ""),
    ballast = opt(`${name}-ballast`, "");
  return { ...(v === "" ? {} : { enabled: v !== "0" }), ...(ballast === "" ? {} : { ballast: Number(ballast) }) };
};
const yieldSteps = process.argv.includes("--yield");
const wasmBackend = (name: string, path: string, heap: { enabled?: boolean; ballast?: number }): Backend => {
  const w = makeWasmBackend(instantiateThreadedNode(readFileSync(path)), heap, opt(`${name}-gemm`, "default"));
  w.kernels.setNumThreads(threads);
  console.log(`${name.toUpperCase()}: ${path}, GEMM variant ${w.gemm.variant} (${w.gemm.how})`);
  return w.backend;
};
const impls: [string, Backend][] = [
  ["A", wasmBackend("a", opt("a", "native/wasm/flint-mt.wasm"), heapOpt("a-heap"))],
  ["B", wasmBackend("b", opt("b", "native/wasm/flint-mt.wasm"), heapOpt("b-heap"))],
];
const addon = nativeAddon();
if (addon) {
  addon.setNumThreads(threads);
  impls.push(["native", makeNativeBackend(addon)]);
}
await new Promise((r) => setTimeout(r, 300)); // the workers start asynchronously

const { step } = seedStep(batch);
const times = new Map<string, number[]>(impls.map(([n]) => [n, []]));
const swapped = [impls[1], impls[0], ...impls.slice(2)];
for (let r = -2; r < rounds; r++)
  for (const [name, b] of (r & 1) === 0 ? impls : swapped) {
    setActiveBackend(b);
    const t0 = now();
    step();
    if (r >= 0) times.get(name)!.push(now() - t0);
    if (yieldSteps || gap > 0) await new Promise((res) => setTimeout(res, gap));
  }
const med = (n: string): number => {
  const t = [...times.get(n)!].sort((x, y) => x - y);
  return t[t.length >> 1];
};
const ta = times.get("A")!,
  tb = times.get("B")!;
times.set(
  "B/A",
  tb.map((v, i) => v / ta[i]),
);
const a = med("A"),
  b = med("B"),
  n = addon ? med("native") : NaN;
console.log(
  `seed CNN step, batch ${batch}, ${threads} threads, median of ${rounds}: A ${a.toFixed(1)} ms, B ${b.toFixed(1)} ms, native ${n.toFixed(1)} ms; ` +
    `A/native ${(a / n).toFixed(2)}, B/native ${(b / n).toFixed(2)}, B/A ${(b / a).toFixed(3)} (per round ${med("B/A").toFixed(3)})`,
);
process.exit(0);
