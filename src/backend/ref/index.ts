// The reference backend: plain TypeScript, written for clarity; the semantic definition of
// every kernel and the fallback everywhere. Contiguous fast paths keep it usable.
import { type DType, type TypedArray, arrayFor, castValue, uninitArray } from "../../dtype.js";
import { numelOf } from "../../shape.js";
import { embeddingBackward, embeddingForward } from "./embedding.js";
import { type Backend, type BinaryOp, DECLINE_FUSED, type Strided, type UnaryOp } from "../backend.js";
import { binaryFn, unaryFn } from "../elementwise-registry.js";
import { broadcastOffsets, isContiguous, offsetsOf, sameShape } from "./iterate.js";
import { argReduce, reduce } from "./reduce.js";
import { matmul } from "./matmul.js";
import { gather, scatter } from "./gather.js";
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from "./conv.js";
import {
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
} from "./pool.js";

const needsTrunc = (d: DType): boolean => d === "int64";

function copy(x: Strided, dtype: DType): TypedArray {
  const n = numelOf(x.shape);
  const out = uninitArray(dtype, n);
  const src = x.storage.data;
  if (isContiguous(x)) {
    if (dtype === x.dtype || (out.constructor === src.constructor && !needsTrunc(dtype) && dtype !== "bool")) {
      // A whole array is set directly: subarray() of a small (in-heap) typed array would make V8
      // move it out of the heap first (a malloc and a copy; most small gradients are cloned).
      out.set(x.offset === 0 && n === src.length ? src : src.subarray(x.offset, x.offset + n));
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = castValue(src[x.offset + i], dtype, x.dtype);
    return out;
  }
  const nd = x.shape.length,
    run = x.shape[nd - 1];
  if (dtype === x.dtype && x.strides[nd - 1] === 1 && run >= 16) {
    // Rows that are contiguous in memory (a slice along a later dim): one block copy per row.
    const idx = new Array<number>(nd - 1).fill(0);
    for (let k = 0, o = x.offset; k < n; k += run) {
      out.set(src.subarray(o, o + run), k);
      for (let d = nd - 2; d >= 0; d--) {
        o += x.strides[d];
        if (++idx[d] < x.shape[d]) break;
        o -= idx[d] * x.strides[d];
        idx[d] = 0;
      }
    }
    return out;
  }
  const offs = offsetsOf(x.shape, x.strides, x.offset);
  if (dtype === x.dtype) for (let i = 0; i < n; i++) out[i] = src[offs[i]];
  else for (let i = 0; i < n; i++) out[i] = castValue(src[offs[i]], dtype, x.dtype);
  return out;
}

function assign(dst: Strided, src: Strided): void {
  const d = dst.storage.data,
    s = src.storage.data;
  const n = numelOf(dst.shape);
  const cast = dst.dtype !== src.dtype;
  if (isContiguous(dst) && isContiguous(src) && sameShape(dst.shape, src.shape) && !cast) {
    d.set(s.subarray(src.offset, src.offset + n), dst.offset);
    return;
  }
  const dOffs = offsetsOf(dst.shape, dst.strides, dst.offset);
  const sOffs = broadcastOffsets(src, dst.shape);
  for (let i = 0; i < n; i++) d[dOffs[i]] = cast ? castValue(s[sOffs[i]], dst.dtype, src.dtype) : s[sOffs[i]];
}

function fill(dst: Strided, value: number): void {
  const v = castValue(value, dst.dtype);
  const n = numelOf(dst.shape);
  if (isContiguous(dst)) {
    dst.storage.data.fill(v, dst.offset, dst.offset + n);
    return;
  }
  const offs = offsetsOf(dst.shape, dst.strides, dst.offset);
  for (let i = 0; i < n; i++) dst.storage.data[offs[i]] = v;
}

function unary(op: UnaryOp, x: Strided, outDtype: DType): TypedArray {
  const f = unaryFn(op);
  const n = numelOf(x.shape);
  const out = uninitArray(outDtype, n);
  const src = x.storage.data;
  const trunc = needsTrunc(outDtype);
  if (isContiguous(x)) {
    const o = x.offset;
    for (let i = 0; i < n; i++) out[i] = f(src[o + i]);
  } else {
    const offs = offsetsOf(x.shape, x.strides, x.offset);
    for (let i = 0; i < n; i++) out[i] = f(src[offs[i]]);
  }
  if (trunc) for (let i = 0; i < n; i++) out[i] = Math.trunc(out[i]);
  return out;
}

function binary(op: BinaryOp, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): TypedArray {
  const f = binaryFn(op);
  const n = numelOf(outShape);
  const out = uninitArray(outDtype, n);
  const ad = a.storage.data,
    bd = b.storage.data;
  const aFull = sameShape(a.shape, outShape) && isContiguous(a);
  const bFull = sameShape(b.shape, outShape) && isContiguous(b);
  if (aFull && bFull) {
    const ao = a.offset,
      bo = b.offset;
    for (let i = 0; i < n; i++) out[i] = f(ad[ao + i], bd[bo + i]);
  } else if (aFull && numelOf(b.shape) === 1) {
    const ao = a.offset,
      bv = bd[b.offset];
    for (let i = 0; i < n; i++) out[i] = f(ad[ao + i], bv);
  } else if (bFull && numelOf(a.shape) === 1) {
    const bo = b.offset,
      av = ad[a.offset];
    for (let i = 0; i < n; i++) out[i] = f(av, bd[bo + i]);
  } else {
    const ao = broadcastOffsets(a, outShape),
      bo = broadcastOffsets(b, outShape);
    for (let i = 0; i < n; i++) out[i] = f(ad[ao[i]], bd[bo[i]]);
  }
  if (needsTrunc(outDtype)) for (let i = 0; i < n; i++) out[i] = Math.trunc(out[i]);
  // bool results of arithmetic (True + True) are True, not 2.
  else if (outDtype === "bool") for (let i = 0; i < n; i++) out[i] = out[i] !== 0 ? 1 : 0;
  return out;
}

function where(cond: Strided, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): TypedArray {
  const n = numelOf(outShape);
  const out = uninitArray(outDtype, n);
  const co = broadcastOffsets(cond, outShape),
    ao = broadcastOffsets(a, outShape),
    bo = broadcastOffsets(b, outShape);
  const cd = cond.storage.data,
    ad = a.storage.data,
    bd = b.storage.data;
  for (let i = 0; i < n; i++) out[i] = cd[co[i]] !== 0 ? ad[ao[i]] : bd[bo[i]];
  return out;
}

/** Every required kernel in plain TypeScript; declines every fused kernel (the op layer composes them). */
export const refBackend: Backend = {
  ...DECLINE_FUSED,
  embedding: embeddingForward,
  embeddingBackward,
  name: "ref",
  // CPU memory is typed arrays that the garbage collector frees; reads are synchronous copies.
  device: "cpu",
  empty: (n, dtype) => arrayFor(dtype, n),
  fromHost(data, dtype) {
    const out = arrayFor(dtype, data.length);
    if (out.constructor === data.constructor) out.set(data);
    else for (let i = 0; i < data.length; i++) out[i] = castValue(data[i], dtype);
    return out;
  },
  read: (x) => copy(x, x.dtype),
  free: () => {},
  copy,
  assign,
  fill,
  unary,
  binary,
  where,
  reduce,
  argReduce,
  matmul,
  gather,
  scatter,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
};
