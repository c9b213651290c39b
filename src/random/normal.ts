/**
 * Tensor.normal_(mean, std) / torch.randn exactly as PyTorch 1.13's CPU normal_kernel (AVX2 build):
 *
 * - numel >= 16, contiguous, float32: normal_fill_AVX2. All numel 24-bit uniforms are drawn first;
 *   each block of 16 turns (u[j], u[j+8]) into (r cos t, r sin t), r = sqrt(-2 log(1 - u[j])),
 *   t = 2 pi u[j+8], with avx_mathfun's log256_ps / sincos256_ps (Cephes polynomials) in float32.
 *   If numel % 16 != 0, 16 FRESH uniforms overwrite the last 16 slots and that block is recomputed.
 * - numel >= 16, contiguous, float64: normal_fill<double>, same layout, 53-bit uniforms and glibc's
 *   log / sincos (ported in libm.ts: V8's Math.log/sin/cos differ from glibc by an ulp at times).
 * - numel < 16 (or non-contiguous): the scalar Box-Muller of at::normal_distribution<double>, which
 *   caches its second (sine) sample in the generator for the next scalar call.
 *
 * FMAs: GCC contracted the AVX2 code (-ffp-contract=fast, -mfma); every fused operation of the
 * shipped binary (libtorch_cpu.so 1.13.1, read from its disassembly) is reproduced with fmaf/fma.
 */

import { fma, fmaf } from "./fma.js";
import type { Generator } from "./generator.js";
import { log, sincos } from "./libm.js";
import { uniform53, type FloatArray } from "./sample.js";

const fr = Math.fround;
const TWO32 = 4294967296;
const TWO_M24 = 1 / 16777216;
const TWO_M53 = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI; // c10::pi<double> * 2
const TWO_PI_F = fr(TWO_PI);

// avx_mathfun.h constants, as float32.
const SQRTHF = fr(0.7071067811865476);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fr);
const LOG_Q1 = fr(-2.1219444e-4);
const LOG_Q2 = fr(0.693359375);
const FOPI = fr(1.27323954473516);
const DP1 = fr(-0.78515625);
const DP2 = fr(-2.4187564849853515625e-4);
const DP3 = fr(-3.774894977445941e-8);
const SIN_P0 = fr(-1.9515295891e-4);
const SIN_P1 = fr(8.3321608736e-3);
const SIN_P2 = fr(-1.6666654611e-1);
const COS_P0 = fr(2.443315711809948e-5);
const COS_P1 = fr(-1.388731625493765e-3);
const COS_P2 = fr(4.166664568298827e-2);

const scratchF = new Float32Array(1);
const scratchI = new Int32Array(scratchF.buffer);

/** log256_ps for one lane, u in (0, 1] (so no denormal / invalid handling is needed). */
function logAvx(u: number): number {
  scratchF[0] = u;
  const bits = scratchI[0];
  let e = (bits >>> 23) - 127 + 1;
  scratchI[0] = (bits & ~0x7f800000) | 0x3f000000;
  let x = scratchF[0];
  const mask = x < SQRTHF;
  const tmp = mask ? x : 0;
  x = fr(x - 1);
  if (mask) e -= 1;
  const eq1 = fr(e * LOG_Q1);
  x = fr(tmp + x);
  const P = LOG_P;
  let y = fmaf(x, P[0], P[1]);
  y = fmaf(x, y, P[2]);
  y = fmaf(x, y, P[3]);
  y = fmaf(x, y, P[4]);
  y = fmaf(x, y, P[5]);
  y = fmaf(x, y, P[6]);
  y = fmaf(x, y, P[7]);
  y = fmaf(x, y, P[8]);
  const z = fr(x * x);
  y = fr(x * y);
  y = fmaf(y, z, eq1);
  y = fmaf(-z, 0.5, y);
  x = fr(x + y);
  return fmaf(e, LOG_Q2, x);
}

/** sincos256_ps for one lane, theta >= 0. Returns via the two out slots. */
function sincosAvx(theta: number, out: Float64Array): void {
  const x0 = Math.abs(theta);
  let j = Math.trunc(fr(x0 * FOPI));
  j = (j + 1) & ~1;
  const yj = j; // exact as float32 for the small j seen here
  const sinSwap = (j & 4) !== 0;
  const polyMask = (j & 2) === 0;
  const cosSign = (~(j - 2) & 4) !== 0;
  let x = fmaf(yj, DP1, x0);
  x = fmaf(yj, DP2, x);
  x = fmaf(yj, DP3, x);
  const z = fr(x * x);
  let y = fmaf(z, COS_P0, COS_P1);
  y = fmaf(z, y, COS_P2);
  const zHalf = fr(z * 0.5);
  y = fr(z * y);
  y = fmaf(y, z, -zHalf);
  let y2 = fmaf(SIN_P0, z, SIN_P1);
  y2 = fmaf(z, y2, SIN_P2);
  y = fr(y + 1);
  y2 = fr(z * y2);
  y2 = fmaf(y2, x, x);
  // Lane select through and/andnot, then (a - a) / (a + 0): -0 becomes +0 as in the vector code.
  let s = polyMask ? y2 + 0 : y + 0;
  let c = polyMask ? y + 0 : y2 + 0;
  if (sinSwap) s = -s; // sign_bit_sin = sign(theta) ^ swap; theta >= 0 here
  if (cosSign) c = -c;
  out[0] = s;
  out[1] = c;
}

