// The orthogonal polynomials of torch.special (Chebyshev T/U/V/W and their shifted forms,
// Hermite H/He, Laguerre L, Legendre P) and the Bessel functions computed by quadrature,
// with PyTorch 1.13's special cases (ATen's Math.h): n < 0 gives 0, |x| = 1 exact values,
// and the trigonometric form for large n inside (-1, 1).
import type { Tensor } from "../../tensor.js";
import type { TensorLike } from "../util.js";
import { floatOf, mapBinary, promoted } from "../pointwise-map.js";
import { type UnaryOpFn, unaryOp } from "../unary-op.js";
import { besselI } from "./scalar.js";

type Poly = (x: number, n: number) => number;

function recur(
  x: number,
  n: number,
  p0: number,
  p1: number,
  step: (k: number, p: number, q: number) => number,
  from = 2,
): number {
  if (n === 0) return p0;
  if (n === 1) return p1;
  let p = p0,
    q = p1,
    r = p1;
  for (let k = from; k <= n; k++) {
    r = step(k, p, q);
    p = q;
    q = r;
  }
  return r;
}

const odd = (n: number): boolean => n % 2 !== 0;
const chebT: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || !odd(n) ? 1 : -1;
  if (n > 6 && Math.abs(x) < 1) return Math.cos(n * Math.acos(x));
  return recur(x, n, 1, x, (_k, p, q) => (x + x) * q - p);
};
const chebU: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || !odd(n) ? n + 1 : -(n + 1);
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    return Math.sin(t) !== 0 ? Math.sin((n + 1) * t) / Math.sin(t) : ((n + 1) * Math.cos((n + 1) * t)) / x;
  }
  return recur(x, n, 1, x + x, (_k, p, q) => (x + x) * q - p);
};
const chebV: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 ? 1 : !odd(n) ? n + n + 1 : -(n + n + 1);
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    if (Math.sin(t / 2) !== 1) return Math.cos((n + 0.5) * t) / Math.cos(t / 2);
    return !odd(n) ? n + n + 1 : -(n + n + 1);
  }
  return recur(x, n, 1, x + x - 1, (_k, p, q) => (x + x) * q - p);
};
const chebW: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 ? n + n + 1 : !odd(n) ? 1 : -1;
  if (n > 8 && Math.abs(x) < 1) {
    const t = Math.acos(x);
    if (Math.cos(t / 2) !== 1) return Math.sin((n + 0.5) * t) / Math.sin(t / 2);
    return x > 0 ? n + n + 1 : !odd(n) ? 1 : -1;
  }
  return recur(x, n, 1, x + x + 1, (_k, p, q) => (x + x) * q - p);
};
const shifted = (x: number): number => x + x - 1;
const sChebT: Poly = (x, n) => {
  if (n < 0) return 0;
  if (x === 1) return 1;
  if (x === 0) return !odd(n) ? 1 : -1;
  const y = shifted(x);
  if (n > 6 && Math.abs(y) < 1) return Math.cos(n * Math.acos(y));
  return recur(x, n, 1, y, (_k, p, q) => (y + y) * q - p);
};
const sChebU: Poly = (x, n) => {
  if (n < 0) return 0;
  if (x === 1) return n + 1;
  if (x === 0) return !odd(n) ? n + 1 : -(n + 1);
  const y = shifted(x);
  if (n > 6 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    return Math.sin(t) !== 0 ? Math.sin((n + 1) * t) / Math.sin(t) : ((n + 1) * Math.cos((n + 1) * t)) / y;
  }
  return recur(x, n, 1, y + y, (_k, p, q) => (y + y) * q - p);
};
const sChebV: Poly = (x, n) => {
  if (n < 0) return 0;
  if (x === 1) return 1;
  if (x === 0) return !odd(n) ? n + n + 1 : -(n + n + 1);
  const y = shifted(x);
  if (n > 6 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    if (Math.sin(t / 2) !== 1) return Math.cos((n + 0.5) * t) / Math.cos(t / 2);
    return !odd(n) ? n + n + 1 : -(n + n + 1);
  }
  return recur(x, n, 1, y + y - 1, (_k, p, q) => (y + y) * q - p);
};
const sChebW: Poly = (x, n) => {
  if (n < 0) return 0;
  if (x === 1) return n + n + 1;
  if (x === 0) return !odd(n) ? 1 : -1;
  const y = shifted(x);
  if (n > 4 && Math.abs(y) < 1) {
    const t = Math.acos(y);
    if (Math.cos(t / 2) !== 1) return Math.sin((n + 0.5) * t) / Math.sin(t / 2);
    return !odd(n) ? 1 : -1;
  }
  return recur(x, n, 1, y + y + 1, (_k, p, q) => (y + y) * q - p);
};
const hermiteH: Poly = (x, n) => {
  if (n < 0) return 0;
  if (n === 0) return 1;
  if (n === 1) return x + x;
  let p = 1,
    q = x + x,
    r = q;
  for (let k = 2; k < n + n; k += 2) {
    r = (x + x) * q - k * p;
    p = q;
    q = r;
  }
  return r;
};
const hermiteHe: Poly = (x, n) => {
  if (n < 0) return 0;
  return recur(x, n, 1, x, (k, p, q) => x * q - (k - 1) * p);
};
const laguerreL: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 0) return 1;
  return recur(x, n, 1, 1 - x, (k, p, q) => ((2 * (k - 1) + (1 - x)) * q - (k - 1) * p) / k);
};
const legendreP: Poly = (x, n) => {
  if (n < 0) return 0;
  if (Math.abs(x) === 1) return x > 0 || n === 1 || !odd(n) ? 1 : -1;
  return recur(x, n, 1, x, (k, p, q) => ((2 * (k - 1) + 1) * x * q - (k - 1) * p) / k);
};

