// torchvision.models.mobilenetv2 / mobilenetv3 (0.14): inverted residual blocks of depthwise
// convolutions, with torchvision's keys (features.N.conv.M / features.N.block.M), init and configs.
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { Conv2dNormActivation, SqueezeExcitation, type NormFactory } from "../ops/misc.js";
import { type ModelOptions, loadWeights, makeDivisible, modelOptions } from "./common.js";
import { MobileNet_V2_Weights, MobileNet_V3_Large_Weights, MobileNet_V3_Small_Weights } from "./weights.js";

type Args<O> = [] | [ModelOptions & O];
const relu6 = (): nn.Module => new nn.ReLU6(true);

/** torchvision's MobileNet init: kaiming-normal fan_out convs, unit norms, N(0, 0.01) linears. */
function initMobileNet(model: nn.Module): void {
  for (const m of model.modules()) {
    if (m instanceof nn.Conv2d) {
      nn.init.kaimingNormal_(m.weight, { mode: "fan_out" });
      if (m.bias) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
      if (m.weight) nn.init.ones_(m.weight);
      if (m.bias) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.Linear) {
      nn.init.normal_(m.weight, 0, 0.01);
      if (m.bias) nn.init.zeros_(m.bias);
    }
  }
}

export class InvertedResidual extends nn.Module {
  conv: nn.Sequential;
  readonly stride: number;
  readonly useResConnect: boolean;
  readonly outChannels: number;
  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormFactory = null) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 insted of ${stride}`);
    const norm = normLayer ?? ((c: number) => new nn.BatchNorm2d(c));
    const hidden = Math.round(inp * expandRatio);
    const layers: nn.Module[] = [];
    if (expandRatio !== 1)
      layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1, normLayer: norm, activationLayer: relu6 }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden, normLayer: norm, activationLayer: relu6 }),
      new nn.Conv2d(hidden, oup, 1, { stride: 1, padding: 0, bias: false }),
      norm(oup),
    );
    this.conv = new nn.Sequential(...layers);
    this.stride = stride;
    this.useResConnect = stride === 1 && inp === oup;
    this.outChannels = oup;
  }
  forward(x: Tensor): Tensor {
    return this.useResConnect ? x.add(this.conv(x)) : this.conv(x);
  }
}

export interface MobileNetV2Options {
  numClasses?: number;
  widthMult?: number;
  invertedResidualSetting?: number[][] | null;
  roundNearest?: number;
  normLayer?: NormFactory;
  dropout?: number;
}

export class MobileNetV2 extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;
  readonly lastChannel: number;
  constructor(o: MobileNetV2Options = {}) {
    super();
    const widthMult = o.widthMult ?? 1;
    const roundNearest = o.roundNearest ?? 8;
    const norm = o.normLayer ?? ((c: number) => new nn.BatchNorm2d(c));
    const setting = o.invertedResidualSetting ?? [
      [1, 16, 1, 1],
      [6, 24, 2, 2],
      [6, 32, 3, 2],
      [6, 64, 4, 2],
      [6, 96, 3, 1],
      [6, 160, 3, 2],
      [6, 320, 1, 1],
    ];
    if (setting.length === 0 || setting[0].length !== 4)
      throw new ValueError(
        `inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`,
      );
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features: nn.Module[] = [
      new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer: norm, activationLayer: relu6 }),
    ];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t, norm));
        inputChannel = outputChannel;
      }
    }
    features.push(
      new Conv2dNormActivation(inputChannel, this.lastChannel, {
        kernelSize: 1,
        normLayer: norm,
        activationLayer: relu6,
      }),
    );
    this.features = new nn.Sequential(...features);
    this.classifier = new nn.Sequential(
      new nn.Dropout(o.dropout ?? 0.2),
      new nn.Linear(this.lastChannel, o.numClasses ?? 1000),
    );
    initMobileNet(this);
  }
  forward(x: Tensor): Tensor {
    return this.classifier(nn.functional.adaptiveAvgPool2d(this.features(x), [1, 1]).flatten(1));
  }
}

export function mobilenetV2(...args: Args<MobileNetV2Options>): MobileNetV2 {
  const o = modelOptions<MobileNetV2Options>("mobilenet_v2", args, MobileNet_V2_Weights, [
    "numClasses",
    "widthMult",
    "invertedResidualSetting",
    "roundNearest",
    "normLayer",
    "dropout",
  ]);
  return loadWeights(new MobileNetV2(o.options), o);
}

/** One MobileNetV3 bottleneck (torchvision's InvertedResidualConfig), channels already scaled. */
export class InvertedResidualConfig {
  readonly inputChannels: number;
  readonly expandedChannels: number;
  readonly outChannels: number;
  readonly useHs: boolean;
  constructor(
    inputChannels: number,
    readonly kernel: number,
    expandedChannels: number,
    outChannels: number,
    readonly useSe: boolean,
    activation: "RE" | "HS",
    readonly stride: number,
    readonly dilation: number,
    widthMult: number,
  ) {
    this.inputChannels = InvertedResidualConfig.adjustChannels(inputChannels, widthMult);
    this.expandedChannels = InvertedResidualConfig.adjustChannels(expandedChannels, widthMult);
    this.outChannels = InvertedResidualConfig.adjustChannels(outChannels, widthMult);
    this.useHs = activation === "HS";
  }
  static adjustChannels(channels: number, widthMult: number): number {
    return makeDivisible(channels * widthMult, 8);
  }
}

export class InvertedResidualV3 extends nn.Module {
  block: nn.Sequential;
  readonly useResConnect: boolean;
  readonly outChannels: number;
  constructor(cnf: InvertedResidualConfig, normLayer: (c: number) => nn.Module) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new ValueError("illegal stride value");
    const act = cnf.useHs ? () => new nn.Hardswish() : () => new nn.ReLU();
    const layers: nn.Module[] = [];
    if (cnf.expandedChannels !== cnf.inputChannels) {
      layers.push(
        new Conv2dNormActivation(cnf.inputChannels, cnf.expandedChannels, {
          kernelSize: 1,
          normLayer,
          activationLayer: act,
        }),
      );
    }
    layers.push(
      new Conv2dNormActivation(cnf.expandedChannels, cnf.expandedChannels, {
        kernelSize: cnf.kernel,
        stride: cnf.dilation > 1 ? 1 : cnf.stride,
        dilation: cnf.dilation,
        groups: cnf.expandedChannels,
        normLayer,
        activationLayer: act,
      }),
    );
    if (cnf.useSe) {
      const squeeze = makeDivisible(Math.floor(cnf.expandedChannels / 4), 8);
      layers.push(
        new SqueezeExcitation(
          cnf.expandedChannels,
          squeeze,
          () => new nn.ReLU(),
          () => new nn.Hardsigmoid(),
        ),
      );
    }
    layers.push(
      new Conv2dNormActivation(cnf.expandedChannels, cnf.outChannels, {
        kernelSize: 1,
        normLayer,
        activationLayer: null,
      }),
    );
    this.block = new nn.Sequential(...layers);
    this.useResConnect = cnf.stride === 1 && cnf.inputChannels === cnf.outChannels;
    this.outChannels = cnf.outChannels;
  }
  forward(input: Tensor): Tensor {
    const result = this.block(input);
    return this.useResConnect ? result.add(input) : result;
  }
}

export interface MobileNetV3Options {
  numClasses?: number;
  widthMult?: number;
  reducedTail?: boolean;
  dilated?: boolean;
  normLayer?: NormFactory;
  dropout?: number;
}

export class MobileNetV3 extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential;
  constructor(setting: readonly InvertedResidualConfig[], lastChannel: number, o: MobileNetV3Options = {}) {
    super();
    if (setting.length === 0) throw new ValueError("The inverted_residual_setting should not be empty");
    const norm = o.normLayer ?? ((c: number) => new nn.BatchNorm2d(c, { eps: 0.001, momentum: 0.01 }));
    const hs = (): nn.Module => new nn.Hardswish();
    const layers: nn.Module[] = [
      new Conv2dNormActivation(3, setting[0].inputChannels, {
        kernelSize: 3,
        stride: 2,
        normLayer: norm,
        activationLayer: hs,
      }),
    ];
    for (const cnf of setting) layers.push(new InvertedResidualV3(cnf, norm));
    const lastIn = setting[setting.length - 1].outChannels;
    layers.push(new Conv2dNormActivation(lastIn, 6 * lastIn, { kernelSize: 1, normLayer: norm, activationLayer: hs }));
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(
      new nn.Linear(6 * lastIn, lastChannel),
      new nn.Hardswish(),
      new nn.Dropout(o.dropout ?? 0.2, true),
      new nn.Linear(lastChannel, o.numClasses ?? 1000),
    );
    initMobileNet(this);
  }
  forward(x: Tensor): Tensor {
    return this.classifier(this.avgpool(this.features(x)).flatten(1));
  }
}

type Row = [number, number, number, number, boolean, "RE" | "HS", number, number];
function mobilenetV3Conf(
  arch: "large" | "small",
  widthMult = 1,
  reducedTail = false,
  dilated = false,
): [InvertedResidualConfig[], number] {
  const r = reducedTail ? 2 : 1;
  const d = dilated ? 2 : 1;
  const rows: Row[] =
    arch === "large"
      ? [
          [16, 3, 16, 16, false, "RE", 1, 1],
          [16, 3, 64, 24, false, "RE", 2, 1],
          [24, 3, 72, 24, false, "RE", 1, 1],
          [24, 5, 72, 40, true, "RE", 2, 1],
          [40, 5, 120, 40, true, "RE", 1, 1],
          [40, 5, 120, 40, true, "RE", 1, 1],
          [40, 3, 240, 80, false, "HS", 2, 1],
          [80, 3, 200, 80, false, "HS", 1, 1],
          [80, 3, 184, 80, false, "HS", 1, 1],
          [80, 3, 184, 80, false, "HS", 1, 1],
          [80, 3, 480, 112, true, "HS", 1, 1],
          [112, 3, 672, 112, true, "HS", 1, 1],
          [112, 5, 672, 160 / r, true, "HS", 2, d],
          [160 / r, 5, 960 / r, 160 / r, true, "HS", 1, d],
          [160 / r, 5, 960 / r, 160 / r, true, "HS", 1, d],
        ]
      : [
          [16, 3, 16, 16, true, "RE", 2, 1],
          [16, 3, 72, 24, false, "RE", 2, 1],
          [24, 3, 88, 24, false, "RE", 1, 1],
          [24, 5, 96, 40, true, "HS", 2, 1],
          [40, 5, 240, 40, true, "HS", 1, 1],
          [40, 5, 240, 40, true, "HS", 1, 1],
          [40, 5, 120, 48, true, "HS", 1, 1],
          [48, 5, 144, 48, true, "HS", 1, 1],
          [48, 5, 288, 96 / r, true, "HS", 2, d],
          [96 / r, 5, 576 / r, 96 / r, true, "HS", 1, d],
          [96 / r, 5, 576 / r, 96 / r, true, "HS", 1, d],
        ];
  const setting = rows.map(
    (x) => new InvertedResidualConfig(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], widthMult),
  );
  const last = InvertedResidualConfig.adjustChannels((arch === "large" ? 1280 : 1024) / r, widthMult);
  return [setting, last];
}

const V3_OPTIONS = ["numClasses", "widthMult", "reducedTail", "dilated", "normLayer", "dropout"];
export function mobilenetV3Large(...args: Args<MobileNetV3Options>): MobileNetV3 {
  const o = modelOptions<MobileNetV3Options>("mobilenet_v3_large", args, MobileNet_V3_Large_Weights, V3_OPTIONS);
  const [setting, last] = mobilenetV3Conf("large", o.options.widthMult, o.options.reducedTail, o.options.dilated);
  return loadWeights(new MobileNetV3(setting, last, o.options), o);
}
export function mobilenetV3Small(...args: Args<MobileNetV3Options>): MobileNetV3 {
  const o = modelOptions<MobileNetV3Options>("mobilenet_v3_small", args, MobileNet_V3_Small_Weights, V3_OPTIONS);
  const [setting, last] = mobilenetV3Conf("small", o.options.widthMult, o.options.reducedTail, o.options.dilated);
  return loadWeights(new MobileNetV3(setting, last, o.options), o);
}
