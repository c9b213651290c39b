/**
 * Samplers that fill contiguous typed arrays exactly as PyTorch 1.13's CPU kernels do
 * (aten/src/ATen/native/cpu/DistributionTemplates.h, ATen/core/DistributionsHelper.h,
 * ATen/core/TransformationHelper.h), element by element in memory order, drawing from `gen`.
 *
 * Storage convention (src/dtype.ts): float32 -> Float32Array, float64 and int64 -> Float64Array,
 * int32 -> Int32Array, uint8/bool -> Uint8Array.
 *
 * nn.init recipes (torch/nn/modules/linear.py, conv.py; torch/nn/init.py), all plain float64 math in
 * Python, so the same JS expressions give the same bounds; each is then one `uniform(gen, w, -b, b)`:
 *   Linear(in, out) / Conv2d(cin, cout, k): fanIn = in (Linear) or cin/groups * kh * kw (Conv)
 *     weight: kaiming_uniform_(a = sqrt(5)):  gain = Math.sqrt(2 / (1 + a * a)) with a = Math.sqrt(5)
 *             (Python computes a ** 2 = 5.000000000000001), std = gain / Math.sqrt(fanIn),
 *             bound = Math.sqrt(3) * std  ->  uniform(gen, weight, -bound, bound)
 *     bias (drawn AFTER the weight): bound = 1 / Math.sqrt(fanIn)  ->  uniform(gen, bias, -bound, bound)
 *   See kaimingUniformBound() below; test/random.test.ts checks both against PyTorch.
 */

import { fma, fmaf } from "./fma.js";
import type { Generator } from "./generator.js";
import { log } from "./libm.js";
import { FlintError } from "../errors.js";

export type FloatArray = Float32Array | Float64Array;
export type IntegerArray = Float64Array | Float32Array | Int32Array | Uint8Array;

const TWO32 = 4294967296;
const TWO_M24 = 1 / 16777216; // 2^-24
const TWO_M53 = 1 / 9007199254740992; // 2^-53

export class RandomArgumentError extends FlintError {
  override name = "RandomArgumentError";
}

/** uniform_real_distribution<float>(0, 1): 24 random bits of ONE 32-bit draw, times 2^-24. */
export function uniform24(gen: Generator): number {
  return (gen.engine.nextUint32() & 0xffffff) * TWO_M24;
}

/** uniform_real_distribution<double>(0, 1): low 53 bits of random64() (hi draw first), times 2^-53. */
export function uniform53(gen: Generator): number {
  const e = gen.engine;
  const hi = e.nextUint32() & 0x1fffff;
  const lo = e.nextUint32();
  return (hi * TWO32 + lo) * TWO_M53;
}

/**
 * Tensor.uniform_(from, to) and torch.rand (= uniform_(0, 1)). PyTorch casts from/to to the tensor's
 * dtype, computes range = to - from in that dtype, then x * range + from with ONE rounding (an FMA in
 * the AVX2 build), x = 24-bit (float32) or 53-bit (float64) uniform in [0, 1).
 */
export function uniform(gen: Generator, out: FloatArray, from = 0, to = 1): FloatArray {
  const n = out.length;
  const e = gen.engine;
  if (out instanceof Float32Array) {
    const f = Math.fround(from);
    const t = Math.fround(to);
    checkUniform(f, t, 3.4028234663852886e38);
    const range = Math.fround(t - f);
    if (f === 0 && range === 1) {
      for (let i = 0; i < n; i++) out[i] = (e.nextUint32() & 0xffffff) * TWO_M24;
    } else {
      for (let i = 0; i < n; i++) out[i] = fmaf((e.nextUint32() & 0xffffff) * TWO_M24, range, f);
    }
  } else {
    checkUniform(from, to, Number.MAX_VALUE);
    const range = to - from;
    const exact = from === 0 && range === 1;
    for (let i = 0; i < n; i++) {
      const hi = e.nextUint32() & 0x1fffff;
      const x = (hi * TWO32 + e.nextUint32()) * TWO_M53;
      out[i] = exact ? x : fma(x, range, from);
    }
  }
  return out;
}

