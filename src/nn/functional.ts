// nn.functional: the stateless forms of the layers and losses (torch.nn.functional names,
// camelCased). Every parameter with a default can be passed positionally in torch's order or in
// one trailing options object: F.conv2d(x, w, b, 1, 1) or F.conv2d(x, w, b, { padding: 1 }).
import type { Tensor } from "../tensor.js";
import { parseArgs } from "../ops/util.js";
import type { Generator } from "../random/index.js";
import * as Act from "../ops/activation.js";
import * as Drop from "../ops/dropout.js";
import * as Norm from "../ops/normalization.js";
import * as Emb from "../ops/embedding.js";
import * as Lin from "../ops/linear.js";
import * as P1 from "../ops/pool1d.js";
import * as C from "../ops/conv.js";
import * as P from "../ops/pool.js";
import * as L from "../ops/loss.js";
import { type PadMode, pad as padOp } from "../ops/pad.js";
import { flatten as flattenOp } from "../ops/view.js";
import { oneHot as oneHotImpl } from "./one-hot.js";

export { relu, relu6, silu, sigmoid, tanh } from "../ops/activation.js";
export { softmax, logSoftmax } from "../ops/softmax.js";
export type { PadMode } from "../ops/pad.js";
export type { Reduction, NLLOptions, CrossEntropyOptions } from "../ops/loss.js";

/** Every prefix of a tuple: [a, b] -> [a, b] | [a] | []. */
type Prefixes<T extends unknown[]> = T extends [...infer H, unknown] ? T | Prefixes<H> : [];
type WithOptions<T, O> = T extends unknown[] ? [...T, O] : never;
/** torch-style trailing arguments: positional prefix, optionally followed by an options object. */
export type Args<T extends unknown[], O> = Prefixes<T> | WithOptions<Prefixes<T>, O>;

type IntOrPair = C.IntOrPair;
type Rec = Record<string, unknown>;
const parse = <T extends Rec>(
  op: string,
  args: readonly unknown[],
  names: (keyof T & string)[],
  d: Partial<T>,
  required: (keyof T & string)[] = [],
): T => parseArgs<T>(op, args, names, d, required);

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return Lin.linear(input, weight, bias);
}

export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => flattenOp(x, startDim, endDim);
export function oneHot(input: Tensor, ...args: [numClasses?: number] | [{ numClasses?: number }]): Tensor {
  return oneHotImpl(
    input,
    parse<{ numClasses: number }>("one_hot", args, ["numClasses"], { numClasses: -1 }).numClasses,
  );
}

// --- activations -------------------------------------------------------------------------
export function leakyRelu(
  input: Tensor,
  ...args: Args<[negativeSlope: number, inplace: boolean], { negativeSlope?: number; inplace?: boolean }>
): Tensor {
  return Act.leakyRelu(
    input,
    parse<{ negativeSlope: number; inplace: boolean }>("leaky_relu", args, ["negativeSlope", "inplace"], {
      negativeSlope: 0.01,
    }).negativeSlope,
  );
}
export function elu(
  input: Tensor,
  ...args: Args<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>
): Tensor {
  return Act.elu(
    input,
    parse<{ alpha: number; inplace: boolean }>("elu", args, ["alpha", "inplace"], { alpha: 1 }).alpha,
  );
}
export function gelu(
  input: Tensor,
  ...args: Args<[approximate: "none" | "tanh"], { approximate?: "none" | "tanh" }>
): Tensor {
  return Act.gelu(
    input,
    parse<{ approximate: "none" | "tanh" }>("gelu", args, ["approximate"], { approximate: "none" }).approximate,
  );
}
export function softplus(
  input: Tensor,
  ...args: Args<[beta: number, threshold: number], { beta?: number; threshold?: number }>
): Tensor {
  const o = parse<{ beta: number; threshold: number }>("softplus", args, ["beta", "threshold"], {
    beta: 1,
    threshold: 20,
  });
  return Act.softplus(input, o.beta, o.threshold);
}
export function hardtanh(
  input: Tensor,
  ...args: Args<[minVal: number, maxVal: number], { minVal?: number; maxVal?: number }>
): Tensor {
  const o = parse<{ minVal: number; maxVal: number }>("hardtanh", args, ["minVal", "maxVal"], {
    minVal: -1,
    maxVal: 1,
  });
  return Act.hardtanh(input, o.minVal, o.maxVal);
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
  generator?: Generator;
}
export function dropout(
  input: Tensor,
  ...args: Args<[p: number, training: boolean, inplace: boolean], DropoutOptions>
): Tensor {
  const o = parse<{ p: number; training: boolean; inplace: boolean; generator?: Generator }>(
    "dropout",
    args,
    ["p", "training", "inplace", "generator"],
    { p: 0.5, training: true },
  );
  return o.generator ? Drop.dropout(input, o.p, o.training, o.generator) : Drop.dropout(input, o.p, o.training);
}

