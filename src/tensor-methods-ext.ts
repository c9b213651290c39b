// Tensor methods of issue 12's op surface, installed on Tensor.prototype next to those of
// tensor-methods.ts: each calls the torch function of the same name with the tensor first.
import { Tensor } from "./tensor.js";
import type { TensorLike } from "./ops/util.js";
import * as M from "./ops/math-ext.js";

declare module "./tensor.js" {
  interface Tensor {
    asin(): Tensor; acos(): Tensor; atan(): Tensor; sinh(): Tensor; cosh(): Tensor; asinh(): Tensor; acosh(): Tensor; atanh(): Tensor;
    arcsin(): Tensor; arccos(): Tensor; arctan(): Tensor; arcsinh(): Tensor; arccosh(): Tensor; arctanh(): Tensor;
    exp2(): Tensor; sinc(): Tensor; deg2rad(): Tensor; rad2deg(): Tensor; lgamma(): Tensor; digamma(): Tensor; erfc(): Tensor; erfinv(): Tensor;
    i0(): Tensor; frac(): Tensor; signbit(): Tensor; sgn(): Tensor; positive(): Tensor; isposinf(): Tensor; isneginf(): Tensor; isreal(): Tensor;
    angle(): Tensor; conj(): Tensor; resolveConj(): Tensor; resolveNeg(): Tensor; conjPhysical(): Tensor;
    polygamma(n: number): Tensor;
    mvlgamma(p: number | { p: number }): Tensor;
    logit(eps?: number | null | { eps?: number | null }): Tensor;
    logaddexp(other: Tensor): Tensor; logaddexp2(other: Tensor): Tensor; hypot(other: Tensor): Tensor; xlogy(other: TensorLike): Tensor;
    fmax(other: Tensor): Tensor; fmin(other: Tensor): Tensor; clampMin(min: TensorLike): Tensor; clampMax(max: TensorLike): Tensor;
    copysign(other: TensorLike): Tensor; nextafter(other: TensorLike): Tensor; heaviside(values: TensorLike): Tensor;
    nanToNum(nan?: number | null | M.NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
    ldexp(other: Tensor): Tensor; floatPower(exponent: TensorLike): Tensor; trueDivide(other: TensorLike): Tensor;
    gcd(other: Tensor): Tensor; lcm(other: Tensor): Tensor;
    bitwiseLeftShift(other: TensorLike): Tensor; bitwiseRightShift(other: TensorLike): Tensor;
    lerp(end: TensorLike, weight: TensorLike): Tensor;
    addcmul(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    addcdiv(t1: TensorLike, t2: TensorLike, value?: number | { value?: number }): Tensor;
    isclose(other: Tensor, rtol?: number | M.CloseOptions, atol?: number, equalNan?: boolean): Tensor;
    allclose(other: Tensor, rtol?: number | M.CloseOptions, atol?: number, equalNan?: boolean): boolean;
    equal(other: Tensor): boolean;
  }
}

type Fn = (...a: never[]) => unknown;
/** Methods that are the function of the same name with the tensor as first argument. */
const SAME: Record<string, Fn> = {
  asin: M.asin, acos: M.acos, atan: M.atan, sinh: M.sinh, cosh: M.cosh, asinh: M.asinh, acosh: M.acosh, atanh: M.atanh,
  arcsin: M.asin, arccos: M.acos, arctan: M.atan, arcsinh: M.asinh, arccosh: M.acosh, arctanh: M.atanh,
  exp2: M.exp2, sinc: M.sinc, deg2rad: M.deg2rad, rad2deg: M.rad2deg, lgamma: M.lgamma, digamma: M.digamma, erfc: M.erfc, erfinv: M.erfinv,
  i0: M.i0, frac: M.frac, signbit: M.signbit, sgn: M.sgn, positive: M.positive, isposinf: M.isposinf, isneginf: M.isneginf, isreal: M.isreal,
  angle: M.angle, conj: M.conj, resolveConj: M.resolveConj, resolveNeg: M.resolveNeg, conjPhysical: M.conjPhysical,
  mvlgamma: M.mvlgamma, logit: M.logit, logaddexp: M.logaddexp, logaddexp2: M.logaddexp2, hypot: M.hypot, xlogy: M.xlogy,
  fmax: M.fmax, fmin: M.fmin, clampMin: M.clampMin, clampMax: M.clampMax, copysign: M.copysign, nextafter: M.nextafter, heaviside: M.heaviside,
  nanToNum: M.nanToNum, ldexp: M.ldexp, floatPower: M.floatPower, trueDivide: M.trueDivide, gcd: M.gcd, lcm: M.lcm,
  bitwiseLeftShift: M.bitwiseLeftShift, bitwiseRightShift: M.bitwiseRightShift, lerp: M.lerp, addcmul: M.addcmul, addcdiv: M.addcdiv,
  isclose: M.isclose, allclose: M.allclose, equal: M.equal,
};

/** Installs `fns` as methods taking the tensor as their first argument. */
export function installSame(fns: Record<string, Fn>): void {
  for (const [name, f] of Object.entries(fns)) {
    Object.defineProperty(Tensor.prototype, name, {
      value(this: Tensor, ...a: unknown[]) { return (f as (...b: unknown[]) => unknown)(this, ...a); },
      writable: true, configurable: true,
    });
  }
}
installSame(SAME);
Object.defineProperty(Tensor.prototype, "polygamma", { value(this: Tensor, n: number) { return M.polygamma(n, this); }, writable: true, configurable: true });
