// nn.functional: the stateless forms of the layers and losses (torch.nn.functional names, camelCased).
export { linear, relu, relu6, hardtanh, leakyRelu, elu, gelu, silu, softplus, sigmoid, tanh, dropout, batchNorm, layerNorm, embedding } from "../ops/nn-ops.js";
export { softmax, logSoftmax } from "../ops/softmax.js";
export { conv1d, conv2d, convTranspose2d } from "../ops/conv.js";
export { maxPool2d, avgPool2d, adaptiveAvgPool2d } from "../ops/pool.js";
export { pad } from "../ops/pad.js";
export type { PadMode } from "../ops/pad.js";
export {
  l1Loss, mseLoss, smoothL1Loss, huberLoss, klDiv, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, crossEntropy,
} from "../ops/loss.js";
export type { Reduction, NLLOptions, CrossEntropyOptions } from "../ops/loss.js";
import { flatten as flattenOp } from "../ops/view.js";
import type { Tensor } from "../tensor.js";
import { oneHot as oneHotImpl } from "./one-hot.js";
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => flattenOp(x, startDim, endDim);
export const oneHot = oneHotImpl;
