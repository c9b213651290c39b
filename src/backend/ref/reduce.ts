// Reductions of the reference backend: iterate kept positions outside, reduced ones inside.
import { type DType, type TypedArray, uninitArray } from "../../dtype.js";
import type { ReduceOp, Strided } from "../backend.js";
import { offsetsOf } from "./iterate.js";

/** Splits x's dims into kept and reduced parts, returning offsets for each part. */
function split(x: Strided, dims: readonly number[]) {
  const red = new Set(dims);
  const keptShape: number[] = [],
    keptStrides: number[] = [],
    redShape: number[] = [],
    redStrides: number[] = [];
  x.shape.forEach((s, i) => {
    if (red.has(i)) {
      redShape.push(s);
      redStrides.push(x.strides[i]);
    } else {
      keptShape.push(s);
      keptStrides.push(x.strides[i]);
    }
  });
  return {
    outer: offsetsOf(keptShape, keptStrides, x.offset),
    inner: offsetsOf(redShape, redStrides, 0),
  };
}

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, amax: -Infinity, amin: Infinity, all: 1, any: 0 };

export function reduce(op: ReduceOp, x: Strided, dims: readonly number[], outDtype: DType): TypedArray {
  const { outer, inner } = split(x, dims);
  const out = uninitArray(outDtype, outer.length);
  const d = x.storage.data;
  const m = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let acc = INIT[op];
    switch (op) {
      case "sum":
        for (let i = 0; i < m; i++) acc += d[base + inner[i]];
        break;
      case "prod":
        for (let i = 0; i < m; i++) acc *= d[base + inner[i]];
        break;
      case "amax":
        for (let i = 0; i < m; i++) {
          const v = d[base + inner[i]];
          if (v > acc || Number.isNaN(v)) {
            acc = v;
            if (Number.isNaN(v)) break;
          }
        }
        break;
      case "amin":
        for (let i = 0; i < m; i++) {
          const v = d[base + inner[i]];
          if (v < acc || Number.isNaN(v)) {
            acc = v;
            if (Number.isNaN(v)) break;
          }
        }
        break;
      case "all":
        for (let i = 0; i < m; i++)
          if (d[base + inner[i]] === 0) {
            acc = 0;
            break;
          }
        break;
      case "any":
        for (let i = 0; i < m; i++)
          if (d[base + inner[i]] !== 0) {
            acc = 1;
            break;
          }
        break;
    }
    out[o] = acc;
  }
  return out;
}

export function argReduce(op: "max" | "min", x: Strided, dim: number): { values: TypedArray; indices: Float64Array } {
  const { outer, inner } = split(x, [dim]);
  const values = uninitArray(x.dtype, outer.length);
  const indices = new Float64Array(outer.length);
  const d = x.storage.data;
  const m = inner.length;
  const better = op === "max" ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let best = d[base + inner[0]],
      bi = 0;
    if (!Number.isNaN(best)) {
      for (let i = 1; i < m; i++) {
        const v = d[base + inner[i]];
        if (Number.isNaN(v)) {
          best = v;
          bi = i;
          break;
        }
        if (better(v, best)) {
          best = v;
          bi = i;
        }
      }
    }
    values[o] = best;
    indices[o] = bi;
  }
  return { values, indices };
}
