// The pixel kernels behind the transforms, on one layout for both kinds of input: `planes`
// images of h x w pixels of c interleaved values. A tensor [..., C, H, W] is planes = N*C, c = 1;
// an Image (HWC uint8) is one plane with c = channels, used in place. So every transform runs
// the same code on tensors and images, with torchvision's tensor-path semantics.
import { ShapeError } from "../../errors.js";
import { Tensor, fromTypedArray } from "../../tensor.js";
import type { DType, TypedArray } from "../../dtype.js";
import { makeImage, type Image } from "../image.js";

export interface Planar {
  /** Leading shape (everything before H, W): [C] for a tensor image, [N, C] for a batch... */
  lead: number[];
  h: number;
  w: number;
  /** Values per pixel, interleaved: 1 for tensors (planar), C for images (HWC, lead = [1]). */
  c: number;
  data: TypedArray;
  dtype: DType;
}

export const planeCount = (p: Planar): number => p.lead.reduce((a, b) => a * b, 1);

export function fromTensor(t: Tensor, op: string): Planar {
  if (t.dim() < 2)
    throw new ShapeError(`${op}: expected a tensor image of shape [..., H, W], got [${t.shape.join(", ")}]`);
  const nd = t.shape.length;
  return {
    lead: t.shape.slice(0, nd - 2),
    h: t.shape[nd - 2],
    w: t.shape[nd - 1],
    c: 1,
    data: t.typedArray(),
    dtype: t.dtype,
  };
}

export function toTensor(p: Planar): Tensor {
  return fromTypedArray(p.data, [...p.lead, p.h, p.w], p.dtype);
}

/** An image as one plane of interleaved pixels (no copy: kernels never write their input). */
export function fromImage(im: Image): Planar {
  return { lead: [1], h: im.height, w: im.width, c: im.channels, data: im.data, dtype: "uint8" };
}

export function toImage(p: Planar): Image {
  return makeImage(p.w, p.h, p.c, p.data as Uint8Array);
}

/** Applies a kernel to an Image or a tensor, returning the same kind. */
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
  const n = planeCount(p) * h * w * p.c;
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

/**
 * Copies pixels: out(y, x) = in(rows[y], cols[x]); where either index is -1 the value is
 * `fill`, where it is -2 (outside a crop of the padded image) it is 0, as torchvision's crop.
 * The common body of pad, crop, pad-then-crop and the flips; c values per pixel move together.
 */
function remap(p: Planar, rows: Int32Array, cols: Int32Array, fill: number): Planar {
  const h = rows.length;
  const w = cols.length;
  const c = p.c;
  const out = alloc(p, h, w);
  const src = p.data;
  const planes = planeCount(p);
  for (let k = 0; k < planes; k++) {
    const inBase = k * p.h * p.w * c;
    const outBase = k * h * w * c;
    for (let y = 0; y < h; y++) {
      const sy = rows[y];
      const o = outBase + y * w * c;
      if (sy < 0) {
        if (fill !== 0 && sy === -1) {
          for (let x = 0; x < w; x++) if (cols[x] !== -2) out.fill(fill, o + x * c, o + x * c + c);
        }
        continue;
      }
      const r = inBase + sy * p.w * c;
      for (let x = 0; x < w; x++) {
        const sx = cols[x];
        if (sx < 0) {
          if (fill !== 0 && sx === -1) out.fill(fill, o + x * c, o + x * c + c);
        } else {
          for (let j = 0; j < c; j++) out[o + x * c + j] = src[r + sx * c + j];
        }
      }
    }
  }
  return { ...p, h, w, data: out };
}

const indexMap = (n: number, f: (i: number) => number): Int32Array => Int32Array.from({ length: n }, (_, i) => f(i));

/** Pads by [left, top, right, bottom]. */
export function pad(
  p: Planar,
  ltrb: [number, number, number, number],
  fill: number,
  mode: PaddingMode,
  op = "pad",
): Planar {
  const [l, t, r, b] = ltrb;
  if (mode === "reflect" && (l >= p.w || r >= p.w || t >= p.h || b >= p.h)) {
    throw new ShapeError(
      `${op}: reflect padding [${ltrb.join(", ")}] must be smaller than the image size ${p.h}x${p.w}`,
    );
  }
  const rows = indexMap(p.h + t + b, (y) => padIndex(y - t, p.h, mode));
  const cols = indexMap(p.w + l + r, (x) => padIndex(x - l, p.w, mode));
  return remap(p, rows, cols, fill);
}

/**
 * pad(p, ltrb, fill, mode) then crop(top, left, height, width) of the result, in one pass
 * (RandomCrop's common case) without building the padded image.
 */
export function padCrop(
  p: Planar,
  ltrb: [number, number, number, number],
  fill: number,
  mode: PaddingMode,
  top: number,
  left: number,
  height: number,
  width: number,
  op = "pad",
): Planar {
  const [l, t, r, b] = ltrb;
  if (mode === "reflect" && (l >= p.w || r >= p.w || t >= p.h || b >= p.h)) {
    throw new ShapeError(
      `${op}: reflect padding [${ltrb.join(", ")}] must be smaller than the image size ${p.h}x${p.w}`,
    );
  }
  const ph = p.h + t + b;
  const pw = p.w + l + r;
  const rows = indexMap(height, (y) => (top + y >= 0 && top + y < ph ? padIndex(top + y - t, p.h, mode) : -2));
  const cols = indexMap(width, (x) => (left + x >= 0 && left + x < pw ? padIndex(left + x - l, p.w, mode) : -2));
  return remap(p, rows, cols, fill);
}

