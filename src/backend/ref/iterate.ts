// Strided iteration helpers for the reference backend.
import type { Strided } from "../backend.js";
import { isContiguousLayout, numelOf } from "../../shape.js";

export const isContiguous = (x: Strided): boolean => isContiguousLayout(x.shape, x.strides);

/** Storage offsets of every element of x in row-major order (one pass, then simple loops). */
export function offsetsOf(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Int32Array | Float64Array {
  const n = numelOf(shape);
  const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const nd = shape.length;
  if (n === 0) return out;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1,
    lastN = shape[last],
    lastS = strides[last];
  let o = offset,
    k = 0;
  for (;;) {
    for (let i = 0; i < lastN; i++) out[k++] = o + i * lastS;
    let d = last - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      o += strides[d];
      if (idx[d] < shape[d]) break;
      o -= idx[d] * strides[d];
      idx[d] = 0;
    }
    if (d < 0) return out;
  }
}

/** Offsets of x's elements when broadcast to `target` (x's shape must broadcast to it). */
export function broadcastOffsets(x: Strided, target: readonly number[]): Int32Array | Float64Array {
  const off = target.length - x.shape.length;
  const strides = target.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : x.strides[i - off]));
  return offsetsOf(target, strides, x.offset);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
