// nn.functional's resampling, pooling, convolution, distance and normalisation forms that sit on
// the composite ops (src/ops/resample.ts, pool-nd.ts, conv-nd.ts, vision-ops.ts,
// norm-distance.ts). Arguments: torch's positional order, or a trailing options object.
import type { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { parseArgs } from "../ops/util.js";
import { type InterpolateOptions, interpolate as interpolateOp } from "../ops/resample.js";
import * as PN from "../ops/pool-nd.js";
import * as CN from "../ops/conv-nd.js";
import * as VO from "../ops/vision-ops.js";
import * as ND from "../ops/norm-distance.js";
import type { ConvPadding } from "../ops/conv.js";
import * as AM from "../ops/activation-more.js";
import * as MM from "./modules/misc-more.js";
import * as EB from "./modules/embedding-bag.js";

type Rec = Record<string, unknown>;
type T = PN.IntOrTuple;
const parse = <O extends Rec>(
  op: string,
  args: readonly unknown[],
  names: (keyof O & string)[],
  d: Partial<O>,
  required: (keyof O & string)[] = [],
): O => parseArgs<O>(op, args, names, d, required);

export type { InterpolateMode, InterpolateOptions } from "../ops/resample.js";
export type { GridSampleMode, GridPadding } from "../ops/vision-ops.js";

/** F.interpolate(input, size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias). */
export function interpolate(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<InterpolateOptions & Rec>(
    "interpolate",
    args,
    ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor", "antialias"],
    {},
  );
  return interpolateOp(input, o);
}
/** Deprecated aliases kept by PyTorch: F.upsample, F.upsample_nearest, F.upsample_bilinear. */
export const upsample = interpolate;
export function upsampleNearest(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ size?: number | number[]; scaleFactor?: number | number[] }>(
    "upsample_nearest",
    args,
    ["size", "scaleFactor"],
    {},
  );
  return interpolateOp(input, { ...o, mode: "nearest" });
}
export function upsampleBilinear(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ size?: number | number[]; scaleFactor?: number | number[] }>(
    "upsample_bilinear",
    args,
    ["size", "scaleFactor"],
    {},
  );
  return interpolateOp(input, { ...o, mode: "bilinear", alignCorners: true });
}

// --- pooling --------------------------------------------------------------------------------
interface MaxPoolOpts {
  stride?: T | null;
  padding?: T;
  dilation?: T;
  ceilMode?: boolean;
  returnIndices?: boolean;
}
const maxPoolNd =
  (nd: number) =>
  (input: Tensor, ...args: unknown[]): Tensor | [Tensor, Tensor] => {
    const o = parse<Required<MaxPoolOpts> & { kernelSize: T } & Rec>(
      `max_pool${nd}d`,
      args,
      ["kernelSize", "stride", "padding", "dilation", "ceilMode", "returnIndices"],
      { stride: null, padding: 0, dilation: 1, ceilMode: false, returnIndices: false },
      ["kernelSize"],
    );
    return PN.maxPoolNd(nd, input, o.kernelSize, o.stride, o.padding, o.dilation, o.ceilMode, o.returnIndices);
  };
export const maxPool3d = maxPoolNd(3);

