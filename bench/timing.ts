// Shared by the in-process benchmarks: the median wall time of n calls, in ms.
export function medianMs(fn: () => void, n: number): number {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
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
