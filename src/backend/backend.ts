// The narrow interface every compute backend implements. Backends see strided views over
// storage and return fresh contiguous arrays; they never see autograd (that lives above, in
// src/autograd and src/ops). Required kernels (Kernels) plus fused kernels a backend may
// decline (FusedKernels) that let a fast backend take over hot composites.
import type { DType, TypedArray } from "../dtype.js";
import type { UnaryOpNamesOf } from "../ops/unary-op.js";
import type { BinaryOpName } from "../ops/binary-decls.js";

/** What a backend reads: a strided view over a storage array. Tensor satisfies it structurally. */
export interface Strided {
  readonly storage: { data: TypedArray };
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
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
  /** The momentum buffer is new: it becomes the (decayed) gradient, as torch's `buf is None`. */
  firstStep: boolean;
}
/** Options of a fused Adam/AdamW update; step counts this update (1 on the first). */
export interface AdamStepOptions {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number;
  amsgrad: boolean; maximize: boolean; decoupled: boolean;
}

/**
 * The kernels every backend has. The reference backend (src/backend/ref) defines their exact
 * semantics; a new backend starts from it and overrides what it does faster (see extendBackend).
 */
export interface Kernels {
  /** Contiguous copy of x cast to dtype. */
  copy(x: Strided, dtype: DType): TypedArray;
  /** Writes src, broadcast to dst's shape and cast to dst's dtype, into the view dst. */
  assign(dst: Strided, src: Strided): void;
  /** Writes one value into every element of the view dst. */
  fill(dst: Strided, value: number): void;
  /** f(x) elementwise, computed in x's dtype (or float for float-valued ops), stored as outDtype. */
  unary(op: UnaryOp, x: Strided, outDtype: DType): TypedArray;
  /** f(a, b) with broadcasting to outShape; operands are read in their own dtypes, result cast to outDtype. */
  binary(op: BinaryOp, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): TypedArray;
  /** cond ? a : b with broadcasting. */
  where(cond: Strided, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): TypedArray;
  /** Reduces over `dims` (sorted, unique); result has x's shape with those dims set to 1. */
  reduce(op: ReduceOp, x: Strided, dims: readonly number[], outDtype: DType): TypedArray;
  /** Max/min along one dim with the index of the first extreme (NaN wins, as torch). */
  argReduce(op: "max" | "min", x: Strided, dim: number): { values: TypedArray; indices: Float64Array };
  /** Batched matrix product: a [B..., M, K] x b [B..., K, N] (batch dims already broadcast) -> [B..., M, N]. */
  matmul(a: Strided, b: Strided, outDtype: DType): TypedArray;
  /** out[i][j] = x[i][index[i][j]] along dim (index shape = output shape). */
  gather(x: Strided, dim: number, index: Strided): TypedArray;
  /** dst (contiguous array, shape dstShape) [.. index ..] (=|+=) src along dim. */
  scatter(dst: TypedArray, dstShape: readonly number[], dim: number, index: Strided, src: Strided, accumulate: boolean): void;
  // Convolution and pooling. Exact semantics (layouts, index convention): src/backend/ref/conv.ts, pool.ts.
  conv2d(x: Strided, w: Strided, bias: Strided | null, p: Conv2dParams, outShape: readonly number[]): TypedArray;
  conv2dBackwardInput(gradOut: Strided, w: Strided, p: Conv2dParams, inShape: readonly number[]): TypedArray;
  conv2dBackwardWeight(x: Strided, gradOut: Strided, p: Conv2dParams, wShape: readonly number[]): TypedArray;
  maxPool2d(x: Strided, p: Pool2dParams): { values: TypedArray; indices: Float64Array };
  maxPool2dBackward(gradOut: Strided, indices: Strided, inShape: readonly number[]): TypedArray;
  avgPool2d(x: Strided, p: AvgPool2dParams): TypedArray;
  avgPool2dBackward(gradOut: Strided, p: AvgPool2dParams, inShape: readonly number[]): TypedArray;
  adaptiveAvgPool2d(x: Strided, outH: number, outW: number): TypedArray;
  adaptiveAvgPool2dBackward(gradOut: Strided, inShape: readonly number[]): TypedArray;
}

/**
 * Fused kernels a backend may decline: each returns null (or false) when it does not cover its
 * arguments (dtype, layout), and the op layer then runs the composition of ordinary ops that
 * defines the op. DECLINE_FUSED declines them all; the reference backend uses it.
 */
export interface FusedKernels {
  /** log_softmax along dim; null when declined. */
  logSoftmax(x: Strided, dim: number): TypedArray | null;
  /**
   * The pointwise part of an LSTM cell (float32): gates [B, 4H] (i, f, g, o) and c [B, H]
   * give hy and cy, plus saved activations for lstmCellBackward; null when declined.
   */
  lstmCell(gates: Strided, c: Strided): { hy: TypedArray; cy: TypedArray; saved: TypedArray } | null;
  /** Only called with what this backend's own lstmCell returned (so it cannot decline). */
  lstmCellBackward(saved: TypedArray, c: Strided, dhy: Strided, dcy: Strided): { dgates: TypedArray; dc: TypedArray };
  /** dst += src in place for same-shape tensors (gradient accumulation); false when declined. */
  addInPlace(dst: Strided, src: Strided): boolean;
  // Fused optimizer updates, in place; false when declined (the optimizer then runs its
  // composed tensor-op update).
  sgdStep(param: Strided, grad: Strided, momentumBuf: Strided | null, o: SgdStepOptions): boolean;
  adamStep(param: Strided, grad: Strided, expAvg: Strided, expAvgSq: Strided, maxExpAvgSq: Strided | null, o: AdamStepOptions): boolean;
}

export interface Backend extends Kernels, FusedKernels {
  readonly name: string;
}

/** Declines every fused kernel. */
export const DECLINE_FUSED: FusedKernels = {
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
export function extendBackend(base: Backend, name: string, overrides: Partial<Kernels & FusedKernels>): Backend {
  return { ...base, ...overrides, name };
}

let active: Backend | null = null;

export function backend(): Backend {
  if (active === null) throw new Error("flint: no backend registered");
  return active;
}

export function setActiveBackend(b: Backend): void {
  active = b;
}
