// hardtanh (and relu6 = hardtanh(x, 0, 6)) as its own op with PyTorch's HardtanhBackward: the
// gradient passes where min < x < max (zero at the bounds, unlike clamp's). The backward runs as
// two threshold_backward kernels, reluBackward(reluBackward(g, x - min), max - x): the sign of
// x - min is exactly that of the comparison for finite floats (a difference of floats is zero
// only when they are equal), and a NaN x passes the gradient on, as PyTorch's. The composed mask
// (two comparisons, an and, a where) made MobileNetV2's ReLU6 backward cost more than its convolutions.
// A backend with the fused kernels (native) does each direction in one pass with one output: the
// same formulas, so the same numbers (test/hardtanh-fused.test.ts).
import { isFloating, isIntegral } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { ge, le, logicalOr, sub, where } from "./binary.js";
import { clamp } from "./clamp.js";
import { scalarTensor, wrap } from "./util.js";

function hardtanhBackward(g: Tensor, x: Tensor, minVal: number, maxVal: number): Tensor {
  if (isGradEnabled() || g.storage.device !== x.storage.device)
    return where(logicalOr(le(x, minVal), ge(x, maxVal)), 0, g);
  if (g.dtype !== x.dtype) g = g.to(x.dtype);
  const b = backend();
  const fused = x.dtype === "float32" && g.dtype === "float32" ? b.hardtanhBackward?.(g, x, minVal, maxVal) : null;
  if (fused) return wrap(fused, x.shape, x.dtype);
  const shape = x.shape;
  const below = noGrad(() => (minVal === 0 ? x : sub(x, minVal)));
  const above = noGrad(() => sub(scalarTensor(maxVal, x.dtype), x));
  const g1 = wrap(b.binary("reluBackward", g, below, shape, x.dtype), shape, x.dtype);
  return wrap(b.binary("reluBackward", g1, above, shape, x.dtype), shape, x.dtype);
}

/** F.hardtanh; an integer input stays integer, its bounds truncated to integers as PyTorch casts them. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (isIntegral(x.dtype)) return clamp(x, Math.trunc(minVal), Math.trunc(maxVal));
  if (!isFloating(x.dtype) || !Number.isFinite(minVal) || !Number.isFinite(maxVal) || !(minVal < maxVal))
    return clamp(x, minVal, maxVal);
  const fused = x.dtype === "float32" ? backend().hardtanh?.(x, minVal, maxVal) : null;
  const out = fused ? wrap(fused, x.shape, x.dtype) : noGrad(() => clamp(x, minVal, maxVal));
  return record("HardtanhBackward", [x], out, ([g]) => [hardtanhBackward(g, x, minVal, maxVal)], [x]);
}
