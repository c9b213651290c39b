// conv3d, conv_transpose1d and conv_transpose3d, composed from the 2-D kernels: a 3-D
// convolution is the sum over the kernel's depth taps of 2-D convolutions of strided depth
// slices (depth folded into the batch); the transposed one places each tap's 2-D transposed
// convolution at its output depths. Being compositions, they differentiate for free.
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { add } from "./binary.js";
import { type ConvPadding, conv2d, convTranspose2d } from "./conv.js";
import { pad } from "./pad.js";
import { narrow, permute, reshape, select, slice, squeeze, unsqueeze } from "./view.js";

type IntOrTuple = number | readonly number[];

function triple(v: IntOrTuple, op: string, name: string): [number, number, number] {
  const t = typeof v === "number" ? [v, v, v] : v.length === 1 ? [v[0], v[0], v[0]] : [...v];
  if (t.length !== 3 || !t.every(Number.isInteger))
    throw new ValueError(`${op}: ${name} must be an int or a tuple of 3 ints, got ${JSON.stringify(v)}`);
  return [t[0], t[1], t[2]];
}

const addBias = (y: Tensor, bias: Tensor | null): Tensor =>
  bias ? add(y, reshape(bias, [1, -1, ...new Array<number>(y.dim() - 2).fill(1)])) : y;

/** F.conv3d(input [N, C, D, H, W] or [C, D, H, W], weight [O, C/groups, kD, kH, kW], …). */
export function conv3d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrTuple = 1,
  padding: ConvPadding = 0,
  dilation: IntOrTuple = 1,
  groups = 1,
): Tensor {
  if (weight.dim() !== 5)
    throw new ShapeError(`conv3d: expected a 5-D weight [out, in/groups, kD, kH, kW], got ${fmtShape(weight.shape)}`);
  if (input.dim() === 4)
    return squeeze(conv3d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups), 0);
  if (input.dim() !== 5)
    throw new ShapeError(`conv3d: expected 4-D (unbatched) or 5-D (batched) input, got ${fmtShape(input.shape)}`);
  const s = triple(stride, "conv3d", "stride"),
    d = triple(dilation, "conv3d", "dilation");
  const k = weight.shape.slice(2);
  let x = input;
  let p: number[];
  if (padding === "valid") p = [0, 0, 0];
  else if (padding === "same") {
    if (s.some((v) => v !== 1))
      throw new ValueError("conv3d: padding='same' is not supported for strided convolutions");
    const total = k.map((kk, i) => d[i] * (kk - 1));
    x = pad(
      x,
      [2, 1, 0].flatMap((i) => [Math.floor(total[i] / 2), total[i] - Math.floor(total[i] / 2)]),
    );
    p = [0, 0, 0];
  } else p = triple(padding, "conv3d", "padding");
  if (x.shape[1] !== weight.shape[1] * groups) {
    throw new ShapeError(
      `conv3d: expected input with ${weight.shape[1] * groups} channels (weight ${fmtShape(weight.shape)}, groups=${groups}), got ${fmtShape(input.shape)}`,
    );
  }
  if (p[0] > 0) x = pad(x, [0, 0, 0, 0, p[0], p[0]]);
  const [N, C, D, H, W] = x.shape;
  const Do = Math.floor((D - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  if (Do <= 0)
    throw new ShapeError(
      `conv3d: kernel depth ${k[0]} (dilation ${d[0]}) can't be greater than the padded input depth ${D} of ${fmtShape(input.shape)}`,
    );
  let acc: Tensor | null = null;
  for (let kd = 0; kd < k[0]; kd++) {
    const xs = slice(x, 2, kd * d[0], kd * d[0] + (Do - 1) * s[0] + 1, s[0]);
    const x2 = reshape(permute(xs, [0, 2, 1, 3, 4]), [N * Do, C, H, W]);
    const y = conv2d(x2, select(weight, 2, kd), null, [s[1], s[2]], [p[1], p[2]], [d[1], d[2]], groups);
    acc = acc === null ? y : add(acc, y);
  }
  const y2 = acc as Tensor;
  const out = permute(reshape(y2, [N, Do, ...y2.shape.slice(1)]), [0, 2, 1, 3, 4]);
  return addBias(out, bias);
}

/** F.conv_transpose1d(input [N, C, L] or [C, L], weight [C, O/groups, k], …) through the 2-D kernel. */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrTuple = 1,
  padding: IntOrTuple = 0,
  outputPadding: IntOrTuple = 0,
  groups = 1,
  dilation: IntOrTuple = 1,
): Tensor {
  if (weight.dim() !== 3)
    throw new ShapeError(`conv_transpose1d: expected a 3-D weight [in, out/groups, k], got ${fmtShape(weight.shape)}`);
  if (input.dim() === 2)
    return squeeze(
      convTranspose1d(unsqueeze(input, 0), weight, bias, stride, padding, outputPadding, groups, dilation),
      0,
    );
  if (input.dim() !== 3)
    throw new ShapeError(
      `conv_transpose1d: expected 2-D (unbatched) or 3-D (batched) input, got ${fmtShape(input.shape)}`,
    );
  const one = (v: IntOrTuple): number => (typeof v === "number" ? v : v[0]);
  const y = convTranspose2d(
    unsqueeze(input, 2),
    unsqueeze(weight, 2),
    bias,
    [1, one(stride)],
    [0, one(padding)],
    [0, one(outputPadding)],
    groups,
    [1, one(dilation)],
  );
  return squeeze(y, 2);
}

