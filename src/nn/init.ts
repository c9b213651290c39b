// nn.init: in-place initialisers drawing from Flint's PyTorch-exact generator, with
// torch/nn/init.py's formulas (plain float64 arithmetic, as Python's), so that after
// torch.manualSeed(s) a model gets exactly PyTorch's initial weights.
import type { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { type Generator, defaultGenerator, normal, uniform } from "../random/index.js";
import { parseArgs } from "../ops/util.js";

type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case "selu":
      return 3.0 / 4;
    default:
      throw new ValueError(`calculateGain: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (dims 2…). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.dim() < 2)
    throw new ShapeError(
      `init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got ${fmtShape(t.shape)})`,
    );
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Fills t's elements (in memory order) from a sampler writing into a typed array. */
function fill(t: Tensor, op: string, sample: (a: Float32Array | Float64Array) => void): Tensor {
  if (t.dtype !== "float32" && t.dtype !== "float64")
    throw new ValueError(`${op}: expected a floating point tensor, got ${t.dtype}`);
  // A meta tensor has no values to set, and PyTorch draws nothing for it.
  if (t.storage.device === "meta") return t;
  noGrad(() => {
    const n = t.numel();
    if (t.isContiguous() && t.storage.device === "cpu") {
      const data = t.storage.data as Float32Array | Float64Array;
      sample(data.subarray(t.offset, t.offset + n));
    } else {
      const tmp = t.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
      sample(tmp);
      t.copy_(fromArray(tmp, t));
    }
    t.storage.version++;
  });
  return t;
}
import { fromTypedArray } from "../tensor.js";
const fromArray = (a: Float32Array | Float64Array, like: Tensor): Tensor => fromTypedArray(a, like.shape, like.dtype);

export interface GenOpt {
  generator?: Generator;
}
type Rec = Record<string, unknown>;

/** uniform_(t, a = 0, b = 1) or uniform_(t, { a, b, generator }). */
export function uniform_(
  t: Tensor,
  ...args: [] | [number | UniformOptions] | [number, number | UniformOptions] | [number, number, GenOpt]
): Tensor {
  const o = parseArgs<UniformOptions & Rec>("uniform_", args, ["a", "b", "generator"], { a: 0, b: 1 });
  return fill(t, "uniform_", (arr) => uniform(o.generator ?? defaultGenerator, arr, o.a ?? 0, o.b ?? 1));
}
export interface UniformOptions extends GenOpt {
  a?: number;
  b?: number;
}

/** normal_(t, mean = 0, std = 1) or normal_(t, { mean, std, generator }). */
export function normal_(
  t: Tensor,
  ...args: [] | [number | NormalOptions] | [number, number | NormalOptions] | [number, number, GenOpt]
): Tensor {
  const o = parseArgs<NormalOptions & Rec>("normal_", args, ["mean", "std", "generator"], { mean: 0, std: 1 });
  const std = o.std ?? 1;
  if (std < 0) throw new ValueError(`normal_: expects std >= 0.0, but found std ${std}`);
  return fill(t, "normal_", (arr) => normal(o.generator ?? defaultGenerator, arr, o.mean ?? 0, std));
}
export interface NormalOptions extends GenOpt {
  mean?: number;
  std?: number;
}

export function constant_(t: Tensor, val: number): Tensor {
  noGrad(() => t.fill_(val));
  return t;
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

export interface XavierOptions extends GenOpt {
  gain?: number;
}
const gainOf = (op: string, args: readonly unknown[]): XavierOptions =>
  parseArgs<XavierOptions & Rec>(op, args, ["gain", "generator"], { gain: 1 });

/** xavierUniform_(t, gain = 1) or xavierUniform_(t, { gain, generator }). */
export function xavierUniform_(t: Tensor, ...args: [] | [number | XavierOptions] | [number, GenOpt]): Tensor {
  const o = gainOf("xavier_uniform_", args);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = (o.gain ?? 1) * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a, { generator: o.generator });
}
export function xavierNormal_(t: Tensor, ...args: [] | [number | XavierOptions] | [number, GenOpt]): Tensor {
  const o = gainOf("xavier_normal_", args);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = (o.gain ?? 1) * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(t, 0, std, { generator: o.generator });
}

export interface KaimingOptions extends GenOpt {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, a: number, mode: "fan_in" | "fan_out", nonlinearity: Nonlinearity): number {
  if (mode !== "fan_in" && mode !== "fan_out")
    throw new ValueError(`kaiming init: mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === "fan_in" ? fanIn : fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

type KaimingArgs =
  | []
  | [number | KaimingOptions]
  | [number, "fan_in" | "fan_out" | KaimingOptions]
  | [number, "fan_in" | "fan_out", Nonlinearity | KaimingOptions]
  | [number, "fan_in" | "fan_out", Nonlinearity, GenOpt];
const kaimingOf = (op: string, args: readonly unknown[]): KaimingOptions =>
  parseArgs<KaimingOptions & Rec>(op, args, ["a", "mode", "nonlinearity", "generator"], {
    a: 0,
    mode: "fan_in",
    nonlinearity: "leaky_relu",
  });

/** kaimingUniform_(t, a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu'), or the options object. */
export function kaimingUniform_(t: Tensor, ...args: KaimingArgs): Tensor {
  const o = kaimingOf("kaiming_uniform_", args);
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3.0) * kaimingStd(t, o.a ?? 0, o.mode ?? "fan_in", o.nonlinearity ?? "leaky_relu");
  return uniform_(t, -bound, bound, { generator: o.generator });
}
export function kaimingNormal_(t: Tensor, ...args: KaimingArgs): Tensor {
  const o = kaimingOf("kaiming_normal_", args);
  if (t.numel() === 0) return t;
  return normal_(t, 0, kaimingStd(t, o.a ?? 0, o.mode ?? "fan_in", o.nonlinearity ?? "leaky_relu"), {
    generator: o.generator,
  });
}

/** PyTorch's default init of Linear / Conv weights and biases (reset_parameters). */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, Math.sqrt(5));
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
export { truncNormal_, orthogonal_, sparse_, dirac_, eye_ } from "./init-more.js";
