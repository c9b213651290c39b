// Where the seed CNN's training step spends its time: wraps every kernel of the active backend
// with a timer, runs a few steps, and prints time per kernel and the rest (autograd, op layer,
// allocation). Usage: node --import tsx bench/profile.ts [--steps 10] [--batch 64]
import * as torch from "../src/index.js";
import { backend } from "../src/backend/backend.js";
import { seedStep } from "./seed-step.js";

// Process-wide malloc and V8 settings that training is faster with (Flint does not set them on import).
torch.tuneProcess();

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const steps = arg("steps", 10),
  batch = arg("batch", 64);
const { step } = seedStep(batch);
for (let i = 0; i < 3; i++) step();

const b = backend() as unknown as Record<string, unknown>;
const times = new Map<string, { ms: number; calls: number }>();
for (const [name, fn] of Object.entries(b)) {
  if (typeof fn !== "function") continue;
  b[name] = function (this: unknown, ...args: unknown[]) {
    const detail = name === "binary" || name === "unary" || name === "reduce" ? `${name}:${String(args[0])}` : name;
    const t0 = performance.now();
    try {
      return (fn as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      const e = times.get(detail) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      times.set(detail, e);
    }
  };
}
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const total = (performance.now() - t0) / steps;
let kernels = 0;
console.log(`backend ${torch.backendName()}, batch ${batch}: ${total.toFixed(1)} ms per step`);
for (const [name, e] of [...times].sort((p, q) => q[1].ms - p[1].ms)) {
  kernels += e.ms / steps;
  console.log(
    `${name.padEnd(28)} ${(e.ms / steps).toFixed(2).padStart(8)} ms ${(e.calls / steps).toFixed(0).padStart(5)} calls`,
  );
}
console.log(`${"(outside kernels)".padEnd(28)} ${(total - kernels).toFixed(2).padStart(8)} ms`);
