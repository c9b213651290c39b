// Shared by the in-process benchmarks: the median time of n calls, in ms. Wall time, or with
// BENCH_CLOCK=cpu this process's CPU time (user + system, every thread): on a loaded shared
// machine, one-thread CPU times stay comparable where wall times do not (bench/pytorch_models.py
// reads the same variable).
const cpuClock = process.env.BENCH_CLOCK === "cpu";
const now = (): number => {
  if (!cpuClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function medianMs(fn: () => void, n: number): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = now();
    fn();
    t.push(now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

// Warm-up before timing a training step: at least `minSteps` calls and, for the light models, until
// `ms` of wall time have passed (capped at `maxSteps`). V8 tiers the op layer and autograd up to
// optimised code over the first ~1000 calls of a sub-millisecond step: timing steps 6-25 measured the
// interpreter (MLP small: ~1.3 ms then, ~0.3 ms once optimised). bench/pytorch_models.py warms up by
// the same rule, so the two sides stay comparable.
export function warmUp(fn: () => void, minSteps: number, ms = 2000, maxSteps = 3000): void {
  const t0 = performance.now();
  for (let i = 0; i < maxSteps && (i < minSteps || performance.now() - t0 < ms); i++) fn();
}

/** n uniform floats in [-1, 1): benchmark inputs (Math.random, not the seeded generator). */
export function randomFloats(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/**
 * Median milliseconds per call of fn after `warm` untimed calls, sampled for at least `minMs` of
 * wall time and `minSamples` calls; `clock` reads the time (wall by default, or process CPU time).
 */
export function medianOverMs(
  fn: () => void,
  o: { minMs: number; minSamples: number; warm: number; clock?: () => number },
): number {
  const clock = o.clock ?? (() => performance.now());
  for (let i = 0; i < o.warm; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < o.minMs || samples.length < o.minSamples) {
    const t = clock();
    fn();
    samples.push(clock() - t);
  }
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
}
