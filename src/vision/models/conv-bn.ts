// relu?(bn(conv(x))) for the models' conv / BatchNorm / ReLU blocks: in inference (eval-mode
// BatchNorm2d with running statistics, no gradient needed) one fused kernel call
// (src/ops/conv-bn-eval.ts), otherwise the modules one after the other. Only plain nn.Conv2d,
// nn.BatchNorm2d and nn.ReLU modules without hooks are fused, so subclasses and hooks see their
// forward run as before.
import * as nn from "../../nn/index.js";
import type { Tensor } from "../../tensor.js";
import { hasForwardHooks } from "../../nn/module.js";
import { conv2dBatchNormEval } from "../../ops/conv-bn-eval.js";

const run = (m: nn.Module, x: Tensor): Tensor => (m as unknown as (x: Tensor) => Tensor)(x);

function fused(
  conv: nn.Module,
  bn: nn.Module,
  relu: nn.Module | null,
  x: Tensor,
  residual: Tensor | null = null,
): Tensor | null {
  if (conv.constructor !== nn.Conv2d || bn.constructor !== nn.BatchNorm2d) return null;
  if (relu !== null && relu.constructor !== nn.ReLU) return null;
  if (hasForwardHooks(conv) || hasForwardHooks(bn) || (relu !== null && hasForwardHooks(relu))) return null;
  const c = conv as nn.Conv2d,
    b = bn as nn.BatchNorm2d;
  const padding = c.padding;
  if (b.training || !b.trackRunningStats || c.paddingMode !== "zeros" || typeof padding === "string") return null;
  const runningMean = b.runningMean,
    runningVar = b.runningVar;
  if (runningMean === null || runningVar === null) return null;
  return conv2dBatchNormEval(
    x,
    c.weight,
    c.bias,
    { stride: c.stride, padding, dilation: c.dilation, groups: c.groups },
    { weight: b.weight, bias: b.bias, runningMean, runningVar, eps: b.eps },
    relu !== null,
    residual,
  );
}

/** relu(bn(conv(x))) (relu null: bn(conv(x))), with bn run by its forward as the models' `call`. */
export function convBnRelu(conv: nn.Module, bn: nn.Module, relu: nn.Module | null, x: Tensor): Tensor {
  const y = fused(conv, bn, relu, x);
  if (y !== null) return y;
  const z = (bn as unknown as { forward(x: Tensor): Tensor }).forward(run(conv, x));
  return relu !== null ? run(relu, z) : z;
}

/** relu(bn(conv(x)) + residual): a residual block's last convolution and its shortcut. */
export function convBnAddRelu(conv: nn.Module, bn: nn.Module, residual: Tensor, relu: nn.Module, x: Tensor): Tensor {
  const y = fused(conv, bn, relu, x, residual);
  if (y !== null) return y;
  return run(relu, convBnRelu(conv, bn, null, x).add(residual));
}

/** A shortcut: a Sequential(Conv2d, BatchNorm2d) (torchvision's downsample) fused, else its forward. */
export function shortcut(m: nn.Module, x: Tensor): Tensor {
  if (m.constructor === nn.Sequential && !hasForwardHooks(m)) {
    const mods = [...(m as nn.Sequential).children()];
    if (mods.length === 2) {
      const y = fused(mods[0], mods[1], null, x);
      if (y !== null) return y;
    }
  }
  return (m as unknown as { forward(x: Tensor): Tensor }).forward(x);
}
