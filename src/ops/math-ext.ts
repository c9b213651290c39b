// Elementwise math beyond unary.ts (trigonometric and hyperbolic inverses, special functions,
// NaN-aware max/min, shifts...). The unary ones are declared with unaryOp (one definition per op:
// the reference scalar function below is the kernel of every backend that has no opcode of its
// own, and meta tensors get their shapes); binary and ternary ones still map a JavaScript
// function over float64 copies (pointwise-map.ts). Gradients are composed from other ops, so
// they are differentiable again.
import { type DType, isFloating, isIntegral, resultType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { DTypeError, ValueError } from "../errors.js";
import { record } from "../autograd/record.js";
import { type TensorLike, isTensor, scalarTensor } from "./util.js";
import { add, div, eq, ge, logicalAnd, logicalOr, lt, mul, pow, sub, where } from "./binary.js";
import { cos, exp, isnan, log, log1p, logicalNot, neg, rsqrt, sign } from "./unary.js";
import { sumToShape } from "./broadcast.js";
import { toDType } from "./cast.js";
import { floatOf, mapBinary, mapTernary, mapUnary, promoted } from "./pointwise-map.js";
import { type UnaryOpFn, unaryOp } from "./unary-op.js";
import * as SF from "./special/scalar.js";
import { conjComplex, parts } from "./fft/complex.js";

type Grad1 = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

/** A declared float-valued unary op: f per element (integers give float32, bool is refused), gradient composed. */
export function floatUnary(name: string, f: (v: number) => number, grad: Grad1 | null): UnaryOpFn {
  return unaryOp(name, {
    ref: f,
    dtype: (d) => {
      if (d === "bool") throw new DTypeError(`${name}: not supported for bool tensors`);
      return floatOf(d);
    },
    grad,
    saves: "x",
  });
}
/** A declared predicate (bool result, no gradient). */
const predicate = (name: string, f: (v: number) => number): UnaryOpFn =>
  unaryOp(name, { ref: f, dtype: () => "bool", grad: null });

const reduceTo = (g: Tensor, x: TensorLike): Tensor | null => {
  if (!isTensor(x) || !x.requiresGrad) return null;
  const r = sumToShape(g, x.shape);
  return r.dtype === x.dtype ? r : toDType(r, x.dtype);
};

/** A broadcasting binary op with reference values and composed gradients (of each operand). */
function binaryOp(
  name: string,
  outRule: (d: DType) => DType,
  f: (a: number, b: number) => number,
  grads: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) | null,
) {
  const node = name[0].toUpperCase() + name.slice(1) + "Backward";
  return (a: TensorLike, b: TensorLike): Tensor => {
    const { ta, tb, dtype } = promoted(a, b);
    const y = mapBinary(ta, tb, outRule(dtype), f, name);
    if (grads === null) return y;
    return record(
      node,
      [a, b].filter(isTensor),
      y,
      ([g]) => {
        const [ga, gb] = grads(g, ta, tb, y);
        const out: (Tensor | null)[] = [];
        if (isTensor(a)) out.push(ga === null ? null : reduceTo(ga, a));
        if (isTensor(b)) out.push(gb === null ? null : reduceTo(gb, b));
        return out;
      },
      [ta, tb],
    );
  };
}

const onePlus = (t: Tensor): Tensor => add(t, 1);
const sq = (t: Tensor): Tensor => mul(t, t);

// trigonometric and hyperbolic
export const asin = floatUnary("asin", Math.asin, (g, x) => mul(g, rsqrt(sub(1, sq(x)))));
export const acos = floatUnary("acos", Math.acos, (g, x) => neg(mul(g, rsqrt(sub(1, sq(x))))));
export const atan = floatUnary("atan", Math.atan, (g, x) => div(g, onePlus(sq(x))));
export const sinh = floatUnary("sinh", Math.sinh, (g, x) => mul(g, cosh(x)));
export const cosh = floatUnary("cosh", Math.cosh, (g, x) => mul(g, sinh(x)));
export const asinh = floatUnary("asinh", Math.asinh, (g, x) => mul(g, rsqrt(onePlus(sq(x)))));
export const acosh = floatUnary("acosh", Math.acosh, (g, x) => mul(g, rsqrt(sub(sq(x), 1))));
export const atanh = floatUnary("atanh", Math.atanh, (g, x) => div(g, sub(1, sq(x))));
export const exp2 = floatUnary(
  "exp2",
  (v) => Math.pow(2, v),
  (g, _x, y) => mul(g, mul(y, Math.LN2)),
);
export const sinc = floatUnary("sinc", SF.sinc, (g, x, y) => {
  const px = mul(x, Math.PI);
  const d = div(sub(cos(px), y), x);
  return mul(g, where(eq(x, 0), 0, d));
});
export const deg2rad = (x: Tensor): Tensor => mul(isFloating(x.dtype) ? x : toDType(x, "float32"), Math.PI / 180);
export const rad2deg = (x: Tensor): Tensor => mul(isFloating(x.dtype) ? x : toDType(x, "float32"), 180 / Math.PI);

