// 2-D pooling ops (max, average, adaptive average) with closed-form backward through the
// backend's kernels (reference semantics: src/backend/ref/pool.ts), differentiable twice.
import { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { type AvgPool2dParams, type Pool2dParams, backend, backendFor } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";
import { flatten, reshape, squeeze, unsqueeze } from "./view.js";
import { gather } from "./indexing.js";
import { type IntOrPair, pair } from "./conv.js";
import { integerViaFloat64 } from "./integer-via-float.js";
import { neg } from "./unary.js";

/** PyTorch's pooling_output_shape. */
export function poolOutSize(
  size: number,
  k: number,
  pad: number,
  stride: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const num = size + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

function check4d(op: string, x: Tensor): void {
  if (x.dtype !== "float32" && x.dtype !== "float64")
    throw new DTypeError(`${op}: expected a floating point input, got ${x.dtype}`);
  if (x.dim() !== 4) throw new ShapeError(`${op}: expected 3-D or 4-D input, got ${fmtShape(x.shape)}`);
}

interface Window {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  outH: number;
  outW: number;
}

function window(
  op: string,
  x: Tensor,
  kernelSize: IntOrPair,
  stride: IntOrPair | null | undefined,
  padding: IntOrPair,
  dilation: IntOrPair,
  ceilMode: boolean,
): Window {
  const k = pair(kernelSize, op, "kernel_size");
  const s =
    stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0)
      ? k
      : pair(stride, op, "stride");
  const p = pair(padding, op, "padding"),
    d = pair(dilation, op, "dilation");
  if (k.some((v) => v <= 0) || s.some((v) => v <= 0) || d.some((v) => v <= 0))
    throw new ValueError(`${op}: kernel_size, stride and dilation must be positive, got ${k}, ${s}, ${d}`);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2 || p[0] < 0 || p[1] < 0)
    throw new ValueError(
      `${op}: pad should be at most half of effective kernel size, but got pad=${p}, kernel_size=${k}`,
    );
  const outH = poolOutSize(x.shape[2], k[0], p[0], s[0], d[0], ceilMode),
    outW = poolOutSize(x.shape[3], k[1], p[1], s[1], d[1], ceilMode);
  if (outH <= 0 || outW <= 0)
    throw new ShapeError(
      `${op}: given input size ${fmtShape(x.shape)}, calculated output size ${outH}x${outW} is too small (kernel ${k}, stride ${s}, padding ${p}, dilation ${d})`,
    );
  return { k, s, p, d, outH, outW };
}

/** F.max_pool2d; with returnIndices, [values, indices] (indices = iy*W + ix inside each plane). */
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride: IntOrPair | null = null,
  padding: IntOrPair = 0,
  dilation: IntOrPair = 1,
  ceilMode = false,
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  if (input.dim() === 3) {
    const r = maxPool2d(unsqueeze(input, 0), kernelSize, stride, padding, dilation, ceilMode, returnIndices);
    return Array.isArray(r) ? [squeeze(r[0], 0), squeeze(r[1], 0)] : squeeze(r, 0);
  }
  check4d("max_pool2d", input);
  const w = window("max_pool2d", input, kernelSize, stride, padding, dilation, ceilMode);
  const p: Pool2dParams = { kernel: w.k, stride: w.s, padding: w.p, dilation: w.d, outH: w.outH, outW: w.outW };
  const shape = [input.shape[0], input.shape[1], w.outH, w.outW];
  // Inference (no gradient, no indices asked for): the values alone, where the backend has them.
  if (!returnIndices && !(isGradEnabled() && input.requiresGrad)) {
    const v = backendFor(input.storage.device).maxPool2dValues?.(input, p);
    if (v) return wrap(v, shape, input.dtype);
  }
  const r = backend().maxPool2d(input, p);
  const values = wrap(r.values, shape, input.dtype),
    indices = wrap(r.indices, shape, "int64");
  record("MaxPool2DWithIndicesBackward", [input], values, ([g]) => [maxPoolGrad(g, indices, input.shape)]);
  return returnIndices ? [values, indices] : values;
}