interface AvgPoolOpts {
  stride?: T | null;
  padding?: T;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
export function avgPool3d(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<Required<AvgPoolOpts> & { kernelSize: T } & Rec>(
    "avg_pool3d",
    args,
    ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"],
    { stride: null, padding: 0, ceilMode: false, countIncludePad: true, divisorOverride: null },
    ["kernelSize"],
  );
  return PN.avgPoolNd(3, input, o.kernelSize, o.stride, o.padding, o.ceilMode, o.countIncludePad, o.divisorOverride);
}

type OutSize = number | readonly (number | null)[];
const adaptiveMax =
  (nd: number) =>
  (input: Tensor, outputSize: OutSize, ...args: unknown[]): Tensor | [Tensor, Tensor] => {
    const o = parse<{ returnIndices: boolean }>(`adaptive_max_pool${nd}d`, args, ["returnIndices"], {
      returnIndices: false,
    });
    return PN.adaptiveMaxPoolNd(nd, input, outputSize, o.returnIndices);
  };
export const adaptiveMaxPool1d = adaptiveMax(1);
export const adaptiveMaxPool2d = adaptiveMax(2);
export const adaptiveMaxPool3d = adaptiveMax(3);
export const adaptiveAvgPool3d = (input: Tensor, outputSize: OutSize): Tensor =>
  PN.adaptiveAvgPoolNd(3, input, outputSize);

const lpPool =
  (nd: number) =>
  (input: Tensor, normType: number, kernelSize: T, ...args: unknown[]): Tensor => {
    const o = parse<{ stride: T | null; ceilMode: boolean }>(`lp_pool${nd}d`, args, ["stride", "ceilMode"], {
      stride: null,
      ceilMode: false,
    });
    return PN.lpPoolNd(nd, input, normType, kernelSize, o.stride, o.ceilMode);
  };
export const lpPool1d = lpPool(1);
export const lpPool2d = lpPool(2);

// --- convolution ----------------------------------------------------------------------------
interface ConvOpts {
  bias?: Tensor | null;
  stride?: T;
  padding?: ConvPadding;
  dilation?: T;
  groups?: number;
}
export function conv3d(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  const o = parse<Required<ConvOpts> & Rec>("conv3d", args, ["bias", "stride", "padding", "dilation", "groups"], {
    bias: null,
    stride: 1,
    padding: 0,
    dilation: 1,
    groups: 1,
  });
  return CN.conv3d(input, weight, o.bias, o.stride, o.padding, o.dilation, o.groups);
}
interface ConvTOpts {
  bias?: Tensor | null;
  stride?: T;
  padding?: T;
  outputPadding?: T;
  groups?: number;
  dilation?: T;
}
const convT =
  (name: string, f: typeof CN.convTranspose1d) =>
  (input: Tensor, weight: Tensor, ...args: unknown[]): Tensor => {
    const o = parse<Required<ConvTOpts> & Rec>(
      name,
      args,
      ["bias", "stride", "padding", "outputPadding", "groups", "dilation"],
      { bias: null, stride: 1, padding: 0, outputPadding: 0, groups: 1, dilation: 1 },
    );
    return f(input, weight, o.bias, o.stride, o.padding, o.outputPadding, o.groups, o.dilation);
  };
export const convTranspose1d = convT("conv_transpose1d", CN.convTranspose1d);
export const convTranspose3d = convT("conv_transpose3d", CN.convTranspose3d);

// --- image layout ---------------------------------------------------------------------------
export function pixelShuffle(input: Tensor, ...args: [upscaleFactor: number] | [{ upscaleFactor: number }]): Tensor {
  const o = parse<{ upscaleFactor: number }>("pixel_shuffle", args, ["upscaleFactor"], {}, ["upscaleFactor"]);
  return VO.pixelShuffle(input, o.upscaleFactor);
}
export function pixelUnshuffle(
  input: Tensor,
  ...args: [downscaleFactor: number] | [{ downscaleFactor: number }]
): Tensor {
  const o = parse<{ downscaleFactor: number }>("pixel_unshuffle", args, ["downscaleFactor"], {}, ["downscaleFactor"]);
  return VO.pixelUnshuffle(input, o.downscaleFactor);
}
export const channelShuffle = (input: Tensor, groups: number): Tensor => VO.channelShuffle(input, groups);
/** Alias PyTorch keeps: F.native_channel_shuffle. */
export const nativeChannelShuffle = channelShuffle;

interface UnfoldOpts {
  dilation?: T;
  padding?: T;
  stride?: T;
}
export function unfold(input: Tensor, kernelSize: T, ...args: unknown[]): Tensor {
  const o = parse<Required<UnfoldOpts> & Rec>("unfold", args, ["dilation", "padding", "stride"], {
    dilation: 1,
    padding: 0,
    stride: 1,
  });
  return VO.unfold(input, kernelSize, o.dilation, o.padding, o.stride);
}
export function fold(input: Tensor, outputSize: T, kernelSize: T, ...args: unknown[]): Tensor {
  const o = parse<Required<UnfoldOpts> & Rec>("fold", args, ["dilation", "padding", "stride"], {
    dilation: 1,
    padding: 0,
    stride: 1,
  });
  return VO.fold(input, outputSize, kernelSize, o.dilation, o.padding, o.stride);
}
export function affineGrid(theta: Tensor, size: readonly number[], ...args: unknown[]): Tensor {
  const o = parse<{ alignCorners: boolean | null }>("affine_grid", args, ["alignCorners"], { alignCorners: null });
  return VO.affineGrid(theta, size, o.alignCorners ?? false);
}
export function gridSample(input: Tensor, grid: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ mode: VO.GridSampleMode; paddingMode: VO.GridPadding; alignCorners: boolean | null }>(
    "grid_sample",
    args,
    ["mode", "paddingMode", "alignCorners"],
    { mode: "bilinear", paddingMode: "zeros", alignCorners: null },
  );
  return VO.gridSample(input, grid, o.mode, o.paddingMode, o.alignCorners ?? false);
}

// --- distances and normalisation ------------------------------------------------------------
export function normalize(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ p: number; dim: number; eps: number }>("normalize", args, ["p", "dim", "eps"], {
    p: 2,
    dim: 1,
    eps: 1e-12,
  });
  return ND.normalize(input, o.p, o.dim, o.eps);
}
export function cosineSimilarity(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ dim: number; eps: number }>("cosine_similarity", args, ["dim", "eps"], { dim: 1, eps: 1e-8 });
  return ND.cosineSimilarity(x1, x2, o.dim, o.eps);
}
export function pairwiseDistance(x1: Tensor, x2: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ p: number; eps: number; keepdim: boolean }>("pairwise_distance", args, ["p", "eps", "keepdim"], {
    p: 2,
    eps: 1e-6,
    keepdim: false,
  });
  return ND.pairwiseDistance(x1, x2, o.p, o.eps, o.keepdim);
}
interface InstanceNormOpts {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}
export function instanceNorm(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<Required<InstanceNormOpts> & Rec>(
    "instance_norm",
    args,
    ["runningMean", "runningVar", "weight", "bias", "useInputStats", "momentum", "eps"],
    { runningMean: null, runningVar: null, weight: null, bias: null, useInputStats: true, momentum: 0.1, eps: 1e-5 },
  );
  return ND.instanceNorm(input, o.runningMean, o.runningVar, o.weight, o.bias, o.useInputStats, o.momentum, o.eps);
}
export function localResponseNorm(input: Tensor, size: number, ...args: unknown[]): Tensor {
  const o = parse<{ alpha: number; beta: number; k: number }>("local_response_norm", args, ["alpha", "beta", "k"], {
    alpha: 1e-4,
    beta: 0.75,
    k: 1,
  });
  return ND.localResponseNorm(input, size, o.alpha, o.beta, o.k);
}