// special functions
export const lgamma = floatUnary("lgamma", SF.lgamma, (g, x) => mul(g, digamma(x)));
export const digamma = floatUnary("digamma", SF.digamma, (g, x) => mul(g, polygamma(1, x)));
export const erfc = floatUnary("erfc", SF.erfc, (g, x) => mul(g, mul(exp(neg(sq(x))), -2 / Math.sqrt(Math.PI))));
export const erfinv = floatUnary("erfinv", SF.erfinv, (g, _x, y) => mul(g, mul(exp(sq(y)), Math.sqrt(Math.PI) / 2)));
export const erfcx = floatUnary("erfcx", SF.erfcx, (g, x, y) => mul(g, sub(mul(mul(x, y), 2), 2 / Math.sqrt(Math.PI))));
export const i0 = floatUnary(
  "i0",
  (v) => SF.besselI(0, v, false),
  (g, x) => mul(g, i1(x)),
);
export const i0e = floatUnary(
  "i0e",
  (v) => SF.besselI(0, v, true),
  (g, x, y) => mul(g, sub(i1e(x), mul(sign(x), y))),
);
export const i1 = floatUnary(
  "i1",
  (v) => SF.besselI(1, v, false),
  (g, x, y) => mul(g, where(eq(x, 0), 0.5, sub(i0(x), div(y, x)))),
);
export const i1e = floatUnary(
  "i1e",
  (v) => SF.besselI(1, v, true),
  (g, x, y) => mul(g, where(eq(x, 0), 0.5, sub(i0e(x), mul(y, add(sign(x), div(1, x)))))),
);
export const ndtr = floatUnary("ndtr", SF.ndtr, (g, x) =>
  mul(g, mul(exp(mul(sq(x), -0.5)), 1 / Math.sqrt(2 * Math.PI))),
);
export const ndtri = floatUnary("ndtri", SF.ndtri, (g, _x, y) =>
  mul(g, mul(exp(mul(sq(y), 0.5)), Math.sqrt(2 * Math.PI))),
);
export const logNdtr = floatUnary("logNdtr", SF.logNdtr, (g, x, y) =>
  mul(g, div(mul(exp(mul(sq(x), -0.5)), 1 / Math.sqrt(2 * Math.PI)), exp(y))),
);
export const entr = floatUnary("entr", SF.entr, (g, x) => mul(g, neg(add(log(x), 1))));

export function polygamma(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`polygamma: n must be a non-negative integer, got ${n}`);
  const dt = floatOf(x.dtype);
  const y = mapUnary(x, dt, n === 1 ? (v) => SF.trigamma(v, dt === "float32") : (v) => SF.polygamma(n, v));
  return record("PolygammaBackward", [x], y, ([g]) => [mul(g, polygamma(n + 1, x))], [x]);
}

/** Multivariate log-gamma of order p: sum of lgamma(x - i/2) for i < p, plus p(p-1)/4 log(pi). */
export function mvlgamma(x: Tensor, p: number | { p: number }): Tensor {
  const order = typeof p === "object" ? p.p : p;
  if (order < 1) throw new ValueError(`mvlgamma: p has to be greater than or equal to 1, got ${order}`);
  let s: Tensor = lgamma(x);
  for (let i = 1; i < order; i++) s = add(s, lgamma(sub(x, i / 2)));
  return add(s, ((order * (order - 1)) / 4) * Math.log(Math.PI));
}

export const zeta = binaryOp("zeta", floatOf, SF.zeta, (g, a, b) => [null, mul(g, mul(neg(a), zeta(add(a, 1), b)))]);

// logs and exponentials of pairs
export const logaddexp = binaryOp(
  "logaddexp",
  floatOf,
  (a, b) => {
    if (a === b && !Number.isFinite(a)) return a;
    const m = Math.max(a, b);
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  },
  (g, a, b, y) => [mul(g, exp(sub(a, y))), mul(g, exp(sub(b, y)))],
);
export const logaddexp2 = binaryOp(
  "logaddexp2",
  floatOf,
  (a, b) => {
    if (a === b && !Number.isFinite(a)) return a;
    const m = Math.max(a, b);
    return m + Math.log1p(Math.pow(2, -Math.abs(a - b))) / Math.LN2;
  },
  (g, a, b, y) => [mul(g, pow(2, sub(a, y))), mul(g, pow(2, sub(b, y)))],
);
export const hypot = binaryOp("hypot", floatOf, Math.hypot, (g, a, b, y) => [mul(g, div(a, y)), mul(g, div(b, y))]);