/** torchvision F.crop: rows top..top+height, columns left..left+width; outside is zero. */
export function crop(p: Planar, top: number, left: number, height: number, width: number): Planar {
  const inside = (i: number, n: number) => (i >= 0 && i < n ? i : -1);
  return remap(
    p,
    indexMap(height, (y) => inside(top + y, p.h)),
    indexMap(width, (x) => inside(left + x, p.w)),
    0,
  );
}

export function hflip(p: Planar): Planar {
  return remap(
    p,
    indexMap(p.h, (y) => y),
    indexMap(p.w, (x) => p.w - 1 - x),
    0,
  );
}

export function vflip(p: Planar): Planar {
  return remap(
    p,
    indexMap(p.h, (y) => p.h - 1 - y),
    indexMap(p.w, (x) => x),
    0,
  );
}

const f32 = Math.fround;
const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);

/** The float32 next to `x` (a float32) in the direction of `toward`. */
function nextFloat32(x: number, toward: number): number {
  if (x === toward) return x;
  if (x === 0) return toward > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32buf[0] = x;
  i32buf[0] += toward > x === x > 0 ? 1 : -1;
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
function linearIndices(
  inSize: number,
  outSize: number,
): { i0: Int32Array; i1: Int32Array; l0: Float32Array; l1: Float32Array } {
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
  const r = Math.round(v); // halves go up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Bilinear resize with torchvision's tensor path (antialias=False): interpolate in float32
 * (float64 for float64 input) with align_corners=False; integer images are rounded back.
 */
export function resizeBilinear(p: Planar, outH: number, outW: number): Planar {
  if (outH === p.h && outW === p.w) return p;
  const planes = planeCount(p);
  const c = p.c;
  const H = linearIndices(p.h, outH);
  const W = linearIndices(p.w, outW);
  const n = planes * outH * outW * c;
  const isFloat = p.dtype === "float32" || p.dtype === "float64";
  let result: Float32Array | Float64Array;
  if (p.dtype === "float64") {
    result = new Float64Array(n);
    bilinear64(p.data as Float64Array, result, planes, p.h, p.w, c, outH, outW, H, W);
  } else {
    const src = p.data instanceof Float32Array ? p.data : new Float32Array(p.data);
    result = new Float32Array(n);
    bilinear32(src, result, planes, p.h, p.w, c, outH, outW, H, W);
  }
  if (isFloat) return { ...p, h: outH, w: outW, data: result };
  const out = alloc(p, outH, outW);
  for (let i = 0; i < n; i++) out[i] = roundHalfEven(result[i]);
  return { ...p, h: outH, w: outW, data: out };
}

type Indices = ReturnType<typeof linearIndices>;

// ATen's t0 * w0 + t1 * w1, which its build contracts to fma(t0, w0, t1 * w1) in float32
// (checked bit for bit against PyTorch 1.13).
function bilinear32(
  src: Float32Array,
  out: Float32Array,
  planes: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  H: Indices,
  W: Indices,
): void {
  for (let k = 0; k < planes; k++) {
    const base = k * h * w * c;
    for (let y = 0; y < oh; y++) {
      const r0 = base + H.i0[y] * w * c;
      const r1 = base + H.i1[y] * w * c;
      const h0 = H.l0[y];
      const h1 = H.l1[y];
      for (let x = 0; x < ow; x++) {
        const a = W.i0[x] * c;
        const b = W.i1[x] * c;
        const w0 = W.l0[x];
        const w1 = W.l1[x];
        const o = ((k * oh + y) * ow + x) * c;
        for (let ch = 0; ch < c; ch++) {
          const t0 = fmaf(src[r0 + a + ch], w0, f32(src[r0 + b + ch] * w1));
          const t1 = fmaf(src[r1 + a + ch], w0, f32(src[r1 + b + ch] * w1));
          out[o + ch] = fmaf(t0, h0, f32(t1 * h1));
        }
      }
    }
  }
}

function bilinear64(
  src: Float64Array,
  out: Float64Array,
  planes: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  H: Indices,
  W: Indices,
): void {
  for (let k = 0; k < planes; k++) {
    const base = k * h * w * c;
    for (let y = 0; y < oh; y++) {
      const r0 = base + H.i0[y] * w * c;
      const r1 = base + H.i1[y] * w * c;
      for (let x = 0; x < ow; x++) {
        const a = W.i0[x] * c;
        const b = W.i1[x] * c;
        const o = ((k * oh + y) * ow + x) * c;
        for (let ch = 0; ch < c; ch++) {
          const t0 = src[r0 + a + ch] * W.l0[x] + src[r0 + b + ch] * W.l1[x];
          const t1 = src[r1 + a + ch] * W.l0[x] + src[r1 + b + ch] * W.l1[x];
          out[o + ch] = t0 * H.l0[y] + t1 * H.l1[y];
        }
      }
    }
  }
}
