// The pixel kernels behind the transforms, on a planar layout: `planes` images of h x w values
// (the tensor path's [..., C, H, W]). Images (HWC uint8) are converted to and from it, so every
// transform runs the same code on tensors and images, with torchvision's tensor-path semantics.
import { Tensor, fromTypedArray } from "../../tensor.js";
import type { DType, TypedArray } from "../../dtype.js";
import { makeImage, type Image } from "../image.js";

export interface Planar {
  /** Leading shape (everything before H, W): [C] for an image, [N, C] for a batch... */
  lead: number[];
  h: number;
  w: number;
  data: TypedArray;
  dtype: DType;
}

export const planeCount = (p: Planar): number => p.lead.reduce((a, b) => a * b, 1);

export function fromTensor(t: Tensor, op: string): Planar {
  if (t.dim() < 2) throw new Error(`${op}: expected a tensor image of shape [..., H, W], got [${t.shape.join(", ")}]`);
  const nd = t.shape.length;
  return { lead: t.shape.slice(0, nd - 2), h: t.shape[nd - 2], w: t.shape[nd - 1], data: t.typedArray(), dtype: t.dtype };
}

export function toTensor(p: Planar): Tensor {
  return fromTypedArray(p.data, [...p.lead, p.h, p.w], p.dtype);
}

export function fromImage(im: Image): Planar {
  const { width: w, height: h, channels: c } = im;
  const data = new Uint8Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) data[ch * h * w + i] = im.data[i * c + ch];
  }
  return { lead: [c], h, w, data, dtype: "uint8" };
}

export function toImage(p: Planar): Image {
  const c = p.lead[0];
  const { h, w } = p;
  const data = new Uint8Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) data[i * c + ch] = p.data[ch * h * w + i];
  }
  return makeImage(w, h, c, data);
}

/** Applies a planar kernel to an Image or a tensor, returning the same kind. */
export function mapPixels<X extends Image | Tensor>(x: X, op: string, fn: (p: Planar) => Planar): X {
  if (x instanceof Tensor) return toTensor(fn(fromTensor(x, op))) as X;
  return toImage(fn(fromImage(x as Image))) as X;
}

/** [height, width] of an Image or a tensor image. */
export function dimsOf(x: Image | Tensor): [number, number] {
  if (x instanceof Tensor) return [x.shape[x.shape.length - 2], x.shape[x.shape.length - 1]];
  return [x.height, x.width];
}

function alloc(p: Planar, h: number, w: number): TypedArray {
  const n = planeCount(p) * h * w;
  return new (p.data.constructor as new (n: number) => TypedArray)(n);
}

export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

/** Source index for an out-of-range coordinate under a padding mode (-1: use the fill value). */
function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "constant":
      return -1;
    case "edge":
      return i < 0 ? 0 : n - 1;
    case "reflect": {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - k;
      return k;
    }
    case "symmetric": {
      const period = 2 * n;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - 1 - k;
      return k;
    }
  }
}

/** Pads by [left, top, right, bottom]. */
export function pad(p: Planar, ltrb: [number, number, number, number], fill: number, mode: PaddingMode, op = "pad"): Planar {
  const [l, t, r, b] = ltrb;
  if (mode === "reflect" && (l >= p.w || r >= p.w || t >= p.h || b >= p.h)) {
    throw new Error(`${op}: reflect padding [${ltrb.join(", ")}] must be smaller than the image size ${p.h}x${p.w}`);
  }
  const h = p.h + t + b;
  const w = p.w + l + r;
  const out = alloc(p, h, w);
  const planes = planeCount(p);
  const rows = Array.from({ length: h }, (_, y) => padIndex(y - t, p.h, mode));
  const cols = Array.from({ length: w }, (_, x) => padIndex(x - l, p.w, mode));
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y++) {
      const sy = rows[y];
      for (let x = 0; x < w; x++) {
        const sx = cols[x];
        out[(c * h + y) * w + x] = sy < 0 || sx < 0 ? fill : p.data[(c * p.h + sy) * p.w + sx];
      }
    }
  }
  return { ...p, h, w, data: out };
}

/** torchvision F.crop: rows top..top+height, columns left..left+width; outside is zero. */
export function crop(p: Planar, top: number, left: number, height: number, width: number): Planar {
  const out = alloc(p, height, width);
  const planes = planeCount(p);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < height; y++) {
      const sy = top + y;
      if (sy < 0 || sy >= p.h) continue;
      for (let x = 0; x < width; x++) {
        const sx = left + x;
        if (sx >= 0 && sx < p.w) out[(c * height + y) * width + x] = p.data[(c * p.h + sy) * p.w + sx];
      }
    }
  }
  return { ...p, h: height, w: width, data: out };
}

