// The narrow interface every compute backend implements, and the device contract.
//
// KERNELS. Backends see strided views over storage and return fresh contiguous outputs; they
// never see autograd (that lives above, in src/autograd and src/ops). Required kernels
// (Kernels) plus fused kernels a backend may decline (FusedKernels) that let a fast backend take
// over hot composites. A backend is built as the reference backend plus overrides
// (extendBackend), or, for a device of its own, implements every kernel.
//
// DEVICES. A tensor's storage belongs to one device (src/storage.ts): "cpu", "meta", "webgpu",
// "wasm". One backend is registered per device (registerBackend in ./registry.ts; the CPU one is
// native or ref), and backend() returns a dispatcher that runs each kernel on the backend of its
// inputs' device. Mixing devices in one kernel is a DeviceError naming both ("add: expected all
// tensors to be on the same device, found cpu and webgpu"), except 0-dim CPU tensors, which
// count as scalars (as PyTorch): the dispatcher uploads them with fromHost before the call.
//
// A backend for a device other than the CPU (Backend<Out>, Out its storage class, extending
// DeviceStorage from src/storage.ts so that a stray synchronous read of `data` says what to do).
// Its kernels receive strided views (any strides and offset, as on the CPU) over its own
// storages only, plus 0-dim scalars it uploaded itself; register it with registerBackend(b), and
// torch.device("<type>"), x.to(), { device } on factories and model.to() accept its device.
//  - allocate: every kernel returns a new storage of its own device (`Out`), sized for the
//    output; `empty(n, dtype)` allocates one whose contents the caller will write.
//  - free: memory the garbage collector cannot see (GPU buffers, a WebAssembly heap) is released
//    by `free(storage)`; register each new storage with freeAfterGC (src/storage.ts) so that it
//    runs once the storage is unreachable. Users never call dispose(); an explicit cache release
//    (torch.webgpu.emptyCache()) may call free early for storages already collected.
//  - read: `read(x)` gives a view's elements as a fresh contiguous host array: synchronously on
//    devices that can (cpu, wasm), as a Promise otherwise (webgpu). x.cpuAsync(), itemAsync()
//    and tolistAsync() await it; item(), tolist(), cpu() use a synchronous read and, where the
//    read is a Promise, throw a DeviceError naming the async form.
//  - write: `fromHost(data, dtype)` makes a new storage from host values (upload); `assign`
//    and `fill` write into an existing view on the device.
//  - copy across devices: x.to(device) (src/ops/device-copy.ts) goes through the host:
//    source.read, then target.fromHost; to "meta" reads nothing; from "meta" is an error.
// The meta backend (./meta.ts) is the smallest complete example.
import type { DType, TypedArray } from "../dtype.js";
import type { DeviceType, Storage } from "../storage.js";
import type { UnaryOpNamesOf } from "../ops/unary-op.js";
import type { BinaryOpName } from "../ops/binary-decls.js";

export { backend, backendFor, registerBackend, setActiveBackend, hasBackend } from "./registry.js";

/** What a backend reads: a strided view over a storage. Tensor satisfies it structurally. */
export interface Strided {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

/** The declared unary ops (src/ops/unary.ts: one declaration each). */
export type UnaryOp = UnaryOpNamesOf<typeof import("../ops/unary.js")>;
/** The declared binary ops (src/ops/binary-decls.ts). */
export type BinaryOp = BinaryOpName;

export type ReduceOp = "sum" | "prod" | "amax" | "amin" | "all" | "any";

export interface Conv2dParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}
export interface Pool2dParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  outH: number;
  outW: number;
}
/** avg_pool2d: dilation is not an option of PyTorch's avg pooling. */
export interface AvgPool2dParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  outH: number;
  outW: number;
  countIncludePad: boolean;
  divisorOverride: number | null;
}

/** Options of a fused SGD update (PyTorch 1.13's single-tensor formula). */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** The momentum buffer is new: it becomes the (decayed) gradient, as torch's `buf is None`. */
  firstStep: boolean;
}
/** Options of a fused Adam/AdamW update; step counts this update (1 on the first). */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupled: boolean;
}

/**
 * The kernels every backend has. The reference backend (src/backend/ref) defines their exact
 * semantics; a new backend starts from it and overrides what it does faster (see extendBackend).
 */
