// torchvision.models.efficientnet (0.14), the V1 family B0–B7: MBConv blocks (expand, depthwise,
// squeeze-excitation, project) with stochastic depth growing linearly over the blocks.
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { Conv2dNormActivation, SqueezeExcitation, StochasticDepth } from "../ops/misc.js";
import { type ModelOptions, loadWeights, makeDivisible, modelOptions } from "./common.js";
import { EfficientNet_B0_Weights, type WeightsEnum } from "./weights.js";

/** One stage (torchvision's MBConvConfig): channels scaled by width, layers by depth. */
export class MBConvConfig {
  readonly inputChannels: number;
  readonly outChannels: number;
  readonly numLayers: number;
  constructor(
    readonly expandRatio: number,
    readonly kernel: number,
    readonly stride: number,
    inputChannels: number,
    outChannels: number,
    numLayers: number,
    widthMult = 1,
    depthMult = 1,
  ) {
    this.inputChannels = MBConvConfig.adjustChannels(inputChannels, widthMult);
    this.outChannels = MBConvConfig.adjustChannels(outChannels, widthMult);
    this.numLayers = Math.ceil(numLayers * depthMult);
  }
  static adjustChannels(channels: number, widthMult: number, minValue: number | null = null): number {
    return makeDivisible(channels * widthMult, 8, minValue);
  }
}

type Norm = (c: number) => nn.Module;
const silu = (): nn.Module => new nn.SiLU(true);

export class MBConv extends nn.Module {
  block: nn.Sequential;
  stochasticDepth: StochasticDepth;
  readonly useResConnect: boolean;
  readonly outChannels: number;
  constructor(
    input: number,
    out: number,
    expandRatio: number,
    kernel: number,
    stride: number,
    stochasticDepthProb: number,
    normLayer: Norm,
  ) {
    super();
    if (!(stride >= 1 && stride <= 2)) throw new ValueError("illegal stride value");
    const expanded = MBConvConfig.adjustChannels(input, expandRatio);
    const layers: nn.Module[] = [];
    if (expanded !== input)
      layers.push(new Conv2dNormActivation(input, expanded, { kernelSize: 1, normLayer, activationLayer: silu }));
    layers.push(
      new Conv2dNormActivation(expanded, expanded, {
        kernelSize: kernel,
        stride,
        groups: expanded,
        normLayer,
        activationLayer: silu,
      }),
    );
    layers.push(new SqueezeExcitation(expanded, Math.max(1, Math.floor(input / 4)), silu));
    layers.push(new Conv2dNormActivation(expanded, out, { kernelSize: 1, normLayer, activationLayer: null }));
    this.block = new nn.Sequential(...layers);
    this.stochasticDepth = new StochasticDepth(stochasticDepthProb, "row");
    this.useResConnect = stride === 1 && input === out;
    this.outChannels = out;
  }
  forward(input: Tensor): Tensor {
    const result = this.block(input);
    return this.useResConnect ? this.stochasticDepth(result).add(input) : result;
  }
}

export interface EfficientNetOptions {
  numClasses?: number;
  stochasticDepthProb?: number;
  normLayer?: Norm | null;
  lastChannel?: number | null;
}

export class EfficientNet extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(setting: readonly MBConvConfig[], dropout: number, o: EfficientNetOptions = {}) {
    super();
    if (setting.length === 0) throw new ValueError("The inverted_residual_setting should not be empty");
    const norm = o.normLayer ?? ((c: number) => new nn.BatchNorm2d(c));
    const sdProb = o.stochasticDepthProb ?? 0.2;
    const layers: nn.Module[] = [
      new Conv2dNormActivation(3, setting[0].inputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: norm,
        activationLayer: silu,
      }),
    ];
    const total = setting.reduce((n, c) => n + c.numLayers, 0);
    let id = 0;
    for (const cnf of setting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.numLayers; i++) {
        const input = i === 0 ? cnf.inputChannels : cnf.outChannels;
        stage.push(
          new MBConv(
            input,
            cnf.outChannels,
            cnf.expandRatio,
            cnf.kernel,
            i === 0 ? cnf.stride : 1,
            (sdProb * id) / total,
            norm,
          ),
        );
        id++;
      }
      layers.push(new nn.Sequential(...stage));
    }
    const lastIn = setting[setting.length - 1].outChannels;
    const lastOut = o.lastChannel ?? 4 * lastIn;
    layers.push(new Conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, normLayer: norm, activationLayer: silu }));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(new nn.Dropout(dropout, true), new nn.Linear(lastOut, o.numClasses ?? 1000));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaimingNormal_(m.weight, { mode: "fan_out" });
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        if (m.weight) nn.init.ones_(m.weight);
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        const r = 1 / Math.sqrt(m.outFeatures);
        nn.init.uniform_(m.weight, -r, r);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }
  forward(x: Tensor): Tensor {
    return this.classifier(this.avgpool(this.features(x)).flatten(1));
  }
}

function efficientnetB(
  name: string,
  e: WeightsEnum,
  width: number,
  depth: number,
  dropout: number,
  args: unknown[],
  bnEps = false,
): EfficientNet {
  const o = modelOptions<EfficientNetOptions>(name, args, e, ["numClasses", "stochasticDepthProb", "normLayer"]);
  const c = (er: number, k: number, s: number, i: number, out: number, n: number): MBConvConfig =>
    new MBConvConfig(er, k, s, i, out, n, width, depth);
  const setting = [
    c(1, 3, 1, 32, 16, 1),
    c(6, 3, 2, 16, 24, 2),
    c(6, 5, 2, 24, 40, 2),
    c(6, 3, 2, 40, 80, 3),
    c(6, 5, 1, 80, 112, 3),
    c(6, 5, 2, 112, 192, 4),
    c(6, 3, 1, 192, 320, 1),
  ];
  const normLayer = bnEps ? (ch: number) => new nn.BatchNorm2d(ch, { eps: 0.001, momentum: 0.01 }) : null;
  return loadWeights(new EfficientNet(setting, dropout, { normLayer, ...o.options }), o);
}

type Args = [] | [ModelOptions & EfficientNetOptions];
const none = {} as WeightsEnum;
export const efficientnetB0 = (...a: Args): EfficientNet =>
  efficientnetB("efficientnet_b0", EfficientNet_B0_Weights, 1.0, 1.0, 0.2, a);
export const efficientnetB1 = (...a: Args): EfficientNet => efficientnetB("efficientnet_b1", none, 1.0, 1.1, 0.2, a);
export const efficientnetB2 = (...a: Args): EfficientNet => efficientnetB("efficientnet_b2", none, 1.1, 1.2, 0.3, a);
export const efficientnetB3 = (...a: Args): EfficientNet => efficientnetB("efficientnet_b3", none, 1.2, 1.4, 0.3, a);
export const efficientnetB4 = (...a: Args): EfficientNet => efficientnetB("efficientnet_b4", none, 1.4, 1.8, 0.4, a);
export const efficientnetB5 = (...a: Args): EfficientNet =>
  efficientnetB("efficientnet_b5", none, 1.6, 2.2, 0.4, a, true);
export const efficientnetB6 = (...a: Args): EfficientNet =>
  efficientnetB("efficientnet_b6", none, 1.8, 2.6, 0.5, a, true);
export const efficientnetB7 = (...a: Args): EfficientNet =>
  efficientnetB("efficientnet_b7", none, 2.0, 3.1, 0.5, a, true);
