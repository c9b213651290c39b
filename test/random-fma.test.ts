import assert from "node:assert/strict";
import { test } from "node:test";

import { fma, fmaf } from "../src/random/index.js";

/** x = m * 2^e exactly (finite, non-zero x). */
function decompose(x: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return exp === 0 ? [sign * frac, -1074] : [sign * (frac | (1n << 52n)), exp - 1075];
}

/** The exact a*b + c rounded to `p` significant bits, ties to even (no overflow/underflow). */
function exactFma(a: number, b: number, c: number, p: number): number {
  const terms: [bigint, number][] = [];
  if (a !== 0 && b !== 0) {
    const [ma, ea] = decompose(a);
    const [mb, eb] = decompose(b);
    terms.push([ma * mb, ea + eb]);
  }
  if (c !== 0) terms.push(decompose(c));
  if (terms.length === 0) return 0;
  const e = Math.min(...terms.map((t) => t[1]));
  let n = 0n;
  for (const [m, te] of terms) n += m << BigInt(te - e);
  if (n === 0n) return 0;
  const neg = n < 0n;
  let q = neg ? -n : n;
  const len = q.toString(2).length;
  let shift = 0;
  if (len > p) {
    shift = len - p;
    const rem = q & ((1n << BigInt(shift)) - 1n);
    q >>= BigInt(shift);
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const v = Number(q) * 2 ** (e + shift);
  return neg ? -v : v;
}

/** Deterministic float generator with spread-out exponents. */
function* randoms(seed: number, n: number, round: (x: number) => number): Generator<[number, number, number]> {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const r = (): number => round((next() - 0.5) * 2 ** Math.floor(next() * 40 - 20));
    const a = r();
    const b = r();
    // c close to -a*b half of the time, to provoke cancellation and ties.
    const c = next() < 0.5 ? r() : round(-a * b * (1 + (next() - 0.5) * 2 ** -20));
    yield [a, b, c];
  }
}

test("fmaf is the correctly rounded float32 a*b + c", () => {
  // a*b = 1 + 2^-11 + 2^-24 is exactly halfway between two floats: c decides, not ties-to-even.
  const a = 1 + 2 ** -12;
  assert.equal(fmaf(a, a, 2 ** -80), 1 + 2 ** -11 + 2 ** -23);
  assert.equal(fmaf(a, a, -(2 ** -80)), 1 + 2 ** -11);
  assert.equal(fmaf(a, a, 0), 1 + 2 ** -11);
  for (const [x, y, z] of randoms(1, 20000, Math.fround)) {
    assert.equal(fmaf(x, y, z), Math.fround(exactFma(x, y, z, 24)), `fmaf(${x}, ${y}, ${z})`);
  }
});

test("fma is the correctly rounded float64 a*b + c", () => {
  // a*b = 1 + 2^-26 + 2^-27 + 2^-53 is exactly halfway between two doubles.
  const a = 1 + 2 ** -26;
  const b = 1 + 2 ** -27;
  assert.equal(fma(a, b, 2 ** -200), 1 + 2 ** -26 + 2 ** -27 + 2 ** -52);
  assert.equal(fma(a, b, -(2 ** -200)), 1 + 2 ** -26 + 2 ** -27);
  assert.equal(fma(a, b, 0), 1 + 2 ** -26 + 2 ** -27);
  for (const [x, y, z] of randoms(2, 20000, (v) => v)) {
    assert.equal(fma(x, y, z), exactFma(x, y, z, 53), `fma(${x}, ${y}, ${z})`);
  }
});