/** F.conv_transpose3d(input [N, C, D, H, W] or [C, D, H, W], weight [C, O/groups, kD, kH, kW], …). */
export function convTranspose3d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  stride: IntOrTuple = 1,
  padding: IntOrTuple = 0,
  outputPadding: IntOrTuple = 0,
  groups = 1,
  dilation: IntOrTuple = 1,
): Tensor {
  if (weight.dim() !== 5)
    throw new ShapeError(
      `conv_transpose3d: expected a 5-D weight [in, out/groups, kD, kH, kW], got ${fmtShape(weight.shape)}`,
    );
  if (input.dim() === 4)
    return squeeze(
      convTranspose3d(unsqueeze(input, 0), weight, bias, stride, padding, outputPadding, groups, dilation),
      0,
    );
  if (input.dim() !== 5)
    throw new ShapeError(
      `conv_transpose3d: expected 4-D (unbatched) or 5-D (batched) input, got ${fmtShape(input.shape)}`,
    );
  const s = triple(stride, "conv_transpose3d", "stride"),
    p = triple(padding, "conv_transpose3d", "padding");
  const op = triple(outputPadding, "conv_transpose3d", "output_padding"),
    d = triple(dilation, "conv_transpose3d", "dilation");
  if (op.some((v, i) => v >= Math.max(s[i], d[i])))
    throw new ValueError(
      `conv_transpose3d: output padding must be smaller than either stride or dilation, got output_padding ${op}, stride ${s}, dilation ${d}`,
    );
  const [N, C, D, H, W] = input.shape;
  if (C !== weight.shape[0])
    throw new ShapeError(
      `conv_transpose3d: expected input with ${weight.shape[0]} channels (weight ${fmtShape(weight.shape)}), got ${fmtShape(input.shape)}`,
    );
  const kD = weight.shape[2];
  const full = (D - 1) * s[0] + d[0] * (kD - 1) + 1 + op[0];
  const Do = full - 2 * p[0];
  if (Do <= 0)
    throw new ShapeError(`conv_transpose3d: output depth ${Do} is too small for input ${fmtShape(input.shape)}`);
  const x2 = reshape(permute(input, [0, 2, 1, 3, 4]), [N * D, C, H, W]);
  const span = (D - 1) * s[0] + 1;
  let acc: Tensor | null = null;
  for (let kd = 0; kd < kD; kd++) {
    const y = convTranspose2d(x2, select(weight, 2, kd), null, [s[1], s[2]], [p[1], p[2]], [op[1], op[2]], groups, [
      d[1],
      d[2],
    ]);
    let y5 = reshape(y, [N, D, ...y.shape.slice(1)]);
    if (s[0] > 1) {
      // Interleave s-1 zero slices after each input depth, so depth i lands at i * s.
      const z = pad(unsqueeze(y5, 2), [0, 0, 0, 0, 0, 0, 0, s[0] - 1]);
      y5 = narrow(reshape(z, [N, D * s[0], ...y.shape.slice(1)]), 1, 0, span);
    }
    const placed = pad(y5, [0, 0, 0, 0, 0, 0, kd * d[0], full - kd * d[0] - span]);
    acc = acc === null ? placed : add(acc, placed);
  }
  const cropped = narrow(acc as Tensor, 1, p[0], Do);
  return addBias(permute(cropped, [0, 2, 1, 3, 4]), bias);
}
