// torchvision.ops building blocks used by the model zoo: Conv2dNormActivation (conv → norm →
// activation as one Sequential, keys 0/1), SqueezeExcitation and StochasticDepth.
import * as nn from "../../nn/index.js";
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";

/** A layer constructor given the channel count (torchvision passes classes or partials). */
export type NormFactory = ((channels: number) => nn.Module) | null;
/** An activation constructor (torchvision passes the class, e.g. nn.ReLU). */
export type ActivationFactory = (() => nn.Module) | null;

export interface Conv2dNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  padding?: number | null;
  groups?: number;
  normLayer?: NormFactory;
  activationLayer?: ActivationFactory;
  dilation?: number;
  bias?: boolean | null;
}

const runOne = (m: nn.Module, x: Tensor): Tensor => (m as unknown as { forward(x: Tensor): Tensor }).forward(x);

export class Conv2dNormActivation extends nn.Sequential {
  readonly outChannels: number;
  constructor(inChannels: number, outChannels: number, o: Conv2dNormActivationOptions = {}) {
    const k = o.kernelSize ?? 3;
    const dilation = o.dilation ?? 1;
    const padding = o.padding ?? Math.floor((k - 1) / 2) * dilation;
    const normLayer = o.normLayer === undefined ? (c: number) => new nn.BatchNorm2d(c) : o.normLayer;
    const activation = o.activationLayer === undefined ? () => new nn.ReLU(true) : o.activationLayer;
    const bias = o.bias ?? normLayer === null;
    const layers: nn.Module[] = [
      new nn.Conv2d(inChannels, outChannels, k, {
        stride: o.stride ?? 1,
        padding,
        dilation,
        groups: o.groups ?? 1,
        bias,
      }),
    ];
    if (normLayer !== null) layers.push(normLayer(outChannels));
    if (activation !== null) layers.push(activation());
    super(...layers);
    this.outChannels = outChannels;
  }
}

export class SqueezeExcitation extends nn.Module {
  avgpool = new nn.AdaptiveAvgPool2d(1);
  fc1: nn.Conv2d;
  fc2: nn.Conv2d;
  activation: nn.Module;
  scaleActivation: nn.Module;
  constructor(
    inputChannels: number,
    squeezeChannels: number,
    activation: () => nn.Module = () => new nn.ReLU(),
    scaleActivation: () => nn.Module = () => new nn.Sigmoid(),
  ) {
    super();
    this.fc1 = new nn.Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = new nn.Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation();
    this.scaleActivation = scaleActivation();
  }
  forward(input: Tensor): Tensor {
    const scale = runOne(this.scaleActivation, this.fc2(runOne(this.activation, this.fc1(this.avgpool(input)))));
    return scale.mul(input);
  }
}

/** torchvision.ops.stochastic_depth: in training, zeroes the whole input ("batch") or rows ("row") with probability p. */
export function stochasticDepth(input: Tensor, p: number, mode: "batch" | "row", training = true): Tensor {
  if (p < 0 || p > 1)
    throw new ValueError(`stochastic_depth: drop probability has to be between 0 and 1, but got ${p}`);
  if (mode !== "batch" && mode !== "row")
    throw new ValueError(`stochastic_depth: mode has to be either 'batch' or 'row', but got ${String(mode)}`);
  if (!training || p === 0) return input;
  const survival = 1 - p;
  const size = mode === "row" ? [input.shape[0], ...input.shape.slice(1).map(() => 1)] : input.shape.map(() => 1);
  let noise = empty(size, { dtype: input.dtype }).bernoulli_(survival);
  if (survival > 0) noise = noise.div_(survival);
  return input.mul(noise);
}

export class StochasticDepth extends nn.Module {
  constructor(
    readonly p: number,
    readonly mode: "batch" | "row",
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return stochasticDepth(input, this.p, this.mode, this.training);
  }
  override toString(): string {
    return `StochasticDepth(p=${this.p}, mode=${this.mode})`;
  }
}
