// Inference fast path for conv2d -> BatchNorm2d (eval) [-> ReLU], the block of every torchvision
// CNN: the backend runs the convolution and applies the BatchNorm's per-channel affine map (and
// the ReLU) to each image's output while it is still in cache, instead of two more passes over
// the activations and two more buffers. The numbers are PyTorch's: the BatchNorm is applied to
// the convolution's float32 output exactly as batch_norm's inference kernel does
// (x * alpha + beta, alpha = weight / sqrt(var + eps), beta = bias - mean * alpha); the
// weights are not folded. Taken only when nothing needs a gradient; otherwise (or on a backend
// without the kernel) the caller runs the modules one by one.
import type { Tensor } from "../tensor.js";
import { backendFor } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { wrap } from "./util.js";

export interface ConvGeometry {
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
  groups: number;
}

export interface BatchNormEval {
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor;
  runningVar: Tensor;
  eps: number;
}

/**
 * relu?(batch_norm(conv2d(x, w, bias), running stats) + residual?), or null when the fast path
 * does not apply.
 */
export function conv2dBatchNormEval(
  x: Tensor,
  w: Tensor,
  bias: Tensor | null,
  g: ConvGeometry,
  bn: BatchNormEval,
  relu: boolean,
  residual: Tensor | null = null,
): Tensor | null {
  const tensors = [x, w, bias, bn.weight, bn.bias, bn.runningMean, bn.runningVar, residual];
  if (isGradEnabled() && tensors.some((t) => t?.requiresGrad)) return null;
  if (x.dim() !== 4 || w.dim() !== 4 || x.numel() === 0 || w.numel() === 0) return null;
  if (tensors.some((t) => t !== null && (t.dtype !== "float32" || t.storage.device !== x.storage.device))) return null;
  const [N, C, H, W] = x.shape,
    [OC, cinG, kh, kw] = w.shape;
  // Anything unusual (bad shapes included) goes the ordinary way, which reports errors as PyTorch.
  if (C !== cinG * g.groups || OC % g.groups !== 0 || (bias && bias.numel() !== OC)) return null;
  for (const t of [bn.weight, bn.bias, bn.runningMean, bn.runningVar])
    if (t && (t.dim() !== 1 || t.numel() !== OC)) return null;
  const oh = Math.floor((H + 2 * g.padding[0] - g.dilation[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const ow = Math.floor((W + 2 * g.padding[1] - g.dilation[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  if (!(oh > 0 && ow > 0)) return null;
  const outShape = [N, OC, oh, ow];
  if (residual && (residual.dim() !== 4 || residual.shape.some((d, i) => d !== outShape[i]))) return null;
  const b = backendFor(x.storage.device);
  if (!b.conv2dBatchNormEval) return null;
  const p = {
    stride: [g.stride[0], g.stride[1]] as [number, number],
    padding: [g.padding[0], g.padding[1]] as [number, number],
    dilation: [g.dilation[0], g.dilation[1]] as [number, number],
    groups: g.groups,
  };
  const out = b.conv2dBatchNormEval(x, w, bias, p, outShape, { ...bn }, relu, residual);
  return out === null ? null : wrap(out, outShape, "float32");
}
