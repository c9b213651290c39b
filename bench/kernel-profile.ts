// Where a training step's time goes: wraps every kernel of the active backend with a timer, runs
// the step n times, and prints the time per kernel (binary/unary/reduce split by op) and the rest
// (autograd, op layer, allocation). Used by bench/models.ts --profile.
import * as torch from "../src/index.js";
import { backend } from "../src/backend/backend.js";

export function profileKernels(name: string, step: () => void, n: number, top = 14): void {
  const b = backend() as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  const times = new Map<string, { ms: number; calls: number }>();
  for (const [key, fn] of Object.entries(b)) {
    if (typeof fn !== "function") continue;
    saved.set(key, fn);
    b[key] = function (this: unknown, ...args: unknown[]) {
      const detail = key === "binary" || key === "unary" || key === "reduce" ? `${key}:${String(args[0])}` : key;
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
  for (let i = 0; i < n; i++) step();
  const total = (performance.now() - t0) / n;
  for (const [key, fn] of saved) b[key] = fn;
  let kernels = 0,
    calls = 0;
  for (const e of times.values()) ((kernels += e.ms / n), (calls += e.calls / n));
  console.log(
    `== ${name} (${torch.backendName()}): ${total.toFixed(2)} ms per step; kernels ${kernels.toFixed(2)} ms ` +
      `(${((100 * kernels) / total).toFixed(0)}%, ${calls.toFixed(0)} calls), rest ${(total - kernels).toFixed(2)} ms`,
  );
  for (const [k, e] of [...times].sort((p, q) => q[1].ms - p[1].ms).slice(0, top)) {
    console.log(
      `  ${k.padEnd(26)} ${(e.ms / n).toFixed(3).padStart(8)} ms ${(e.calls / n).toFixed(0).padStart(5)} calls`,
    );
  }
}
