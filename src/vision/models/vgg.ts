// torchvision.models.vgg / alexnet / squeezenet (0.14): the plain convolutional classifiers, with
// torchvision's layer indices (features.0.weight …) and initialisation.
import * as nn from "../../nn/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { type ModelOptions, loadWeights, modelOptions } from "./common.js";
import {
  AlexNet_Weights,
  SqueezeNet1_1_Weights,
  VGG11_BN_Weights,
  VGG11_Weights,
  VGG16_BN_Weights,
  VGG16_Weights,
  type WeightsEnum,
} from "./weights.js";

export interface VGGOptions {
  numClasses?: number;
  initWeights?: boolean;
  dropout?: number;
}

export class VGG extends nn.Module {
  features: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
  classifier: nn.Sequential;

  constructor(features: nn.Sequential, o: VGGOptions = {}) {
    super();
    const dropout = o.dropout ?? 0.5;
    this.features = features;
    this.classifier = new nn.Sequential(
      new nn.Linear(512 * 7 * 7, 4096),
      new nn.ReLU(true),
      new nn.Dropout(dropout),
      new nn.Linear(4096, 4096),
      new nn.ReLU(true),
      new nn.Dropout(dropout),
      new nn.Linear(4096, o.numClasses ?? 1000),
    );
    if (o.initWeights ?? true) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d) {
          nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
          if (m.bias) nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.BatchNorm2d) {
          if (m.weight) nn.init.constant_(m.weight, 1);
          if (m.bias) nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, 0.01);
          if (m.bias) nn.init.constant_(m.bias, 0);
        }
      }
    }
  }

  forward(x: Tensor): Tensor {
    return this.classifier(this.avgpool(this.features(x)).flatten(1));
  }
}

const CFGS: Record<string, (number | "M")[]> = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

/** torchvision's make_layers: 3x3 convs (with BatchNorm when asked) and 2x2 max pools. */
export function makeLayers(cfg: readonly (number | "M")[], batchNorm = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let inChannels = 3;
  for (const v of cfg) {
    if (v === "M") {
      layers.push(new nn.MaxPool2d(2, { stride: 2 }));
      continue;
    }
    const conv = new nn.Conv2d(inChannels, v, 3, { padding: 1 });
    layers.push(...(batchNorm ? [conv, new nn.BatchNorm2d(v), new nn.ReLU(true)] : [conv, new nn.ReLU(true)]));
    inChannels = v;
  }
  return new nn.Sequential(...layers);
}

const VGG_OPTIONS = ["numClasses", "initWeights", "dropout"];
function vgg(cfg: string, bn: boolean, name: string, e: WeightsEnum, args: unknown[]): VGG {
  const o = modelOptions<VGGOptions>(name, args, e, VGG_OPTIONS);
  // Pretrained weights replace everything: torchvision skips the initialisation then.
  const model = new VGG(makeLayers(CFGS[cfg], bn), {
    ...o.options,
    ...(o.weights !== null ? { initWeights: false } : {}),
  });
  return loadWeights(model, o);
}
type Args<O> = [] | [ModelOptions & O];
export const vgg11 = (...args: Args<VGGOptions>): VGG => vgg("A", false, "vgg11", VGG11_Weights, args);
export const vgg11Bn = (...args: Args<VGGOptions>): VGG => vgg("A", true, "vgg11_bn", VGG11_BN_Weights, args);
export const vgg13 = (...args: Args<VGGOptions>): VGG => vgg("B", false, "vgg13", {} as WeightsEnum, args);
export const vgg16 = (...args: Args<VGGOptions>): VGG => vgg("D", false, "vgg16", VGG16_Weights, args);
export const vgg16Bn = (...args: Args<VGGOptions>): VGG => vgg("D", true, "vgg16_bn", VGG16_BN_Weights, args);
export const vgg19 = (...args: Args<VGGOptions>): VGG => vgg("E", false, "vgg19", {} as WeightsEnum, args);

export interface AlexNetOptions {
  numClasses?: number;
  dropout?: number;
}