function checkUniform(from: number, to: number, max: number): void {
  if (!(from <= to)) {
    throw new RandomArgumentError(`uniform_: expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  if (!(to - from <= max)) {
    throw new RandomArgumentError(`uniform_: range [${from}, ${to}) exceeds the dtype's limits`);
  }
}

/**
 * Tensor.random_(low, high) / torch.randint(low, high, size): value = low + draw % (high - low).
 * The draw is random64() when the range is >= 2^32 and the dtype is int64/float64/float32 (arrays
 * Float64Array/Float32Array here), otherwise ONE 32-bit random(). Results are exact up to 2^53.
 */
export function randint(gen: Generator, out: IntegerArray, low: number, high: number): IntegerArray {
  if (!Number.isInteger(low) || !Number.isInteger(high)) {
    throw new RandomArgumentError(`randint: low and high must be integers, got low=${low}, high=${high}`);
  }
  if (!(low < high)) {
    throw new RandomArgumentError(
      `randint: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`,
    );
  }
  if (out instanceof Uint8Array && (low < 0 || high > 256)) {
    throw new RandomArgumentError(`randint: [${low}, ${high}) is out of bounds for a uint8/bool output`);
  }
  if (out instanceof Int32Array && (low < -2147483648 || high > 2147483648)) {
    throw new RandomArgumentError(`randint: [${low}, ${high}) is out of bounds for an int32 output`);
  }
  if (out instanceof Float32Array) {
    // random_from_to_impl first moves from/to to values the dtype can hold (update_from/update_to).
    low = updateFromF32(low);
    high = updateToF32(high);
  }
  const n = out.length;
  const e = gen.engine;
  const range = high - low;
  const wide = out instanceof Float64Array || out instanceof Float32Array;
  if (wide && range >= TWO32) {
    const r = BigInt(range);
    const base = BigInt(low);
    for (let i = 0; i < n; i++) {
      const hi = BigInt(e.nextUint32());
      const v = (hi << 32n) | BigInt(e.nextUint32());
      out[i] = Number((v % r) + base);
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = low + (e.nextUint32() % range);
  }
  return out;
}

/** floor(log2(|v|)) for an integer v != 0, exactly (ATen's `while (x >>= 1) ++n`). */
function ilog2(v: number): number {
  let x = Math.abs(v);
  let n = 0;
  while (x >= 2) {
    x = Math.floor(x / 2);
    n++;
  }
  return n;
}

/** ATen update_to<float>: if float(to - 1) rounds up to >= to, move to one float spacing below. */
function updateToF32(to: number): number {
  const m = Math.trunc(Math.fround(to - 1));
  return m >= to ? m - 2 ** (ilog2(to - 1) - 24 + 1) : to;
}

/** ATen update_from<float>: if float(from + 1) rounds below from, move from one float spacing up. */
function updateFromF32(from: number): number {
  const p = Math.trunc(Math.fround(from + 1));
  return p < from ? p + 2 ** (ilog2(from + 1) - 24 + 1) : from;
}

/** dtypes Tensor.random_() distinguishes (int64 and float64 share Float64Array storage). */
export type RandomDType = "float32" | "float64" | "int64" | "int32" | "uint8" | "bool";

/**
 * Tensor.random_() with no bounds (uniform_int_distribution): random64() for float64/int64, one
 * random() otherwise; value = draw % (2^24 + 1) for float32, % (2^53 + 1) for float64, % 2^63 for
 * int64 (Float64Array: values above 2^53 are rounded, as int64 storage is), % 2^31 for int32,
 * % 256 for uint8, & 1 for bool.
 */
export function randomDefault(gen: Generator, out: IntegerArray, dtype: RandomDType): IntegerArray {
  const e = gen.engine;
  const n = out.length;
  if (dtype === "float64" || dtype === "int64") {
    const m = dtype === "float64" ? (1n << 53n) + 1n : 1n << 63n;
    for (let i = 0; i < n; i++) {
      const hi = BigInt(e.nextUint32());
      out[i] = Number(((hi << 32n) | BigInt(e.nextUint32())) % m);
    }
    return out;
  }
  const m = dtype === "float32" ? 16777217 : dtype === "int32" ? 2147483648 : dtype === "uint8" ? 256 : 2;
  for (let i = 0; i < n; i++) out[i] = e.nextUint32() % m;
  return out;
}

/**
 * torch.randperm(n) on the CPU (1.13 randperm_cpu): identity, then for i = 0 .. n-2 swap element i
 * with element i + random() % (n - i): one 32-bit draw per step, for every n.
 */
export function randperm(gen: Generator, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RandomArgumentError(`randperm: n must be a non-negative integer, got ${n}`);
  }
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  const e = gen.engine;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (e.nextUint32() % (n - i));
    const t = r[i];
    r[i] = r[z];
    r[z] = t;
  }
  return r;
}

