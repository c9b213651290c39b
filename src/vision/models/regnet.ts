// torchvision.models.regnet (0.14): RegNet's quantized linear width rule (BlockParams) and its
// residual bottleneck blocks with group convolutions and squeeze-excitation (RegNetY).
import * as nn from "../../nn/index.js";
import { arange } from "../../ops/creation.js";
import { pow } from "../../ops/binary.js";
import { log, round } from "../../ops/unary.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { Conv2dNormActivation, SqueezeExcitation } from "../ops/misc.js";
import { type ModelOptions, loadWeights, makeDivisible, modelOptions } from "./common.js";
import { RegNet_Y_400MF_Weights } from "./weights.js";

type Norm = (c: number) => nn.Module;
type Act = () => nn.Module;

/** Python's round(): halves to even. */
const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

export class BottleneckTransform extends nn.Sequential {
  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    norm: Norm,
    act: Act,
    groupWidth: number,
    bottleneckMultiplier: number,
    seRatio: number | null,
  ) {
    const wB = roundHalfEven(widthOut * bottleneckMultiplier);
    const g = Math.floor(wB / groupWidth);
    const layers = new Map<string, nn.Module>();
    layers.set(
      "a",
      new Conv2dNormActivation(widthIn, wB, { kernelSize: 1, stride: 1, normLayer: norm, activationLayer: act }),
    );
    layers.set(
      "b",
      new Conv2dNormActivation(wB, wB, { kernelSize: 3, stride, groups: g, normLayer: norm, activationLayer: act }),
    );
    if (seRatio) layers.set("se", new SqueezeExcitation(wB, roundHalfEven(seRatio * widthIn), act));
    layers.set(
      "c",
      new Conv2dNormActivation(wB, widthOut, { kernelSize: 1, stride: 1, normLayer: norm, activationLayer: null }),
    );
    super(layers);
  }
}

export class ResBottleneckBlock extends nn.Module {
  proj: Conv2dNormActivation | null = null;
  f: BottleneckTransform;
  activation: nn.Module;
  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    norm: Norm,
    act: Act,
    groupWidth = 1,
    bottleneckMultiplier = 1,
    seRatio: number | null = null,
  ) {
    super();
    if (widthIn !== widthOut || stride !== 1) {
      this.proj = new Conv2dNormActivation(widthIn, widthOut, {
        kernelSize: 1,
        stride,
        normLayer: norm,
        activationLayer: null,
      });
    }
    this.f = new BottleneckTransform(widthIn, widthOut, stride, norm, act, groupWidth, bottleneckMultiplier, seRatio);
    this.activation = act();
  }
  forward(x: Tensor): Tensor {
    const y = this.proj !== null ? this.proj(x).add(this.f(x)) : x.add(this.f(x));
    return (this.activation as unknown as { forward(t: Tensor): Tensor }).forward(y);
  }
}

export class AnyStage extends nn.Sequential {
  constructor(
    widthIn: number,
    widthOut: number,
    stride: number,
    depth: number,
    norm: Norm,
    act: Act,
    groupWidth: number,
    bottleneckMultiplier: number,
    seRatio: number | null,
    stageIndex: number,
  ) {
    super();
    for (let i = 0; i < depth; i++) {
      this.addModule(
        `block${stageIndex}-${i}`,
        new ResBottleneckBlock(
          i === 0 ? widthIn : widthOut,
          widthOut,
          i === 0 ? stride : 1,
          norm,
          act,
          groupWidth,
          bottleneckMultiplier,
          seRatio,
        ),
      );
    }
  }
}

/** Per-stage settings (torchvision's BlockParams). */
export class BlockParams {
  constructor(
    readonly depths: number[],
    readonly widths: number[],
    readonly groupWidths: number[],
    readonly bottleneckMultipliers: number[],
    readonly strides: number[],
    readonly seRatio: number | null = null,
  ) {}

