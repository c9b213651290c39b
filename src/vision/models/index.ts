// flint/vision's models: torchvision.models' classification networks, with torchvision's names
// (camelCased by Flint's rule: mobilenet_v2 → mobilenetV2), state-dict keys, initialisation and
// pretrained weights.
export {
  ResNet,
  BasicBlock,
  Bottleneck,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext50_32x4d,
  wideResnet50_2,
} from "./resnet.js";
export {
  VGG,
  makeLayers,
  vgg11,
  vgg11Bn,
  vgg13,
  vgg16,
  vgg16Bn,
  vgg19,
  AlexNet,
  alexnet,
  Fire,
  SqueezeNet,
  squeezenet1_0,
  squeezenet1_1,
} from "./vgg.js";
export {
  InvertedResidual,
  InvertedResidualConfig,
  InvertedResidualV3,
  MobileNetV2,
  MobileNetV3,
  mobilenetV2,
  mobilenetV3Large,
  mobilenetV3Small,
} from "./mobilenet.js";
export {
  ShuffleNetV2,
  ShuffleUnit,
  channelShuffle,
  shufflenetV2X0_5,
  shufflenetV2X1_0,
  shufflenetV2X1_5,
  shufflenetV2X2_0,
} from "./shufflenet.js";
export {
  EfficientNet,
  MBConv,
  MBConvConfig,
  efficientnetB0,
  efficientnetB1,
  efficientnetB2,
  efficientnetB3,
  efficientnetB4,
  efficientnetB5,
  efficientnetB6,
  efficientnetB7,
} from "./efficientnet.js";
export {
  DenseNet,
  DenseBlock,
  DenseLayer,
  Transition,
  densenet121,
  densenet161,
  densenet169,
  densenet201,
} from "./densenet.js";
export { AnyStage, BlockParams, BottleneckTransform, RegNet, ResBottleneckBlock, regnetY_400mf } from "./regnet.js";
export * from "./weights.js";
export { type ModelOptions, makeDivisible } from "./common.js";
