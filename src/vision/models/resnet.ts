// torchvision.models.resnet (0.14): ResNet-18/34/50/101/152, ResNeXt and Wide ResNet, with
// torchvision's module names (so state dicts load unchanged), its construction order (so that
// after torch.manualSeed the weights are torchvision's) and its initialisation.
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { type ModelOptions, loadWeights, modelOptions } from "./common.js";
import { convBnAddRelu, convBnRelu, shortcut } from "./conv-bn.js";
import {
  ResNet18_Weights,
  ResNet34_Weights,
  ResNet50_Weights,
  ResNet101_Weights,
  ResNet152_Weights,
  ResNeXt50_32X4D_Weights,
  Wide_ResNet50_2_Weights,
  type WeightsEnum,
} from "./weights.js";

const conv3x3 = (cin: number, cout: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d =>
  new nn.Conv2d(cin, cout, 3, { stride, padding: dilation, groups, bias: false, dilation });
const conv1x1 = (cin: number, cout: number, stride = 1): nn.Conv2d =>
  new nn.Conv2d(cin, cout, 1, { stride, bias: false });

/** Builds a normalization layer over `channels` (torchvision's norm_layer; BatchNorm2d by default). */
export type NormLayer = (channels: number) => nn.Module;
const batchNorm: NormLayer = (c) => new nn.BatchNorm2d(c);

interface BlockArgs {
  inplanes: number;
  planes: number;
  stride: number;
  downsample: nn.Module | null;
  groups: number;
  baseWidth: number;
  dilation: number;
  normLayer: NormLayer;
}

export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu = new nn.ReLU(true);
  conv2: nn.Conv2d;
  bn2: nn.Module;
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(a: BlockArgs) {
    super();
    if (a.groups !== 1 || a.baseWidth !== 64)
      throw new ValueError("BasicBlock only supports groups=1 and base_width=64");
    if (a.dilation > 1) throw new ValueError("Dilation > 1 not supported in BasicBlock");
    // Fields are assigned in torchvision's order: relu was created first above, but the
    // registration order of the state dict follows the declarations (conv1, bn1, relu, …).
    this.conv1 = conv3x3(a.inplanes, a.planes, a.stride);
    this.bn1 = a.normLayer(a.planes);
    this.conv2 = conv3x3(a.planes, a.planes);
    this.bn2 = a.normLayer(a.planes);
    this.downsample = a.downsample;
    this.stride = a.stride;
  }

  forward(x: Tensor): Tensor {
    const out = convBnRelu(this.conv1, this.bn1, this.relu, x);
    const identity = this.downsample !== null ? shortcut(this.downsample, x) : x;
    return convBnAddRelu(this.conv2, this.bn2, identity, this.relu, out);
  }
}

export class Bottleneck extends nn.Module {
  static readonly expansion = 4;
  conv1: nn.Conv2d;
  bn1: nn.Module;
  conv2: nn.Conv2d;
  bn2: nn.Module;
  conv3: nn.Conv2d;
  bn3: nn.Module;
  relu: nn.ReLU;
  downsample: nn.Module | null;
  readonly stride: number;

  constructor(a: BlockArgs) {
    super();
    const width = Math.floor(a.planes * (a.baseWidth / 64)) * a.groups;
    this.conv1 = conv1x1(a.inplanes, width);
    this.bn1 = a.normLayer(width);
    this.conv2 = conv3x3(width, width, a.stride, a.groups, a.dilation);
    this.bn2 = a.normLayer(width);
    this.conv3 = conv1x1(width, a.planes * Bottleneck.expansion);
    this.bn3 = a.normLayer(a.planes * Bottleneck.expansion);
    this.relu = new nn.ReLU(true);
    this.downsample = a.downsample;
    this.stride = a.stride;
  }

  forward(x: Tensor): Tensor {
    let out = convBnRelu(this.conv1, this.bn1, this.relu, x);
    out = convBnRelu(this.conv2, this.bn2, this.relu, out);
    const identity = this.downsample !== null ? shortcut(this.downsample, x) : x;
    return convBnAddRelu(this.conv3, this.bn3, identity, this.relu, out);
  }
}

/** A module of unknown class run on one tensor (norm layers are chosen by the caller). */
export function call(m: nn.Module, x: Tensor): Tensor {
  return (m as unknown as { forward(x: Tensor): Tensor }).forward(x);
}

