// Scalar special functions (float64), the reference definition of torch.special's values.
// Algorithms: Lanczos (lgamma), recurrence + asymptotic series (digamma), Euler–Maclaurin
// (Hurwitz zeta, as Cephes), Giles' approximation refined by Newton steps (erfinv), power series
// and asymptotic expansions (Bessel I0/I1), continued fractions (erfc, erfcx).
import { erf } from "../scalar-math.js";

export { erf };
const SQRT_PI = Math.sqrt(Math.PI);
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  if (x > 15) {
    // Stirling's series: more accurate than Lanczos for large x.
    const z = 1 / (x * x);
    const s = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z / 1188)))) / x;
    return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + s;
  }
  const y = x - 1;
  let a = LANCZOS[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

export function digamma(x: number): number {
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === -Infinity) return NaN;
  if (x < 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
}

const ZETA_A = [
  12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1892437580.3183792, 7.47242496e10, -2950130727918.164,
  116467828143500.67, -4597978722407473, 181521054019435460, -7166165256175667000,
];
const MACHEP = 1.11022302462515654042e-16;

/** Hurwitz zeta(x, q) = sum over k >= 0 of (k + q)^-x. */
export function zeta(x: number, q: number): number {
  if (Number.isNaN(x) || Number.isNaN(q)) return NaN;
  if (x === 1) return Infinity;
  if (x < 1) return NaN;
  if (q <= 0) {
    if (q === Math.floor(q)) return Infinity;
    if (x !== Math.floor(x)) return NaN;
  }
  let s = Math.pow(q, -x),
    a = q,
    i = 0,
    b = 0;
  while (i < 9 || a <= 9) {
    i += 1;
    a += 1;
    b = Math.pow(a, -x);
    s += b;
    if (Math.abs(b / s) < MACHEP) return s;
  }
  const w = a;
  s += (b * w) / (x - 1);
  s -= 0.5 * b;
  let a2 = 1,
    k = 0;
  for (i = 0; i < 12; i++) {
    a2 *= x + k;
    b /= w;
    const t = (a2 * b) / ZETA_A[i];
    s += t;
    if (Math.abs(t / s) < MACHEP) return s;
    k += 1;
    a2 *= x + k;
    b /= w;
    k += 1;
  }
  return s;
}

export function polygamma(n: number, x: number): number {
  if (n === 0) return digamma(x);
  const sign = n % 2 === 1 ? 1 : -1;
  return sign * Math.exp(lgamma(n + 1)) * zeta(n + 1, x);
}

/** erfc with relative accuracy in the tail (continued fraction), as PyTorch's erfc. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 1.5) return 1 - erf(x);
  return Math.exp(-x * x) * erfcxTail(x);
}

/** exp(x^2) erfc(x) for x >= 1.5, by the Lentz continued fraction. */
function erfcxTail(x: number): number {
  if (x === Infinity) return 0;
  const tiny = 1e-300;
  let f = x,
    c = x,
    d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (SQRT_PI * f);
}

export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 1.5) return x < -26.7 ? Infinity : Math.exp(x * x) * (1 - erf(x));
  return erfcxTail(x);
}

export function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  // Giles (2010), single-precision approximation, then Newton steps on erf.
  let w = -Math.log((1 - y) * (1 + y)),
    p: number;
  if (w < 6.25) {
    w -= 3.125;
    p = -3.6444120640178196996e-21;
    for (const c of [
      -1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17, -1.333171662854620906e-16,
      2.0972767875968561637e-17, 6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
      2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-9,
      -4.1126339803469836976e-9, -2.9070369957882005086e-8, 4.2347877827932403518e-7, -1.3654692000834678645e-6,
      -1.3882523362786468719e-5, 0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
      0.24015818242558961693, 1.6536545626831027356,
    ])
      p = c + p * w;
  } else if (w < 16) {
    w = Math.sqrt(w) - 3.25;
    p = 2.2137376921775787049e-9;
    for (const c of [
      9.0756561938885390979e-8, -2.7517406297064545428e-7, 1.8239629214389227755e-8, 1.5027403968909827627e-6,
      -4.013867526981545969e-6, 2.9234449089955446044e-6, 1.2475304481671778723e-5, -4.7318229009055733981e-5,
      6.8284851459573175448e-5, 2.4031110387097893999e-5, -0.0003550375203628474796, 0.00095328937973738049703,
      -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107, 0.005370914553590063617,
      1.0052589676941592334, 3.0838856104922207635,
    ])
      p = c + p * w;
  } else {
    w = Math.sqrt(w) - 5;
    p = -2.7109920616438573243e-11;
    for (const c of [
      -2.5556418169965252055e-10, 1.5076572693500548083e-9, -3.7894654401267369937e-9, 7.6157012080783393804e-9,
      -1.4960026627149240478e-8, 2.9147953450901080826e-8, -6.7711997758452339498e-8, 2.2900482228026654717e-7,
      -9.9298272942317002539e-7, 4.5260625972231537039e-6, -1.9681778105531670567e-5, 7.5995277030017761139e-5,
      -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977, 4.8499064014085844221,
    ])
      p = c + p * w;
  }
  let x = p * y;
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / ((2 / SQRT_PI) * Math.exp(-x * x));
  }
  return x;
}

