// The meta device (PyTorch's torch.device("meta")): tensors with shape, dtype and strides and no
// data. Every kernel allocates nothing and returns a MetaStorage of the output's size, so every
// op computes its output shape and dtype (and finds shape errors) without memory. Fused kernels
// decline, so composite ops run their composition, on meta too. The smallest complete backend:
// a model for a new device's.
import type { DType, TypedArray } from "../dtype.js";
import { DeviceError } from "../errors.js";
import { numelOf } from "../shape.js";
import { MetaStorage } from "../storage.js";
import { type Backend, DECLINE_FUSED, type Strided } from "./backend.js";

const meta = (n: number): MetaStorage => new MetaStorage(n);
const like = (x: Strided): MetaStorage => meta(numelOf(x.shape));
const noData = (op: string): never => {
  throw new DeviceError(`${op}: a meta tensor has no data to read (it carries shape, dtype and strides only)`);
};

export const metaBackend: Backend<MetaStorage> = {
  ...DECLINE_FUSED,
  name: "meta",
  device: "meta",
  empty: (n: number, _dtype: DType) => meta(n),
  fromHost: (data: TypedArray) => meta(data.length),
  read: (): never => noData("read"),
  free: () => {},
  copy: like,
  assign: () => {},
  fill: () => {},
  unary: (_op, x) => like(x),
  binary: (_op, _a, _b, outShape) => meta(numelOf(outShape)),
  where: (_c, _a, _b, outShape) => meta(numelOf(outShape)),
  reduce: (_op, x, dims) => meta(numelOf(x.shape.map((s, i) => (dims.includes(i) ? 1 : s)))),
  argReduce(_op, x, dim) {
    const n = numelOf(x.shape.map((s, i) => (i === dim ? 1 : s)));
    return { values: meta(n), indices: meta(n) };
  },
  matmul(a, b) {
    const nd = a.shape.length;
    return meta(numelOf(a.shape.slice(0, nd - 1)) * b.shape[nd - 1]);
  },
  gather: (_x, _dim, index) => like(index),
  scatter: () => {},
  conv2d: (_x, _w, _b, _p, outShape) => meta(numelOf(outShape)),
  conv2dBackwardInput: (_g, _w, _p, inShape) => meta(numelOf(inShape)),
  conv2dBackwardWeight: (_x, _g, _p, wShape) => meta(numelOf(wShape)),
  maxPool2d(x, p) {
    const n = x.shape[0] * x.shape[1] * p.outH * p.outW;
    return { values: meta(n), indices: meta(n) };
  },
  maxPool2dBackward: (_g, _i, inShape) => meta(numelOf(inShape)),
  avgPool2d: (x, p) => meta(x.shape[0] * x.shape[1] * p.outH * p.outW),
  avgPool2dBackward: (_g, _p, inShape) => meta(numelOf(inShape)),
  adaptiveAvgPool2d: (x, outH, outW) => meta(x.shape[0] * x.shape[1] * outH * outW),
  adaptiveAvgPool2dBackward: (_g, inShape) => meta(numelOf(inShape)),
};