export function hflip(p: Planar): Planar {
  const out = alloc(p, p.h, p.w);
  const rows = planeCount(p) * p.h;
  for (let r = 0; r < rows; r++) {
    const o = r * p.w;
    for (let x = 0; x < p.w; x++) out[o + x] = p.data[o + p.w - 1 - x];
  }
  return { ...p, data: out };
}

export function vflip(p: Planar): Planar {
  const out = alloc(p, p.h, p.w);
  const planes = planeCount(p);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < p.h; y++) {
      const src = (c * p.h + (p.h - 1 - y)) * p.w;
      out.set(p.data.subarray(src, src + p.w), (c * p.h + y) * p.w);
    }
  }
  return { ...p, data: out };
}

const f32 = Math.fround;
const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);

/** The float32 next to `x` (a float32) in the direction of `toward`. */
function nextFloat32(x: number, toward: number): number {
  if (x === toward) return x;
  if (x === 0) return toward > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32buf[0] = x;
  i32buf[0] += (toward > x) === (x > 0) ? 1 : -1;
  return f32buf[0];
}

/**
 * fmaf(a, b, c) for float32 a, b, c: a*b+c rounded once to float32. a*b is exact in a double;
 * the sum's rounding error (TwoSum) settles the one case where rounding the double sum to
 * float32 would round twice: a sum landing exactly on a float32 midpoint.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (e === 0 || r === s) return r;
  const other = nextFloat32(r, s);
  if (Math.abs(s - r) !== Math.abs(other - s)) return r;
  // s is a midpoint: the exact sum s + e lies on e's side of it.
  return e > 0 ? Math.max(r, other) : Math.min(r, other);
}

/**
 * Source indices and weights of upsample_bilinear2d (align_corners=False) as ATen's CPU kernel
 * computes them: the scale in float32, the source coordinate in double, the weights in float32.
 */
function linearIndices(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; l0: Float32Array; l1: Float32Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float32Array(outSize);
  const l1 = new Float32Array(outSize);
  const scale = f32(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (inSize === outSize) {
      i0[o] = i1[o] = o;
      l0[o] = 1;
      l1[o] = 0;
      continue;
    }
    let src = scale * (o + 0.5) - 0.5;
    if (src < 0) src = 0;
    const k = Math.trunc(src);
    i0[o] = k;
    i1[o] = k + (k < inSize - 1 ? 1 : 0);
    l1[o] = Math.min(Math.max(src - k, 0), 1);
    l0[o] = f32(1 - l1[o]);
  }
  return { i0, i1, l0, l1 };
}

/** Round half to even, as torch.round. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Bilinear resize with torchvision's tensor path (antialias=False): interpolate in float32
 * (float64 for float64 input) with align_corners=False; integer images are rounded back.
 */
export function resizeBilinear(p: Planar, outH: number, outW: number): Planar {
  if (outH === p.h && outW === p.w) return p;
  const planes = planeCount(p);
  const double = p.dtype === "float64";
  // ATen's t0 * w0 + t1 * w1, which its build contracts to fma(t0, w0, t1 * w1) in float32
  // (checked bit for bit against PyTorch 1.13); float64 input uses plain double arithmetic.
  const lerp = double ? (t0: number, w0: number, t1: number, w1: number) => t0 * w0 + t1 * w1 : (t0: number, w0: number, t1: number, w1: number) => fmaf(t0, w0, f32(t1 * w1));
  const H = linearIndices(p.h, outH);
  const W = linearIndices(p.w, outW);
  const floatOut = double ? new Float64Array(planes * outH * outW) : new Float32Array(planes * outH * outW);
  for (let c = 0; c < planes; c++) {
    const base = c * p.h * p.w;
    for (let y = 0; y < outH; y++) {
      const r0 = base + H.i0[y] * p.w;
      const r1 = base + H.i1[y] * p.w;
      const h0 = H.l0[y];
      const h1 = H.l1[y];
      for (let x = 0; x < outW; x++) {
        const a = W.i0[x];
        const b = W.i1[x];
        const t0 = lerp(p.data[r0 + a], W.l0[x], p.data[r0 + b], W.l1[x]);
        const t1 = lerp(p.data[r1 + a], W.l0[x], p.data[r1 + b], W.l1[x]);
        floatOut[(c * outH + y) * outW + x] = lerp(t0, h0, t1, h1);
      }
    }
  }
  if (p.dtype === "float32" || p.dtype === "float64") return { ...p, h: outH, w: outW, data: floatOut };
  const out = alloc(p, outH, outW);
  for (let i = 0; i < out.length; i++) out[i] = roundHalfEven(floatOut[i]);
  return { ...p, h: outH, w: outW, data: out };
}
