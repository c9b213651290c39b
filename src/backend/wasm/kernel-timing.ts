// Per-kernel wall time of the WebAssembly backend, for benchmarks (bench/browser.ts times the same
// training step in Chromium and in Node and compares kernel by kernel): every function of the
// addon object is wrapped in place with a timer, so the backend's dispatch (which calls
// `addon.name(...)` at each use) goes through it. The time of a call includes its argument checks
// and any copy in or out of the module's memory; the step's time outside every kernel is
// JavaScript (autograd, the op layer, allocation, collection).

/** One kernel's calls and their summed wall time. */
export interface KernelTime {
  calls: number;
  ms: number;
}

const wrapped = new WeakMap<object, Map<string, KernelTime>>();

/**
 * Starts (or, when already started, zeroes) the per-kernel timers of `addon` and returns the live
 * table: name -> calls and milliseconds so far. A nested call (a kernel calling another through
 * the addon) is counted in both.
 */
export function timeKernels(addon: object): Map<string, KernelTime> {
  const known = wrapped.get(addon);
  if (known) {
    for (const t of known.values()) {
      t.calls = 0;
      t.ms = 0;
    }
    return known;
  }
  const table = new Map<string, KernelTime>();
  const target = addon as Record<string, unknown>;
  for (const name of Object.keys(target)) {
    const f = target[name];
    if (typeof f !== "function") continue;
    const t: KernelTime = { calls: 0, ms: 0 };
    table.set(name, t);
    target[name] = function (this: unknown, ...args: unknown[]): unknown {
      const t0 = performance.now();
      try {
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        t.calls++;
        t.ms += performance.now() - t0;
      }
    };
  }
  wrapped.set(addon, table);
  return table;
}

/** The table as a plain object of the kernels called at least once. */
export function kernelTimes(table: Map<string, KernelTime> | null): Record<string, KernelTime> {
  const out: Record<string, KernelTime> = {};
  for (const [name, t] of table ?? []) if (t.calls > 0) out[name] = { calls: t.calls, ms: t.ms };
  return out;
}