export function xlogy(a: TensorLike, b: TensorLike): Tensor {
  const { ta, tb, dtype } = promoted(a, b);
  const fa = isFloating(dtype) ? ta : toDType(ta, "float32"),
    fb = isFloating(dtype) ? tb : toDType(tb, "float32");
  const zero = logicalAnd(eq(fa, 0), logicalNot(isnan(fb)));
  return where(zero, 0, mul(fa, log(fb)));
}
export function xlog1py(a: TensorLike, b: TensorLike): Tensor {
  const { ta, tb, dtype } = promoted(a, b);
  const fa = isFloating(dtype) ? ta : toDType(ta, "float32"),
    fb = isFloating(dtype) ? tb : toDType(tb, "float32");
  return where(logicalAnd(eq(fa, 0), logicalNot(isnan(fb))), 0, mul(fa, log1p(fb)));
}

/** logit(x) = log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given. */
export function logit(x: Tensor, eps?: number | null | { eps?: number | null }): Tensor {
  const e = typeof eps === "object" && eps !== null ? eps.eps : eps;
  const fx = isFloating(x.dtype) ? x : toDType(x, "float32");
  if (e === undefined || e === null) return log(div(fx, sub(1, fx)));
  const lo = scalarTensor(e, fx.dtype),
    hi = scalarTensor(1 - e, fx.dtype);
  const z = clampBoth(fx, lo, hi);
  return log(div(z, sub(1, z)));
}
/** Clamp with NaN passing through and zero gradient outside the bounds (as clamp's). */
function clampBoth(x: Tensor, lo: Tensor, hi: Tensor): Tensor {
  return clampMax(clampMin(x, lo), hi);
}

// NaN-aware and bound ops
const fmaxF = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
const fminF = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b));
const pick = (aWins: Tensor, g: Tensor): [Tensor, Tensor] => [mul(g, aWins), mul(g, logicalNot(aWins))];
export const fmax = binaryOp(
  "fmax",
  (d) => d,
  fmaxF,
  (g, a, b) => pick(logicalOr(ge(a, b), isnan(b)), g),
);
export const fmin = binaryOp(
  "fmin",
  (d) => d,
  fminF,
  (g, a, b) => pick(logicalOr(lt(a, b).logicalOr(eq(a, b)), isnan(b)), g),
);

const clampMinF = (v: number, m: number): number => (Number.isNaN(v) || Number.isNaN(m) ? NaN : Math.max(v, m));
const clampMaxF = (v: number, m: number): number => (Number.isNaN(v) || Number.isNaN(m) ? NaN : Math.min(v, m));
export const clampMin = binaryOp(
  "clampMin",
  (d) => d,
  clampMinF,
  (g, x, m) => pick(ge(x, m), g),
);
export const clampMax = binaryOp(
  "clampMax",
  (d) => d,
  clampMaxF,
  (g, x, m) => pick(logicalOr(lt(x, m), eq(x, m)), g),
);

/** |a| with the sign of b (-0 counts as negative; NaNs from JavaScript arithmetic carry no readable sign and count as positive). */
export const copysign = binaryOp(
  "copysign",
  floatOf,
  (x, y) => (Object.is(y, -0) || y < 0 ? -Math.abs(x) : Math.abs(x)),
  (g, x, _y, out) => [mul(g, where(eq(x, 0), 0, div(out, x))), null],
);

const f32 = new Float32Array(1),
  i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1),
  i64 = new BigInt64Array(f64.buffer);
function nextafter64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (a === 0) return b > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  f64[0] = a;
  i64[0] += b > a === a > 0 ? 1n : -1n;
  return f64[0];
}
function nextafter32(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (a === 0) return b > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32[0] = a;
  i32[0] += b > a === a > 0 ? 1 : -1;
  return f32[0];
}
export function nextafter(a: Tensor, b: TensorLike): Tensor {
  const { ta, tb, dtype } = promoted(a, b);
  if (!isFloating(dtype)) throw new DTypeError(`nextafter: not implemented for '${dtype}'`);
  return mapBinary(ta, tb, dtype, dtype === "float32" ? nextafter32 : nextafter64, "nextafter");
}