/** n is read as an integer, as ATen's static_cast<int64_t>(n). */
const poly =
  (f: Poly, name: string) =>
  (x: TensorLike, n: TensorLike): Tensor => {
    const { ta, tb, dtype } = promoted(x, n);
    return mapBinary(ta, tb, floatOf(dtype), (a, b) => (Number.isNaN(b) ? NaN : f(a, Math.trunc(b))), name);
  };
export const chebyshevPolynomialT = poly(chebT, "chebyshev_polynomial_t");
export const chebyshevPolynomialU = poly(chebU, "chebyshev_polynomial_u");
export const chebyshevPolynomialV = poly(chebV, "chebyshev_polynomial_v");
export const chebyshevPolynomialW = poly(chebW, "chebyshev_polynomial_w");
export const shiftedChebyshevPolynomialT = poly(sChebT, "shifted_chebyshev_polynomial_t");
export const shiftedChebyshevPolynomialU = poly(sChebU, "shifted_chebyshev_polynomial_u");
export const shiftedChebyshevPolynomialV = poly(sChebV, "shifted_chebyshev_polynomial_v");
export const shiftedChebyshevPolynomialW = poly(sChebW, "shifted_chebyshev_polynomial_w");
export const hermitePolynomialH = poly(hermiteH, "hermite_polynomial_h");
export const hermitePolynomialHe = poly(hermiteHe, "hermite_polynomial_he");
export const laguerrePolynomialL = poly(laguerreL, "laguerre_polynomial_l");
export const legendrePolynomialP = poly(legendreP, "legendre_polynomial_p");

/** J_n(x) = (1 / 2 pi) * integral over a period of cos(n t - x sin t): the trapezoid rule converges geometrically. */
function besselJ(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return 0;
  const N = 64 + 2 * Math.ceil(Math.abs(x));
  let s = 0;
  for (let k = 0; k < N; k++) {
    const t = (2 * Math.PI * k) / N;
    s += Math.cos(n * t - x * Math.sin(t));
  }
  return s / N;
}
/** K_nu(x) = integral over t >= 0 of exp(-x cosh t) cosh(nu t); exp(x) K_nu(x) when scaled. */
function besselK(nu: number, x: number, scaled: boolean): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return Infinity;
  if (x === Infinity) return 0;
  const h = 0.05;
  let s = 0.5;
  for (let k = 1; k < 100000; k++) {
    const t = k * h;
    const term = Math.exp(-x * (Math.cosh(t) - 1)) * Math.cosh(nu * t);
    s += term;
    if (term < 1e-18 * s) break;
  }
  const r = s * h;
  return scaled ? r : r * Math.exp(-x);
}
/** A declared unary op (src/ops/unary-op.ts) without a gradient, as PyTorch's special Bessel functions. */
const unary = (name: string, f: (v: number) => number): UnaryOpFn =>
  unaryOp(name, { ref: f, dtype: floatOf, grad: null });
export const besselJ0 = unary("besselJ0", (v) => besselJ(0, v));
export const besselJ1 = unary("besselJ1", (v) => besselJ(1, v));
export const modifiedBesselI0 = unary("modifiedBesselI0", (v) => besselI(0, v, false));
export const modifiedBesselI1 = unary("modifiedBesselI1", (v) => besselI(1, v, false));
export const modifiedBesselK0 = unary("modifiedBesselK0", (v) => besselK(0, v, false));
export const modifiedBesselK1 = unary("modifiedBesselK1", (v) => besselK(1, v, false));
export const scaledModifiedBesselK0 = unary("scaledModifiedBesselK0", (v) => besselK(0, v, true));
export const scaledModifiedBesselK1 = unary("scaledModifiedBesselK1", (v) => besselK(1, v, true));
export const sphericalBesselJ0 = unary("sphericalBesselJ0", (v) =>
  v === 0 ? 1 : !Number.isFinite(v) ? (Number.isNaN(v) ? NaN : 0) : Math.sin(v) / v,
);
