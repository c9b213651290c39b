// One backend per device, and the dispatcher that backend() returns: each kernel runs on the
// backend of its inputs' device (see the device contract in ./backend.ts). The CPU check comes
// first and costs a few property reads per kernel call, so the CPU backends keep their speed.
import { type TypedArray, setFloat32Host } from "../dtype.js";
import { DeviceError } from "../errors.js";
import { CpuStorage, type DeviceType, Storage } from "../storage.js";
import type { Backend, KernelOutput, Strided } from "./backend.js";

type AnyBackend = Backend<KernelOutput>;
const registered = new Map<DeviceType, AnyBackend>();
let cpu: AnyBackend | null = null;

/** Registers the backend of its device (replacing any before it). */
export function registerBackend<Out extends KernelOutput>(b: Backend<Out>): void {
  // A backend only ever receives its own device's storages (the dispatcher sees to it), so
  // holding it at the widest output type is sound.
  const any = b as unknown as AnyBackend;
  registered.set(b.device, any);
  if (b.device === "cpu") {
    cpu = any;
    setFloat32Host(b.hostFloat32 ?? null);
  }
}

/** Sets the CPU backend (native or ref). */
export const setActiveBackend = (b: Backend<TypedArray>): void => registerBackend(b);

export const hasBackend = (device: DeviceType): boolean => registered.has(device);

/** The backend of a device; a DeviceError when none is registered. */
export function backendFor(device: DeviceType): AnyBackend {
  const b = registered.get(device);
  if (b === undefined)
    throw new DeviceError(
      `no backend for device '${device}' is available${device === "webgpu" ? " (`await torch.webgpu.init()` opens it first; torch.webgpu.isAvailable() says whether an adapter exists)" : ""}`,
    );
  return b;
}

function cpuBackend(): AnyBackend {
  if (cpu === null) throw new DeviceError("flint: no CPU backend registered");
  return cpu;
}

type Arg = Strided | null | undefined;
const isCpu = (x: Arg): boolean => x === null || x === undefined || x.storage.device === "cpu";

/**
 * The backend for a kernel's tensor operands: the CPU one when all are on the CPU, else the one
 * device they share, counting 0-dim CPU tensors as scalars. `op` names the op in the error.
 */
function pick(op: string, a: Arg, b?: Arg, c?: Arg, d?: Arg, e?: Arg): AnyBackend {
  if (isCpu(a) && isCpu(b) && isCpu(c) && isCpu(d) && isCpu(e)) return cpuBackend();
  let device: DeviceType | null = null;
  for (const x of [a, b, c, d, e]) {
    if (!x || (x.storage.device === "cpu" && x.shape.length === 0)) continue;
    const dev = x.storage.device;
    if (device === null) device = dev;
    else if (dev !== device)
      throw new DeviceError(`${op}: expected all tensors to be on the same device, found ${device} and ${dev}`);
  }
  return backendFor(device ?? "cpu");
}

/** A 0-dim CPU operand uploaded to `to`'s device (a scalar); any other operand as it is. */
function on<T extends Arg>(to: AnyBackend, x: T): T {
  if (!x || to.device === "cpu" || x.storage.device !== "cpu") return x;
  const out = to.fromHost(x.storage.data.slice(x.offset, x.offset + 1), x.dtype);
  const storage = out instanceof Storage ? out : new CpuStorage(out);
  return { shape: [], strides: [], offset: 0, dtype: x.dtype, storage } as Strided as T;
}