export function heaviside(x: Tensor, values: TensorLike): Tensor {
  const { ta, tb, dtype } = promoted(x, values);
  if (isTensor(values) && values.dtype !== x.dtype)
    throw new DTypeError(
      `heaviside is not yet implemented for tensors with different dtypes (${x.dtype}, ${values.dtype})`,
    );
  return mapBinary(ta, tb, dtype, (v, h) => (Number.isNaN(v) ? NaN : v === 0 ? h : v > 0 ? 1 : 0), "heaviside");
}

export const frac = unaryOp("frac", {
  ref: (v) => v - Math.trunc(v),
  dtype: (d) => {
    if (!isFloating(d)) throw new DTypeError(`frac: not implemented for '${d}'`);
    return d;
  },
  grad: (g) => g,
});
export const signbit = predicate("signbit", (v) => (v < 0 || Object.is(v, -0) ? 1 : 0));
export const sgn = (x: Tensor): Tensor => sign(x);
export const positive = (x: Tensor): Tensor => {
  if (x.dtype === "bool") throw new DTypeError("positive: the + operator, on a bool tensor is not supported.");
  return x;
};
export const isposinf = predicate("isposinf", (v) => (v === Infinity ? 1 : 0));
export const isneginf = predicate("isneginf", (v) => (v === -Infinity ? 1 : 0));
export const isreal = predicate("isreal", () => 1);
export const angle = unaryOp("angle", {
  ref: (v) => (Number.isNaN(v) ? NaN : v < 0 ? Math.PI : 0),
  dtype: floatOf,
  grad: "zero",
});

export interface NanToNumOptions {
  nan?: number | null;
  posinf?: number | null;
  neginf?: number | null;
}
const FMAX: Record<string, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };
export function nanToNum(
  x: Tensor,
  nan?: number | null | NanToNumOptions,
  posinf?: number | null,
  neginf?: number | null,
): Tensor {
  let o: NanToNumOptions = { nan: nan as number | null | undefined, posinf, neginf };
  if (typeof nan === "object" && nan !== null) o = nan;
  if (!isFloating(x.dtype)) return x.clone();
  const big = FMAX[x.dtype];
  const nv = o.nan ?? 0,
    pv = o.posinf ?? big,
    mv = o.neginf ?? -big;
  const y = mapUnary(x, x.dtype, (v) => (Number.isNaN(v) ? nv : v === Infinity ? pv : v === -Infinity ? mv : v));
  return record("NanToNumBackward", [x], y, ([g]) => [
    mul(
      g,
      mapUnary(x, "bool", (v) => (Number.isFinite(v) ? 1 : 0)),
    ),
  ]);
}

export function ldexp(x: Tensor, e: Tensor): Tensor {
  return mul(x, pow(2, toDType(e, isFloating(x.dtype) ? x.dtype : "float32")));
}
export function floatPower(a: TensorLike, b: TensorLike): Tensor {
  const up = (v: TensorLike): TensorLike => (isTensor(v) ? toDType(v, "float64") : v);
  const ta = up(a),
    tb = up(b);
  if (!isTensor(ta)) return pow(scalarTensor(ta as number, "float64"), tb);
  return pow(ta, tb);
}
export const trueDivide = (a: TensorLike, b: TensorLike): Tensor => div(a, b);
export function rsub(a: Tensor, b: TensorLike, alpha?: number | { alpha?: number }): Tensor {
  const al = typeof alpha === "object" ? (alpha.alpha ?? 1) : (alpha ?? 1);
  return sub(b, al === 1 ? a : mul(a, al));
}

function gcdF(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
const intOnly =
  (op: string) =>
  (d: DType): DType => {
    if (!isIntegral(d) && d !== "bool") throw new DTypeError(`${op}: not implemented for '${d}'`);
    return d;
  };
export const gcd = binaryOp("gcd", intOnly("gcd"), gcdF, null);
export const lcm = binaryOp(
  "lcm",
  intOnly("lcm"),
  (a, b) => {
    const g = gcdF(a, b);
    return g === 0 ? 0 : Math.abs((a / g) * b);
  },
  null,
);

const BITS: Partial<Record<DType, number>> = { int64: 64, int32: 32, uint8: 8 };
function shift(op: string, left: boolean) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const { ta, tb, dtype } = promoted(a, b);
    const bits = BITS[dtype];
    if (bits === undefined) throw new DTypeError(`${op}: not implemented for '${dtype}'`);
    const wrapTo = (v: bigint): number => Number(dtype === "uint8" ? BigInt.asUintN(8, v) : BigInt.asIntN(bits, v));
    return mapBinary(
      ta,
      tb,
      dtype,
      (x, s) => {
        if (s < 0 || s >= bits) return left ? 0 : x < 0 ? -1 : 0;
        return left ? wrapTo(BigInt(x) << BigInt(s)) : wrapTo(BigInt(x) >> BigInt(s));
      },
      op,
    );
  };
}
export const bitwiseLeftShift = shift("bitwise_left_shift", true);
export const bitwiseRightShift = shift("bitwise_right_shift", false);

