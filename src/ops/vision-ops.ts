// Image-layout ops of torch.nn.functional: pixel_shuffle / pixel_unshuffle / channel_shuffle
// (reshape + permute), unfold / fold (im2col / col2im as an index gather and its scatter-add
// adjoint), affine_grid and grid_sample (bilinear and nearest, zeros / border / reflection
// padding). All compositions of differentiable ops, so gradients (to input and grid) come free.
import { Tensor } from "../tensor.js";
import { DTypeError, NotImplementedError, ShapeError, ValueError, fmtShape } from "../errors.js";

import { add, div, fmod, ge, logicalAnd, lt, mul, sub, where } from "./binary.js";
import { abs, floor, round } from "./unary.js";
import { clamp } from "./clamp.js";
import { gather, indexSelect, scatterAdd } from "./indexing.js";
import { linspace, ones, zeros } from "./creation.js";
import { matmul } from "./linalg.js";
import { stack } from "./join.js";
import { toDType } from "./cast.js";
import { expand, narrow, permute, reshape, select, squeeze, transpose, unsqueeze } from "./view.js";
import { pad } from "./pad.js";
import { wrap } from "./util.js";

type IntOrPair = number | readonly number[];
const pair2 = (v: IntOrPair, op: string, name: string): [number, number] => {
  const p = typeof v === "number" ? [v, v] : v.length === 1 ? [v[0], v[0]] : [...v];
  if (p.length !== 2 || !p.every(Number.isInteger))
    throw new ValueError(`${op}: ${name} must be an int or a pair of ints, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
};

export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const r = upscaleFactor,
    nd = input.dim();
  if (nd < 3)
    throw new ShapeError(`pixel_shuffle: expected input to have at least 3 dimensions, got ${fmtShape(input.shape)}`);
  const [c, h, w] = input.shape.slice(-3),
    lead = input.shape.slice(0, -3);
  if (c % (r * r) !== 0)
    throw new ShapeError(
      `pixel_shuffle: the channel dim (${c}) of ${fmtShape(input.shape)} must be divisible by the square of upscale_factor (${r * r})`,
    );
  const L = lead.length;
  const x = reshape(input, [...lead, c / (r * r), r, r, h, w]);
  const y = permute(x, [...lead.keys(), L, L + 3, L + 1, L + 4, L + 2]);
  return reshape(y, [...lead, c / (r * r), h * r, w * r]);
}

export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const r = downscaleFactor,
    nd = input.dim();
  if (nd < 3)
    throw new ShapeError(`pixel_unshuffle: expected input to have at least 3 dimensions, got ${fmtShape(input.shape)}`);
  const [c, h, w] = input.shape.slice(-3),
    lead = input.shape.slice(0, -3);
  if (h % r !== 0 || w % r !== 0)
    throw new ShapeError(
      `pixel_unshuffle: the height and width of ${fmtShape(input.shape)} must be divisible by downscale_factor (${r})`,
    );
  const L = lead.length;
  const x = reshape(input, [...lead, c, h / r, r, w / r, r]);
  const y = permute(x, [...lead.keys(), L, L + 2, L + 4, L + 1, L + 3]);
  return reshape(y, [...lead, c * r * r, h / r, w / r]);
}

export function channelShuffle(input: Tensor, groups: number): Tensor {
  if (input.dim() < 3)
    throw new ShapeError(`channel_shuffle: expected input with at least 3 dims, got ${fmtShape(input.shape)}`);
  const [n, c] = input.shape,
    rest = input.shape.slice(2);
  if (groups <= 0 || c % groups !== 0)
    throw new ValueError(`channel_shuffle: number of channels (${c}) must be divisible by groups (${groups})`);
  const x = reshape(input, [n, groups, c / groups, ...rest]);
  return reshape(transpose(x, 1, 2), input.shape);
}

interface Im2col {
  k: [number, number];
  d: [number, number];
  p: [number, number];
  s: [number, number];
  oh: number;
  ow: number;
  hp: number;
  wp: number;
  index: Tensor;
}

/** The flat positions in the padded plane that unfold reads, ordered [kh*kw, L]. */
function im2col(
  op: string,
  h: number,
  w: number,
  kernelSize: IntOrPair,
  dilation: IntOrPair,
  padding: IntOrPair,
  stride: IntOrPair,
): Im2col {
  const k = pair2(kernelSize, op, "kernel_size"),
    d = pair2(dilation, op, "dilation"),
    p = pair2(padding, op, "padding"),
    s = pair2(stride, op, "stride");
  if ([...k, ...d, ...s].some((v) => v <= 0) || p.some((v) => v < 0))
    throw new ValueError(`${op}: kernel_size, dilation and stride must be positive and padding non-negative`);
  const hp = h + 2 * p[0],
    wp = w + 2 * p[1];
  const oh = Math.floor((hp - d[0] * (k[0] - 1) - 1) / s[0]) + 1,
    ow = Math.floor((wp - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh <= 0 || ow <= 0)
    throw new ShapeError(
      `${op}: given input with spatial size (${h}, ${w}), kernel_size ${k}, dilation ${d}, padding ${p}, calculated shape of the array of sliding blocks is (${oh}, ${ow}), but its components must be at least one`,
    );
  const idx = new Float64Array(k[0] * k[1] * oh * ow);
  let j = 0;
  for (let ki = 0; ki < k[0]; ki++)
    for (let kj = 0; kj < k[1]; kj++) {
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) idx[j++] = (y * s[0] + ki * d[0]) * wp + x * s[1] + kj * d[1];
    }
  return { k, d, p, s, oh, ow, hp, wp, index: wrap(idx, [idx.length], "int64") };
}

/** F.unfold(input [N, C, H, W] or [C, H, W], kernelSize, dilation, padding, stride) → [N, C*kh*kw, L]. */
export function unfold(
  input: Tensor,
  kernelSize: IntOrPair,
  dilation: IntOrPair = 1,
  padding: IntOrPair = 0,
  stride: IntOrPair = 1,
): Tensor {
  if (input.dim() === 3) return squeeze(unfold(unsqueeze(input, 0), kernelSize, dilation, padding, stride), 0);
  if (input.dim() !== 4)
    throw new NotImplementedError(`unfold: only 3-D or 4-D input tensors are supported, got ${fmtShape(input.shape)}`);
  const [n, c, h, w] = input.shape;
  const g = im2col("unfold", h, w, kernelSize, dilation, padding, stride);
  const xp = g.p[0] || g.p[1] ? pad(input, [g.p[1], g.p[1], g.p[0], g.p[0]]) : input;
  const picked = indexSelect(reshape(xp, [n, c, g.hp * g.wp]), 2, g.index);
  return reshape(picked, [n, c * g.k[0] * g.k[1], g.oh * g.ow]);
}

/** F.fold(input [N, C*kh*kw, L] or [C*kh*kw, L], outputSize, kernelSize, dilation, padding, stride) → [N, C, H, W]: sums overlapping blocks. */
export function fold(
  input: Tensor,
  outputSize: IntOrPair,
  kernelSize: IntOrPair,
  dilation: IntOrPair = 1,
  padding: IntOrPair = 0,
  stride: IntOrPair = 1,
): Tensor {
  if (input.dim() === 2)
    return squeeze(fold(unsqueeze(input, 0), outputSize, kernelSize, dilation, padding, stride), 0);
  if (input.dim() !== 3)
    throw new NotImplementedError(`fold: only 2-D or 3-D input tensors are supported, got ${fmtShape(input.shape)}`);
  const [h, w] = pair2(outputSize, "fold", "output_size");
  const g = im2col("fold", h, w, kernelSize, dilation, padding, stride);
  const [n, ck, l] = input.shape,
    kk = g.k[0] * g.k[1];
  if (ck % kk !== 0)
    throw new ShapeError(
      `fold: expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${ck} and kernel_size=${g.k}`,
    );
  if (l !== g.oh * g.ow)
    throw new ShapeError(
      `fold: given output_size=(${h}, ${w}), kernel_size=${g.k}, dilation=${g.d}, padding=${g.p}, stride=${g.s}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${g.oh} * ${g.ow} = ${g.oh * g.ow}, but got input.size(2)=${l}`,
    );
  const c = ck / kk;
  const src = reshape(input, [n, c, kk * l]);
  const idx = expand(reshape(g.index, [1, 1, -1]), [n, c, kk * l]);
  const out = scatterAdd(zeros([n, c, g.hp * g.wp], { dtype: input.dtype }), 2, idx, src);
  const img = reshape(out, [n, c, g.hp, g.wp]);
  return narrow(narrow(img, 2, g.p[0], h), 3, g.p[1], w);
}

/** linspace(-1, 1, n), scaled by (n-1)/n without alignCorners (PyTorch's linspace_from_neg_one). */
function baseCoords(n: number, alignCorners: boolean, dtype: "float32" | "float64"): Tensor {
  if (n <= 1) return zeros([1], { dtype });
  const r = linspace(-1, 1, n, { dtype });
  // range * (n - 1) / n, two roundings as PyTorch evaluates it.
  return alignCorners ? r : div(mul(r, n - 1), n);
}

/** F.affine_grid(theta [N, 2, 3] or [N, 3, 4], size [N, C, H, W] or [N, C, D, H, W], alignCorners). */
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners = false): Tensor {
  if (theta.dtype !== "float32" && theta.dtype !== "float64")
    throw new DTypeError(`affine_grid: expected theta to have floating point type, got ${theta.dtype}`);
  const dt = theta.dtype;
  if (size.length === 4) {
    if (theta.dim() !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3)
      throw new ShapeError(
        `affine_grid: expected a batch of 2D affine matrices of shape Nx2x3 for size ${JSON.stringify(size)}, got ${fmtShape(theta.shape)}`,
      );
    const [n, , h, w] = size;
    const xs = expand(reshape(baseCoords(w, alignCorners, dt), [1, w]), [h, w]);
    const ys = expand(reshape(baseCoords(h, alignCorners, dt), [h, 1]), [h, w]);
    const base = stack([xs, ys, ones([h, w], { dtype: dt })], -1);
    const grid = matmul(expand(reshape(base, [1, h * w, 3]), [n, h * w, 3]), transpose(theta, 1, 2));
    return reshape(grid, [n, h, w, 2]);
  }
  if (size.length === 5) {
    if (theta.dim() !== 3 || theta.shape[1] !== 3 || theta.shape[2] !== 4)
      throw new ShapeError(
        `affine_grid: expected a batch of 3D affine matrices of shape Nx3x4 for size ${JSON.stringify(size)}, got ${fmtShape(theta.shape)}`,
      );
    const [n, , d, h, w] = size;
    const xs = expand(reshape(baseCoords(w, alignCorners, dt), [1, 1, w]), [d, h, w]);
    const ys = expand(reshape(baseCoords(h, alignCorners, dt), [1, h, 1]), [d, h, w]);
    const zs = expand(reshape(baseCoords(d, alignCorners, dt), [d, 1, 1]), [d, h, w]);
    const base = stack([xs, ys, zs, ones([d, h, w], { dtype: dt })], -1);
    const grid = matmul(expand(reshape(base, [1, d * h * w, 4]), [n, d * h * w, 4]), transpose(theta, 1, 2));
    return reshape(grid, [n, d, h, w, 3]);
  }
  throw new NotImplementedError(
    `affine_grid: only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size ${JSON.stringify(size)}`,
  );
}

export type GridSampleMode = "bilinear" | "nearest" | "bicubic";
export type GridPadding = "zeros" | "border" | "reflection";

/** PyTorch's reflect_coordinates: reflects c into [low2/2, high2/2] (differentiable a.e.). */
function reflect(c: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return mul(c, 0);
  const min = twiceLow / 2,
    span = (twiceHigh - twiceLow) / 2;
  const a = abs(sub(c, min));
  const extra = fmod(a, span);
  const flips = floor(div(a, span));
  const odd = ge(fmod(flips, 2), 1);
  return where(odd, add(sub(span, extra), min), add(extra, min));
}

/** Grid coordinate in [-1, 1] → pixel coordinate, with PyTorch's padding-mode clipping. */
function sourceCoord(g: Tensor, size: number, padding: GridPadding, alignCorners: boolean): Tensor {
  let c = alignCorners ? mul(add(g, 1), (size - 1) / 2) : div(sub(mul(add(g, 1), size), 1), 2);
  if (padding === "border") c = clamp(c, 0, size - 1);
  else if (padding === "reflection") {
    c = alignCorners ? reflect(c, 0, 2 * (size - 1)) : reflect(c, -1, 2 * size - 1);
    c = clamp(c, 0, size - 1);
  }
  return c;
}

/** F.grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2], mode, paddingMode, alignCorners). */
export function gridSample(
  input: Tensor,
  grid: Tensor,
  mode: GridSampleMode = "bilinear",
  paddingMode: GridPadding = "zeros",
  alignCorners = false,
): Tensor {
  if (input.dim() === 5) throw new NotImplementedError("grid_sample: 5-D (volumetric) input is not implemented");
  if (input.dim() !== 4 || grid.dim() !== 4 || grid.shape[3] !== 2 || grid.shape[0] !== input.shape[0]) {
    throw new ShapeError(
      `grid_sample: expected input [N, C, H, W] and grid [N, H_out, W_out, 2] with the same N, got ${fmtShape(input.shape)} and ${fmtShape(grid.shape)}`,
    );
  }
  if (mode === "bicubic") throw new NotImplementedError("grid_sample: mode 'bicubic' is not implemented");
  if (mode !== "bilinear" && mode !== "nearest")
    throw new ValueError(`grid_sample: expected mode to be 'bilinear', 'nearest' or 'bicubic', got '${String(mode)}'`);
  if (!["zeros", "border", "reflection"].includes(paddingMode))
    throw new ValueError(
      `grid_sample: expected padding_mode to be 'zeros', 'border', or 'reflection', got '${paddingMode}'`,
    );
  if (input.dtype !== grid.dtype)
    throw new DTypeError(
      `grid_sample: expected input and grid to have the same dtype, got ${input.dtype} and ${grid.dtype}`,
    );
  const [n, c, h, w] = input.shape,
    [, ho, wo] = grid.shape;
  const ix = sourceCoord(select(grid, 3, 0), w, paddingMode, alignCorners);
  const iy = sourceCoord(select(grid, 3, 1), h, paddingMode, alignCorners);
  const flat = reshape(input, [n, c, h * w]);
  /** input at integer pixel (px, py) [N, Ho, Wo] (float tensors of whole numbers), zero outside. */
  const at = (px: Tensor, py: Tensor): Tensor => {
    const inside = logicalAnd(logicalAnd(ge(px, 0), lt(px, w)), logicalAnd(ge(py, 0), lt(py, h)));
    const lin = toDType(where(inside, add(mul(py, w), px), 0), "int64");
    const idx = expand(reshape(lin, [n, 1, ho * wo]), [n, c, ho * wo]);
    const v = reshape(gather(flat, 2, idx), [n, c, ho, wo]);
    return mul(v, unsqueeze(toDType(inside, input.dtype), 1));
  };
  if (mode === "nearest") return at(round(ix.detach()), round(iy.detach()));
  const x0 = floor(ix.detach()),
    y0 = floor(iy.detach());
  const x1 = add(x0, 1),
    y1 = add(y0, 1);
  const wx1 = sub(ix, x0),
    wx0 = sub(x1, ix),
    wy1 = sub(iy, y0),
    wy0 = sub(y1, iy);
  const term = (px: Tensor, py: Tensor, wgt: Tensor): Tensor => mul(at(px, py), unsqueeze(wgt, 1));
  const nw = term(x0, y0, mul(wx0, wy0)),
    ne = term(x1, y0, mul(wx1, wy0));
  const sw = term(x0, y1, mul(wx0, wy1)),
    se = term(x1, y1, mul(wx1, wy1));
  return add(add(nw, ne), add(sw, se));
}