export class AlexNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(64, 192, 5, { padding: 2 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(3, { stride: 2 }),
    new nn.Conv2d(192, 384, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.Conv2d(384, 256, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.Conv2d(256, 256, 3, { padding: 1 }),
    new nn.ReLU(true),
    new nn.MaxPool2d(3, { stride: 2 }),
  );
  avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
  classifier: nn.Sequential;

  constructor(o: AlexNetOptions = {}) {
    super();
    const p = o.dropout ?? 0.5;
    this.classifier = new nn.Sequential(
      new nn.Dropout(p),
      new nn.Linear(256 * 6 * 6, 4096),
      new nn.ReLU(true),
      new nn.Dropout(p),
      new nn.Linear(4096, 4096),
      new nn.ReLU(true),
      new nn.Linear(4096, o.numClasses ?? 1000),
    );
  }

  forward(x: Tensor): Tensor {
    return this.classifier(this.avgpool(this.features(x)).flatten(1));
  }
}

export function alexnet(...args: Args<AlexNetOptions>): AlexNet {
  const o = modelOptions<AlexNetOptions>("alexnet", args, AlexNet_Weights, ["numClasses", "dropout"]);
  return loadWeights(new AlexNet(o.options), o);
}

export class Fire extends nn.Module {
  squeeze: nn.Conv2d;
  squeezeActivation = new nn.ReLU(true);
  expand1x1: nn.Conv2d;
  expand1x1Activation = new nn.ReLU(true);
  expand3x3: nn.Conv2d;
  expand3x3Activation = new nn.ReLU(true);

  constructor(
    readonly inplanes: number,
    squeezePlanes: number,
    expand1x1Planes: number,
    expand3x3Planes: number,
  ) {
    super();
    this.squeeze = new nn.Conv2d(inplanes, squeezePlanes, 1);
    this.expand1x1 = new nn.Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand3x3 = new nn.Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
  }

  forward(x: Tensor): Tensor {
    const s = this.squeezeActivation(this.squeeze(x));
    return cat([this.expand1x1Activation(this.expand1x1(s)), this.expand3x3Activation(this.expand3x3(s))], 1);
  }
}

export interface SqueezeNetOptions {
  numClasses?: number;
  dropout?: number;
}

export class SqueezeNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;

  constructor(version: "1_0" | "1_1" = "1_0", o: SqueezeNetOptions = {}) {
    super();
    const pool = (): nn.MaxPool2d => new nn.MaxPool2d(3, { stride: 2, ceilMode: true });
    if (version === "1_0") {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 96, 7, { stride: 2 }),
        new nn.ReLU(true),
        pool(),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        pool(),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === "1_1") {
      this.features = new nn.Sequential(
        new nn.Conv2d(3, 64, 3, { stride: 2 }),
        new nn.ReLU(true),
        pool(),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        pool(),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        pool(),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      throw new ValueError(`Unsupported SqueezeNet version ${String(version)}: 1_0 or 1_1 expected`);
    }
    // The final convolution is initialised differently from the rest.
    const finalConv = new nn.Conv2d(512, o.numClasses ?? 1000, 1);
    this.classifier = new nn.Sequential(
      new nn.Dropout(o.dropout ?? 0.5),
      finalConv,
      new nn.ReLU(true),
      new nn.AdaptiveAvgPool2d([1, 1]),
    );
    for (const m of this.modules()) {
      if (!(m instanceof nn.Conv2d)) continue;
      if (m === finalConv) nn.init.normal_(m.weight, 0, 0.01);
      else nn.init.kaimingUniform_(m.weight);
      if (m.bias) nn.init.constant_(m.bias, 0);
    }
  }

  forward(x: Tensor): Tensor {
    return this.classifier(this.features(x)).flatten(1);
  }
}

export function squeezenet1_0(...args: Args<SqueezeNetOptions>): SqueezeNet {
  const o = modelOptions<SqueezeNetOptions>("squeezenet1_0", args, {} as WeightsEnum, ["numClasses", "dropout"]);
  return loadWeights(new SqueezeNet("1_0", o.options), o);
}
export function squeezenet1_1(...args: Args<SqueezeNetOptions>): SqueezeNet {
  const o = modelOptions<SqueezeNetOptions>("squeezenet1_1", args, SqueezeNet1_1_Weights, ["numClasses", "dropout"]);
  return loadWeights(new SqueezeNet("1_1", o.options), o);
}