/** The standard normal CDF, accurate in both tails. */
export const ndtr = (x: number): number => (x < 0 ? 0.5 * erfc(-x / Math.SQRT2) : 1 - 0.5 * erfc(x / Math.SQRT2));

export function logNdtr(x: number): number {
  if (x > -5) return x > 5 ? -0.5 * erfc(x / Math.SQRT2) : Math.log(ndtr(x));
  const t = -x / Math.SQRT2;
  return Math.log(erfcx(t) / 2) - t * t;
}

export function ndtri(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x = Math.SQRT2 * erfinv(2 * p - 1);
  if (!Number.isFinite(x)) x = p < 0.5 ? -38 : 8.3;
  // Newton on the CDF, in the tail where 2p - 1 lost digits.
  for (let i = 0; i < 3; i++) {
    const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    if (pdf === 0) break;
    x -= (ndtr(x) - p) / pdf;
  }
  return x;
}

/** Modified Bessel function I_nu (nu = 0 or 1) times exp(-|x|) when scaled. */
export function besselI(nu: 0 | 1, x: number, scaled: boolean): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const sgn = nu === 1 && x < 0 ? -1 : 1;
  if (ax === Infinity) return scaled ? 0 : sgn * Infinity;
  if (ax > 30) {
    // Asymptotic: I_nu(x) ~ e^x / sqrt(2 pi x) * sum_k (-1)^k a_k(nu) / x^k.
    const mu = 4 * nu * nu;
    let term = 1,
      sum = 1;
    for (let k = 1; k < 30; k++) {
      term *= -(mu - (2 * k - 1) * (2 * k - 1)) / (k * 8 * ax);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    const r = sum / Math.sqrt(2 * Math.PI * ax);
    return sgn * (scaled ? r : r * Math.exp(ax));
  }
  const q = (ax * ax) / 4;
  let term = nu === 0 ? 1 : ax / 2,
    sum = term;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * (k + nu));
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sgn * (scaled ? sum * Math.exp(-ax) : sum);
}

export const sinc = (x: number): number => {
  if (x === 0) return 1;
  if (!Number.isFinite(x)) return Number.isNaN(x) ? NaN : 0;
  const px = Math.PI * x;
  return Math.sin(px) / px;
};

export const entr = (x: number): number => (Number.isNaN(x) ? NaN : x > 0 ? -x * Math.log(x) : x === 0 ? 0 : -Infinity);

/**
 * PyTorch's calc_trigamma: reflection below 1/2, six recurrence steps, then the asymptotic series;
 * in float32 (every step rounded) when f32, as PyTorch computes float tensors. At negative
 * integers sin(pi x) is a rounding residue, so the result is huge but finite, as PyTorch's.
 */
export function trigamma(x0: number, f32: boolean): number {
  const r = f32 ? Math.fround : (v: number) => v;
  const PI = r(Math.PI);
  let x = r(x0),
    sign = 1,
    result = 0;
  if (x < 0.5) {
    sign = -1;
    const s = r(Math.sin(r(PI * x)));
    result = r(result - r(r(PI * PI) / r(s * s)));
    x = r(1 - x);
  }
  for (let i = 0; i < 6; i++) {
    result = r(result + r(1 / r(x * x)));
    x = r(x + 1);
  }
  const ixx = r(1 / r(x * x));
  const series = r(1 + r(1 / r(2 * x)) + r(ixx * r(1 / 6 - r(ixx * r(1 / 30 - r(ixx * (1 / 42)))))));
  result = r(result + r(series / x));
  return r(sign * result);
}
