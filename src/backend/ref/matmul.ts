// Batched matrix product of the reference backend: i-k-j loops over contiguous copies, with a
// float64 accumulator row so float32 results are rounded once.
import { type DType, type TypedArray, uninitArray } from "../../dtype.js";
import type { Strided } from "../backend.js";
import { offsetsOf } from "./iterate.js";

export function matmul(a: Strided, b: Strided, outDtype: DType): TypedArray {
  const nd = a.shape.length;
  const M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  const batchShape = a.shape.slice(0, nd - 2);
  const aBatch = offsetsOf(batchShape, a.strides.slice(0, nd - 2), a.offset);
  const bBatch = offsetsOf(batchShape, b.strides.slice(0, nd - 2), b.offset);
  const out = uninitArray(outDtype, aBatch.length * M * N);
  const as0 = a.strides[nd - 2], as1 = a.strides[nd - 1], bs0 = b.strides[nd - 2], bs1 = b.strides[nd - 1];
  const ad = a.storage.data, bd = b.storage.data;
  // B is gathered once per batch into a contiguous K x N block so the inner loop streams.
  const bBlock = new Float64Array(K * N);
  const acc = new Float64Array(N);
  for (let bi = 0; bi < aBatch.length; bi++) {
    const bo = bBatch[bi];
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bBlock[k * N + j] = bd[bo + k * bs0 + j * bs1];
    const ao = aBatch[bi];
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      for (let k = 0; k < K; k++) {
        const av = ad[ao + i * as0 + k * as1];
        const row = k * N;
        for (let j = 0; j < N; j++) acc[j] += av * bBlock[row + j];
      }
      out.set(acc, (bi * M + i) * N);
    }
  }
  return out;
}