export interface Kernels<Out = TypedArray> {
  /** Contiguous copy of x cast to dtype. */
  copy(x: Strided, dtype: DType): Out;
  /** Writes src, broadcast to dst's shape and cast to dst's dtype, into the view dst. */
  assign(dst: Strided, src: Strided): void;
  /** Writes one value into every element of the view dst. */
  fill(dst: Strided, value: number): void;
  /** f(x) elementwise, computed in x's dtype (or float for float-valued ops), stored as outDtype. */
  unary(op: UnaryOp, x: Strided, outDtype: DType): Out;
  /** f(a, b) with broadcasting to outShape; operands are read in their own dtypes, result cast to outDtype. */
  binary(op: BinaryOp, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): Out;
  /** cond ? a : b with broadcasting. */
  where(cond: Strided, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): Out;
  /** Reduces over `dims` (sorted, unique); result has x's shape with those dims set to 1. */
  reduce(op: ReduceOp, x: Strided, dims: readonly number[], outDtype: DType): Out;
  /** Max/min along one dim with the index of the first extreme (NaN wins, as torch). */
  argReduce(op: "max" | "min", x: Strided, dim: number): { values: Out; indices: Out };
  /** Batched matrix product: a [B..., M, K] x b [B..., K, N] (batch dims already broadcast) -> [B..., M, N]. */
  matmul(a: Strided, b: Strided, outDtype: DType): Out;
  /** out[i][j] = x[i][index[i][j]] along dim (index shape = output shape). */
  gather(x: Strided, dim: number, index: Strided): Out;
  /** dst (contiguous array, shape dstShape) [.. index ..] (=|+=) src along dim. */
  scatter(dst: Out, dstShape: readonly number[], dim: number, index: Strided, src: Strided, accumulate: boolean): void;
  // Convolution and pooling. Exact semantics (layouts, index convention): src/backend/ref/conv.ts, pool.ts.
  conv2d(x: Strided, w: Strided, bias: Strided | null, p: Conv2dParams, outShape: readonly number[]): Out;
  conv2dBackwardInput(gradOut: Strided, w: Strided, p: Conv2dParams, inShape: readonly number[]): Out;
  conv2dBackwardWeight(x: Strided, gradOut: Strided, p: Conv2dParams, wShape: readonly number[]): Out;
  maxPool2d(x: Strided, p: Pool2dParams): { values: Out; indices: Out };
  /** Optional: max_pool2d's values without the argmax indices (inference); null when declined. */
  maxPool2dValues?(x: Strided, p: Pool2dParams): Out | null;
  maxPool2dBackward(gradOut: Strided, indices: Strided, inShape: readonly number[]): Out;
  avgPool2d(x: Strided, p: AvgPool2dParams): Out;
  avgPool2dBackward(gradOut: Strided, p: AvgPool2dParams, inShape: readonly number[]): Out;
  adaptiveAvgPool2d(x: Strided, outH: number, outW: number): Out;
  adaptiveAvgPool2dBackward(gradOut: Strided, inShape: readonly number[]): Out;
}

/**
 * Fused kernels a backend may decline: each returns null (or false) when it does not cover its
 * arguments (dtype, layout), and the op layer then runs the composition of ordinary ops that
 * defines the op. DECLINE_FUSED declines them all; the reference backend uses it.
 */
