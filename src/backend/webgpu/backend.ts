// The webgpu device's backend (the device contract in src/backend/backend.ts): every kernel runs
// as WGSL on the device's own buffers and returns a new WebGpuStorage; reads are asynchronous.
// Registered by torch.webgpu.init() once a device is open.
import type { DType, TypedArray } from "../../dtype.js";
import { DeviceError } from "../../errors.js";
import type { Storage } from "../../storage.js";
import type { Backend, Strided } from "../backend.js";
import { type GpuView, allocStorage, kindOf, readback, upload } from "./buffers.js";
import * as ew from "./elementwise.js";
import * as red from "./reduce.js";
import * as la from "./linalg.js";
import * as pool from "./pool.js";
import * as idx from "./indexing.js";
import { logSoftmax } from "./softmax.js";
import { adamStep, sgdStep } from "./optim.js";
import { isContiguousView, numel } from "./layout.js";
import { WebGpuStorage } from "./storage.js";

/** x as a GPU view; the dispatcher only hands this backend webgpu storages. */
function v(x: Strided): GpuView {
  const storage = x.storage;
  if (!(storage instanceof WebGpuStorage))
    throw new DeviceError(`webgpu: expected a webgpu tensor, got one on ${storage.device}`);
  return { storage, shape: x.shape, strides: x.strides, offset: x.offset, dtype: x.dtype };
}
const vn = (x: Strided | null): GpuView | null => (x === null ? null : v(x));
const out = (s: unknown): WebGpuStorage => s as WebGpuStorage;

async function read(x: Strided): Promise<TypedArray> {
  const g = v(x);
  if (isContiguousView(g)) return readback(g.storage, g.dtype, g.offset, numel(g.shape));
  return readback(ew.copy(g, g.dtype), g.dtype);
}

export const webgpuBackend: Backend<WebGpuStorage> = {
  name: "webgpu",
  device: "webgpu",
  empty: (n: number, dtype: DType) => out(allocStorage(n, kindOf(dtype, "empty"))),
  fromHost: (data: TypedArray, dtype: DType) => out(upload(data, dtype)),
  read,
  free: (_s: Storage) => {
    // Buffers return to the cache through freeAfterGC (./buffers.ts); nothing else holds them.
  },
  copy: (x, dt) => out(ew.copy(v(x), dt)),
  assign: (dst, src) => ew.assign(v(dst), v(src)),
  fill: (dst, value) => ew.fill(v(dst), value),
  unary: (op, x, dt) => out(ew.unary(op, v(x), dt)),
  binary: (op, a, b, shape, dt) => out(ew.binary(op, v(a), v(b), shape, dt)),
  where: (c, a, b, shape, dt) => out(ew.where(v(c), v(a), v(b), shape, dt)),
  reduce: (op, x, dims, dt) => out(red.reduce(op, v(x), dims, dt)),
  argReduce(op, x, dim) {
    const r = red.argReduce(op, v(x), dim);
    return { values: out(r.values), indices: out(r.indices) };
  },
  matmul: (a, b, dt) => out(la.matmul(v(a), v(b), dt)),
  gather: (x, dim, index) => out(idx.gather(v(x), dim, v(index))),
  scatter: (dst, dstShape, dim, index, src, acc) => idx.scatter(dst, dstShape, src.dtype, dim, v(index), v(src), acc),
  conv2d: (x, w, b, p, shape) => out(la.conv2d(v(x), v(w), vn(b), p, shape)),
  conv2dBackwardInput: (g, w, p, inShape) => out(la.conv2dBackwardInput(v(g), v(w), p, inShape)),
  conv2dBackwardWeight: (x, g, p, wShape) => out(la.conv2dBackwardWeight(v(x), v(g), p, wShape)),
  maxPool2d(x, p) {
    const r = pool.maxPool2d(v(x), p);
    return { values: out(r.values), indices: out(r.indices) };
  },
  maxPool2dBackward: (g, indices, inShape) => out(idx.maxPool2dBackwardScatter(v(g), v(indices), inShape)),
  avgPool2d: (x, p) => out(pool.avgPool2d(v(x), p)),
  avgPool2dBackward: (g, p, inShape) => out(pool.avgPool2dBackward(v(g), p, inShape)),
  adaptiveAvgPool2d: (x, h, w) => out(pool.adaptiveAvgPool2d(v(x), h, w)),
  adaptiveAvgPool2dBackward: (g, inShape) => out(pool.adaptiveAvgPool2dBackward(v(g), inShape)),
  logSoftmax: (x, dim) => {
    const r = logSoftmax(v(x), dim);
    return r === null ? null : out(r);
  },
  lstmCell: () => null,
  lstmCellBackward: () => {
    throw new Error("lstmCellBackward: the webgpu backend declines lstmCell");
  },
  addInPlace: (dst, src) => ew.addInPlace(v(dst), v(src)),
  sgdStep: (p, g, buf, o) => sgdStep(v(p), v(g), vn(buf), o),
  adamStep: (p, g, m, s, mx, o) => adamStep(v(p), v(g), v(m), v(s), vn(mx), o),
};
