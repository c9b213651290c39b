// Shared helpers for the native addon tests: a seeded generator and tolerance checks.
import assert from "node:assert/strict";

/** Deterministic uniform floats in [-1, 1) (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export function randArray(n: number, rand: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand();
  return a;
}

/**
 * Asserts |got[i] - want[i]| <= rtol * mag[i] + atol for every i, where mag[i] is the magnitude
 * of the terms that were summed (defaults to |want[i]|), so long sums get a fair tolerance.
 */
export function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  what: string,
  opts: { rtol?: number; atol?: number; mag?: ArrayLike<number> } = {},
): void {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `${what}[${i}]: expected NaN, got ${g}`);
      continue;
    }
    const m = opts.mag ? opts.mag[i] : Math.abs(w);
    const tol = rtol * Math.max(m, 1) + atol;
    if (!(Math.abs(g - w) <= tol)) {
      assert.fail(`${what}[${i}]: got ${g}, want ${w} (tolerance ${tol})`);
    }
  }
}