// Each pooling gradient is itself an op whose backward is the adjoint map, so gradients taken
// with createGraph stay differentiable: max pooling's gradient scatters g to the argmax cells,
// whose adjoint gathers from them; the average poolings' gradients are linear maps whose adjoint
// is the forward pooling itself.

function maxPoolGrad(g: Tensor, indices: Tensor, inShape: readonly number[]): Tensor {
  const out = wrap(backend().maxPool2dBackward(g, indices, inShape), inShape, g.dtype);
  return record("MaxPool2DWithIndicesBackwardBackward", [g], out, ([gg]) => [
    reshape(gather(flatten(gg, 2), 2, flatten(indices, 2)), g.shape),
  ]);
}

function avgPoolGrad(g: Tensor, p: AvgPool2dParams, inShape: readonly number[]): Tensor {
  const out = wrap(backend().avgPool2dBackward(g, p, inShape), inShape, g.dtype);
  return record("AvgPool2DBackwardBackward", [g], out, ([gg]) => [avgPoolForward(gg, p, g.shape)]);
}

function avgPoolForward(x: Tensor, p: AvgPool2dParams, outShape: readonly number[]): Tensor {
  const out = wrap(backend().avgPool2d(x, p), outShape, x.dtype);
  return record("AvgPool2DBackward", [x], out, ([g]) => [avgPoolGrad(g, p, x.shape)]);
}

function adaptiveAvgPoolGrad(g: Tensor, inShape: readonly number[]): Tensor {
  const out = wrap(backend().adaptiveAvgPool2dBackward(g, inShape), inShape, g.dtype);
  return record("AdaptiveAvgPool2DBackwardBackward", [g], out, ([gg]) => [adaptiveAvgPoolForward(gg, g.shape)]);
}

function adaptiveAvgPoolForward(x: Tensor, outShape: readonly number[]): Tensor {
  const out = wrap(backend().adaptiveAvgPool2d(x, outShape[2], outShape[3]), outShape, x.dtype);
  return record("AdaptiveAvgPool2DBackward", [x], out, ([g]) => [adaptiveAvgPoolGrad(g, x.shape)]);
}

/** F.avg_pool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride). */
export function avgPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride: IntOrPair | null = null,
  padding: IntOrPair = 0,
  ceilMode = false,
  countIncludePad = true,
  divisorOverride: number | null = null,
): Tensor {
  if (input.dim() === 3)
    return squeeze(
      avgPool2d(unsqueeze(input, 0), kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride),
      0,
    );
  const viaFloat = integerViaFloat64(
    [input],
    (x) => avgPool2d(x as Tensor, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride),
    "trunc",
  );
  if (viaFloat) return viaFloat;
  check4d("avg_pool2d", input);
  if (divisorOverride !== null && divisorOverride === 0) throw new ValueError("avg_pool2d: divisor must be not zero");
  // PyTorch takes any non-zero divisor; the kernels take positive ones: sum / -d = -(sum / d).
  if (divisorOverride !== null && divisorOverride < 0)
    return neg(avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, -divisorOverride));
  const w = window("avg_pool2d", input, kernelSize, stride, padding, 1, ceilMode);
  const p: AvgPool2dParams = {
    kernel: w.k,
    stride: w.s,
    padding: w.p,
    outH: w.outH,
    outW: w.outW,
    countIncludePad,
    divisorOverride,
  };
  return avgPoolForward(input, p, [input.shape[0], input.shape[1], w.outH, w.outW]);
}

/** F.adaptive_avg_pool2d(input, outputSize); a null entry keeps that input size. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  if (input.dim() === 3) return squeeze(adaptiveAvgPool2d(unsqueeze(input, 0), outputSize), 0);
  check4d("adaptive_avg_pool2d", input);
  const o =
    typeof outputSize === "number"
      ? [outputSize, outputSize]
      : outputSize.length === 1
        ? [outputSize[0], outputSize[0]]
        : [...outputSize];
  const outH = o[0] ?? input.shape[2],
    outW = o[1] ?? input.shape[3];
  if (!(outH > 0 && outW > 0))
    throw new ValueError(`adaptive_avg_pool2d: output size must be positive, got ${JSON.stringify(outputSize)}`);
  return adaptiveAvgPoolForward(input, [input.shape[0], input.shape[1], outH, outW]);
}