// --- normalisation and embedding ---------------------------------------------------------
export interface BatchNormFnOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  ...args: Args<
    [weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number],
    BatchNormFnOptions
  >
): Tensor {
  const o = parse<Required<BatchNormFnOptions>>("batch_norm", args, ["weight", "bias", "training", "momentum", "eps"], {
    weight: null,
    bias: null,
    training: false,
    momentum: 0.1,
    eps: 1e-5,
  });
  return Norm.batchNorm(input, runningMean, runningVar, o.weight, o.bias, o.training, o.momentum, o.eps);
}
export interface LayerNormFnOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  ...args: Args<[weight: Tensor | null, bias: Tensor | null, eps: number], LayerNormFnOptions>
): Tensor {
  const o = parse<Required<LayerNormFnOptions>>("layer_norm", args, ["weight", "bias", "eps"], {
    weight: null,
    bias: null,
    eps: 1e-5,
  });
  return Norm.layerNorm(input, normalizedShape, o.weight, o.bias, o.eps);
}
export interface EmbeddingFnOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}
export function embedding(
  input: Tensor,
  weight: Tensor,
  ...args: Args<
    [paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean],
    EmbeddingFnOptions
  >
): Tensor {
  const o = parse<Required<EmbeddingFnOptions>>(
    "embedding",
    args,
    ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"],
    { paddingIdx: null, maxNorm: null, normType: 2, scaleGradByFreq: false },
  );
  return Emb.embedding(input, weight, o.paddingIdx, o.maxNorm, o.normType, o.scaleGradByFreq);
}

// --- convolution, pooling, padding ------------------------------------------------------
export interface ConvFnOptions {
  bias?: Tensor | null;
  stride?: IntOrPair;
  padding?: C.ConvPadding;
  dilation?: IntOrPair;
  groups?: number;
}
type ConvArgs = Args<
  [bias: Tensor | null, stride: IntOrPair, padding: C.ConvPadding, dilation: IntOrPair, groups: number],
  ConvFnOptions
>;
const convOpts = (op: string, args: readonly unknown[]) =>
  parse<Required<ConvFnOptions>>(op, args, ["bias", "stride", "padding", "dilation", "groups"], {
    bias: null,
    stride: 1,
    padding: 0,
    dilation: 1,
    groups: 1,
  });

export function conv2d(input: Tensor, weight: Tensor, ...args: ConvArgs): Tensor {
  const o = convOpts("conv2d", args);
  return C.conv2d(input, weight, o.bias, o.stride, o.padding, o.dilation, o.groups);
}
export function conv1d(input: Tensor, weight: Tensor, ...args: ConvArgs): Tensor {
  const o = convOpts("conv1d", args);
  return C.conv1d(input, weight, o.bias, o.stride, o.padding, o.dilation, o.groups);
}
export interface ConvTransposeFnOptions {
  bias?: Tensor | null;
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  dilation?: IntOrPair;
}
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  ...args: Args<
    [
      bias: Tensor | null,
      stride: IntOrPair,
      padding: IntOrPair,
      outputPadding: IntOrPair,
      groups: number,
      dilation: IntOrPair,
    ],
    ConvTransposeFnOptions
  >
): Tensor {
  const o = parse<Required<ConvTransposeFnOptions>>(
    "conv_transpose2d",
    args,
    ["bias", "stride", "padding", "outputPadding", "groups", "dilation"],
    { bias: null, stride: 1, padding: 0, outputPadding: 0, groups: 1, dilation: 1 },
  );
  return C.convTranspose2d(input, weight, o.bias, o.stride, o.padding, o.outputPadding, o.groups, o.dilation);
}

