// Shape bookkeeping shared by the WebGPU kernels: broadcast strides and dim merging, so a kernel
// walks as few dims as possible (a contiguous tensor of any rank is walked as one dim).
import type { GpuView } from "./buffers.js";

/** x's strides when broadcast to `target` (0 along broadcast dims; x's shape must broadcast). */
export function broadcastStrides(x: GpuView, target: readonly number[]): number[] {
  const off = target.length - x.shape.length;
  return target.map((_, i) => (i < off || x.shape[i - off] === 1 ? 0 : x.strides[i - off]));
}

/**
 * Drops size-1 dims and merges neighbours that every stride set walks as one (stride[d] =
 * stride[d+1] * shape[d+1]); returns the merged shape and one stride array per input set.
 */
export function mergeDims(
  shape: readonly number[],
  strideSets: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strideSets.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strideSets.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strideSets.forEach((s, k) => (outStrides[k][last] = s[d]));
      continue;
    }
    outShape.push(shape[d]);
    strideSets.forEach((s, k) => outStrides[k].push(s[d]));
  }
  return { shape: outShape, strides: outStrides };
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

export function isContiguousView(x: GpuView): boolean {
  let acc = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] !== 1 && x.strides[d] !== acc) return false;
    acc *= x.shape[d];
  }
  return true;
}
