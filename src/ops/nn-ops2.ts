// More nn ops composed from core ops: group norm, channel dropout, PReLU and the smaller
// activations (hardswish, hardsigmoid, mish, selu, celu, logsigmoid, softsign), and 1-D pooling
// through the 2-D kernels with a unit height.
import type { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { defaultGenerator, dropoutMask } from "../random/index.js";
import type { Generator } from "../random/index.js";
import { abs, exp, neg, relu, tanh } from "./unary.js";
import { add, div, gt, minimum, maximum, mul, sub, where } from "./binary.js";
import { mean } from "./reduce.js";
import { reshape, squeeze, unsqueeze } from "./view.js";
import { rsqrt } from "./unary.js";
import { clamp } from "./softmax.js";
import { softplus } from "./nn-ops.js";
import { scalarTensor, wrap } from "./util.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "./pool.js";
import type { IntOrPair } from "./conv.js";

/** F.group_norm: statistics over each group of channels (and all spatial positions) per sample. */
export function groupNorm(input: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  if (input.dim() < 2) throw new ShapeError(`group_norm: expected at least 2-D input, got ${fmtShape(input.shape)}`);
  const [N, C] = input.shape;
  if (C % numGroups !== 0) throw new ValueError(`group_norm: expected number of channels in input (${C}) to be divisible by num_groups (${numGroups})`);
  const g = reshape(input, [N, numGroups, -1]);
  const m = mean(g, 2, true);
  const c = sub(g, m);
  const v = mean(mul(c, c), 2, true);
  let y = reshape(mul(c, rsqrt(add(v, eps))), input.shape);
  const cshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  if (weight) y = mul(y, reshape(weight, cshape));
  if (bias) y = add(y, reshape(bias, cshape));
  return y;
}

/** F.dropout2d (feature dropout): whole channels zeroed, one draw per (sample, channel). */
export function dropout2d(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout2d: dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  if (input.dtype !== "float32" && input.dtype !== "float64") throw new DTypeError(`dropout2d: expected a floating point input, got ${input.dtype}`);
  // PyTorch 1.13's feature_dropout: one draw per (dim 0, dim 1) pair; a 3-D input is (N, C, L).
  if (input.dim() < 2) throw new ShapeError(`dropout2d: expected an input with a channel dimension, got ${fmtShape(input.shape)}`);
  const shape = input.shape.map((s, i) => (i < 2 ? s : 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const arr = input.dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  dropoutMask(generator, arr, p);
  return mul(input, wrap(arr, shape, input.dtype));
}

/** F.prelu: x if x > 0 else weight * x, weight per channel (dim 1) or a single value. */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const n = weight.numel();
  if (n !== 1 && (input.dim() < 2 || input.shape[1] !== n)) {
    throw new ShapeError(`prelu: mismatch of parameter numbers and input channel size: ${n} parameters for input ${fmtShape(input.shape)}`);
  }
  const w = n === 1 ? reshape(weight, []) : reshape(weight, input.shape.map((s, i) => (i === 1 ? s : 1)));
  return where(gt(input, 0), input, mul(w, input));
}

export const hardsigmoid = (x: Tensor): Tensor => div(clamp(add(x, 3), 0, 6), 6);
export const hardswish = (x: Tensor): Tensor => mul(x, hardsigmoid(x));
export const mish = (x: Tensor): Tensor => mul(x, tanh(softplus(x)));
export const softsign = (x: Tensor): Tensor => div(x, add(abs(x), 1));
export const logsigmoid = (x: Tensor): Tensor => neg(softplus(neg(x)));

export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new ValueError("celu: ZeroDivisionError, alpha cannot be 0");
  const zero = scalarTensor(0, x.dtype);
  return add(maximum(x, zero), minimum(zero, mul(sub(exp(div(x, alpha)), 1), alpha)));
}

// PyTorch's constants (ATen Activation.cpp), rounded to double.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
export function selu(x: Tensor): Tensor {
  return mul(where(gt(x, 0), x, mul(sub(exp(x), 1), SELU_ALPHA)), SELU_SCALE);
}

// --- 1-D pooling as 2-D with a unit height ------------------------------------------------
const one = (v: IntOrPair | null): number | null => (v === null ? null : typeof v === "number" ? v : v[0]);
function with1d<T>(op: string, input: Tensor, f: (x4: Tensor) => T): T {
  if (input.dim() !== 2 && input.dim() !== 3) throw new ShapeError(`${op}: expected 2-D or 3-D input, got ${fmtShape(input.shape)}`);
  return f(unsqueeze(input, -2));
}
const back = (t: Tensor): Tensor => squeeze(t, -2);

export function maxPool1d(input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null = null, padding: IntOrPair = 0, dilation: IntOrPair = 1, ceilMode = false, returnIndices = false): Tensor | [Tensor, Tensor] {
  return with1d("max_pool1d", input, (x) => {
    const s = one(stride);
    const r = maxPool2d(x, [1, one(kernelSize) as number], s === null ? null : [1, s], [0, one(padding) as number], [1, one(dilation) as number], ceilMode, returnIndices);
    return Array.isArray(r) ? [back(r[0]), back(r[1])] : back(r);
  });
}

export function avgPool1d(input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null = null, padding: IntOrPair = 0, ceilMode = false, countIncludePad = true): Tensor {
  return with1d("avg_pool1d", input, (x) => {
    const s = one(stride);
    return back(avgPool2d(x, [1, one(kernelSize) as number], s === null ? null : [1, s], [0, one(padding) as number], ceilMode, countIncludePad));
  });
}

export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  return with1d("adaptive_avg_pool1d", input, (x) => back(adaptiveAvgPool2d(x, [1, typeof outputSize === "number" ? outputSize : outputSize[0]])));
}

export { relu };
