// Where the WebAssembly backend's seed CNN training step spends its time: each kernel call of the
// wasm addon (src/backend/wasm/kernels.ts) is split into argument checking + copying operands into
// the module's memory and results out ("copy") and the C++ kernel itself ("kernel"); the rest of the
// step is JavaScript (autograd, op layer, JS-side ops, allocation). Run it with 1 and 2 threads: the
// kernel time's difference is what the second thread buys (and what waiting for it costs).
// Usage: FLINT_BACKEND=wasm node --import tsx bench/wasm-profile.ts [--threads 2] [--steps 10] [--batch 64]
// (FLINT_WASM_HEAP_STORAGE=0: tensor storage in JavaScript, every operand copied, as before;
// --yield: a macrotask between steps, so that the storage of collected tensors is freed and reused;
// --cpu: the process's CPU time (all threads) instead of the clock, steadier on a loaded machine.)
import * as torch from "../src/index.js";
import { setActiveBackend } from "../src/backend/backend.js";
import { makeWasmBackend } from "../src/backend/wasm/index.js";
import { Heap } from "../src/backend/wasm/heap.js";
import { loadKernelsFromDisk } from "../src/backend/wasm/load-node.js";
import { seedStep } from "./seed-step.js";

torch.tuneProcess();
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 10),
  batch = arg("batch", 64),
  threads = arg("threads", 2);
const now = process.argv.includes("--cpu")
  ? (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : (): number => performance.now();

const ex = loadKernelsFromDisk();
if (!ex) throw new Error("wasm-profile: native/wasm/flint*.wasm will not load");
const { backend, kernels } = makeWasmBackend(ex);
setActiveBackend(backend);
kernels.setNumThreads(threads);
torch.setNumThreads(threads);

// The time inside the C++ call of the current heap.run (the copies are the rest of it).
let kernelMs = 0,
  runs = 0,
  bytesIn = 0;
const heapRun = Heap.prototype.run;
Heap.prototype.run = function <T>(this: Heap, regions: Parameters<Heap["run"]>[0], fn: (p: number[]) => T): T {
  for (const r of regions)
    if (r && !kernels.heapStorage.owns(r.array)) bytesIn += (r.input ? 1 : 0) * r.length * r.array.BYTES_PER_ELEMENT;
  try {
    return heapRun.call(this, regions, (p: number[]) => {
      const k0 = now();
      try {
        return fn(p);
      } finally {
        kernelMs += now() - k0;
      }
    }) as T;
  } finally {
    runs++;
  }
};

const table = new Map<string, { ms: number; kernel: number; calls: number }>();
const k = kernels as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(k)) {
  if (typeof fn !== "function" || name.endsWith("Threads") || name.endsWith("Isa")) continue;
  k[name] = (...args: unknown[]) => {
    const t0 = now(),
      k0 = kernelMs;
    try {
      return (fn as (...a: unknown[]) => unknown)(...args);
    } finally {
      const e = table.get(name) ?? { ms: 0, kernel: 0, calls: 0 };
      e.ms += now() - t0;
      e.kernel += kernelMs - k0;
      e.calls++;
      table.set(name, e);
    }
  };
}
// makeNativeBackend closes over the addon object, so the wrappers above are what it calls.
const { step } = seedStep(batch);
const yieldSteps = process.argv.includes("--yield");
const turn = (): Promise<void> | undefined => (yieldSteps ? new Promise((r) => setTimeout(r, 0)) : undefined);
for (let i = 0; i < 3; i++) {
  step();
  await turn();
}
table.clear();
kernelMs = runs = bytesIn = 0;
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = now();
  step();
  times.push(now() - t0);
  await turn();
}
times.sort((a, b) => a - b);
const total = times.reduce((a, b) => a + b, 0) / steps;
console.log(
  `wasm (${kernels.getIsa()}), ${kernels.getNumThreads()} threads, batch ${batch}: ${total.toFixed(1)} ms per step (median ${times[steps >> 1].toFixed(1)})`,
);
let inAddon = 0;
console.log(`${"addon call".padEnd(24)} ${"total".padStart(8)} ${"kernel".padStart(8)} ${"copy".padStart(8)} calls`);
for (const [name, e] of [...table].sort((p, q) => q[1].ms - p[1].ms)) {
  inAddon += e.ms / steps;
  const f = (v: number): string => (v / steps).toFixed(2).padStart(8);
  console.log(`${name.padEnd(24)} ${f(e.ms)} ${f(e.kernel)} ${f(e.ms - e.kernel)} ${(e.calls / steps).toFixed(0)}`);
}
const per = (v: number): string => (v / steps).toFixed(2);
console.log(
  `kernels ${per(kernelMs)} ms, copies+checks ${(inAddon - kernelMs / steps).toFixed(2)} ms (${(bytesIn / steps / 2 ** 20).toFixed(0)} MiB copied in, ${per(runs)} calls), ` +
    `outside the addon (JS) ${(total - inAddon).toFixed(2)} ms; heap storage ${JSON.stringify(kernels.heapStorage.counts)}`,
);
