// 2-D pooling kernels of the reference backend (the semantic definition for faster backends).
// Layout NCHW; every (n, c) plane is pooled independently; results are fresh contiguous arrays.
//   maxPool2d: window rows oy*sh - ph + i*dh (i < kh), same for columns; padded positions are
//     skipped (never win). NaN wins (PyTorch: `val > max || isnan(val)`); ties keep the first.
//     indices[q] = iy * W + ix, the flat position inside the input plane (PyTorch's convention),
//     stored as float64 integers.
//   maxPool2dBackward: gradIn[plane][indices[q]] += gradOut[q].
//   avgPool2d: PyTorch's avg_pool2d divisor rules (countIncludePad, divisorOverride).
//   adaptiveAvgPool2d: window [floor(o*H/oh), ceil((o+1)*H/oh)) per axis.
import { type TypedArray, arrayFor } from "../../dtype.js";
import type { AvgPool2dParams, Pool2dParams, Strided } from "../backend.js";
import { isContiguous, offsetsOf } from "./iterate.js";

function planes(x: Strided): { data: TypedArray; offs: Int32Array | Float64Array | null; base: number } {
  return isContiguous(x)
    ? { data: x.storage.data, offs: null, base: x.offset }
    : { data: x.storage.data, offs: offsetsOf(x.shape, x.strides, x.offset), base: 0 };
}

export function maxPool2d(x: Strided, p: Pool2dParams): { values: TypedArray; indices: Float64Array } {
  const [N, C, H, W] = x.shape;
  const {
    kernel: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
    dilation: [dh, dw],
    outH,
    outW,
  } = p;
  const { data, offs, base } = planes(x);
  const values = arrayFor(x.dtype, N * C * outH * outW);
  const indices = new Float64Array(values.length);
  let q = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const planeStart = pl * H * W;
    for (let oy = 0; oy < outH; oy++) {
      let y0 = oy * sh - ph;
      const yEnd = Math.min(y0 + (kh - 1) * dh + 1, H);
      while (y0 < 0) y0 += dh;
      for (let ox = 0; ox < outW; ox++, q++) {
        let x0 = ox * sw - pw;
        const xEnd = Math.min(x0 + (kw - 1) * dw + 1, W);
        while (x0 < 0) x0 += dw;
        let best = -Infinity,
          bestIdx = y0 * W + x0;
        for (let iy = y0; iy < yEnd; iy += dh) {
          for (let ix = x0; ix < xEnd; ix += dw) {
            const idx = iy * W + ix;
            const v = offs ? data[offs[planeStart + idx]] : data[base + planeStart + idx];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIdx = idx;
              if (Number.isNaN(v)) break;
            }
          }
          if (Number.isNaN(best)) break;
        }
        values[q] = best;
        indices[q] = bestIdx;
      }
    }
  }
  return { values, indices };
}

export function maxPool2dBackward(gradOut: Strided, indices: Strided, inShape: readonly number[]): TypedArray {
  const [N, C, H, W] = inShape;
  const [, , oh, ow] = gradOut.shape;
  const g = dense(gradOut),
    idx = dense(indices);
  const acc = new Float64Array(N * C * H * W);
  const P = oh * ow;
  for (let pl = 0; pl < N * C; pl++) {
    const inBase = pl * H * W,
      outBase = pl * P;
    for (let q = 0; q < P; q++) acc[inBase + idx[outBase + q]] += g[outBase + q];
  }
  const out = arrayFor(gradOut.dtype, acc.length);
  out.set(acc);
  return out;
}

/** The window of one output position along an axis, with avg_pool2d's divisor bookkeeping. */
function avgWindow(o: number, s: number, pad: number, k: number, size: number): [number, number, number] {
  const start = o * s - pad;
  const endPadded = Math.min(start + k, size + pad);
  return [Math.max(start, 0), Math.min(endPadded, size), endPadded - start];
}

function avgDivisor(p: AvgPool2dParams, y: [number, number, number], x: [number, number, number]): number {
  if (p.divisorOverride !== null) return p.divisorOverride;
  return p.countIncludePad ? y[2] * x[2] : (y[1] - y[0]) * (x[1] - x[0]);
}