export interface FusedKernels<Out = TypedArray> extends BatchNormKernels<Out> {
  /** log_softmax along dim; null when declined. */
  logSoftmax(x: Strided, dim: number): Out | null;
  /**
   * The pointwise part of an LSTM cell (float32): gates [B, 4H] (i, f, g, o) and c [B, H]
   * give hy and cy, plus saved activations for lstmCellBackward; null when declined.
   */
  lstmCell(gates: Strided, c: Strided): { hy: Out; cy: Out; saved: Out } | null;
  /** Only called with what this backend's own lstmCell returned (so it cannot decline). */
  lstmCellBackward(saved: Out, c: Strided, dhy: Strided, dcy: Strided): { dgates: Out; dc: Out };
  /**
   * Layer norm of x over its last `cols` elements per row (float32; weight, bias [cols] or null):
   * y plus the row statistics for layerNormBackward. Optional: absent or null = declined.
   */
  layerNorm?(
    x: Strided,
    weight: Strided | null,
    bias: Strided | null,
    cols: number,
    eps: number,
  ): { y: Out; mean: Out; rstd: Out } | null;
  /** Only called with what this backend's own layerNorm returned; dw / db only when asked. */
  layerNormBackward?(
    g: Strided,
    x: Strided,
    weight: Strided | null,
    mean: Out,
    rstd: Out,
    cols: number,
    wantW: boolean,
    wantB: boolean,
  ): { dx: Out; dw: Out | null; db: Out | null };
  /**
   * adamStep over a list of tensors in one call (PyTorch's foreach=True path; same numbers),
   * steps[i] being tensor i's count; o.step is unused. Optional: absent or false = declined.
   */
  adamStepForeach?(
    params: Strided[],
    grads: Strided[],
    expAvgs: Strided[],
    expAvgSqs: Strided[],
    maxExpAvgSqs: Strided[] | null,
    steps: number[],
    o: AdamStepOptions,
  ): boolean;
  /** softmax along dim; optional: absent or null = declined. */
  softmax?(x: Strided, dim: number): Out | null;
  /** The gradient of (log_)softmax from its output y: g - exp(y) sum(g), or y (g - sum(g y)); null = declined. */
  softmaxBackward?(g: Strided, y: Strided, dim: number, log: boolean): Out | null;
  /**
   * The pointwise part of a GRU cell (float32): the projections xw, hw [B, 3H] (r, z, n) and h
   * [B, H] give hy, plus saved state for gruCellBackward. Optional: absent or null = declined.
   */
  gruCell?(xw: Strided, hw: Strided, h: Strided): { hy: Out; saved: Out } | null;
  /** Only called with what this backend's own gruCell returned: dxw, dhw [B, 3H], direct dh [B, H]. */
  gruCellBackward?(saved: Out, h: Strided, dhy: Strided): { dxw: Out; dhw: Out; dh: Out };
  /**
   * One LSTM or GRU layer direction over a padded sequence (float32), the recurrent matrix
   * products included: xw [T*B, G] the input projections of every step (G = 4H LSTM, 3H GRU),
   * h0 (and LSTM c0) [B, H], wHh [G, H], bHh [G] or null; reverse walks t = T-1 .. 0. Gives the
   * h of every step [T*B, H] by time, the final states and saved state for rnnLayerBackward.
   * Optional: absent or null = declined.
   */
  rnnLayer?(
    kind: "lstm" | "gru",
    xw: Strided,
    h0: Strided,
    c0: Strided | null,
    wHh: Strided,
    bHh: Strided | null,
    steps: number,
    reverse: boolean,
  ): { out: Out; hN: Out; cN: Out | null; saved: Out } | null;
  /**
   * Only called with what this backend's own rnnLayer returned: from the gradients of out, hN
   * (and cN), those of xw [T*B, G], h0 (c0) [B, H], and when asked wHh [G, H] and bHh [G].
   */
  rnnLayerBackward?(
    kind: "lstm" | "gru",
    saved: Out,
    wHh: Strided,
    dOut: Strided,
    dhN: Strided,
    dcN: Strided | null,
    steps: number,
    reverse: boolean,
    wantW: boolean,
    wantB: boolean,
  ): { dxw: Out; dh0: Out; dc0: Out | null; dwHh: Out | null; dbHh: Out | null };
  /**
   * Mean cross entropy of float32 logits [rows, cols] with int64 class targets [rows] (PyTorch's
   * label smoothing and ignoreIndex), and when wantGrad its gradient with respect to the logits.
   * Optional: absent or null = declined.
   */
  crossEntropy?(
    logits: Strided,
    targets: Strided,
    labelSmoothing: number,
    ignoreIndex: number,
    wantGrad: boolean,
  ): { loss: number; grad: Out | null } | null;
  /**
   * F.linear's 2-D case as PyTorch's addmm: out [M, N] = bias + x [M, K] @ weight [N, K]^T, the
   * bias (or nothing) written first and the product accumulated onto it by one GEMM. Optional:
   * absent or null = declined (the composed matmul + add runs instead).
   */
  linear?(x: Strided, weight: Strided, bias: Strided | null): Out | null;
  /** hardtanh / relu6 in one pass: min(max(x, lo), hi) (float32); optional, null = declined. */
  hardtanh?(x: Strided, lo: number, hi: number): Out | null;
  /** HardtanhBackward in one pass: g where lo < x < hi, else 0 (float32, same shapes); null = declined. */
  hardtanhBackward?(g: Strided, x: Strided, lo: number, hi: number): Out | null;
  /** Rows of weight [num, dim] picked by integer indices (any shape): [n * dim]; optional, null = declined. */
  embedding?(weight: Strided, indices: Strided): Out | null;
  /**
   * The embedding weight's gradient [num, dim] from grad [n, dim] and indices [n], as PyTorch's
   * embedding_backward (paddingIdx's row gets none; scaleByFreq divides by each index's count).
   * Optional: absent or null = declined.
   */
  embeddingBackward?(
    grad: Strided,
    indices: Strided,
    num: number,
    paddingIdx: number | null,
    scaleByFreq: boolean,
  ): Out | null;
  /** dst += src in place for same-shape tensors (gradient accumulation); false when declined. */
  addInPlace(dst: Strided, src: Strided): boolean;
  // Fused optimizer updates, in place; false when declined (the optimizer then runs its
  // composed tensor-op update).
  sgdStep(param: Strided, grad: Strided, momentumBuf: Strided | null, o: SgdStepOptions): boolean;
  adamStep(
    param: Strided,
    grad: Strided,
    expAvg: Strided,
    expAvgSq: Strided,
    maxExpAvgSq: Strided | null,
    o: AdamStepOptions,
  ): boolean;
}