type Block = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  numClasses?: number;
  zeroInitResidual?: boolean;
  groups?: number;
  widthPerGroup?: number;
  replaceStrideWithDilation?: [boolean, boolean, boolean] | null;
  normLayer?: NormLayer | null;
}

export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.Module;
  relu = new nn.ReLU(true);
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  private inplanes = 64;
  private dilation = 1;
  private readonly groups: number;
  private readonly baseWidth: number;
  private readonly normLayer: NormLayer;

  constructor(block: Block, layers: readonly [number, number, number, number], o: ResNetOptions = {}) {
    super();
    this.normLayer = o.normLayer ?? batchNorm;
    const dil = o.replaceStrideWithDilation ?? [false, false, false];
    if (dil.length !== 3)
      throw new ValueError(`replace_stride_with_dilation should be None or a 3-element tuple, got [${dil.join(", ")}]`);
    this.groups = o.groups ?? 1;
    this.baseWidth = o.widthPerGroup ?? 64;
    this.conv1 = new nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = this.normLayer(this.inplanes);
    this.layer1 = this.makeLayer(block, 64, layers[0]);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2, dil[0]);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2, dil[1]);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2, dil[2]);
    this.fc = new nn.Linear(512 * block.expansion, o.numClasses ?? 1000);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        if (m.weight) nn.init.constant_(m.weight, 1);
        if (m.bias) nn.init.constant_(m.bias, 0);
      }
    }
    // The last BN of each residual branch starts at zero: each block begins as an identity.
    if (o.zeroInitResidual === true) {
      for (const m of this.modules()) {
        const bn = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        const w = bn instanceof nn.BatchNorm2d || bn instanceof nn.GroupNorm ? bn.weight : null;
        if (w) nn.init.constant_(w, 0);
      }
    }
  }

  private makeLayer(block: Block, planes: number, blocks: number, stride = 1, dilate = false): nn.Sequential {
    let downsample: nn.Module | null = null;
    const previousDilation = this.dilation;
    if (dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(
        conv1x1(this.inplanes, planes * block.expansion, stride),
        this.normLayer(planes * block.expansion),
      );
    }
    const common = { planes, groups: this.groups, baseWidth: this.baseWidth, normLayer: this.normLayer };
    const layers: nn.Module[] = [
      new block({ ...common, inplanes: this.inplanes, stride, downsample, dilation: previousDilation }),
    ];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++)
      layers.push(
        new block({ ...common, inplanes: this.inplanes, stride: 1, downsample: null, dilation: this.dilation }),
      );
    return new nn.Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    x = this.maxpool(convBnRelu(this.conv1, this.bn1, this.relu, x));
    x = this.layer4(this.layer3(this.layer2(this.layer1(x))));
    return this.fc(this.avgpool(x).flatten(1));
  }
}

const RESNET_OPTIONS = [
  "numClasses",
  "zeroInitResidual",
  "groups",
  "widthPerGroup",
  "replaceStrideWithDilation",
  "normLayer",
];

function resnet(
  block: Block,
  layers: readonly [number, number, number, number],
  name: string,
  weightsEnum: WeightsEnum | Record<string, never>,
  args: unknown[],
  extra: ResNetOptions = {},
): ResNet {
  const o = modelOptions<ResNetOptions>(name, args, weightsEnum, RESNET_OPTIONS);
  const model = new ResNet(block, layers, { ...extra, ...o.options });
  return loadWeights(model, o);
}

export const resnet18 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(BasicBlock, [2, 2, 2, 2], "resnet18", ResNet18_Weights, args);
export const resnet34 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(BasicBlock, [3, 4, 6, 3], "resnet34", ResNet34_Weights, args);
export const resnet50 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(Bottleneck, [3, 4, 6, 3], "resnet50", ResNet50_Weights, args);
export const resnet101 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(Bottleneck, [3, 4, 23, 3], "resnet101", ResNet101_Weights, args);
export const resnet152 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(Bottleneck, [3, 8, 36, 3], "resnet152", ResNet152_Weights, args);
export const resnext50_32x4d = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(Bottleneck, [3, 4, 6, 3], "resnext50_32x4d", ResNeXt50_32X4D_Weights, args, { groups: 32, widthPerGroup: 4 });
export const wideResnet50_2 = (...args: ModelArgs<ResNetOptions>): ResNet =>
  resnet(Bottleneck, [3, 4, 6, 3], "wide_resnet50_2", Wide_ResNet50_2_Weights, args, { widthPerGroup: 64 * 2 });

export type { ModelOptions };
export type ModelArgs<O> = [] | [ModelOptions & O];