const sc = new Float64Array(2);

/** normal_fill_16_AVX2 on data[o .. o+16). */
function fill16Avx(data: Float32Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fr(1 - data[o + j]);
    const theta = fr(TWO_PI_F * data[o + j + 8]);
    const radius = fr(Math.sqrt(fr(-2 * logAvx(u1))));
    sincosAvx(theta, sc);
    data[o + j] = fmaf(fr(radius * sc[1]), std, mean);
    data[o + j + 8] = fmaf(fr(radius * sc[0]), std, mean);
  }
}

/** normal_fill_16<double> on data[o .. o+16) (glibc log and sincos, see libm.ts). */
function fill16Double(data: Float64Array, o: number, mean: number, std: number): void {
  const standard = std === 1 && mean === 0; // fma(v, 1, 0) = v
  for (let j = 0; j < 8; j++) {
    const radius = Math.sqrt(-2 * log(1 - data[o + j]));
    sincos(TWO_PI * data[o + j + 8], sc);
    const c = radius * sc[1];
    const s = radius * sc[0];
    data[o + j] = standard ? c : fma(c, std, mean);
    data[o + j + 8] = standard ? s : fma(s, std, mean);
  }
}

function fillUniform(gen: Generator, data: FloatArray, start: number, end: number): void {
  const e = gen.engine;
  if (data instanceof Float32Array) {
    for (let i = start; i < end; i++) data[i] = (e.nextUint32() & 0xffffff) * TWO_M24;
  } else {
    for (let i = start; i < end; i++) {
      const hi = e.nextUint32() & 0x1fffff;
      data[i] = (hi * TWO32 + e.nextUint32()) * TWO_M53;
    }
  }
}

/**
 * One sample of at::normal_distribution<double>(mean, std): uses the cached sine sample if there is
 * one, else draws u1, u2 (53 bits each), caches r sin(2 pi u1) and returns r cos(2 pi u1) * std + mean
 * (FMA), r = sqrt(-2 log(1 - u2)).
 */
export function normalScalar(gen: Generator, mean = 0, std = 1): number {
  const cached = gen.nextDoubleNormalSample;
  if (cached !== null) {
    gen.nextDoubleNormalSample = null;
    return fma(cached, std, mean);
  }
  const u1 = uniform53(gen);
  const u2 = uniform53(gen);
  const r = Math.sqrt(-2 * log(1 - u2));
  sincos(TWO_PI * u1, sc);
  gen.nextDoubleNormalSample = r * sc[0];
  return fma(sc[1] * r, std, mean);
}

/**
 * Tensor.normal_(mean, std) (torch.randn = normal_(0, 1)) filling `out` in memory order.
 * Pass contiguous = false for a non-contiguous tensor: PyTorch then uses the scalar path for every
 * element whatever the size (fill `out` in the tensor's iteration order and scatter it back).
 */
export function normal(gen: Generator, out: FloatArray, mean = 0, std = 1, contiguous = true): FloatArray {
  if (!(std >= 0)) throw new RangeError(`normal_: expects std >= 0.0, but found std ${std}`);
  const n = out.length;
  if (n < 16 || !contiguous) {
    for (let i = 0; i < n; i++) out[i] = normalScalar(gen, mean, std);
    return out;
  }
  fillUniform(gen, out, 0, n);
  if (out instanceof Float32Array) {
    const m = fr(mean);
    const s = fr(std);
    for (let i = 0; i + 16 <= n; i += 16) fill16Avx(out, i, m, s);
    if (n % 16 !== 0) {
      fillUniform(gen, out, n - 16, n);
      fill16Avx(out, n - 16, m, s);
    }
  } else {
    for (let i = 0; i + 16 <= n; i += 16) fill16Double(out, i, mean, std);
    if (n % 16 !== 0) {
      fillUniform(gen, out, n - 16, n);
      fill16Double(out, n - 16, mean, std);
    }
  }
  return out;
}