// --- more activations -----------------------------------------------------------------------
export { tanhshrink } from "../ops/activation-more.js";
export { bilinear } from "./modules/bilinear.js";
export function threshold(input: Tensor, th: number, value: number, ..._inplace: unknown[]): Tensor {
  return AM.threshold(input, th, value);
}
export function hardshrink(input: Tensor, ...args: unknown[]): Tensor {
  return AM.hardshrink(input, parse<{ lambd: number }>("hardshrink", args, ["lambd"], { lambd: 0.5 }).lambd);
}
export function softshrink(input: Tensor, ...args: unknown[]): Tensor {
  return AM.softshrink(input, parse<{ lambd: number }>("softshrink", args, ["lambd"], { lambd: 0.5 }).lambd);
}
export function glu(input: Tensor, ...args: unknown[]): Tensor {
  return AM.glu(input, parse<{ dim: number }>("glu", args, ["dim"], { dim: -1 }).dim);
}
export function softmin(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ dim: number; Stacklevel: number; dtype: DType | null }>(
    "softmin",
    args,
    ["dim", "Stacklevel", "dtype"],
    { dtype: null },
  );
  return AM.softmin(input, o.dim, o.dtype);
}
export function rrelu(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ lower: number; upper: number; training: boolean; inplace: boolean }>(
    "rrelu",
    args,
    ["lower", "upper", "training", "inplace"],
    { lower: 1 / 8, upper: 1 / 3, training: false },
  );
  return AM.rrelu(input, o.lower, o.upper, o.training);
}

// --- feature / alpha dropout, max unpooling ---------------------------------------------------
const dropArgs = (op: string, args: readonly unknown[]) =>
  parse<{ p: number; training: boolean; inplace: boolean }>(op, args, ["p", "training", "inplace"], {
    p: 0.5,
    training: true,
    inplace: false,
  });
export function dropout1d(input: Tensor, ...args: unknown[]): Tensor {
  const o = dropArgs("dropout1d", args);
  return MM.featureDropout("dropout1d", input, o.p, o.training, [2, 3]);
}
export function dropout3d(input: Tensor, ...args: unknown[]): Tensor {
  const o = dropArgs("dropout3d", args);
  return MM.featureDropout("dropout3d", input, o.p, o.training, [4, 5]);
}
export function alphaDropout(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ p: number; training: boolean; inplace: boolean }>(
    "alpha_dropout",
    args,
    ["p", "training", "inplace"],
    { p: 0.5, training: false, inplace: false },
  );
  return MM.alphaDropout(input, o.p, o.training, false);
}
export function featureAlphaDropout(input: Tensor, ...args: unknown[]): Tensor {
  const o = parse<{ p: number; training: boolean; inplace: boolean }>(
    "feature_alpha_dropout",
    args,
    ["p", "training", "inplace"],
    { p: 0.5, training: false, inplace: false },
  );
  return MM.alphaDropout(input, o.p, o.training, true);
}
const unpool =
  (nd: number) =>
  (input: Tensor, indices: Tensor, ...args: unknown[]): Tensor => {
    const o = parse<{
      kernelSize: number | number[];
      stride: number | number[] | null;
      padding: number | number[];
      outputSize: number[] | null;
    }>(
      `max_unpool${nd}d`,
      args,
      ["kernelSize", "stride", "padding", "outputSize"],
      { stride: null, padding: 0, outputSize: null },
      ["kernelSize"],
    );
    return MM.maxUnpool(nd, input, indices, o.kernelSize, o.stride, o.padding, o.outputSize);
  };
export const maxUnpool1d = unpool(1);
export const maxUnpool2d = unpool(2);
export const maxUnpool3d = unpool(3);
/** F.embedding_bag(input, weight, offsets, maxNorm, normType, scaleGradByFreq, mode = 'mean', sparse, perSampleWeights, includeLastOffset, paddingIdx). */
export function embeddingBag(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  const o = parse<EB.EmbeddingBagFnOptions & Rec>(
    "embedding_bag",
    args,
    [
      "offsets",
      "maxNorm",
      "normType",
      "scaleGradByFreq",
      "mode",
      "sparse",
      "perSampleWeights",
      "includeLastOffset",
      "paddingIdx",
    ],
    {},
  );
  return EB.embeddingBagImpl(input, weight, o);
}