export function avgPool2d(x: Strided, p: AvgPool2dParams): TypedArray {
  const [N, C, H, W] = x.shape;
  const {
    kernel: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
    outH,
    outW,
  } = p;
  const xd = dense(x);
  const out = arrayFor(x.dtype, N * C * outH * outW);
  let q = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const inBase = pl * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const wy = avgWindow(oy, sh, ph, kh, H);
      for (let ox = 0; ox < outW; ox++, q++) {
        const wx = avgWindow(ox, sw, pw, kw, W);
        if (wy[0] >= wy[1] || wx[0] >= wx[1]) {
          out[q] = 0;
          continue;
        }
        let s = 0;
        for (let iy = wy[0]; iy < wy[1]; iy++) for (let ix = wx[0]; ix < wx[1]; ix++) s += xd[inBase + iy * W + ix];
        out[q] = s / avgDivisor(p, wy, wx);
      }
    }
  }
  return out;
}

export function avgPool2dBackward(gradOut: Strided, p: AvgPool2dParams, inShape: readonly number[]): TypedArray {
  const [N, C, H, W] = inShape;
  const {
    kernel: [kh, kw],
    stride: [sh, sw],
    padding: [ph, pw],
    outH,
    outW,
  } = p;
  const g = dense(gradOut);
  const acc = new Float64Array(N * C * H * W);
  let q = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const inBase = pl * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const wy = avgWindow(oy, sh, ph, kh, H);
      for (let ox = 0; ox < outW; ox++, q++) {
        const wx = avgWindow(ox, sw, pw, kw, W);
        if (wy[0] >= wy[1] || wx[0] >= wx[1]) continue;
        const v = g[q] / avgDivisor(p, wy, wx);
        for (let iy = wy[0]; iy < wy[1]; iy++) for (let ix = wx[0]; ix < wx[1]; ix++) acc[inBase + iy * W + ix] += v;
      }
    }
  }
  const out = arrayFor(gradOut.dtype, acc.length);
  out.set(acc);
  return out;
}

const adaptiveStart = (o: number, out: number, size: number): number => Math.floor((o * size) / out);
const adaptiveEnd = (o: number, out: number, size: number): number => Math.ceil(((o + 1) * size) / out);

export function adaptiveAvgPool2d(x: Strided, outH: number, outW: number): TypedArray {
  const [N, C, H, W] = x.shape;
  const xd = dense(x);
  const out = arrayFor(x.dtype, N * C * outH * outW);
  let q = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const inBase = pl * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = adaptiveStart(oy, outH, H),
        y1 = adaptiveEnd(oy, outH, H);
      for (let ox = 0; ox < outW; ox++, q++) {
        const x0 = adaptiveStart(ox, outW, W),
          x1 = adaptiveEnd(ox, outW, W);
        let s = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[inBase + iy * W + ix];
        out[q] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return out;
}

export function adaptiveAvgPool2dBackward(gradOut: Strided, inShape: readonly number[]): TypedArray {
  const [N, C, H, W] = inShape;
  const [, , outH, outW] = gradOut.shape;
  const g = dense(gradOut);
  const acc = new Float64Array(N * C * H * W);
  let q = 0;
  for (let pl = 0; pl < N * C; pl++) {
    const inBase = pl * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = adaptiveStart(oy, outH, H),
        y1 = adaptiveEnd(oy, outH, H);
      for (let ox = 0; ox < outW; ox++, q++) {
        const x0 = adaptiveStart(ox, outW, W),
          x1 = adaptiveEnd(ox, outW, W);
        const v = g[q] / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) acc[inBase + iy * W + ix] += v;
      }
    }
  }
  const out = arrayFor(gradOut.dtype, acc.length);
  out.set(acc);
  return out;
}

/** A contiguous Float64Array copy of a strided view (kernels then index it directly). */
export function dense(x: Strided): Float64Array {
  const n = x.shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const src = x.storage.data;
  if (isContiguous(x)) {
    for (let i = 0; i < n; i++) out[i] = src[x.offset + i];
    return out;
  }
  const offs = offsetsOf(x.shape, x.strides, x.offset);
  for (let i = 0; i < n; i++) out[i] = src[offs[i]];
  return out;
}