/**
 * Tensor.bernoulli_(p) with a scalar p (non-MKL build): out[i] = (53-bit uniform < p) ? 1 : 0, one
 * random64() per element, for every dtype.
 */
export function bernoulli(gen: Generator, out: IntegerArray | FloatArray, p: number): typeof out {
  if (!(p >= 0 && p <= 1)) throw new RandomArgumentError(`bernoulli_: expected 0 <= p <= 1, got ${p}`);
  const e = gen.engine;
  for (let i = 0; i < out.length; i++) {
    const hi = e.nextUint32() & 0x1fffff;
    out[i] = (hi * TWO32 + e.nextUint32()) * TWO_M53 < p ? 1 : 0;
  }
  return out;
}

/**
 * torch.bernoulli(p) / Tensor.bernoulli_(p_tensor): out[i] = (u < p[i]) ? 1 : 0 with, as in PyTorch,
 * a 53-bit uniform (random64) when p is float64 and a 24-bit one (random) when p is float32.
 */
export function bernoulliTensor(gen: Generator, out: IntegerArray | FloatArray, p: FloatArray): typeof out {
  if (p.length !== out.length) {
    throw new RandomArgumentError(`bernoulli: p has ${p.length} elements, output has ${out.length}`);
  }
  const e = gen.engine;
  const wide = p instanceof Float64Array;
  for (let i = 0; i < out.length; i++) {
    const pi = p[i];
    if (!(pi >= 0 && pi <= 1)) throw new RandomArgumentError(`bernoulli: expected 0 <= p <= 1, got p[${i}]=${pi}`);
    let u: number;
    if (wide) {
      const hi = e.nextUint32() & 0x1fffff;
      u = (hi * TWO32 + e.nextUint32()) * TWO_M53;
    } else {
      u = (e.nextUint32() & 0xffffff) * TWO_M24;
    }
    out[i] = u < pi ? 1 : 0;
  }
  return out;
}

/**
 * The dropout mask of F.dropout(x, p, training=True) on the CPU in 1.13 (at::native::_dropout_impl):
 * noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p); result = x * noise.
 * Fills `out` with the scaled noise (0 or 1/(1-p) in out's dtype). p = 0 and p = 1 draw nothing in
 * PyTorch (it returns x, or x * 0), and so must callers: this function rejects them.
 */
export function dropoutMask(gen: Generator, out: FloatArray, p: number): FloatArray {
  if (!(p > 0 && p < 1)) {
    throw new RandomArgumentError(`dropout: the mask is only drawn for 0 < p < 1, got p=${p}`);
  }
  const q = 1 - p;
  bernoulli(gen, out, q);
  // div_ by a Python float on a float32 tensor happens in float32: q is rounded first.
  const qq = out instanceof Float32Array ? Math.fround(q) : q;
  for (let i = 0; i < out.length; i++) out[i] = out[i] / qq;
  return out;
}

/**
 * Tensor.exponential_(lambd) (non-MKL CPU): -1/lambd * log(1 - u), u a 53-bit uniform, computed in
 * float64 (with glibc's log, see libm.ts) then cast to the output dtype.
 */
export function exponential(gen: Generator, out: FloatArray, lambd = 1): FloatArray {
  if (!(lambd > 0)) throw new RandomArgumentError(`exponential_: expects lambda > 0.0, but found lambda=${lambd}`);
  const k = -1 / lambd;
  for (let i = 0; i < out.length; i++) out[i] = k * log(1 - uniform53(gen));
  return out;
}

/**
 * Bound of nn.init.kaiming_uniform_(w, a, mode="fan_in", nonlinearity="leaky_relu") for a weight
 * of the given fan_in, computed as torch/nn/init.py does. Linear/Conv weights use a = Math.sqrt(5);
 * their biases use 1 / Math.sqrt(fanIn).
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}