/** lerp(start, end, weight) with PyTorch's two-sided formula (exact at weight 0 and 1). */
export function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
  const te = isTensor(end) ? end : scalarTensor(end, start.dtype),
    tw = isTensor(weight) ? weight : scalarTensor(weight, start.dtype);
  const y = mapTernary(
    start,
    te,
    tw,
    start.dtype,
    (s, e, w) => (Math.abs(w) < 0.5 ? s + w * (e - s) : e - (e - s) * (1 - w)),
    "lerp",
  );
  return record(
    "LerpBackward",
    [start, te, tw],
    y,
    ([g]) => [reduceTo(mul(g, sub(1, tw)), start), reduceTo(mul(g, tw), te), reduceTo(mul(g, sub(te, start)), tw)],
    [start, te, tw],
  );
}

type ValueArg = number | { value?: number };
const valueOf = (v: ValueArg | undefined, x: Tensor): number => {
  const val = typeof v === "object" ? (v.value ?? 1) : (v ?? 1);
  return isFloating(x.dtype) ? val : Math.trunc(val);
};
export const addcmul = (x: Tensor, t1: TensorLike, t2: TensorLike, value?: ValueArg): Tensor =>
  add(x, mul(mul(t1, t2), valueOf(value, x)));
export const addcdiv = (x: Tensor, t1: TensorLike, t2: TensorLike, value?: ValueArg): Tensor =>
  add(x, mul(div(t1, t2), valueOf(value, x)));

// real tensors are their own real part and conjugate; complex-like ones (fft/complex.ts) are split
export const real = (x: Tensor): Tensor => parts(x)[0];
export const imag = (x: Tensor): Tensor => {
  const im = parts(x)[1];
  if (im === null) throw new DTypeError("imag is not implemented for tensors with non-complex dtypes.");
  return im;
};
export const conj = (x: Tensor): Tensor => conjComplex(x);
export const resolveConj = (x: Tensor): Tensor => x;
export const resolveNeg = (x: Tensor): Tensor => x;
export const conjPhysical = (x: Tensor): Tensor => x.clone();

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}
function closeArgs(rtol?: number | CloseOptions, atol?: number, equalNan?: boolean): Required<CloseOptions> {
  if (typeof rtol === "object")
    return { rtol: rtol.rtol ?? 1e-5, atol: rtol.atol ?? 1e-8, equalNan: rtol.equalNan ?? false };
  return { rtol: rtol ?? 1e-5, atol: atol ?? 1e-8, equalNan: equalNan ?? false };
}
/** |a - b| <= atol + rtol |b| elementwise (infinities equal themselves; NaN only with equalNan). */
export function isclose(a: Tensor, b: Tensor, rtol?: number | CloseOptions, atol?: number, equalNan?: boolean): Tensor {
  const o = closeArgs(rtol, atol, equalNan);
  if (a.dtype !== b.dtype) throw new DTypeError(`isclose: ${a.dtype} did not match ${b.dtype}`);
  return mapBinary(
    a,
    b,
    "bool",
    (x, y) => {
      if (x === y) return 1;
      if (Number.isNaN(x) || Number.isNaN(y)) return o.equalNan && Number.isNaN(x) && Number.isNaN(y) ? 1 : 0;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return 0;
      return Math.abs(x - y) <= o.atol + o.rtol * Math.abs(y) ? 1 : 0;
    },
    "isclose",
  );
}
export function allclose(
  a: Tensor,
  b: Tensor,
  rtol?: number | CloseOptions,
  atol?: number,
  equalNan?: boolean,
): boolean {
  const c = isclose(a, b, rtol, atol, equalNan).typedArray();
  for (let i = 0; i < c.length; i++) if (c[i] === 0) return false;
  return true;
}
/** Same shape and the same values (PyTorch's torch.equal). */
export function equal(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  const dt = resultType([
    { dtype: a.dtype, dim: a.dim() },
    { dtype: b.dtype, dim: b.dim() },
  ]);
  const c = eq(toDType(a, dt), toDType(b, dt)).typedArray();
  for (let i = 0; i < c.length; i++) if (c[i] === 0) return false;
  return true;
}
