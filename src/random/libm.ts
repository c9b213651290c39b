/**
 * glibc's libm as PyTorch 1.13 calls it on x86-64 with FMA (glibc 2.36 picks the `_fma` ifunc
 * variants: __ieee754_log_fma, __sincos_fma). V8's Math.log/sin/cos (fdlibm) differ from glibc by
 * one ulp on a few percent of inputs, which showed in float64 normal_/randn/exponential_. These
 * ports follow the instruction sequence of the shipped libm.so.6 (each GCC-contracted multiply-add
 * is an exact fma() here), so results are bit-identical for the inputs the samplers produce.
 */

import { fma } from "./fma.js";
import { A, B, LN2HI, LN2LO, TAB } from "./libm-log-data.js";
import {
  BIG,
  CS2,
  CS4,
  CS6,
  HP0,
  HP1,
  HPINV,
  MP1,
  MP2,
  PP3,
  PP4,
  S1,
  S2,
  S3,
  S4,
  S5,
  SINCOSTAB,
  SN3,
  SN5,
  TOINT,
} from "./libm-sincos-data.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Word order of a float64 on this platform.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

const TWO27 = 134217728;

/**
 * __ieee754_log_fma. Handles positive normal x (all the samplers need: x = 1 - u >= 2^-53);
 * anything else goes to Math.log (0 -> -Infinity, negative -> NaN, subnormal / inf / NaN).
 */
export function log(x: number): number {
  f64[0] = x;
  const hi = u32[HI] | 0;
  // Close to 1: 1 - 2^-4 <= x < 1 + 0x1.09p-4 (high word between 0x3fee0000 and 0x3ff1 0900).
  if (hi >= 0x3fee0000 && hi < 0x3ff10900) {
    if (x === 1) return 0;
    const r = x - 1;
    const r2 = r * r;
    const r3 = r * r2;
    let p = fma(r3, B[10], fma(r2, B[9], fma(r, B[8], B[7])));
    p = fma(p, r3, fma(r2, B[6], fma(r, B[5], B[4])));
    p = fma(p, r3, fma(r2, B[3], fma(r, B[2], B[1])));
    // rhi = r rounded to 26 bits via (r + r*2^27) - r*2^27, with the first step fused.
    const rhi = fma(-TWO27, r, fma(r, TWO27, r));
    const rlo = r - rhi;
    const rhi2 = rhi * rhi;
    const hiPart = fma(rhi2, B[0], r);
    const lo = fma(rhi2, B[0], r - hiPart);
    const lo2 = fma(B[0] * rlo, rhi + r, lo);
    return hiPart + fma(p, r3, lo2);
  }
  // Positive normal finite only (top 16 bits in [0x0010, 0x7ff0)).
  if (hi < 0x00100000 || hi >= 0x7ff00000) return Math.log(x);
  const tmpHi = (hi - 0x3fe60000) | 0; // high word of ix - 0x3fe6000000000000
  const i = (tmpHi >>> 13) & 127;
  const k = tmpHi >> 20;
  u32[HI] = (hi - (tmpHi & 0xfff00000)) | 0; // iz = ix - (tmp & 0xfff << 52)
  const z = f64[0];
  const invc = TAB[2 * i];
  const logc = TAB[2 * i + 1];
  const kd = k;
  // LN2HI has 42 significant bits and |k| < 2^11: kd * LN2HI is exact, so the fma is one rounding.
  const w = kd * LN2HI + logc;
  const r = fma(z, invc, -1);
  const a12 = fma(r, A[2], A[1]);
  const hiSum = r + w;
  const r2 = r * r;
  const lo = fma(kd, LN2LO, w - hiSum + r);
  const rr2 = r * r2;
  const a34 = fma(r, A[4], A[3]);
  const lo2 = fma(r2, A[0], lo);
  const poly = fma(a34, r2, a12);
  return fma(rr2, poly, lo2) + hiSum;
}

const T = SINCOSTAB;

function copysign(v: number, s: number): number {
  const neg = s < 0 || (s === 0 && 1 / s < 0);
  return neg ? -Math.abs(v) : Math.abs(v);
}

/** TAYLOR_SIN(a*a, a, da) as contracted in __sincos_fma (|a| < 0.126). */
function taylorSin(a: number, da: number): number {
  const xx = a * a;
  let p = fma(xx, S5, S4);
  p = fma(xx, p, S3);
  p = fma(xx, p, S2);
  p = fma(xx, p, S1);
  const q = fma(p, a, -(da * 0.5));
  return a + fma(xx, q, da);
}

