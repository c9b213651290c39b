// Running a per-matrix kernel over a batch [..., m, n] and wrapping its results as tensors.
import type { DType } from "../../dtype.js";
import type { Tensor } from "../../tensor.js";
import { ShapeError, DTypeError, fmtShape } from "../../errors.js";
import { toDType } from "../cast.js";
import { valuesOf } from "../pointwise-map.js";
import { wrap } from "../util.js";
import type { Mat } from "./kernels.js";

export interface Batch {
  mats: Mat[];
  batch: number[];
  m: number;
  n: number;
}

export function matricesOf(A: Tensor, op: string, square = false): Batch {
  if (A.dim() < 2)
    throw new ShapeError(`${op}: The input tensor A must have at least 2 dimensions, got ${fmtShape(A.shape)}`);
  if (A.dtype !== "float32" && A.dtype !== "float64")
    throw new DTypeError(`${op}: Expected a floating point tensor as input. Got ${A.dtype}`);
  const m = A.shape[A.dim() - 2],
    n = A.shape[A.dim() - 1];
  if (square && m !== n)
    throw new ShapeError(`${op}: A must be batches of square matrices, but they are ${m} by ${n} matrices`);
  const v = valuesOf(A);
  const batch = A.shape.slice(0, -2);
  const count = m * n === 0 ? batch.reduce((p, s) => p * s, 1) : v.length / (m * n);
  const mats: Mat[] = [];
  for (let b = 0; b < count; b++) mats.push({ a: v.subarray(b * m * n, (b + 1) * m * n), m, n });
  return { mats, batch, m, n };
}

/** One tensor of shape [...batch, ...inner] from per-matrix arrays, in dtype. */
export function fromBatch(
  parts: ArrayLike<number>[],
  batch: readonly number[],
  inner: readonly number[],
  dtype: DType,
): Tensor {
  const size = inner.reduce((p, s) => p * s, 1);
  const out = new Float64Array(parts.length * size);
  parts.forEach((p, i) => out.set(Array.from(p).slice(0, size), i * size));
  const t = wrap(out, [...batch, ...inner], "float64");
  return dtype === "float64" ? t : toDType(t, dtype);
}
