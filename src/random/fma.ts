/**
 * Fused multiply-add emulation. PyTorch 1.13's CPU kernels (built for AVX2 with GCC's default
 * -ffp-contract=fast) compute `x * (to - from) + from`, `val * std + mean` and the avx_mathfun
 * polynomials with FMA instructions, i.e. with ONE rounding. JavaScript has no fma, so we emulate it
 * exactly with the round-to-odd technique (Boldo & Melquiond, "Emulation of FMA and correctly
 * rounded sums: proved algorithms using rounding to odd", IEEE TC 2008).
 *
 * Valid for finite arguments away from overflow/underflow (|values| well inside 1e-290 .. 1e290),
 * which is all that random sampling needs.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Index of the low 32-bit word of a float64 in this platform's byte order.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/**
 * Round-to-odd of s + e, where s = RN(a + b) and e is the exact error (a + b = s + e): if the sum
 * was inexact and s's last mantissa bit is even, step s one ulp towards the true value.
 */
function toOdd(s: number, e: number): number {
  if (e === 0) return s;
  f64[0] = s;
  if ((u32[LO] & 1) !== 0) return s;
  if (e > 0 === s > 0) {
    u32[LO] |= 1; // grow the magnitude by one ulp (bit 0 is clear: no carry)
  } else if (u32[LO] === 0) {
    u32[LO] = 0xffffffff; // shrink the magnitude by one ulp, borrowing from the high word
    u32[HI] -= 1;
  } else {
    u32[LO] -= 1;
  }
  return f64[0];
}

/** a + b rounded to odd (exact a + b when representable). */
function addOdd(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  const e = a - (s - bb) + (b - bb);
  return toOdd(s, e);
}

/**
 * fmaf(a, b, c) for float32 values a, b, c: the float32 nearest to the exact a*b + c.
 * a*b is exact in float64 (24 + 24 bits), so s = RN64(a*b + c) has one rounding, and RN32(s) is
 * the right answer unless s lies exactly halfway between two floats f and g (double rounding). That
 * is rare and detectable (then g = f + 2(s - f) is itself a float): only then is the sum redone,
 * rounded to odd (53 >= 24 + 2 bits, so RN32 of the round-to-odd sum is correctly rounded).
 * The common path stays tiny so that V8 inlines it into the samplers.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const f = Math.fround(s);
  const g = f + 2 * (s - f);
  return s === f || Math.fround(g) !== g ? f : Math.fround(addOdd(p, c));
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp splitting constant for float64

/** fma(a, b, c) in float64: the double nearest to the exact a*b + c. */
export function fma(a: number, b: number, c: number): number {
  const uh = a * b;
  // Dekker's exact product: uh + ul = a * b.
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const ul = ah * bh - uh + ah * bl + al * bh + al * bl;
  // Knuth's TwoSum: th + tl = c + uh.
  const th = c + uh;
  const cc = th - c;
  const tl = c - (th - cc) + (uh - cc);
  if (ul === 0 && tl === 0) return th;
  return th + addOdd(tl, ul);
}
