// Exports of the modules added for PyTorch's wider nn surface (re-exported by nn/index.ts).
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d } from "./modules/upsampling.js";
export type { UpsampleOptions } from "./modules/upsampling.js";
export {
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
  ZeroPad2d,
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
} from "./modules/padding.js";
export { PixelShuffle, PixelUnshuffle, ChannelShuffle, Fold, Unfold } from "./modules/pixelshuffle.js";
export { PairwiseDistance, CosineSimilarity } from "./modules/distance.js";
export {
  BatchNorm3d,
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNorm3d,
  LocalResponseNorm,
} from "./modules/instancenorm.js";
export type { InstanceNormOptions } from "./modules/instancenorm.js";
export {
  MaxPool3d,
  AvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  AdaptiveAvgPool3d,
  LPPool1d,
  LPPool2d,
} from "./modules/pooling-nd.js";
export {
  Conv3d,
  ConvTranspose1d,
  ConvTranspose3d,
  LazyConv1d,
  LazyConv2d,
  LazyConv3d,
  LazyConvTranspose1d,
  LazyConvTranspose2d,
  LazyConvTranspose3d,
} from "./modules/conv-nd.js";
export {
  Threshold,
  RReLU,
  GLU,
  Hardshrink,
  Softshrink,
  Tanhshrink,
  Softmin,
  Softmax2d,
} from "./modules/activation-more.js";
export { Bilinear } from "./modules/bilinear.js";
export {
  MarginRankingLoss,
  HingeEmbeddingLoss,
  SoftMarginLoss,
  CosineEmbeddingLoss,
  MultiMarginLoss,
  MultiLabelMarginLoss,
  MultiLabelSoftMarginLoss,
  PoissonNLLLoss,
  GaussianNLLLoss,
  TripletMarginLoss,
  TripletMarginWithDistanceLoss,
  CTCLoss,
} from "./modules/loss-more.js";
export {
  Dropout1d,
  Dropout3d,
  AlphaDropout,
  FeatureAlphaDropout,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  LazyLinear,
  ParameterList,
  ParameterDict,
  NLLLoss2d,
} from "./modules/misc-more.js";
export { EmbeddingBag } from "./modules/embedding-bag.js";
export { FractionalMaxPool2d, FractionalMaxPool3d } from "./modules/fractional-pool.js";
export {
  LazyBatchNorm1d,
  LazyBatchNorm2d,
  LazyBatchNorm3d,
  LazyInstanceNorm1d,
  LazyInstanceNorm2d,
  LazyInstanceNorm3d,
} from "./modules/lazy-norm.js";
export { AdaptiveLogSoftmaxWithLoss } from "./modules/adaptive-softmax.js";
export type { ASMOutput } from "./modules/adaptive-softmax.js";
