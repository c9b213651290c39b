// native/vmath.h's exp, sigmoid and tanh in TypeScript, bit for bit: every float32 operation of the
// C++ is one double operation rounded by Math.fround (for +, -, * and / of two floats, rounding the
// double result to float gives the correctly rounded float result, as the C++ computes). The native
// backend runs small tensors (<= 64 elements) through these instead of crossing into the addon, so a
// tensor's values never depend on its size (test/native-ops.test.ts checks every edge case).
const fr = Math.fround;
const f32 = new Float32Array(1),
  i32 = new Int32Array(f32.buffer);
const asInt = (f: number): number => ((f32[0] = f), i32[0]);
const asFloat = (i: number): number => ((i32[0] = i), f32[0]);

const MAGIC = 12582912,
  LOG2E = fr(Math.LOG2E), // 1.44269504088896341f in the C++: the same float
  C1 = 0.693359375,
  C2 = fr(-2.1219444e-4),
  P0 = fr(1.98756915e-4),
  P1 = fr(1.3981999507e-3),
  P2 = fr(8.3334519073e-3),
  P3 = fr(4.1665795894e-2),
  P4 = fr(1.6666665459e-1),
  P5 = fr(5.0000001201e-1);

/** vmath::expf. */
export function expF(x: number): number {
  let xc = x > 89 ? 89 : x;
  xc = xc < -104 ? -104 : xc;
  const t = fr(fr(xc * LOG2E) + MAGIC);
  const n = fr(t - MAGIC);
  const ni = (asInt(t) - asInt(MAGIC)) | 0;
  let r = fr(xc - fr(n * C1));
  r = fr(r - fr(n * C2));
  const z = fr(r * r);
  let p = P0;
  p = fr(fr(p * r) + P1);
  p = fr(fr(p * r) + P2);
  p = fr(fr(p * r) + P3);
  p = fr(fr(p * r) + P4);
  p = fr(fr(p * r) + P5);
  p = fr(fr(p * z) + r);
  p = fr(p + 1);
  const n1 = ni >> 1,
    n2 = ni - n1;
  return fr(fr(p * asFloat((n1 + 127) << 23)) * asFloat((n2 + 127) << 23));
}

/** vmath::sigmoidf: 1 / (1 + exp(-x)). */
export const sigmoidF = (x: number): number => fr(1 / fr(1 + expF(-x)));

const T0 = fr(-5.70498872745e-3),
  T1 = fr(2.06390887954e-2),
  T2 = fr(5.37397155531e-2),
  T3 = fr(1.33314422036e-1),
  T4 = fr(3.33332819422e-1);

/** vmath::tanhf. */
export function tanhF(x: number): number {
  const ax = x < 0 ? -x : x;
  let mag: number;
  if (ax < 0.625) {
    const z = fr(x * x);
    let p = T0;
    p = fr(fr(p * z) + T1);
    p = fr(fr(p * z) - T2);
    p = fr(fr(p * z) + T3);
    p = fr(fr(p * z) - T4);
    mag = fr(fr(fr(p * z) * ax) + ax);
  } else mag = fr(1 - fr(2 / fr(expF(fr(ax + ax)) + 1)));
  return asFloat(asInt(mag) | (asInt(x) & 0x80000000));
}