export interface MaxPoolFnOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}
/** F.max_pool2d; with returnIndices true, [values, indices] (indices = iy * W + ix per plane). */
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  ...args: Args<
    [stride: IntOrPair | null, padding: IntOrPair, dilation: IntOrPair, ceilMode: boolean, returnIndices: false],
    MaxPoolFnOptions & { returnIndices?: false }
  >
): Tensor;
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  ...args:
    | [IntOrPair | null, IntOrPair, IntOrPair, boolean, true]
    | [...Prefixes<[IntOrPair | null, IntOrPair, IntOrPair, boolean]>, MaxPoolFnOptions & { returnIndices: true }]
): [Tensor, Tensor];
/** Every parameter by name: F.maxPool2d(x, { kernelSize: 3, stride: 2, returnIndices }). */
export function maxPool2d(
  input: Tensor,
  options: MaxPoolFnOptions & { kernelSize: IntOrPair; returnIndices?: boolean },
): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const o = parse<Required<MaxPoolFnOptions> & { kernelSize: IntOrPair; returnIndices: boolean }>(
    "max_pool2d",
    args,
    ["kernelSize", "stride", "padding", "dilation", "ceilMode", "returnIndices"],
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false },
    ["kernelSize"],
  );
  return P.maxPool2d(input, o.kernelSize, o.stride, o.padding, o.dilation, o.ceilMode, o.returnIndices);
}
export interface AvgPoolFnOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
export function avgPool2d(input: Tensor, options: AvgPoolFnOptions & { kernelSize: IntOrPair }): Tensor;
export function avgPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  ...args: Args<
    [
      stride: IntOrPair | null,
      padding: IntOrPair,
      ceilMode: boolean,
      countIncludePad: boolean,
      divisorOverride: number | null,
    ],
    AvgPoolFnOptions
  >
): Tensor;
export function avgPool2d(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<Required<AvgPoolFnOptions> & { kernelSize: IntOrPair }>(
    "avg_pool2d",
    args,
    ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"],
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null },
    ["kernelSize"],
  );
  return P.avgPool2d(input, o.kernelSize, o.stride, o.padding, o.ceilMode, o.countIncludePad, o.divisorOverride);
}
export const adaptiveAvgPool2d = (input: Tensor, outputSize: number | readonly (number | null)[]): Tensor =>
  P.adaptiveAvgPool2d(input, outputSize);

export function pad(
  input: Tensor,
  padding: readonly number[],
  ...args: Args<[mode: PadMode, value: number], { mode?: PadMode; value?: number }>
): Tensor {
  const o = parse<{ mode: PadMode; value: number }>("pad", args, ["mode", "value"], { mode: "constant", value: 0 });
  return padOp(input, padding, o.mode, o.value);
}

// --- losses ------------------------------------------------------------------------------
type Red = L.Reduction;
const red = (op: string, args: readonly unknown[]): Red =>
  parse<{ reduction: Red }>(op, args, ["reduction"], { reduction: "mean" }).reduction;
type RedArgs = Args<[reduction: Red], { reduction?: Red }>;

export const l1Loss = (input: Tensor, target: Tensor, ...args: RedArgs): Tensor =>
  L.l1Loss(input, target, red("l1_loss", args));
export const mseLoss = (input: Tensor, target: Tensor, ...args: RedArgs): Tensor =>
  L.mseLoss(input, target, red("mse_loss", args));
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  ...args: Args<[reduction: Red, beta: number], { reduction?: Red; beta?: number }>
): Tensor {
  const o = parse<{ reduction: Red; beta: number }>("smooth_l1_loss", args, ["reduction", "beta"], {
    reduction: "mean",
    beta: 1,
  });
  return L.smoothL1Loss(input, target, o.reduction, o.beta);
}
export function huberLoss(
  input: Tensor,
  target: Tensor,
  ...args: Args<[reduction: Red, delta: number], { reduction?: Red; delta?: number }>
): Tensor {
  const o = parse<{ reduction: Red; delta: number }>("huber_loss", args, ["reduction", "delta"], {
    reduction: "mean",
    delta: 1,
  });
  return L.huberLoss(input, target, o.reduction, o.delta);
}
export function klDiv(
  input: Tensor,
  target: Tensor,
  ...args: Args<
    [reduction: Red | "batchmean", logTarget: boolean],
    { reduction?: Red | "batchmean"; logTarget?: boolean }
  >
): Tensor {
  const o = parse<{ reduction: Red | "batchmean"; logTarget: boolean }>("kl_div", args, ["reduction", "logTarget"], {
    reduction: "mean",
    logTarget: false,
  });
  return L.klDiv(input, target, o.reduction, o.logTarget);
}
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  ...args: Args<[weight: Tensor | null, reduction: Red], { weight?: Tensor | null; reduction?: Red }>
): Tensor {
  const o = parse<{ weight: Tensor | null; reduction: Red }>("binary_cross_entropy", args, ["weight", "reduction"], {
    weight: null,
    reduction: "mean",
  });
  return L.binaryCrossEntropy(input, target, o.weight, o.reduction);
}
export interface BCEWithLogitsFnOptions {
  weight?: Tensor | null;
  reduction?: Red;
  posWeight?: Tensor | null;
}
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  ...args: Args<[weight: Tensor | null, reduction: Red, posWeight: Tensor | null], BCEWithLogitsFnOptions>
): Tensor {
  const o = parse<Required<BCEWithLogitsFnOptions>>(
    "binary_cross_entropy_with_logits",
    args,
    ["weight", "reduction", "posWeight"],
    { weight: null, reduction: "mean", posWeight: null },
  );
  return L.binaryCrossEntropyWithLogits(input, target, o.weight, o.reduction, o.posWeight);
}
export function nllLoss(input: Tensor, target: Tensor, ...args: Args<[weight: Tensor | null], L.NLLOptions>): Tensor {
  const o = parse<L.NLLOptions & Rec>("nll_loss", args, ["weight", "ignoreIndex", "reduction"], {});
  return L.nllLoss(input, target, o);
}
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  ...args: Args<[weight: Tensor | null], L.CrossEntropyOptions>
): Tensor {
  const o = parse<L.CrossEntropyOptions & Rec>(
    "cross_entropy",
    args,
    ["weight", "ignoreIndex", "reduction", "labelSmoothing"],
    {},
  );
  return L.crossEntropy(input, target, o);
}