/**
 * do_sin's table branch: t0 = |a| - k/128 (k = table row at index i = 4k), dx already sign-adjusted
 * (dx = a <= 0 ? -da : da); the result still needs copysign(., a).
 */
function sinTab(t0: number, dx: number, i: number): number {
  const xx = t0 * t0;
  const ps = fma(xx, SN5, SN3);
  const s = fma(xx * t0, ps, dx) + t0;
  const pc = fma(fma(xx, CS6, CS4), xx, CS2);
  const c = fma(dx, t0, xx * pc);
  let cor = fma(s, T[i + 3], T[i + 1]);
  cor = fma(-c, T[i], cor);
  cor = fma(s, T[i + 2], cor);
  return cor + T[i];
}

/** do_cos: t0 as above, dx = a < 0 ? -da : da. */
function cosTab(t0: number, dx: number, i: number): number {
  const x = t0 + dx;
  const xx = x * x;
  const s = fma(x * xx, fma(xx, SN5, SN3), x);
  const c = xx * fma(fma(xx, CS6, CS4), xx, CS2);
  let cor = fma(-s, T[i + 1], T[i + 3]);
  cor = fma(-c, T[i + 2], cor);
  cor = fma(-s, T[i], cor);
  return cor + T[i + 2];
}

/**
 * __sincos_fma(x): out[0] = sin(x), out[1] = cos(x). Exact port for |x| < 105414350; beyond that
 * (never reached by the samplers, whose angles lie in [0, 2 pi)) it falls back to Math.sin/cos.
 */
export function sincos(x: number, out: Float64Array): void {
  f64[0] = x;
  const k = u32[HI] & 0x7fffffff;
  if (k < 0x3e400000) {
    out[0] = x;
    out[1] = 1;
    return;
  }
  if (k < 0x3feb6000) {
    // |x| < 0.855469: do_sin(x, 0), do_cos(x, 0).
    const ax = Math.abs(x);
    const ub = BIG + ax - BIG;
    const i = ub * 512;
    const t0 = ax - ub;
    out[0] = ax < 0.126 ? taylorSin(x, 0) : copysign(sinTab(t0, x > 0 ? 0 : -0, i), x);
    out[1] = cosTab(t0, x >= 0 ? 0 : -0, i);
    return;
  }
  if (k < 0x400368fd) {
    // |x| < 2.426265: sin = copysign(do_cos(a, da), x), cos = do_sin(a, da), a + da = pi/2 - |x|.
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    const aa = Math.abs(a);
    const ub = BIG + aa - BIG;
    const i = ub * 512;
    const t0 = aa - ub;
    out[0] = copysign(cosTab(t0, a < 0 ? -da : da, i), x);
    out[1] = aa < 0.126 ? taylorSin(a, da) : copysign(sinTab(t0, a <= 0 ? -da : da, i), a);
    return;
  }
  if (k >= 0x419921fb) {
    out[0] = Math.sin(x);
    out[1] = Math.cos(x);
    return;
  }
  // reduce_sincos: x = xn * pi/2 + (a + da), pi/2 split in four parts.
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const n = ((xn % 4) + 4) % 4;
  // MP1, MP2, PP3 have <= 27 significant bits and xn < 2^26: those products are exact, so these
  // fmas reduce to one rounding of a plain expression.
  let y = x - xn * MP1;
  y -= xn * MP2;
  const t2 = y - xn * PP3;
  let db = y - t2 - xn * PP3;
  const b = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - b);
  let a = b;
  let da = db;
  if (n === 1 || n === 2) {
    a = -a;
    da = -da;
  }
  const aa = Math.abs(a);
  const ub = BIG + aa - BIG;
  const i = ub * 512;
  const t0 = aa - ub;
  const sv = aa < 0.126 ? taylorSin(a, da) : copysign(sinTab(t0, a > 0 ? da : -da, i), a);
  let cv = cosTab(t0, a < 0 ? -da : da, i);
  if (n & 2) cv = -cv;
  if (n & 1) {
    out[0] = cv;
    out[1] = sv;
  } else {
    out[0] = sv;
    out[1] = cv;
  }
}
