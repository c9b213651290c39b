// flint/nn: modules, containers, layers, losses, init, functional and utils (torch.nn).
import "../setup.js";

export { Module, callModule } from "./module.js";
export type { RemovableHandle, LoadResult, StateDict } from "./module.js";
export { Parameter } from "./parameter.js";
export { Sequential, ModuleList, ModuleDict } from "./modules/container.js";
export { Linear, Identity, Flatten, Unflatten } from "./modules/linear.js";
export type { LinearOptions } from "./modules/linear.js";
export { Conv1d, Conv2d, ConvTranspose2d } from "./modules/conv.js";
export type { ConvOptions, ConvTransposeOptions, PaddingMode } from "./modules/conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./modules/pooling.js";
export type { MaxPool2dOptions, AvgPool2dOptions } from "./modules/pooling.js";
export {
  ReLU,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Softplus,
  Hardtanh,
  ReLU6,
  Softmax,
  LogSoftmax,
} from "./modules/activation.js";
export { Dropout } from "./modules/dropout.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm } from "./modules/normalization.js";
export type { BatchNormOptions, LayerNormOptions } from "./modules/normalization.js";
export { Embedding } from "./modules/sparse.js";
export type { EmbeddingOptions } from "./modules/sparse.js";
export {
  L1Loss,
  MSELoss,
  SmoothL1Loss,
  HuberLoss,
  KLDivLoss,
  NLLLoss,
  CrossEntropyLoss,
  BCELoss,
  BCEWithLogitsLoss,
} from "./modules/loss.js";
export type { LossOptions, NLLLossOptions, CrossEntropyLossOptions } from "./modules/loss.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
export { GroupNorm } from "./modules/normalization.js";
export type { GroupNormOptions } from "./modules/normalization.js";
export { Dropout2d } from "./modules/dropout.js";
export { PReLU, Hardswish, Hardsigmoid, Mish, SELU, CELU, LogSigmoid, Softsign } from "./modules/activation.js";
export { MaxPool1d, AvgPool1d, AdaptiveAvgPool1d } from "./modules/pooling.js";
export type { Pool1dOptions } from "./modules/pooling.js";
export { RNNBase, RNN, LSTM, GRU } from "./modules/rnn.js";
export type { RNNBaseOptions, RNNOptions, LSTMOptions, GRUOptions } from "./modules/rnn.js";
export { RNNCell, LSTMCell, GRUCell } from "./modules/rnn-cells.js";
export type { RNNCellOptions } from "./modules/rnn-cells.js";
export type { Nonlinearity } from "./modules/rnn-steps.js";
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from "./modules/attention.js";
export type { MultiheadAttentionOptions, MultiheadAttentionForwardOptions } from "./modules/attention.js";
export { TransformerEncoderLayer, TransformerEncoder } from "./modules/transformer.js";
export type {
  Activation,
  TransformerLayerOptions,
  EncoderLayerForwardOptions,
  EncoderOptions,
  EncoderForwardOptions,
} from "./modules/transformer.js";
export { TransformerDecoderLayer, TransformerDecoder, Transformer } from "./modules/transformer-decoder.js";
export type {
  DecoderForwardOptions,
  TransformerOptions,
  TransformerForwardOptions,
} from "./modules/transformer-decoder.js";
export * from "./modules-surface.js";
export * as parallel from "./parallel/index.js";