  /** The widths of RegNet's rule, computed in float32 tensors exactly as torchvision does. */
  static fromInitParams(
    depth: number,
    w0: number,
    wA: number,
    wM: number,
    groupWidth: number,
    bottleneckMultiplier = 1,
    seRatio: number | null = null,
  ): BlockParams {
    if (wA < 0 || w0 <= 0 || wM <= 1 || w0 % 8 !== 0) throw new ValueError("Invalid RegNet settings");
    const widthsCont = arange(depth).mul(wA).add(w0);
    const capacity = round(log(widthsCont.div(w0)).div(Math.log(wM)));
    const blockWidths = round(pow(wM, capacity).mul(w0).div(8)).mul(8).to("int32").tolist() as number[];
    const numStages = new Set(blockWidths).size;
    const a = [...blockWidths, 0];
    const b = [0, ...blockWidths];
    const splits = a.map((w, i) => w !== b[i]);
    const stageWidths = blockWidths.filter((_, i) => splits[i]);
    const starts = splits.map((t, i) => (t ? i : -1)).filter((i) => i >= 0);
    const stageDepths = starts.slice(1).map((s, i) => s - starts[i]);
    const mult = Array<number>(numStages).fill(bottleneckMultiplier);
    // torchvision's _adjust_widths_groups_compatibilty.
    const widths = stageWidths.map((w, i) => Math.trunc(w * mult[i]));
    const groupMin = widths.map((w) => Math.min(groupWidth, w));
    const wsBot = widths.map((w, i) => makeDivisible(w, groupMin[i]));
    const adjusted = wsBot.map((w, i) => Math.trunc(w / mult[i]));
    return new BlockParams(stageDepths, adjusted, groupMin, mult, Array<number>(numStages).fill(2), seRatio);
  }
}

export interface RegNetOptions {
  numClasses?: number;
  stemWidth?: number;
  normLayer?: Norm | null;
  activation?: Act | null;
}

export class RegNet extends nn.Module {
  stem: Conv2dNormActivation;
  /** torchvision's attribute name, kept so that state-dict keys match (trunkOutput reads it). */
  trunk_output: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  constructor(params: BlockParams, o: RegNetOptions = {}) {
    super();
    const norm = o.normLayer ?? ((c: number) => new nn.BatchNorm2d(c));
    const act = o.activation ?? (() => new nn.ReLU(true));
    const stemWidth = o.stemWidth ?? 32;
    this.stem = new Conv2dNormActivation(3, stemWidth, {
      kernelSize: 3,
      stride: 2,
      normLayer: norm,
      activationLayer: act,
    });
    let current = stemWidth;
    const blocks = new Map<string, nn.Module>();
    params.widths.forEach((widthOut, i) => {
      blocks.set(
        `block${i + 1}`,
        new AnyStage(
          current,
          widthOut,
          params.strides[i],
          params.depths[i],
          norm,
          act,
          params.groupWidths[i],
          params.bottleneckMultipliers[i],
          params.seRatio,
          i + 1,
        ),
      );
      current = widthOut;
    });
    this.trunk_output = new nn.Sequential(blocks);
    this.fc = new nn.Linear(current, o.numClasses ?? 1000);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        const [kh, kw] = m.kernelSize;
        nn.init.normal_(m.weight, 0, Math.sqrt(2 / (kh * kw * m.outChannels)));
      } else if (m instanceof nn.BatchNorm2d) {
        if (m.weight) nn.init.ones_(m.weight);
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.01);
        if (m.bias) nn.init.zeros_(m.bias);
      }
    }
  }
  get trunkOutput(): nn.Sequential {
    return this.trunk_output;
  }
  forward(x: Tensor): Tensor {
    return this.fc(this.avgpool(this.trunkOutput(this.stem(x))).flatten(1));
  }
}

type Args = [] | [ModelOptions & RegNetOptions];
export function regnetY_400mf(...args: Args): RegNet {
  const o = modelOptions<RegNetOptions>("regnet_y_400mf", args, RegNet_Y_400MF_Weights, [
    "numClasses",
    "stemWidth",
    "normLayer",
    "activation",
  ]);
  const params = BlockParams.fromInitParams(16, 48, 27.89, 2.09, 8, 1, 0.25);
  return loadWeights(new RegNet(params, o.options), o);
}
