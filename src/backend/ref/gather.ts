// gather / scatter along one dim for the reference backend.
import { IndexError } from "../../errors.js";
import { type TypedArray, uninitArray } from "../../dtype.js";
import { contiguousStrides, numelOf } from "../../shape.js";
import type { Strided } from "../backend.js";
import { offsetsOf } from "./iterate.js";

/** Calls fn(outIndexFlat, indexValue, coordOffsetWithoutDim) for each element of index. */
function walk(
  index: Strided,
  dim: number,
  stridesOther: readonly number[],
  fn: (i: number, idx: number, base: number) => void,
): void {
  const n = numelOf(index.shape);
  const ioffs = offsetsOf(index.shape, index.strides, index.offset);
  const id = index.storage.data;
  const coord = new Array<number>(index.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let base = 0;
    for (let d = 0; d < coord.length; d++) if (d !== dim) base += coord[d] * stridesOther[d];
    fn(i, id[ioffs[i]], base);
    for (let d = coord.length - 1; d >= 0; d--) {
      if (++coord[d] < index.shape[d]) break;
      coord[d] = 0;
    }
  }
}

export function gather(x: Strided, dim: number, index: Strided): TypedArray {
  const out = uninitArray(x.dtype, numelOf(index.shape));
  const xd = x.storage.data,
    size = x.shape[dim];
  walk(index, dim, x.strides, (i, idx, base) => {
    if (idx < 0 || idx >= size || !Number.isInteger(idx)) {
      throw new IndexError(`gather: index ${idx} is out of bounds for dimension ${dim} with size ${size}`);
    }
    out[i] = xd[x.offset + base + idx * x.strides[dim]];
  });
  return out;
}

export function scatter(
  dst: TypedArray,
  dstShape: readonly number[],
  dim: number,
  index: Strided,
  src: Strided,
  accumulate: boolean,
): void {
  const strides = contiguousStrides(dstShape);
  const soffs = offsetsOf(src.shape, src.strides, src.offset);
  // src may be larger than index: address it with index's coordinates.
  const srcCoordStrides = src.strides;
  const sd = src.storage.data,
    size = dstShape[dim];
  const coordOffset = index.shape.length === src.shape.length && index.shape.every((s, i) => s === src.shape[i]);
  walk(index, dim, strides, (i, idx, base) => {
    if (idx < 0 || idx >= size || !Number.isInteger(idx)) {
      throw new IndexError(`scatter: index ${idx} is out of bounds for dimension ${dim} with size ${size}`);
    }
    let sv: number;
    if (coordOffset) sv = sd[soffs[i]];
    else {
      // recompute src position from index coordinates
      let rem = i,
        so = src.offset;
      for (let d = index.shape.length - 1; d >= 0; d--) {
        const c = rem % index.shape[d];
        rem = (rem - c) / index.shape[d];
        so += c * srcCoordStrides[d];
      }
      sv = sd[so];
    }
    const o = base + idx * strides[dim];
    dst[o] = accumulate ? dst[o] + sv : sv;
  });
}
