// Batched matrix product of the reference backend: each batch's operands are gathered once into
// contiguous float64 blocks (any strides, any dtype), multiplied by the unrolled GEMM loops the
// conv kernels share, and rounded once into the output dtype.
import { type DType, type TypedArray, uninitArray } from "../../dtype.js";
import type { Strided } from "../backend.js";
import { offsetsOf } from "./iterate.js";
import { gemmNN } from "./conv-gemm.js";

/** Copies the [rows, cols] matrix at `base` with strides (s0, s1) into dst (row-major). */
function gather(
  src: TypedArray,
  base: number,
  rows: number,
  cols: number,
  s0: number,
  s1: number,
  dst: Float64Array,
): void {
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const r = base + i * s0;
    for (let j = 0; j < cols; j++) dst[k++] = src[r + j * s1];
  }
}

export function matmul(a: Strided, b: Strided, outDtype: DType): TypedArray {
  const nd = a.shape.length;
  const M = a.shape[nd - 2],
    K = a.shape[nd - 1],
    N = b.shape[nd - 1];
  const batchShape = a.shape.slice(0, nd - 2);
  const aBatch = offsetsOf(batchShape, a.strides.slice(0, nd - 2), a.offset);
  const bBatch = offsetsOf(batchShape, b.strides.slice(0, nd - 2), b.offset);
  const out = uninitArray(outDtype, aBatch.length * M * N);
  const A = new Float64Array(M * K),
    B = new Float64Array(K * N),
    C = new Float64Array(M * N);
  for (let bi = 0; bi < aBatch.length; bi++) {
    gather(a.storage.data, aBatch[bi], M, K, a.strides[nd - 2], a.strides[nd - 1], A);
    gather(b.storage.data, bBatch[bi], K, N, b.strides[nd - 2], b.strides[nd - 1], B);
    C.fill(0);
    gemmNN(M, N, K, A, 0, K, B, 0, N, C, 0, N);
    out.set(C, bi * M * N);
  }
  return out;
}