// --- more layers' functional forms ---------------------------------------------------------
export { hardswish, hardsigmoid, mish, selu, logsigmoid, softsign } from "../ops/activation.js";
/** F.prelu(input, weight), weight also by name as PyTorch code passes it (F.prelu(x, weight=w)). */
export function prelu(input: Tensor, ...args: [weight: Tensor] | [{ weight: Tensor }]): Tensor {
  return Act.prelu(input, parse<{ weight: Tensor }>("prelu", args, ["weight"], {}, ["weight"]).weight);
}
export function celu(
  input: Tensor,
  ...args: Args<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>
): Tensor {
  return Act.celu(
    input,
    parse<{ alpha: number; inplace: boolean }>("celu", args, ["alpha", "inplace"], { alpha: 1 }).alpha,
  );
}
export function groupNorm(
  input: Tensor,
  numGroups: number,
  ...args: Args<[weight: Tensor | null, bias: Tensor | null, eps: number], LayerNormFnOptions>
): Tensor {
  const o = parse<Required<LayerNormFnOptions>>("group_norm", args, ["weight", "bias", "eps"], {
    weight: null,
    bias: null,
    eps: 1e-5,
  });
  return Norm.groupNorm(input, numGroups, o.weight, o.bias, o.eps);
}
export function dropout2d(
  input: Tensor,
  ...args: Args<[p: number, training: boolean, inplace: boolean], DropoutOptions>
): Tensor {
  const o = parse<{ p: number; training: boolean; inplace: boolean; generator?: Generator }>(
    "dropout2d",
    args,
    ["p", "training", "inplace", "generator"],
    { p: 0.5, training: true },
  );
  return o.generator ? Drop.dropout2d(input, o.p, o.training, o.generator) : Drop.dropout2d(input, o.p, o.training);
}
export function maxPool1d(
  input: Tensor,
  options: MaxPoolFnOptions & { kernelSize: IntOrPair; returnIndices?: boolean },
): Tensor | [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrPair,
  ...args: Args<
    [stride: IntOrPair | null, padding: IntOrPair, dilation: IntOrPair, ceilMode: boolean, returnIndices: boolean],
    MaxPoolFnOptions & { returnIndices?: boolean }
  >
): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] {
  const o = parse<Required<MaxPoolFnOptions> & { kernelSize: IntOrPair; returnIndices: boolean }>(
    "max_pool1d",
    args,
    ["kernelSize", "stride", "padding", "dilation", "ceilMode", "returnIndices"],
    { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false },
    ["kernelSize"],
  );
  return P1.maxPool1d(input, o.kernelSize, o.stride, o.padding, o.dilation, o.ceilMode, o.returnIndices);
}
export function avgPool1d(
  input: Tensor,
  options: Omit<AvgPoolFnOptions, "divisorOverride"> & { kernelSize: IntOrPair },
): Tensor;
export function avgPool1d(
  input: Tensor,
  kernelSize: IntOrPair,
  ...args: Args<
    [stride: IntOrPair | null, padding: IntOrPair, ceilMode: boolean, countIncludePad: boolean],
    Omit<AvgPoolFnOptions, "divisorOverride">
  >
): Tensor;
export function avgPool1d(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<Required<AvgPoolFnOptions> & { kernelSize: IntOrPair }>(
    "avg_pool1d",
    args,
    ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad"],
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true },
    ["kernelSize"],
  );
  return P1.avgPool1d(input, o.kernelSize, o.stride, o.padding, o.ceilMode, o.countIncludePad);
}
export const adaptiveAvgPool1d = (input: Tensor, outputSize: number): Tensor => P1.adaptiveAvgPool1d(input, outputSize);
export { multiHeadAttentionForward } from "./attention-functional.js";
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from "./sdpa.js";
export type { MultiHeadAttentionOptions } from "./attention-functional.js";
export * from "./functional-vision.js";
export * from "./functional-losses.js";