/** The dispatcher: every kernel of Backend, run on its operands' device. */
const dispatcher: AnyBackend = {
  get name(): string {
    return cpuBackend().name;
  },
  get device(): DeviceType {
    return "cpu";
  },
  copy: (x, dt) => pick("copy", x).copy(x, dt),
  assign(dst, src) {
    const b = pick("copy_", dst, src);
    b.assign(dst, on(b, src));
  },
  fill: (dst, v) => pick("fill_", dst).fill(dst, v),
  unary: (op, x, dt) => pick(op, x).unary(op, x, dt),
  binary(op, a, b, shape, dt) {
    const be = pick(op, a, b);
    return be.binary(op, on(be, a), on(be, b), shape, dt);
  },
  where(cond, a, b, shape, dt) {
    const be = pick("where", cond, a, b);
    return be.where(on(be, cond), on(be, a), on(be, b), shape, dt);
  },
  reduce: (op, x, dims, dt) => pick(op, x).reduce(op, x, dims, dt),
  argReduce: (op, x, dim) => pick(op === "max" ? "argmax" : "argmin", x).argReduce(op, x, dim),
  matmul: (a, b, dt) => pick("matmul", a, b).matmul(a, b, dt),
  gather: (x, dim, index) => pick("gather", x, index).gather(x, dim, index),
  scatter(dst, dstShape, dim, index, src, acc) {
    const be = pick("scatter", index, src);
    be.scatter(dst, dstShape, dim, index, on(be, src), acc);
  },
  conv2d: (x, w, bias, p, outShape) => pick("conv2d", x, w, bias).conv2d(x, w, bias, p, outShape),
  conv2dBackwardInput: (g, w, p, inShape) => pick("conv2d_backward", g, w).conv2dBackwardInput(g, w, p, inShape),
  conv2dBackwardWeight: (x, g, p, wShape) => pick("conv2d_backward", x, g).conv2dBackwardWeight(x, g, p, wShape),
  maxPool2d: (x, p) => pick("max_pool2d", x).maxPool2d(x, p),
  maxPool2dBackward: (g, idx, inShape) => pick("max_pool2d_backward", g, idx).maxPool2dBackward(g, idx, inShape),
  avgPool2d: (x, p) => pick("avg_pool2d", x).avgPool2d(x, p),
  avgPool2dBackward: (g, p, inShape) => pick("avg_pool2d_backward", g).avgPool2dBackward(g, p, inShape),
  adaptiveAvgPool2d: (x, h, w) => pick("adaptive_avg_pool2d", x).adaptiveAvgPool2d(x, h, w),
  adaptiveAvgPool2dBackward: (g, inShape) =>
    pick("adaptive_avg_pool2d_backward", g).adaptiveAvgPool2dBackward(g, inShape),
  logSoftmax: (x, dim) => pick("log_softmax", x).logSoftmax(x, dim),
  lstmCell: (gates, c) => pick("lstm_cell", gates, c).lstmCell(gates, c),
  lstmCellBackward: (saved, c, dhy, dcy) =>
    pick("lstm_cell_backward", c, dhy, dcy).lstmCellBackward(saved, c, dhy, dcy),
  layerNorm: (x, w, b, cols, eps) => pick("layer_norm", x, w, b).layerNorm?.(x, w, b, cols, eps) ?? null,
  layerNormBackward(g, x, w, mean, rstd, cols, wantW, wantB) {
    const b = pick("layer_norm_backward", g, x, w);
    if (!b.layerNormBackward) throw new Error(`layerNormBackward: the ${b.name} backend declines layerNorm`);
    return b.layerNormBackward(g, x, w, mean, rstd, cols, wantW, wantB);
  },
  adamStepForeach(ps, gs, ms, vs, xs, steps, o) {
    const all = [...ps, ...gs, ...ms, ...vs, ...(xs ?? [])];
    if (!all.every((t) => t.storage.device === "cpu")) return false;
    return cpuBackend().adamStepForeach?.(ps, gs, ms, vs, xs, steps, o) ?? false;
  },
  softmax: (x, dim) => pick("softmax", x).softmax?.(x, dim) ?? null,
  softmaxBackward: (g, y, dim, log) => pick("softmax_backward", g, y).softmaxBackward?.(g, y, dim, log) ?? null,
  hardtanh: (x, lo, hi) => pick("hardtanh", x).hardtanh?.(x, lo, hi) ?? null,
  hardtanhBackward: (g, x, lo, hi) => pick("hardtanh_backward", g, x).hardtanhBackward?.(g, x, lo, hi) ?? null,
  gruCell: (xw, hw, h) => pick("gru_cell", xw, hw, h).gruCell?.(xw, hw, h) ?? null,
  gruCellBackward(saved, h, dhy) {
    const b = pick("gru_cell_backward", h, dhy);
    if (!b.gruCellBackward) throw new Error(`gruCellBackward: the ${b.name} backend declines gruCell`);
    return b.gruCellBackward(saved, h, dhy);
  },
  rnnLayer: (kind, xw, h0, c0, wHh, bHh, steps, reverse) =>
    pick("rnn_layer", xw, h0, wHh).rnnLayer?.(kind, xw, h0, c0, wHh, bHh, steps, reverse) ?? null,
  rnnLayerBackward(kind, saved, wHh, dOut, dhN, dcN, steps, reverse, wantW, wantB) {
    const b = pick("rnn_layer_backward", wHh, dOut, dhN);
    if (!b.rnnLayerBackward) throw new Error(`rnnLayerBackward: the ${b.name} backend declines rnnLayer`);
    return b.rnnLayerBackward(kind, saved, wHh, dOut, dhN, dcN, steps, reverse, wantW, wantB);
  },
  crossEntropy: (logits, targets, eps, ignoreIndex, wantGrad) =>
    pick("cross_entropy", logits, targets).crossEntropy?.(logits, targets, eps, ignoreIndex, wantGrad) ?? null,
  linear: (x, weight, bias) => pick("linear", x, weight).linear?.(x, weight, bias) ?? null,
  embedding: (weight, indices) => pick("embedding", weight, indices).embedding?.(weight, indices) ?? null,
  embeddingBackward: (g, indices, num, pidx, byFreq) =>
    pick("embedding_backward", g, indices).embeddingBackward?.(g, indices, num, pidx, byFreq) ?? null,
  addInPlace: (dst, src) => pick("add_", dst, src).addInPlace(dst, src),
  sgdStep: (p, g, buf, o) => pick("sgd", p, g, buf).sgdStep(p, g, buf, o),
  adamStep: (p, g, m, v, vmax, o) => pick("adam", p, g, m, v, vmax).adamStep(p, g, m, v, vmax, o),
  empty: () => {
    throw new DeviceError("empty: name a device (backendFor(device).empty)");
  },
  fromHost: () => {
    throw new DeviceError("fromHost: name a device (backendFor(device).fromHost)");
  },
  read: (x) => pick("read", x).read(x),
  free: (s) => backendFor(s.device).free(s),
};

/** The kernels, dispatched on their operands' device. */
export const backend = (): AnyBackend => dispatcher;