/** Saved state of a fused batch norm: the statistics its backward uses ([C] each). */
export interface BatchNormSaved<Out = TypedArray> {
  mean: Out;
  invstd: Out;
}

/**
 * Fused BatchNorm over a float32 [N, C, *] input, optional (a backend without it, or returning
 * null, gets the composed ops). Training normalises with the batch statistics and also returns
 * the biased variance (for the running buffers, which the op layer updates); evaluation uses
 * runningMean / runningVar. batchNormBackward is only called with what batchNorm returned.
 */
export interface BatchNormKernels<Out = TypedArray> {
  batchNorm?(
    x: Strided,
    weight: Strided | null,
    bias: Strided | null,
    runningMean: Strided | null,
    runningVar: Strided | null,
    training: boolean,
    eps: number,
  ): { out: Out; variance: Out | null; saved: BatchNormSaved<Out> } | null;
  /**
   * Inference only (no gradient): conv2d(x, w, bias) followed by an eval-mode BatchNorm with these
   * running statistics, plus residual (same shape as the output) when given, and with relu a ReLU,
   * as one kernel call; null when declined.
   */
  conv2dBatchNormEval?(
    x: Strided,
    w: Strided,
    bias: Strided | null,
    p: Conv2dParams,
    outShape: readonly number[],
    bn: { weight: Strided | null; bias: Strided | null; runningMean: Strided; runningVar: Strided; eps: number },
    relu: boolean,
    residual: Strided | null,
  ): Out | null;
  batchNormBackward?(
    x: Strided,
    gradOut: Strided,
    weight: Strided | null,
    saved: BatchNormSaved<Out>,
    training: boolean,
    needs: readonly [boolean, boolean, boolean],
  ): { gradIn: Out | null; gradWeight: Out | null; gradBias: Out | null };
}

/** The memory side of a backend: see the device contract at the top of this file. */
export interface DeviceMemory<Out = TypedArray> {
  readonly device: DeviceType;
  /** A new storage of n elements of dtype, contents unspecified. */
  empty(n: number, dtype: DType): Out;
  /** A new storage holding a copy of these host values. */
  fromHost(data: TypedArray, dtype: DType): Out;
  /** The view's elements as a fresh contiguous host array (a Promise on devices that read back asynchronously). */
  read(x: Strided): TypedArray | Promise<TypedArray>;
  /** Releases a storage's memory (after garbage collection); nothing to do where the GC owns it. */
  free(storage: Storage): void;
  /**
   * A CPU backend whose kernels run on their own memory (WebAssembly): an uninitialised float32
   * array of n elements in that memory, where creation ops and JS-computed outputs of at least
   * 4 KiB are made (src/dtype.ts arrayFor, uninitArray), or null when it declines (a JS array is
   * made). Absent: storage is always a JS array.
   */
  hostFloat32?(n: number): Float32Array | null;
}

/** What a kernel may return: a host array (the CPU backends) or a device's own storage. */
export type KernelOutput = TypedArray | Storage;

export interface Backend<Out extends KernelOutput = TypedArray>
  extends Kernels<Out>, FusedKernels<Out>, DeviceMemory<Out> {
  readonly name: string;
}

/** Declines every fused kernel. */
export const DECLINE_FUSED: FusedKernels<never> = {
  logSoftmax: () => null,
  lstmCell: () => null,
  lstmCellBackward: () => {
    throw new Error("lstmCellBackward: this backend declines lstmCell, so it has no saved state to differentiate");
  },
  addInPlace: () => false,
  sgdStep: () => false,
  adamStep: () => false,
};

/**
 * A backend made of a base backend (usually the reference one) plus the kernels it does itself.
 * Overrides fall back to the base by calling it directly (`base.matmul(a, b, dt)`).
 */
export function extendBackend<Out extends KernelOutput>(
  base: Backend<Out>,
  name: string,
  overrides: Partial<Kernels<Out> & FusedKernels<Out>>,
): Backend<Out> {
  return { ...base, ...overrides, name };
}
