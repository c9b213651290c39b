// torchvision.models.densenet (0.14): DenseNet-BC, each layer fed the concatenation of all earlier
// ones; keys features.denseblockN.denselayerM.* as torchvision's (old checkpoints' norm.1 keys too).
import * as nn from "../../nn/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor.js";
import { loadStateDictFromUrl } from "../../hub/index.js";
import { type ModelOptions, type ParsedModelOptions, modelOptions } from "./common.js";
import { DenseNet121_Weights, type WeightsEnum } from "./weights.js";

export class DenseLayer extends nn.Module {
  norm1: nn.BatchNorm2d;
  relu1 = new nn.ReLU(true);
  conv1: nn.Conv2d;
  norm2: nn.BatchNorm2d;
  relu2 = new nn.ReLU(true);
  conv2: nn.Conv2d;
  readonly dropRate: number;
  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number) {
    super();
    this.norm1 = new nn.BatchNorm2d(numInputFeatures);
    this.conv1 = new nn.Conv2d(numInputFeatures, bnSize * growthRate, 1, { stride: 1, bias: false });
    this.norm2 = new nn.BatchNorm2d(bnSize * growthRate);
    this.conv2 = new nn.Conv2d(bnSize * growthRate, growthRate, 3, { stride: 1, padding: 1, bias: false });
    this.dropRate = dropRate;
  }
  /** Takes the list of all earlier feature maps (or one tensor). */
  forward(input: Tensor | Tensor[]): Tensor {
    const prev = Array.isArray(input) ? input : [input];
    const bottleneck = this.conv1(this.relu1(this.norm1(cat(prev, 1))));
    const out = this.conv2(this.relu2(this.norm2(bottleneck)));
    return this.dropRate > 0 ? nn.functional.dropout(out, { p: this.dropRate, training: this.training }) : out;
  }
}

export class DenseBlock extends nn.Module {
  private readonly layers: DenseLayer[] = [];
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate);
      this.registerModule(`denselayer${i + 1}`, layer);
      this.layers.push(layer);
    }
  }
  forward(initFeatures: Tensor): Tensor {
    const features = [initFeatures];
    for (const layer of this.layers) features.push(layer.forward(features));
    return cat(features, 1);
  }
}

/** BatchNorm, ReLU, 1x1 conv, 2x2 average pool between dense blocks. */
export class Transition extends nn.Sequential {
  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super(
      new Map<string, nn.Module>([
        ["norm", new nn.BatchNorm2d(numInputFeatures)],
        ["relu", new nn.ReLU(true)],
        ["conv", new nn.Conv2d(numInputFeatures, numOutputFeatures, 1, { stride: 1, bias: false })],
        ["pool", new nn.AvgPool2d(2, { stride: 2 })],
      ]),
    );
  }
}

export interface DenseNetOptions {
  growthRate?: number;
  blockConfig?: readonly [number, number, number, number];
  numInitFeatures?: number;
  bnSize?: number;
  dropRate?: number;
  numClasses?: number;
}

export class DenseNet extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Linear;
  constructor(o: DenseNetOptions = {}) {
    super();
    const growth = o.growthRate ?? 32;
    const blocks = o.blockConfig ?? [6, 12, 24, 16];
    const init = o.numInitFeatures ?? 64;
    const bnSize = o.bnSize ?? 4;
    this.features = new nn.Sequential(
      new Map<string, nn.Module>([
        ["conv0", new nn.Conv2d(3, init, 7, { stride: 2, padding: 3, bias: false })],
        ["norm0", new nn.BatchNorm2d(init)],
        ["relu0", new nn.ReLU(true)],
        ["pool0", new nn.MaxPool2d(3, { stride: 2, padding: 1 })],
      ]),
    );
    let n = init;
    blocks.forEach((numLayers, i) => {
      this.features.addModule(`denseblock${i + 1}`, new DenseBlock(numLayers, n, bnSize, growth, o.dropRate ?? 0));
      n += numLayers * growth;
      if (i !== blocks.length - 1) {
        this.features.addModule(`transition${i + 1}`, new Transition(n, Math.floor(n / 2)));
        n = Math.floor(n / 2);
      }
    });
    this.features.addModule("norm5", new nn.BatchNorm2d(n));
    this.classifier = new nn.Linear(n, o.numClasses ?? 1000);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight);
      else if (m instanceof nn.BatchNorm2d) {
        if (m.weight) nn.init.constant_(m.weight, 1);
        if (m.bias) nn.init.constant_(m.bias, 0);
      } else if (m instanceof nn.Linear && m.bias) nn.init.constant_(m.bias, 0);
    }
  }
  forward(x: Tensor): Tensor {
    const out = nn.functional.adaptiveAvgPool2d(this.features(x).relu(), [1, 1]);
    return this.classifier(out.flatten(1));
  }
}

/** torchvision's old DenseNet checkpoints name layers norm.1 / conv.2: renamed to norm1 / conv2. */
const OLD_KEY = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;

function loadDenseNetWeights(model: DenseNet, o: ParsedModelOptions<unknown>): DenseNet {
  if (o.weights === null) return model;
  const loaded = loadStateDictFromUrl(o.weights.url, { progress: o.progress, checkHash: true }) as
    Map<string, Tensor> | Record<string, Tensor>;
  const entries: [string, Tensor][] = loaded instanceof Map ? [...loaded] : Object.entries(loaded);
  const fixed = new Map(
    entries.map(([k, v]) => {
      const m = OLD_KEY.exec(k);
      return [m !== null ? m[1] + m[2] : k, v];
    }),
  );
  model.loadStateDict(fixed);
  return model;
}

type Args = [] | [ModelOptions & DenseNetOptions];
const DENSE_OPTIONS = ["growthRate", "blockConfig", "numInitFeatures", "bnSize", "dropRate", "numClasses"];
function densenet(
  name: string,
  e: WeightsEnum,
  growthRate: number,
  blockConfig: [number, number, number, number],
  numInitFeatures: number,
  args: unknown[],
): DenseNet {
  const o = modelOptions<DenseNetOptions>(name, args, e, DENSE_OPTIONS);
  return loadDenseNetWeights(new DenseNet({ growthRate, blockConfig, numInitFeatures, ...o.options }), o);
}
const none = {} as WeightsEnum;
export const densenet121 = (...a: Args): DenseNet =>
  densenet("densenet121", DenseNet121_Weights, 32, [6, 12, 24, 16], 64, a);
export const densenet161 = (...a: Args): DenseNet => densenet("densenet161", none, 48, [6, 12, 36, 24], 96, a);
export const densenet169 = (...a: Args): DenseNet => densenet("densenet169", none, 32, [6, 12, 32, 32], 64, a);
export const densenet201 = (...a: Args): DenseNet => densenet("densenet201", none, 32, [6, 12, 48, 32], 64, a);
