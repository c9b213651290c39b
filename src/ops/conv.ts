// Convolutions: conv2d / conv1d / conv_transpose2d as ops with closed-form backward through the
// backend's conv kernels (reference kernels in src/backend/ref/conv.ts define the semantics:
// NCHW input, OIHW weight, implicit zero padding, contiguous fresh outputs).
import { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { type Conv2dParams, type KernelOutput, backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";
import { sum } from "./reduce.js";
import { reshape, squeeze, unsqueeze } from "./view.js";
import { pad } from "./pad.js";
import { checkedAlloc } from "../checked-size.js";
import { arrayFor } from "../dtype.js";
import { integerViaFloat64 } from "./integer-via-float.js";

export type IntOrPair = number | readonly number[];
export type ConvPadding = IntOrPair | "same" | "valid";

/** A [h, w] pair from an int or a 1/2-element list. */
export function pair(v: IntOrPair, op: string, name: string): [number, number] {
  const p = typeof v === "number" ? [v, v] : v.length === 1 ? [v[0], v[0]] : [...v];
  if (p.length !== 2 || !p.every((n) => Number.isInteger(n)))
    throw new ValueError(`${op}: ${name} must be an int or a pair of ints, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
}

function checkFloat(op: string, ...ts: (Tensor | null | undefined)[]): void {
  const dt = ts[0]?.dtype;
  for (const t of ts) {
    if (!t) continue;
    if (t.dtype !== "float32" && t.dtype !== "float64")
      throw new DTypeError(`${op}: expected floating point tensors, got ${t.dtype}`);
    if (t.dtype !== dt)
      throw new DTypeError(`${op}: input type (${dt}) and weight/bias type (${t.dtype}) should be the same`);
  }
}

/** The raw 2-D convolution: x [N, C, H, W], explicit symmetric zero padding. */
function conv2dRaw(x: Tensor, w: Tensor, bias: Tensor | null, p: Conv2dParams): Tensor {
  const [N, C, H, W] = x.shape;
  const [Cout, cinG, kh, kw] = w.shape;
  if (Cout < p.groups) {
    throw new ShapeError(
      `conv2d: Given groups=${p.groups}, expected weight to be at least ${p.groups} at dimension 0, but got weight of size ${fmtShape(w.shape)} instead`,
    );
  }
  if (C !== cinG * p.groups) {
    throw new ShapeError(
      `conv2d: expected input with ${cinG * p.groups} channels (weight ${fmtShape(w.shape)}, groups=${p.groups}), got ${fmtShape(x.shape)}`,
    );
  }
  if (Cout % p.groups !== 0)
    throw new ValueError(`conv2d: out_channels (${Cout}) must be divisible by groups (${p.groups})`);
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== Cout))
    throw new ShapeError(`conv2d: expected bias of shape [${Cout}], got ${fmtShape(bias.shape)}`);
  const oh = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (kh - 1) - 1) / p.stride[0]) + 1;
  const ow = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (kw - 1) - 1) / p.stride[1]) + 1;
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      `conv2d: kernel size ${kh}x${kw} (dilation ${p.dilation.join("x")}) can't be greater than the padded input size for input ${fmtShape(x.shape)} with padding ${p.padding.join("x")}`,
    );
  }
  return convForward(x, w, bias, p, [N, Cout, oh, ow]);
}

// The convolution and its two gradients as three ops, each differentiable through the other two,
// so gradients taken with createGraph (gradient penalties, Hessian-vector products) are exact:
// forward y = A(w) x is bilinear in (x, w), its input gradient A(w)^T g is bilinear in (g, w),
// and its weight gradient is bilinear in (x, g).

/**
 * The kernel's result, or zeros without calling it when the result or one of the `ins` it sums
 * over is empty (zero output channels, an empty batch): PyTorch returns an empty or zero result
 * there, and the kernels require positive sizes. The output size is checked (overflow, memory
 * limit) first.
 */
function runConv(
  op: string,
  outShape: readonly number[],
  dtype: Tensor["dtype"],
  ins: readonly Tensor[],
  run: () => KernelOutput,
): KernelOutput {
  const n = checkedAlloc(op, outShape, dtype);
  if (n === 0 || ins.some((t) => t.numel() === 0)) return arrayFor(dtype, n);
  return run();
}

function convForward(x: Tensor, w: Tensor, bias: Tensor | null, p: Conv2dParams, outShape: readonly number[]): Tensor {
  const data = runConv("conv2d", outShape, x.dtype, [], () => backend().conv2d(x, w, bias, p, outShape));
  const out = wrap(data, outShape, x.dtype);
  return record(
    "ConvolutionBackward",
    [x, w, bias],
    out,
    ([g]) => [
      x.requiresGrad ? convInputGrad(g, w, p, x.shape) : null,
      w.requiresGrad ? convWeightGrad(x, g, p, w.shape) : null,
      bias && bias.requiresGrad ? sum(g, [0, 2, 3]) : null,
    ],
    [x, w],
  );
}

/** A(w)^T g: the gradient of a convolution with respect to its input (also conv_transpose2d). */
function convInputGrad(
  g: Tensor,
  w: Tensor,
  p: Conv2dParams,
  inShape: readonly number[],
  node = "ConvolutionBackwardBackward",
): Tensor {
  const out = wrap(
    runConv("conv2d backward (input)", inShape, g.dtype, [g, w], () => backend().conv2dBackwardInput(g, w, p, inShape)),
    inShape,
    g.dtype,
  );
  return record(
    node,
    [g, w],
    out,
    ([gg]) => [
      g.requiresGrad ? convForward(gg, w, null, p, g.shape) : null,
      w.requiresGrad ? convWeightGrad(gg, g, p, w.shape) : null,
    ],
    [g, w],
  );
}

/** The gradient of a convolution with respect to its weight, for input x and output gradient g. */
function convWeightGrad(x: Tensor, g: Tensor, p: Conv2dParams, wShape: readonly number[]): Tensor {
  const out = wrap(
    runConv("conv2d backward (weight)", wShape, x.dtype, [x, g], () => backend().conv2dBackwardWeight(x, g, p, wShape)),
    wShape,
    x.dtype,
  );
  return record(
    "ConvolutionBackwardBackward",
    [x, g],
    out,
    ([gw]) => [
      x.requiresGrad ? convInputGrad(g, gw, p, x.shape) : null,
      g.requiresGrad ? convForward(x, gw, null, p, g.shape) : null,
    ],
    [x, g],
  );
}

/** 'same' padding per axis: total d*(k-1), the extra odd pixel on the right (as PyTorch). */
function samePadding(k: [number, number], d: [number, number]): { sym: [number, number]; extra: number[] | null } {
  const total = [d[0] * (k[0] - 1), d[1] * (k[1] - 1)];
  const left: [number, number] = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
  if (total[0] % 2 === 0 && total[1] % 2 === 0) return { sym: left, extra: null };
  // F.pad order: last dim first: [wLeft, wRight, hTop, hBottom]; the symmetric part stays in the conv.
  return { sym: left, extra: [0, total[1] % 2, 0, total[0] % 2] };
}

export interface Conv2dOptions {
  stride?: IntOrPair;
  padding?: ConvPadding;
  dilation?: IntOrPair;
  groups?: number;
}

/** F.conv2d(input, weight, bias?, stride, padding, dilation, groups); input [N,C,H,W] or [C,H,W]. */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrPair = 1,
  padding: ConvPadding = 0,
  dilation: IntOrPair = 1,
  groups = 1,
): Tensor {
  const viaFloat = integerViaFloat64(
    [input, weight, bias],
    (x, w, b) => conv2d(x as Tensor, w as Tensor, b, stride, padding, dilation, groups),
    "round",
  );
  if (viaFloat) return viaFloat;
  checkFloat("conv2d", input, weight, bias);
  if (weight.dim() !== 4)
    throw new ShapeError(`conv2d: expected a 4-D weight [out, in/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  if (input.dim() === 3)
    return squeeze(conv2d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups), 0);
  if (input.dim() !== 4)
    throw new ShapeError(`conv2d: expected 3-D (unbatched) or 4-D (batched) input, got ${fmtShape(input.shape)}`);
  if (!Number.isInteger(groups) || groups <= 0)
    throw new ValueError(`conv2d: groups must be a positive integer, got ${groups}`);
  const s = pair(stride, "conv2d", "stride"),
    d = pair(dilation, "conv2d", "dilation");
  let x = input,
    pd: [number, number];
  if (padding === "valid") pd = [0, 0];
  else if (padding === "same") {
    if (s[0] !== 1 || s[1] !== 1)
      throw new ValueError("conv2d: padding='same' is not supported for strided convolutions");
    const sp = samePadding([weight.shape[2], weight.shape[3]], d);
    pd = sp.sym;
    if (sp.extra) x = pad(x, sp.extra);
  } else pd = pair(padding, "conv2d", "padding");
  if (pd[0] < 0 || pd[1] < 0)
    throw new ValueError(`conv2d: negative padding ${JSON.stringify(padding)} is not supported`);
  if (s[0] <= 0 || s[1] <= 0 || d[0] <= 0 || d[1] <= 0)
    throw new ValueError(`conv2d: stride and dilation must be positive, got stride ${s} dilation ${d}`);
  return conv2dRaw(x, weight, bias, { stride: s, padding: pd, dilation: d, groups });
}

/** F.conv1d through conv2d with a unit height. input [N, C, L] or [C, L]; weight [out, in/g, k]. */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrPair = 1,
  padding: ConvPadding = 0,
  dilation: IntOrPair = 1,
  groups = 1,
): Tensor {
  if (weight.dim() !== 3)
    throw new ShapeError(`conv1d: expected a 3-D weight [out, in/groups, k], got ${fmtShape(weight.shape)}`);
  if (input.dim() === 2)
    return squeeze(conv1d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups), 0);
  if (input.dim() !== 3)
    throw new ShapeError(`conv1d: expected 2-D (unbatched) or 3-D (batched) input, got ${fmtShape(input.shape)}`);
  const p2: ConvPadding = typeof padding === "string" ? padding : [0, firstOf(padding)];
  const out = conv2d(
    unsqueeze(input, 2),
    unsqueeze(weight, 2),
    bias,
    [1, firstOf(stride)],
    p2,
    [1, firstOf(dilation)],
    groups,
  );
  return squeeze(out, 2);
}

/** A 1-D convolution's argument given as a number or a one-element (or longer) list. */
function firstOf(v: IntOrPair): number {
  return typeof v === "number" ? v : v[0];
}

/**
 * F.conv_transpose2d(input, weight [in, out/groups, kh, kw], bias, stride, padding, outputPadding,
 * groups, dilation): the adjoint of conv2d, computed with conv2d's backward-input kernel.
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrPair = 1,
  padding: IntOrPair = 0,
  outputPadding: IntOrPair = 0,
  groups = 1,
  dilation: IntOrPair = 1,
): Tensor {
  const viaFloat = integerViaFloat64(
    [input, weight, bias],
    (x, w, b) => convTranspose2d(x as Tensor, w as Tensor, b, stride, padding, outputPadding, groups, dilation),
    "round",
  );
  if (viaFloat) return viaFloat;
  checkFloat("conv_transpose2d", input, weight, bias);
  if (input.dim() === 3)
    return squeeze(
      convTranspose2d(unsqueeze(input, 0), weight, bias, stride, padding, outputPadding, groups, dilation),
      0,
    );
  if (input.dim() !== 4 || weight.dim() !== 4)
    throw new ShapeError(
      `conv_transpose2d: expected 4-D input and weight, got ${fmtShape(input.shape)} and ${fmtShape(weight.shape)}`,
    );
  const [N, Cin, H, W] = input.shape;
  if (Cin !== weight.shape[0])
    throw new ShapeError(
      `conv_transpose2d: expected input with ${weight.shape[0]} channels (weight ${fmtShape(weight.shape)}), got ${fmtShape(input.shape)}`,
    );
  const s = pair(stride, "conv_transpose2d", "stride"),
    pd = pair(padding, "conv_transpose2d", "padding");
  const op = pair(outputPadding, "conv_transpose2d", "output_padding"),
    d = pair(dilation, "conv_transpose2d", "dilation");
  if (op[0] >= Math.max(s[0], d[0]) || op[1] >= Math.max(s[1], d[1])) {
    throw new ValueError(
      `conv_transpose2d: output padding must be smaller than either stride or dilation, got output_padding ${op}, stride ${s}, dilation ${d}`,
    );
  }
  const Cout = weight.shape[1] * groups;
  const oh = (H - 1) * s[0] - 2 * pd[0] + d[0] * (weight.shape[2] - 1) + op[0] + 1;
  const ow = (W - 1) * s[1] - 2 * pd[1] + d[1] * (weight.shape[3] - 1) + op[1] + 1;
  if (oh <= 0 || ow <= 0)
    throw new ShapeError(`conv_transpose2d: output size ${oh}x${ow} is too small for input ${fmtShape(input.shape)}`);
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== Cout))
    throw new ShapeError(`conv_transpose2d: expected bias of shape [${Cout}], got ${fmtShape(bias.shape)}`);
  const p: Conv2dParams = { stride: s, padding: pd, dilation: d, groups };
  // The transposed convolution is the input gradient of the convolution it transposes.
  const noBias = convInputGrad(input, weight, p, [N, Cout, oh, ow], "ConvolutionBackward");
  return bias ? addBias(noBias, bias) : noBias;
}

import { add } from "./binary.js";
const addBias = (y: Tensor, b: Tensor): Tensor => add(y, reshape(b, [1, -1, 1, 1]));
